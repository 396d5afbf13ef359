"""Read a trial directory's files for plotting; anything missing or corrupt simply reads as absent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nettune.plots.data_file import PlotData, read_plot_data
from nettune.plots.style import PlotSkipped


@dataclass
class TrialFiles:
    directory: Path
    metrics: dict[str, Any] | None
    outcome: dict[str, Any] | None
    health: dict[str, Any] | None
    config: dict[str, Any] | None
    plot_data: PlotData | None

    @property
    def title(self) -> str:
        """'Trial 7 (mnist, CNN)': the prefix every figure title carries, so a PNG explains itself."""
        number = (self.outcome or {}).get("number")
        name = f"Trial {number}" if number is not None else self.directory.name
        cfg = self.config or {}
        if cfg:
            return f"{name} ({cfg.get('dataset', '?')}, {str(cfg.get('family', '?')).upper()})"
        return name

    @property
    def history(self) -> list[dict[str, Any]]:
        # A completed trial has it in metrics.json; a pruned one only in outcome.json.
        for source in (self.metrics, self.outcome):
            rows = (source or {}).get("history")
            if rows:
                return list(rows)
        return []

    def need_plot_data(self, what: str) -> PlotData:
        if self.plot_data is None:
            raise PlotSkipped(f"no plot_data.npz in {self.directory} (needed for {what})")
        return self.plot_data

    def need_health(self) -> dict[str, Any]:
        if not self.health or not self.health.get("metrics"):
            raise PlotSkipped(f"no health report in {self.directory / 'health.json'}")
        return self.health

    def class_names(self, count: int) -> list[str]:
        names = []
        if self.plot_data is not None:
            names = list(self.plot_data.meta.get("class_names") or [])
        if len(names) < count:
            names = [str(i) for i in range(count)]
        return names


def load_trial(directory: Path) -> TrialFiles:
    directory = Path(directory)
    return TrialFiles(
        directory=directory,
        metrics=_json(directory / "metrics.json"),
        outcome=_json(directory / "outcome.json"),
        health=_json(directory / "health.json"),
        config=_json(directory / "model_config.json"),
        plot_data=read_plot_data(directory),
    )


def _json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
