"""Regenerate docs/benchmarks.md from bench/results/*.json, so every number in it comes from a run.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, RESULTS

TARGETS = {"mnist": {"10min": 0.990, "30min": 0.993}, "fashion_mnist": {"15min": 0.91}, "imdb": {"20min": 0.87}}


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _runs(dataset: str) -> list[dict[str, Any]]:
    """Every recorded run of a dataset: accuracy_<dataset>.json and tagged ones (accuracy_<dataset>_<tag>.json)."""
    paths = [RESULTS / f"accuracy_{dataset}.json", *sorted(RESULTS.glob(f"accuracy_{dataset}_*.json"))]
    return [json.loads(p.read_text()) for p in paths if p.exists()]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


def accuracy_section() -> list[str]:
    lines = ["## Best test accuracy against wall time (2 CPU cores, genuine data)", "",
             "Each study runs `mode=simple` (select by validation accuracy) on the full dataset; the number is the",
             "**test** accuracy of the trial that was best on validation at that moment. Trial 0 is the warm-start",
             "baseline architecture (`warm_start=true`, the default).", "",
             "| dataset | checkpoint | best test accuracy | target | trials (complete/pruned/failed) | reproduce |",
             "| --- | --- | --- | --- | --- | --- |"]
    for dataset, targets in TARGETS.items():
        runs = _runs(dataset)
        if not runs:
            lines.append(f"| {dataset} | – | not run yet | | | |")
        for result in runs:
            c = result["counts"]
            for checkpoint, target in targets.items():
                got = result["best_test_accuracy_at"].get(checkpoint)
                verdict = "met" if got is not None and got >= target else "missed"
                lines.append(f"| {dataset} | {checkpoint} | {_pct(got)} | ≥ {_pct(target)} ({verdict}) | "
                             f"{c['complete']}/{c['pruned']}/{c['failed']} | `{result['command']}` |")
    lines += ["", "Best-so-far curves (time in seconds → test accuracy of the validation-best trial):", ""]
    for dataset in TARGETS:
        for result in _runs(dataset):
            curve = ", ".join(f"{c['t_s']:.0f}s → {_pct(c['test_accuracy'])}" for c in result["curve"])
            lines.append(f"- {dataset} (max {result['settings']['max_epochs']} epochs/trial): {curve}")
    return lines


def throughput_section() -> list[str]:
    result = _load("trainer_throughput")
    lines = ["## Trainer throughput against a bare PyTorch loop", ""]
    if result is None:
        return [*lines, "Not run yet."]
    med = result["median_samples_per_s"]
    lines += [f"Baseline MNIST CNN, batch {result['model']['batch_size']}, {result['samples_per_epoch']} samples per "
              f"epoch, medians of {len(result['runs']['bare'])} interleaved runs. Reproduce: `{result['command']}`", "",
              "| loop | samples/s (median) | ratio to bare loop | target |", "| --- | --- | --- | --- |",
              f"| bare PyTorch loop | {med['bare']:.0f} | 1.000 | |",
              f"| nettune trainer, health off | {med['trainer_no_health']:.0f} | "
              f"{result['ratio_no_health']:.3f} | ≥ 0.97 |",
              f"| nettune trainer, health on | {med['trainer_health']:.0f} | {result['ratio_health']:.3f} | ≥ 0.90 |"]
    return lines


def pruner_section() -> list[str]:
    result = _load("pruners")
    lines = ["## Pruner choice", ""]
    if result is None:
        return [*lines, "Not run yet."]
    lines += [f"Same time-boxed MNIST study per pruner. Reproduce: `{result['command']}`", "",
              "| pruner | seed | trials finished | pruned | best val accuracy | best test accuracy |",
              "| --- | --- | --- | --- | --- | --- |"]
    for r in result["runs"]:
        lines.append(f"| {r['pruner']} | {r['seed']} | {r['finished']} | {r['pruned']} | "
                     f"{_pct(r['best_val_accuracy'])} | {_pct(r['best_test_accuracy'])} |")
    return lines


def plot_section() -> list[str]:
    result = _load("plot_render")
    lines = ["## Plot rendering cost per trial", ""]
    if result is None:
        return [*lines, "Not run yet."]
    t = result["trial"]
    return [*lines, f"Baseline CNN on full MNIST, {t['epochs']} epochs, trained in {t['train_seconds']:.1f}s; "
            f"rendering its {result['plots']} plots took {result['median_render_seconds']:.2f}s (median of "
            f"{len(result['render_seconds'])}) = **{100 * result['render_over_train']:.1f}%** of training "
            f"(target ≤ 10%). Reproduce: `{result['command']}`"]


def described_sections() -> list[str]:
    """Result files that describe their own section: {"section": {"title", "text", "columns", "rows"}}, built by
    the benchmark from the numbers it measured (e.g. bench/pull_workers.py)."""
    lines: list[str] = []
    for path in sorted(RESULTS.glob("*.json")):
        section = json.loads(path.read_text()).get("section")
        if not isinstance(section, dict):
            continue
        lines += [f"## {section['title']}", "", *section.get("text", [])]
        if section.get("columns"):
            lines += ["", "| " + " | ".join(section["columns"]) + " |",
                      "| " + " | ".join("---" for _ in section["columns"]) + " |",
                      *("| " + " | ".join(str(cell) for cell in row) + " |" for row in section["rows"])]
        lines.append("")
    return lines


def main() -> None:
    machine = next((r["machine"] for r in (_load(n) for n in ("accuracy_mnist", "trainer_throughput")) if r), {})
    head = ["# Benchmarks", "",
            "Generated by `bench/report.py` from `bench/results/*.json`; every number comes from the run named in",
            "its row (run from the repo root with `.venv/bin/python` after `make install`).",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()) + ".", ""]
    body = [*accuracy_section(), "", *throughput_section(), "", *pruner_section(), "", *plot_section(), "",
            *described_sections()]
    out = REPO / "docs" / "benchmarks.md"
    notes = REPO / "bench" / "notes.md"
    extra = ["", notes.read_text()] if notes.exists() else []
    out.write_text("\n".join(head + body + extra) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
