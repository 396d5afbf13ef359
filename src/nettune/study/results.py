"""After a study: parameter importance, the optimized model (copied, never retrained), results files."""

from __future__ import annotations

import json
import logging
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import yaml
from optuna.trial import FrozenTrial, TrialState

from nettune.config import OptimizationConfig
from nettune.data.types import PreparedData
from nettune.export import export_onnx
from nettune.plots import render_study_plots, render_trial_plots
from nettune.storage_url import masked
from nettune.study.trial_record import TrialRecord
from nettune.trials.state import FINISHED

log = logging.getLogger("nettune.study")


@dataclass
class OptimizationResult:
    run_name: str
    run_dir: Path
    best_trial: int | None
    best_value: float | None  # the objective: accuracy (simple) or total score (health)
    best_accuracy: float | None  # validation accuracy of the best trial
    best_test_accuracy: float | None
    best_health: float | None
    best_params: dict[str, Any]
    counts: dict[str, int]
    interrupted: bool
    results_path: Path
    optimized_model_dir: Path | None


def finalize(config: OptimizationConfig, study: optuna.Study, data: PreparedData, *, started: float,
             interrupted: bool, layout: dict[str, Any] | None = None) -> OptimizationResult:
    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    best = max(complete, key=lambda t: t.value or 0.0) if complete else None
    if config.plot_generation != "none":
        render_study_plots(study, config.run_dir / "plots")
        if config.plot_generation == "best" and best is not None and best.user_attrs.get("trial_dir"):
            render_trial_plots(Path(best.user_attrs["trial_dir"]))  # from saved data: no retraining
    model_dir = _assemble_optimized_model(config.run_dir, best)
    records = [TrialRecord.from_frozen_trial(t) for t in trials]
    counts = {status.count_name: sum(r.status == status for r in records) for status in FINISHED}
    results = {
        "run_name": config.run_name,
        "dataset": config.dataset,
        "family": data.info.family,
        "mode": config.mode,
        "objective": "validation accuracy" if config.mode == "simple"
        else f"(1 - {config.health_weight}) * validation accuracy + {config.health_weight} * health",
        "health_weight": config.health_weight,
        "config": {**config.to_dict(), "storage": masked(config.storage)},
        "data": {"classes": list(data.info.class_names), "input_shape": list(data.info.input_shape),
                 "train": len(data.train), "validation": len(data.val), "test": len(data.test), **data.notes},
        "best": _best_block(best),
        "counts": counts,
        # of the pruned: never trained, predicted over their share of the budget (each one's error says by how much)
        "skipped_trials": sum(bool(r.metrics.get("skipped")) for r in records),
        "worker_layout": layout,  # how many trials trained at once and why (executors/layout.py)
        "importance": _importance(study, len(complete)),
        "trials": [_trial_row(r) for r in records],
        "elapsed_s": round(time.time() - started, 2),
        "interrupted": interrupted,
        "optimized_model": str(model_dir) if model_dir else None,
    }
    results_path = config.run_dir / "results.json"
    results_path.write_text(json.dumps(results, indent=2, default=str))
    (config.run_dir / "results.yaml").write_text(yaml.safe_dump(json.loads(json.dumps(results, default=str)),
                                                               sort_keys=False))
    attrs = best.user_attrs if best else {}
    return OptimizationResult(
        run_name=str(config.run_name),
        run_dir=config.run_dir,
        best_trial=best.number if best else None,
        best_value=best.value if best else None,
        best_accuracy=attrs.get("val_accuracy"),
        best_test_accuracy=attrs.get("test_accuracy"),
        best_health=attrs.get("health"),
        best_params=dict(best.params) if best else {},
        counts=counts,
        interrupted=interrupted,
        results_path=results_path,
        optimized_model_dir=model_dir,
    )


def _assemble_optimized_model(run_dir: Path, best: FrozenTrial | None) -> Path | None:
    """Copy the best trial's saved model and artifacts; the best model is never trained twice."""
    if best is None or not best.user_attrs.get("trial_dir"):
        return None
    source, target = Path(best.user_attrs["trial_dir"]), run_dir / "optimized_model"
    if not (source / "model.pt").exists():
        log.warning("best trial %d has no saved model at %s", best.number, source)
        return None
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    (target / "best_trial.json").write_text(json.dumps(_best_block(best), indent=2, default=str))
    try:
        export_onnx(target)  # verified against PyTorch with onnxruntime before it is kept
    except Exception as exc:
        log.warning("ONNX export of the best model failed: %s", exc)
    return target


def _best_block(best: FrozenTrial | None) -> dict[str, Any] | None:
    if best is None:
        return None
    r = TrialRecord.from_frozen_trial(best)
    return {
        "trial": r.number,
        "total_score": r.value,
        "val_accuracy": r.metrics.get("val_accuracy"),
        "test_accuracy": r.metrics.get("test_accuracy"),
        "health": r.health,
        "health_metrics": r.health_metrics,
        "param_count": r.param_count,
        "params": r.params,
        "model_config": r.model_config,
    }


def _trial_row(r: TrialRecord) -> dict[str, Any]:
    return {
        "number": r.number,
        "state": r.status.results_name,
        "value": r.value,
        "val_accuracy": r.metrics.get("val_accuracy"),
        "test_accuracy": r.metrics.get("test_accuracy"),
        "health": r.health,
        "param_count": r.param_count,
        "duration_s": r.duration_s,
        "epochs_run": r.metrics.get("epochs_run"),
        "stop_reason": r.metrics.get("stop_reason"),
        "predicted_s": r.metrics.get("predicted_s"),
        "skipped": bool(r.metrics.get("skipped")),
        "worker": r.worker,
        "error": r.error,
        "params": r.params,
    }


def _importance(study: optuna.Study, n_complete: int) -> dict[str, float]:
    if n_complete < 3:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importance = optuna.importance.get_param_importances(study)
        return {k: round(float(v), 4) for k, v in importance.items()}
    except Exception as exc:
        log.info("parameter importance not available: %s", exc)
        return {}
