"""Does the search earn its keep? Best test accuracy of time-boxed studies, and whether a searched trial beat trial 0.

    .venv/bin/python bench/search_value.py --dataset fashion_mnist --minutes 15 --seeds 0,1,2
    .venv/bin/python bench/search_value.py --dataset fashion_mnist --minutes 15 --seeds 0,1 --sampler random

Each study runs with the product's defaults but `mode=simple` (select by validation accuracy), on the full genuine
dataset, for `--minutes` of wall time. Per run it records the test accuracy of the trial best on validation
(`best_test_accuracy`), of trial 0 (`baseline_test_accuracy`, the warm-start baseline when warm_start is on),
and of the validation-best trial other than trial 0 (`best_searched_test_accuracy`), plus the best-so-far curve
and every trial. Runs append to bench/results/search_value_<dataset>[_<tag>].json under "runs".
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, data_dir, median, write_result

from nettune.config import OptimizationConfig
from nettune.progress.events import TrialFinished
from nettune.study.runner import optimize


def one_run(dataset: str, minutes: float, seed: int, warm_start: bool, sampler: str, fraction: float,
            max_epochs: int | None, workers: int | None) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    started = time.time()

    def listen(event: object, progress: object) -> None:
        if isinstance(event, TrialFinished):
            o = event.outcome
            m = o["metrics"]
            rows.append({"t_s": round(time.time() - started, 1), "trial": o["number"], "state": o["state"],
                         "val_accuracy": m.get("val_accuracy"), "test_accuracy": m.get("test_accuracy"),
                         "duration_s": o.get("duration_s"), "epochs_run": m.get("epochs_run"),
                         "predicted_s": m.get("predicted_s"), "skipped": bool(m.get("skipped")),
                         "params": o.get("param_count"), "error": o.get("error")})
            print(json.dumps(rows[-1]), flush=True)

    options: dict[str, Any] = {"max_epochs_per_trial": max_epochs} if max_epochs else {}
    if workers is not None:
        options["concurrent_workers"] = workers
    with tempfile.TemporaryDirectory() as out:
        config = OptimizationConfig(dataset=dataset, mode="simple", trials=10_000, timeout=minutes * 60,
                                    warm_start=warm_start, sampler=sampler, seed=seed, data_fraction=fraction,
                                    output_dir=out, run_name="bench", data_dir=str(data_dir(dataset)), **options)
        result = optimize(config, listener=listen)
        recorded = json.loads((Path(out) / "bench" / "results.json").read_text())
        params = {t["number"]: t.get("params") for t in recorded.get("trials", [])}
    for row in rows:
        row["hyperparameters"] = params.get(row["trial"])
    complete = [r for r in rows if r["state"] == "complete"]

    def best_of(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
        return max(candidates, key=lambda r: (r["val_accuracy"], -r["t_s"]), default=None)

    curve, best_val = [], -1.0
    for row in complete:
        if row["val_accuracy"] > best_val:
            best_val = row["val_accuracy"]
            curve.append({k: row[k] for k in ("t_s", "trial", "val_accuracy", "test_accuracy")})
    best, searched = best_of(complete), best_of([r for r in complete if r["trial"] != 0])
    baseline = next((r for r in complete if r["trial"] == 0), None)
    return {
        "dataset": dataset, "seed": seed, "minutes": minutes, "warm_start": warm_start, "sampler": sampler,
        "data_fraction": fraction, "max_epochs_per_trial": config.max_epochs_per_trial,
        "workers": recorded.get("worker_layout", {}).get("workers", 1), "worker_layout": recorded.get("worker_layout"),
        "elapsed_s": round(time.time() - started, 1),
        "best_test_accuracy": best["test_accuracy"] if best else None,
        "best_trial": best["trial"] if best else None,
        "baseline_test_accuracy": baseline["test_accuracy"] if baseline else None,
        "baseline_val_accuracy": baseline["val_accuracy"] if baseline else None,
        "best_searched_test_accuracy": searched["test_accuracy"] if searched else None,
        "best_searched_val_accuracy": searched["val_accuracy"] if searched else None,
        "best_searched_trial": searched["trial"] if searched else None,
        "searched_beats_baseline": bool(searched and baseline and searched["val_accuracy"] > baseline["val_accuracy"]
                                        and searched["test_accuracy"] > baseline["test_accuracy"]),
        "counts": result.counts, "skipped": sum(r["skipped"] for r in rows),
        "curve": curve, "trials": rows,
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = [r["best_test_accuracy"] for r in runs if r["best_test_accuracy"] is not None]
    return {"runs": len(runs), "median_best_test_accuracy": median(best) if best else None,
            "searched_beats_baseline": sum(r["searched_beats_baseline"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", required=True, choices=["mnist", "fashion_mnist", "imdb"])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--warm-start", default="true", choices=["true", "false"])
    parser.add_argument("--sampler", default="tpe", choices=["tpe", "random"])
    parser.add_argument("--data-fraction", type=float, default=1.0, help="smoke runs only; results use 1.0")
    parser.add_argument("--max-epochs", type=int, default=None, help="default: the product's default")
    parser.add_argument("--tag", default="", help="suffix for the result file")
    parser.add_argument("--workers", default="auto", help="concurrent_workers (default: the product's auto)")
    args = parser.parse_args()
    name = f"search_value_{args.dataset}{'_' + args.tag if args.tag else ''}"
    path = RESULTS / f"{name}.json"
    runs: list[dict[str, Any]] = json.loads(path.read_text())["runs"] if path.exists() else []
    command = " ".join(["python", *sys.argv])
    for seed in (int(s) for s in args.seeds.split(",")):
        run = one_run(args.dataset, args.minutes, seed, args.warm_start == "true", args.sampler, args.data_fraction,
                      args.max_epochs, None if args.workers == "auto" else int(args.workers))
        run["command"] = command
        same = ("dataset", "seed", "minutes", "warm_start", "sampler", "data_fraction", "workers")
        runs = [r for r in runs if any(r[k] != run[k] for k in same)] + [run]
        write_result(name, {"runs": runs})
        print(f"seed {seed}: best {run['best_test_accuracy']} (trial {run['best_trial']}), baseline "
              f"{run['baseline_test_accuracy']}, best searched {run['best_searched_test_accuracy']}", flush=True)
    print(json.dumps(summarize([r for r in runs if r["command"] == command]), indent=2))


if __name__ == "__main__":
    main()
