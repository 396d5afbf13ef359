"""Regenerate docs/benchmarks.md from bench/results/*.json, so every number in it comes from a run.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, RESULTS


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}%"


# (dataset, minutes, warm_start) -> target median best test accuracy (issue: search that earns its keep)
SEARCH_TARGETS = {("fashion_mnist", 15.0, True): 0.930, ("mnist", 10.0, True): 0.9945, ("imdb", 20.0, True): 0.880,
                  ("fashion_mnist", 15.0, False): 0.925}


def search_value_section() -> list[str]:
    runs = [r for path in sorted(RESULTS.glob("search_value_*.json")) if not path.stem.endswith("_smoke")
            for r in json.loads(path.read_text())["runs"] if r.get("data_fraction", 1.0) == 1.0]
    lines = ["## Does the search beat the baseline? (2 CPU cores, genuine data, full datasets)", "",
             "`bench/search_value.py`: time-boxed studies with the product's defaults but `mode=simple`; per seed the",
             "**test** accuracy of the trial best on validation, of trial 0 (the warm-start baseline) and of the",
             "validation-best trial other than trial 0. \"Searched > trial 0\" counts the seeds where that searched",
             "trial beat trial 0 on validation and on test. Skipped: searched trials never trained because their",
             "predicted time was over their share of the budget.", "",
             "| dataset, budget | warm start | sampler | workers | seeds | best test per seed | median | target | "
             "trial 0 test per seed | best searched test per seed | searched > trial 0 | "
             "trials (complete/pruned/skipped) | reproduce |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    groups: dict[tuple[str, float, bool, str, int], list[dict[str, Any]]] = {}
    for run in runs:
        key = (run["dataset"], float(run["minutes"]), run["warm_start"], run["sampler"], run["workers"])
        groups.setdefault(key, []).append(run)
    if not groups:
        lines.append("| not run yet | | | | | | | | | | | | |")
    for (dataset, minutes, warm, sampler, workers), group in sorted(groups.items()):
        group.sort(key=lambda r: r["seed"])
        best = [r["best_test_accuracy"] for r in group if r["best_test_accuracy"] is not None]
        mid = statistics.median(best) if best else None
        target = SEARCH_TARGETS.get((dataset, minutes, warm))
        asked = 3 if warm else 2  # the issue asks 3 seeds of the default, 2 of the search alone
        verdict = "" if target is None or sampler != "tpe" else \
            f"≥ {_pct(target)} ({'met' if mid is not None and mid >= target else 'missed'}" + \
            (f" on {len(group)} of the {asked} seeds it asks for)" if len(group) < asked else ")")
        def per_seed(key: str, runs: list[dict[str, Any]] = group) -> str:
            return ", ".join(_pct(r[key]) for r in runs)

        counts = "; ".join(f"{r['counts']['complete']}/{r['counts']['pruned']}/{r.get('skipped', 0)}" for r in group)
        beats = sum(r["searched_beats_baseline"] for r in group)
        beaten = f"{beats} of {len(group)}" if warm else "–"  # the search alone has no baseline to beat
        commands = " and ".join(dict.fromkeys(f"`{r['command']}`" for r in group))
        lines.append(f"| {dataset}, {minutes:g} min | {'on' if warm else 'off'} | {sampler} | {workers} | "
                     f"{', '.join(str(r['seed']) for r in group)} | {per_seed('best_test_accuracy')} | {_pct(mid)} | "
                     f"{verdict} | {per_seed('baseline_test_accuracy') if warm else '–'} | "
                     f"{per_seed('best_searched_test_accuracy')} | {beaten} | {counts} | "
                     f"{commands} |")
    return lines + sampler_comparison(groups)


def sampler_comparison(groups: dict[tuple[str, float, bool, str, int], list[dict[str, Any]]]) -> list[str]:
    """TPE against random sampling on the same seeds, budget and workers: TPE must not lose."""
    lines: list[str] = []
    for (dataset, minutes, warm, sampler, workers), randoms in sorted(groups.items()):
        tpe = groups.get((dataset, minutes, warm, "tpe", workers))
        if sampler != "random" or not tpe:
            continue
        seeds = sorted({r["seed"] for r in randoms} & {r["seed"] for r in tpe})
        if not seeds:
            continue
        def best(runs: list[dict[str, Any]], seeds: list[int] = seeds) -> list[float]:
            return [r["best_test_accuracy"] for r in sorted(runs, key=lambda r: r["seed"]) if r["seed"] in seeds]

        t, r = statistics.median(best(tpe)), statistics.median(best(randoms))
        lines += ["", f"**TPE against random sampling** ({dataset}, {minutes:g} min, warm start "
                      f"{'on' if warm else 'off'}, seeds {', '.join(map(str, seeds))}): TPE "
                      f"{', '.join(map(_pct, best(tpe)))} (median {_pct(t)}), random "
                      f"{', '.join(map(_pct, best(randoms)))} (median {_pct(r)}): TPE "
                      f"{'did not lose' if t >= r else 'lost'} ({100 * (t - r):+.2f} points)."]
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


def worker_layout_section() -> list[str]:
    result = _load("worker_layout")
    lines = ["## Trials at once: what `concurrent_workers=auto` chooses", ""]
    if result is None:
        return [*lines, "Not run yet."]
    repeats = len(next(iter(result["rows"].values()))["real_samples_per_s"][f"1x{result['cores']}"])
    lines += [f"{result['cores']} cores. Each layout (K processes x T threads) trains the dataset's baseline model "
              f"for one epoch per process, health on, all K at once; samples/s summed, median of {repeats} "
              "interleaved runs. Auto's own in-process prediction sits beside it. "
              f"Reproduce: `{result['command']}`", "",
              "| dataset (fraction) | layout | samples/s (median) | ratio to one worker | auto predicted samples/s | "
              "auto chose | fastest |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for dataset, row in result["rows"].items():
        for name, rate in row["real_median"].items():
            chose, fastest = row["auto_choice"] == name, row["fastest_layout"] == name
            lines.append(f"| {dataset} ({row['data_fraction']:g}) | {name} | {rate:.0f} | "
                         f"{row['real_ratio_to_one_worker'][name]:.3f} | {row['auto']['predicted'].get(name, 0):.0f} | "
                         f"{'yes' if chose else ''} | {'yes' if fastest else ''} |")
    return lines


def custom_data_section() -> list[str]:
    result = _load("custom_data")
    lines = ["## Your own data: decode speed, and PNGs against the built-in loader", ""]
    if result is None:
        return [*lines, "Not run yet."]
    lines += [f"Reproduce: `{result['command']}` (2 CPU cores; genuine Fashion-MNIST and IMDB).", "",
              "| input | examples | first load (scan, hash, decode, cache) | cached load | first examples/s | "
              "cached examples/s |", "| --- | --- | --- | --- | --- | --- |"]
    names = {"png_folder": "Fashion-MNIST training images as a PNG class folder", "csv_table": "IMDB train split "
             "as a CSV table"}
    for key, row in result["decode"].items():
        lines.append(f"| {names.get(key, key)} | {row['examples']:,} | {row['first_s']:.2f} s | "
                     f"{row['cached_s']:.2f} s | {row['first_per_s']:,} | {row['cached_per_s']:,} |")
    parity = result["parity"]
    lines += ["", f"The same {parity['minutes']:g}-minute study (defaults, mode=simple) on a folder of PNGs made from "
              "the genuine Fashion-MNIST test split and on the built-in loader at "
              f"data_fraction={parity['builtin_data_fraction']:g} (the same training-set size); target: within 1 "
              "point.", "", "| seed | PNG folder best test | built-in best test | difference (points) |",
              "| --- | --- | --- | --- |"]
    for run in parity["runs"]:
        lines.append(f"| {run['seed']} | {_pct(run['png_folder']['best_test_accuracy'])} | "
                     f"{_pct(run['builtin']['best_test_accuracy'])} | {run['difference_points']:+.2f} |")
    verdict = "met" if abs(parity["median_difference_points"]) <= 1.0 else "missed"
    lines.append(f"| median | {_pct(parity['median_png'])} | {_pct(parity['median_builtin'])} | "
                 f"{parity['median_difference_points']:+.2f} ({verdict}) |")
    return lines


def gpu_section() -> list[str]:
    lines = ["## GPU (bench/gpu_check.sh)", ""]
    result = _load("gpu_throughput")
    if result is None:
        return [*lines, "Not run yet: no GPU machine has been available to this project. `bash bench/gpu_check.sh` "
                "measures trainer throughput (bare loop against nettune's, health and mixed precision on and off, "
                "data resident on the device or fed through pinned double-buffered copies, torch.compile over "
                "three epochs) on the MNIST baseline and a CIFAR-sized CNN, a 2-GPU DDP trial and a short study, in "
                "under 8 minutes."]
    lines += [f"{result['device']}, mixed precision {result['amp_dtype']}. Reproduce: `bash bench/gpu_check.sh`", "",
              "| model | bare fp32 | bare AMP | trainer AMP, health off | trainer AMP, health on | ratio off / on "
              "(target ≥ 0.97 / ≥ 0.90) |", "| --- | --- | --- | --- | --- | --- |"]
    for name in ("mnist_baseline", "cifar_sized"):
        row = result[name]
        med = row["median_samples_per_s"]
        lines.append(f"| {name} | {med['bare_fp32']:.0f} | {med['bare_amp']:.0f} | {med['trainer_amp_no_health']:.0f} "
                     f"| {med['trainer_amp_health']:.0f} | {row['ratio_no_health_amp']:.3f} / "
                     f"{row['ratio_health_amp']:.3f} |")
    lines += ["", "| model | pinned staging / resident | torch.compile / eager (3 epochs, compile time included) |",
              "| --- | --- | --- |"]
    for name in ("mnist_baseline", "cifar_sized"):
        row = result[name]
        lines.append(f"| {name} | {row['staged_vs_resident']:.3f} | {row['compiled_vs_eager']:.3f} |")
    for part in ("gpu_ddp", "gpu_study"):
        extra = _load(part)
        if extra is not None:
            lines += ["", f"`{part}`: " + json.dumps({k: v for k, v in extra.items() if k not in ("machine",)})]
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
    machine = next((r["machine"] for r in (_load(n) for n in ("search_value_mnist", "trainer_throughput")) if r), {})
    head = ["# Benchmarks", "",
            "Generated by `bench/report.py` from `bench/results/*.json`; every number comes from the run named in",
            "its row (run from the repo root with `.venv/bin/python` after `make install`).",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()) + ".", ""]
    body = [*search_value_section(), "", *throughput_section(), "",
            *worker_layout_section(), "", *custom_data_section(), "", *gpu_section(), "", *pruner_section(), "",
            *plot_section(), "",
            *described_sections()]
    out = REPO / "docs" / "benchmarks.md"
    notes = REPO / "bench" / "notes.md"
    extra = ["", notes.read_text()] if notes.exists() else []
    out.write_text("\n".join(head + body + extra) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
