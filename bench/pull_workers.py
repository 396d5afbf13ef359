"""Pull workers on one PostgreSQL study: 8 fixed-length trials with one worker, then with two.

    .venv/bin/python bench/pull_workers.py [--trial-seconds 8] [--repeats 3] [--storage postgresql://...]

Every repeat creates a fresh study (what `nettune optimize ... storage=URL follow_only=true` creates) and
starts N real `nettune worker pull` processes at once; 1- and 2-worker runs alternate so machine load affects
both alike. Fixed-length trials (benchmark_trial_seconds) take the same time wherever they run, so the
ratio measures the scheduling (claims, heartbeats, tells), not CPU contention between trainings.
Without --storage a private PostgreSQL cluster is started on loopback (tests/scale/postgres.py).

Reported per run: wall time from starting the workers until all have exited (process start-up included) and
the study span from the first trial's start to the last trial's end (database timestamps).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import REPO, data_dir, median, write_result

TARGET = 0.55


def run_once(url: str, workers: int, name: str, args: argparse.Namespace, data: Path, out: Path) -> dict:
    import optuna
    from optuna.trial import TrialState

    from nettune.config import OptimizationConfig
    from nettune.study.heartbeat import heartbeat_backend, with_driver
    from nettune.study.storage import open_study

    config = OptimizationConfig(dataset="mnist", data_fraction=0.05, data_dir=str(data), trials=args.trials,
                                max_epochs_per_trial=2, storage=url, run_name=name, output_dir=str(out),
                                benchmark_trial_seconds=args.trial_seconds)
    study, _ = open_study(config)
    heartbeat_backend(study).close()
    command = [sys.executable, "-m", "nettune.cli.main", "worker", "pull", "--storage", url, "--study", name]
    started = time.perf_counter()
    procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=out)
             for _ in range(workers)]
    for proc in procs:
        _, err = proc.communicate(timeout=args.trials * args.trial_seconds * 3 + 300)
        if proc.returncode != 0:
            raise SystemExit(f"worker failed ({proc.returncode}): {err[-2000:]}")
    wall = time.perf_counter() - started
    trials = optuna.load_study(study_name=name, storage=with_driver(url)).get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    if len(complete) != args.trials or len(trials) != args.trials:
        raise SystemExit(f"{name}: expected exactly {args.trials} complete trials, got "
                         f"{[(t.number, t.state.name) for t in trials]}")
    span = (max(t.datetime_complete for t in trials) - min(t.datetime_start for t in trials)).total_seconds()
    per_worker: dict[str, int] = {}
    for t in trials:
        host = t.user_attrs["worker"].split(":")[0]
        per_worker[host] = per_worker.get(host, 0) + 1
    print(f"{name}: {workers} worker(s), wall {wall:.1f}s, study span {span:.1f}s, trials per worker "
          f"{sorted(per_worker.values())}", flush=True)
    return {"workers": workers, "name": name, "wall_s": round(wall, 2), "span_s": round(span, 2),
            "trials_per_worker": sorted(per_worker.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trial-seconds", type=float, default=8.0)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--storage", default=None, help="PostgreSQL URL (default: a private cluster)")
    args = parser.parse_args()
    data = data_dir("mnist")
    out = REPO / "bench" / ".cache" / "pull_workers"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NETTUNE_HEARTBEAT_INTERVAL", "5")  # stored in each study; the defaults would do too

    server = None
    url = args.storage
    if url is None:
        from tests.scale.postgres import PrivatePostgres

        server = PrivatePostgres().start()
    runs = []
    try:
        for repeat in range(args.repeats):
            for workers in (1, 2):
                if server is not None:
                    url = server.create_database(f"bench_{workers}w_{repeat}")
                runs.append(run_once(url, workers, f"pull_{workers}w_{repeat}", args, data, out))
    finally:
        if server is not None:
            server.stop()

    med = {str(n): {key: median([r[key] for r in runs if r["workers"] == n]) for key in ("wall_s", "span_s")}
           for n in (1, 2)}
    ratio_wall = med["2"]["wall_s"] / med["1"]["wall_s"]
    ratio_span = med["2"]["span_s"] / med["1"]["span_s"]
    command = f"python bench/pull_workers.py --trial-seconds {args.trial_seconds:g} --trials {args.trials} " \
              f"--repeats {args.repeats}"
    verdict = "met" if ratio_wall <= TARGET else "missed"
    section = {
        "title": "Pull workers on one PostgreSQL study",
        "text": [f"{args.trials} fixed-length trials of {args.trial_seconds:g} s each, run by real `nettune worker "
                 f"pull` processes on one study in PostgreSQL (private cluster on loopback); medians of "
                 f"{args.repeats} alternating runs. Wall time counts from starting the workers (Python and torch "
                 "start-up included) until all have exited; the span is first trial start to last trial end. "
                 f"Target: two workers in ≤ {TARGET}× the time of one ({verdict} on wall time). "
                 f"Reproduce: `{command}`"],
        "columns": ["workers", "wall time (median)", "study span (median)", "ratio to one worker (wall / span)"],
        "rows": [["1", f"{med['1']['wall_s']:.1f} s", f"{med['1']['span_s']:.1f} s", "1.000 / 1.000"],
                 ["2", f"{med['2']['wall_s']:.1f} s", f"{med['2']['span_s']:.1f} s",
                  f"{ratio_wall:.3f} / {ratio_span:.3f}"]],
    }
    write_result("pull_workers", {"command": command, "settings": vars(args) | {"storage": "private cluster"
                                                                                 if server else "given"},
                                  "runs": runs, "median": med, "ratio_wall": round(ratio_wall, 4),
                                  "ratio_span": round(ratio_span, 4), "target": TARGET, "section": section})
    print(f"two workers / one worker: wall {ratio_wall:.3f}, span {ratio_span:.3f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
