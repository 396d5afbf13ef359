"""`nettune worker pull`: run trials of a shared-storage study (e.g. PostgreSQL) until it is done.

    nettune worker pull --storage postgresql://user:pw@db:5432/nettune --study mnist_shared \\
        [--n-trials K] [--gpus 0,1,2,3] [--gpus-per-trial 2] [--output-dir DIR] [--data-dir DIR]

The storage URL may also come from $NETTUNE_STORAGE (keeps a password off the command line). The first Ctrl-C
or SIGTERM stops the running trials within one batch and hands them back to the study; a second one quits.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

from nettune.cli.args import parse_flags
from nettune.errors import ConfigError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nettune worker pull", exit_on_error=False,
                                     description="Run trials of a study in shared storage until it is done.")
    parser.add_argument("--storage", default=None, help="Optuna storage URL (default $NETTUNE_STORAGE)")
    parser.add_argument("--study", required=True, help="study name: the run_name it was created with")
    parser.add_argument("--n-trials", type=int, default=None, help="stop after this many trials (default: until "
                        "the study is done)")
    parser.add_argument("--gpus", default=None, help="CUDA devices to use, e.g. 0,1: one trial per device (or per "
                        "--gpus-per-trial devices) at a time")
    parser.add_argument("--gpus-per-trial", type=int, default=None, help="devices one trial trains on with "
                        "DistributedDataParallel (default: the study's gpus_per_worker; on CPU, gloo processes)")
    parser.add_argument("--output-dir", default=None, help="where trial files go (default: the study's "
                        "output_dir)")
    parser.add_argument("--data-dir", default=None, help="dataset cache directory (default: the study's, if it "
                        "exists here, else $NETTUNE_DATA_DIR or the user cache)")
    return parser


def parse_pull_args(args: list[str]) -> argparse.Namespace:
    parser = _parser()
    known = parse_flags(parser, args)
    known.storage = known.storage or os.environ.get("NETTUNE_STORAGE") or None
    if not known.storage:
        raise ConfigError("no storage given: pass --storage URL (e.g. postgresql://user:pw@host:5432/db) or set "
                          "NETTUNE_STORAGE")
    if known.n_trials is not None and known.n_trials < 1:
        raise ConfigError(f"--n-trials {known.n_trials} must be at least 1")
    if known.gpus_per_trial is not None and not 1 <= known.gpus_per_trial <= 16:
        raise ConfigError(f"--gpus-per-trial {known.gpus_per_trial} is out of range; use 1 to 16")
    if known.gpus is not None:
        try:
            known.gpus = [int(g) for g in known.gpus.split(",") if g.strip()]
        except ValueError:
            raise ConfigError(f"--gpus {known.gpus!r} is not valid; list device indices like 0,1,2") from None
        if not known.gpus or len(set(known.gpus)) != len(known.gpus):
            raise ConfigError("--gpus needs distinct device indices, e.g. 0,1")
    return known


def run_worker_pull(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        _parser().print_help()
        return 0
    options = parse_pull_args(args)  # before importing torch: a typo is reported at once
    from rich.console import Console

    from nettune.cli.display import ProgressDisplay
    from nettune.study.pull import PullOptions, pull
    from nettune.training.cancel import CancelToken

    cancel = CancelToken()

    def stop(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        print("nettune: stopping: running trials are handed back to the study (again to quit at once)",
              file=sys.stderr)
        cancel.cancel()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    console = Console(stderr=True, soft_wrap=True)
    try:
        with ProgressDisplay(console) as display:
            report = pull(PullOptions(options.storage, options.study, options.n_trials, options.gpus,
                                      options.gpus_per_trial, options.output_dir, options.data_dir),
                          listener=display.on_event, cancel=cancel)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    states = list(report.ran.values())
    summary = ", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states)) or "no trials"
    print(f"worker {report.worker}: ran {summary} of study {options.study}; the study is "
          f"{'done' if report.study_done else 'not done yet'}. Trial files: {report.config.run_dir / 'trials'}")
    return 130 if cancel.cancelled else 0
