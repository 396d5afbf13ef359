"""Best test accuracy against wall time for a real study on genuine data.

    .venv/bin/python bench/accuracy_vs_time.py --dataset mnist --minutes 30 --max-epochs 8

The study selects trials by validation accuracy (mode=simple); the curve reports the *test* accuracy of the
trial that was best on validation at each moment, so no test-set peeking goes into the numbers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import data_dir, write_result

from nettune.config import OptimizationConfig
from nettune.progress.events import TrialFinished
from nettune.study.runner import optimize


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, choices=["mnist", "fashion_mnist", "imdb"])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--max-epochs", type=int, default=6)
    parser.add_argument("--trial-timeout", type=float, default=None)
    parser.add_argument("--mode", default="simple")
    parser.add_argument("--pruner", default=OptimizationConfig().pruner, help="default: the product's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tag", default="", help="suffix for the result file, to keep several runs")
    parser.add_argument("--checkpoints", default="10,15,20,30", help="minutes at which to report best-so-far")
    args = parser.parse_args()

    rows: list[dict] = []
    started = time.time()

    def listen(event: object, progress: object) -> None:
        if isinstance(event, TrialFinished):
            o = event.outcome
            rows.append({"t_s": round(time.time() - started, 1), "trial": o["number"], "state": o["state"],
                         "val_accuracy": o["metrics"].get("val_accuracy"),
                         "test_accuracy": o["metrics"].get("test_accuracy"),
                         "duration_s": o.get("duration_s"), "epochs_run": o["metrics"].get("epochs_run"),
                         "params": o.get("param_count")})
            print(rows[-1], flush=True)

    with tempfile.TemporaryDirectory() as out:
        config = OptimizationConfig(dataset=args.dataset, mode=args.mode, trials=10_000, timeout=args.minutes * 60,
                                    max_epochs_per_trial=args.max_epochs, trial_timeout=args.trial_timeout,
                                    pruner=args.pruner, seed=args.seed, output_dir=out, run_name="bench",
                                    data_dir=str(data_dir(args.dataset)))
        result = optimize(config, listener=listen)
    elapsed = time.time() - started

    curve, best_val, best = [], -1.0, None
    for row in rows:
        if row["state"] == "complete" and row["val_accuracy"] > best_val:
            best_val, best = row["val_accuracy"], row
            curve.append({"t_s": row["t_s"], "trial": row["trial"], "val_accuracy": row["val_accuracy"],
                          "test_accuracy": row["test_accuracy"]})
    checkpoints = {}
    for minutes in (float(m) for m in args.checkpoints.split(",")):
        if minutes * 60 <= elapsed + 30:
            upto = [c for c in curve if c["t_s"] <= minutes * 60]
            checkpoints[f"{minutes:g}min"] = upto[-1]["test_accuracy"] if upto else None
    write_result(f"accuracy_{args.dataset}{'_' + args.tag if args.tag else ''}", {
        "command": " ".join(["python", *sys.argv]),
        "dataset": args.dataset, "minutes": args.minutes, "elapsed_s": round(elapsed, 1),
        "settings": {k: v for k, v in vars(args).items()},
        "best_test_accuracy": best["test_accuracy"] if best else None,
        "best_test_accuracy_at": checkpoints,
        "curve": curve, "trials": rows, "counts": result.counts,
    })


if __name__ == "__main__":
    main()
