"""Which pruner: the same time-boxed MNIST study with no pruner, the median pruner and Hyperband.

    .venv/bin/python bench/pruners.py --minutes 3 --fraction 0.1 --seeds 0

Reports, per pruner, trials finished, how many were pruned, and the best validation / test accuracy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import data_dir, median, write_result

from nettune.config import OptimizationConfig
from nettune.study.runner import optimize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--max-epochs", type=int, default=4)
    parser.add_argument("--seeds", default="0")
    args = parser.parse_args()
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        for pruner in ("none", "median", "hyperband"):
            with tempfile.TemporaryDirectory() as out:
                started = time.time()
                config = OptimizationConfig(dataset="mnist", mode="simple", trials=10_000, timeout=args.minutes * 60,
                                            max_epochs_per_trial=args.max_epochs, data_fraction=args.fraction,
                                            pruner=pruner, seed=seed, output_dir=out, run_name="bench",
                                            warm_start=False, data_dir=str(data_dir("mnist")))
                result = optimize(config)
                rows.append({"pruner": pruner, "seed": seed, "elapsed_s": round(time.time() - started, 1),
                             "finished": sum(result.counts.values()) - result.counts["interrupted"],
                             **result.counts, "best_val_accuracy": result.best_accuracy,
                             "best_test_accuracy": result.best_test_accuracy})
                print(rows[-1], flush=True)
    summary = {p: {"median_best_val": median([r["best_val_accuracy"] or 0 for r in rows if r["pruner"] == p]),
                   "median_finished": median([r["finished"] for r in rows if r["pruner"] == p])}
               for p in ("none", "median", "hyperband")}
    write_result("pruners", {"command": " ".join(["python", *sys.argv]), "settings": vars(args),
                             "summary": summary, "runs": rows})


if __name__ == "__main__":
    main()
