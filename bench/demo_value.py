"""`make demo`'s study, over seeds: is its best trial a searched one (not trial 0, the warm-start baseline)?

    .venv/bin/python bench/demo_value.py --seeds 0,1,2

Runs exactly the options of the Makefile's demo target (read from it, so the two cannot drift), with only the
seed, output directory and data directory changed; writes bench/results/demo_value.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, data_dir, write_result

from nettune.config import OptimizationConfig
from nettune.study.runner import optimize


def demo_options() -> dict[str, str]:
    recipe = re.search(r"^demo:.*?\n((?:\t.*\n?)+)", (REPO / "Makefile").read_text(), re.M)
    if recipe is None:
        raise SystemExit("no demo target in the Makefile")
    command = recipe.group(1).replace("\\\n", " ")
    return dict(re.findall(r"(\w+)=(\S+)", command.split("optimize", 1)[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    options = demo_options()
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.time()
        with tempfile.TemporaryDirectory() as out:
            config = OptimizationConfig.from_strings({**options, "seed": str(seed), "output_dir": out,
                                                      "data_dir": str(data_dir("mnist"))})
            result = optimize(config)
            trials = json.loads(result.results_path.read_text())["trials"]
        runs.append({"seed": seed, "best_trial": result.best_trial, "searched_is_best": result.best_trial not in
                     (None, 0), "best_total_score": result.best_value, "best_test_accuracy": result.best_test_accuracy,
                     "elapsed_s": round(time.time() - started, 1),
                     "trials": [{k: t[k] for k in ("number", "state", "value", "val_accuracy", "test_accuracy",
                                                   "duration_s", "skipped", "error")} for t in trials]})
        print(json.dumps({k: v for k, v in runs[-1].items() if k != "trials"}), flush=True)
    best_searched = sum(r["searched_is_best"] for r in runs)
    write_result("demo_value", {
        "command": " ".join(["python", *sys.argv]), "options": options, "runs": runs,
        "section": {"title": "`make demo`: is the best trial a searched one?",
                    "text": [f"The demo's own options ({' '.join(f'{k}={v}' for k, v in options.items())}) over "
                             f"seeds {args.seeds}: a searched trial (not trial 0) was the best in {best_searched} "
                             f"of {len(runs)} (target: at least 2 of 3). Reproduce: "
                             f"`python bench/demo_value.py --seeds {args.seeds}`"],
                    "columns": ["seed", "best trial", "best total score", "its test accuracy", "wall time"],
                    "rows": [[r["seed"], r["best_trial"], f"{r['best_total_score']:.4f}",
                              f"{100 * r['best_test_accuracy']:.2f}%", f"{r['elapsed_s']:.0f} s"] for r in runs]},
    })


if __name__ == "__main__":
    main()
