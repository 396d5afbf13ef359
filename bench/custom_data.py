"""Your own data: decode throughput of an image folder and a text table, and a search on PNGs against the built-in
loader on the same genuine images.

    .venv/bin/python bench/custom_data.py --images 20000 --seeds 0,1,2 --minutes 3

1. Decode: `--images` Fashion-MNIST training images written as PNG class folders, and the IMDB train split as a
   CSV; each loaded through `load_dataset(<path>)` with an empty cache (scan, content hash, decode, cache write)
   and again with the cache warm (listing check, memory-mapped arrays): examples per second.
2. Parity: a folder of PNGs made from the genuine Fashion-MNIST test split (10,000 images; 20% held out for
   testing) against the built-in loader with the data fraction that gives the same training-set size; the same
   time-boxed study (product defaults, mode=simple) on each, per seed; the best test accuracy of each.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from common import SHARED, data_dir, median, write_result
from PIL import Image

from nettune import OptimizationConfig, optimize
from nettune.data import load_dataset
from nettune.data.class_names import FASHION_MNIST
from nettune.data.idx import read_idx


def write_pngs(root: Path, images: np.ndarray, labels: np.ndarray) -> Path:
    for name in FASHION_MNIST:
        (root / name.replace("/", "-")).mkdir(parents=True, exist_ok=True)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        Image.fromarray(image, mode="L").save(root / FASHION_MNIST[label].replace("/", "-") / f"{i:05d}.png")
    return root


def timed_loads(path: Path, cache: Path) -> dict[str, Any]:
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    data = load_dataset(str(path), data_dir=cache)
    first = time.perf_counter() - start
    start = time.perf_counter()
    load_dataset(str(path), data_dir=cache, seed=1)  # another seed: the split is redone, the decode is not
    cached = time.perf_counter() - start
    n = len(data.train) + len(data.val) + len(data.test)
    return {"examples": n, "first_s": round(first, 2), "cached_s": round(cached, 2),
            "first_per_s": round(n / first), "cached_per_s": round(n / cached)}


def decode_benchmark(count: int, work: Path) -> dict[str, Any]:
    source = SHARED / "fashion_mnist"
    images = read_idx(source / "train-images-idx3-ubyte.gz")[:count]
    labels = read_idx(source / "train-labels-idx1-ubyte.gz")[:count]
    folder = write_pngs(work / "fashion_png", images, labels)
    table = work / "imdb_train.csv"
    with gzip.open(SHARED / "imdb" / "imdb_train_25k.csv.gz", "rt", encoding="utf-8") as raw, \
            table.open("w", encoding="utf-8") as out:
        shutil.copyfileobj(raw, out)
    return {"png_folder": timed_loads(folder, work / "cache"), "csv_table": timed_loads(table, work / "cache")}


def best_test(dataset: str, seed: int, minutes: float, root: Path, **extra: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        config = OptimizationConfig(dataset=dataset, mode="simple", trials=10_000, timeout=minutes * 60, seed=seed,
                                    output_dir=out, run_name="parity", data_dir=str(root), plot_generation="none",
                                    **extra)
        result = optimize(config)
        return {"best_test_accuracy": result.best_test_accuracy, "counts": result.counts}


def parity_benchmark(seeds: list[int], minutes: float, work: Path) -> dict[str, Any]:
    source = SHARED / "fashion_mnist"
    folder = write_pngs(work / "fashion_test_png", read_idx(source / "t10k-images-idx3-ubyte.gz"),
                        read_idx(source / "t10k-labels-idx1-ubyte.gz"))
    png = load_dataset(str(folder), data_dir=work / "parity-cache")
    fraction = round((len(png.train) + len(png.val)) / 60_000, 4)  # the built-in train split is 60,000
    builtin_root = data_dir("fashion_mnist")
    runs = []
    for seed in seeds:
        folder_run = best_test(str(folder), seed, minutes, work / "parity-cache")
        builtin_run = best_test("fashion_mnist", seed, minutes, builtin_root, data_fraction=fraction)
        runs.append({"seed": seed, "png_folder": folder_run, "builtin": builtin_run,
                     "difference_points": round(100 * (folder_run["best_test_accuracy"]
                                                       - builtin_run["best_test_accuracy"]), 2)})
        print(runs[-1], flush=True)
    return {"minutes": minutes, "builtin_data_fraction": fraction,
            "sizes": {"png_folder": png.notes["sizes"]}, "runs": runs,
            "median_png": median([r["png_folder"]["best_test_accuracy"] for r in runs]),
            "median_builtin": median([r["builtin"]["best_test_accuracy"] for r in runs]),
            "median_difference_points": median([r["difference_points"] for r in runs])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--minutes", type=float, default=3.0)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        decode = decode_benchmark(args.images, work)
        print(decode, flush=True)
        parity = parity_benchmark(seeds, args.minutes, work)
    command = f"python bench/custom_data.py --images {args.images} --seeds {args.seeds} --minutes {args.minutes:g}"
    write_result("custom_data", {"command": command, "decode": decode, "parity": parity})


if __name__ == "__main__":
    main()
