"""`nettune optimize`: parse options, run the study with live progress, print where the results are."""

from __future__ import annotations

import signal
from types import FrameType

from rich.console import Console

from nettune.cli.args import parse_options


def run_optimize(tokens: list[str]) -> int:
    config = parse_options(tokens)  # before importing torch: a typo is reported at once
    from nettune.cli.display import ProgressDisplay
    from nettune.study.runner import optimize
    from nettune.training.cancel import CancelToken

    console = Console(stderr=True, soft_wrap=True)
    console.print(f"nettune: run [bold]{config.resolved_run_name()}[/] — {config.trials} trials of "
                  f"{config.dataset} (mode {config.mode}), results in {config.run_dir}")
    # SIGTERM (docker stop, systemd, Kubernetes) stops the study the way Ctrl-C does: trials stop within a batch,
    # completed ones are kept, results are written, and the same command resumes. It asks the loop to stop
    # through the cancel token rather than raising wherever the main thread happens to be (a database write);
    # a second SIGTERM does raise, for a user who will not wait.
    cancel = CancelToken()

    def stop(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt(f"signal {signum}")
        cancel.cancel()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with ProgressDisplay(console) as display:
            result = optimize(config, listener=display.on_event, cancel=cancel)
    finally:
        signal.signal(signal.SIGTERM, previous)
    out = Console(soft_wrap=True)
    c = result.counts
    out.print(f"\n[bold]Run {result.run_name}[/]: {c['complete']} complete, {c['pruned']} pruned, "
              f"{c['failed']} failed" + (f", {c['interrupted']} interrupted" if c["interrupted"] else ""))
    if result.best_trial is None:
        out.print("No trial completed; see the log in " + str(result.run_dir / "nettune.log"))
    else:
        out.print(f"Best trial {result.best_trial}: objective {result.best_value:.4f}, "
                  f"validation accuracy {100 * (result.best_accuracy or 0):.2f}%, "
                  f"test accuracy {100 * (result.best_test_accuracy or 0):.2f}%, "
                  f"health {result.best_health if result.best_health is None else round(result.best_health, 3)}")
        out.print(f"Best model:  {result.optimized_model_dir}")
    out.print(f"Results:     {result.results_path} (and results.yaml)")
    out.print(f"Log:         {result.run_dir / 'nettune.log'}")
    if result.interrupted:
        out.print("[yellow]The study was interrupted; run the same command again to resume it.[/]")
        return 130
    return 0
