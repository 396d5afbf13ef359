"""Live terminal progress: a Rich panel on a terminal, plain log lines elsewhere (CI, pipes)."""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from nettune.progress.events import Event, Notice, TrialFinished, TrialStarted
from nettune.progress.state import StudyProgress


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def render(snap: dict[str, Any]) -> Group:
    head = Text.assemble(
        (f"trials {snap['finished']}/{snap['total_trials']}", "bold"),
        f"  completed {snap['completed']}  running {snap['running']}  pruned {snap['pruned']}"
        f"  failed {snap['failed']}   best acc {_pct(snap['best_accuracy'])}"
        f"  best score {snap['best_score'] if snap['best_score'] is None else round(snap['best_score'], 4)}"
        f" ({snap['mode']})   elapsed {_fmt_s(snap['elapsed_s'])}  ETA {_fmt_s(snap['eta_s'])}",
    )
    table = Table(box=None, pad_edge=False, show_header=True, header_style="dim")
    for column in ("trial", "worker", "epoch", "epoch progress", "", "loss", "acc", "val acc"):
        table.add_column(column)
    for r in snap["running_trials"]:
        table.add_row(
            str(r["trial"]), r["worker"], f"{r['epoch']}/{r['total_epochs']}",
            ProgressBar(total=1.0, completed=r["fraction"], width=24), f"{100 * r['fraction']:.0f}%",
            "–" if r["loss"] is None else f"{r['loss']:.4f}", _pct(r["accuracy"]), _pct(r["val_accuracy"]),
        )
    parts: list[Any] = [head, table] if snap["running_trials"] else [head]
    parts += [Text(f"! {n}", style="yellow") for n in snap["notices"]]
    return Group(*parts)


class ProgressDisplay:
    """Use as a context manager; pass `.on_event` as the study listener."""

    def __init__(self, console: Console | None = None, refresh_per_second: float = 4.0) -> None:
        self.console = console or Console(stderr=True)
        self.live_mode = self.console.is_terminal and sys.stderr.isatty()
        self._live: Live | None = None
        self._min_interval = 1.0 / refresh_per_second
        self._last = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self.live_mode:
            self._live = Live(console=self.console, auto_refresh=False, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def on_event(self, event: Event, progress: StudyProgress) -> None:
        if self._live is not None:
            now = time.monotonic()
            if isinstance(event, TrialFinished) or now - self._last >= self._min_interval:
                self._last = now
                self._live.update(render(progress.snapshot()), refresh=True)
            return
        if isinstance(event, TrialStarted):
            self.console.print(f"trial {event.trial} started on {event.worker} ({event.total_epochs} epochs)")
        elif isinstance(event, TrialFinished):
            o, snap = event.outcome, progress.snapshot()
            acc = o.get("metrics", {}).get("val_accuracy")
            self.console.print(
                f"trial {event.trial} {o['state']}"
                + (f": objective {o['value']:.4f}, val acc {_pct(acc)}" if o.get("value") is not None else "")
                + (f" ({o['error']})" if o.get("error") else "")
                + f" in {o.get('duration_s', 0):.1f}s — {snap['finished']}/{snap['total_trials']} done,"
                f" best {_pct(snap['best_accuracy'])}, ETA {_fmt_s(snap['eta_s'])}"
            )
        elif isinstance(event, Notice):
            self.console.print(f"{event.level}: {event.message}", style="yellow" if event.level == "warning" else None)
