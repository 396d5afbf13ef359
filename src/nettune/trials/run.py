"""Run one trial: data -> model -> training (with health, progress and pruning hooks) -> health -> files."""

from __future__ import annotations

import functools
import json
import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import torch

from nettune.architecture import describe
from nettune.data import CustomOptions, load_dataset
from nettune.data.types import PreparedData
from nettune.health import HealthMonitor, compute_health, objective_value
from nettune.health.epoch_layers import EpochLayerStats
from nettune.models import build_model, count_parameters, save_model
from nettune.plots import PlotDataRecorder, render_trial_plots
from nettune.plots.tensorboard import TensorBoardHook
from nettune.progress.events import Event, TrialStarted
from nettune.storage_url import masked
from nettune.training.cancel import CancelToken
from nettune.training.cost import OverBudget, check_budget, estimate_cost
from nettune.training.device import pick_device, seed_everything
from nettune.training.distributed import DataParallelGroup, HelperTask
from nettune.training.evaluate import evaluate
from nettune.training.hooks import EpochEnd, StopReason, TrainerHook
from nettune.training.progress_hook import ProgressReporter
from nettune.training.trainer import TrainResult, TrainSettings, train
from nettune.trials.fixed_length import run_fixed_length_trial
from nettune.trials.job import TrialJob, TrialOutcome
from nettune.trials.pruning import PruningHook, connect_trial
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.trial")

# A run a stop request ended, and the state its trial is recorded in (every other run completed).
STOPPED_AS = {StopReason.PRUNED: TrialStatus.PRUNED, StopReason.CANCELLED: TrialStatus.CANCELLED}


@functools.lru_cache(maxsize=2)
def cached_dataset(name: str, fraction: float, seed: int, data_dir: str | None,
                   custom: CustomOptions | None = None) -> PreparedData:
    """A worker keeps its data between trials: every trial of a study uses the same split."""
    return load_dataset(name, data_fraction=fraction, seed=seed, data_dir=Path(data_dir) if data_dir else None,
                        custom=custom)


def run_trial(
    job: TrialJob, emit: Callable[[Event], None], cancel: CancelToken | None = None, worker: str = "local"
) -> TrialOutcome:
    """Never raises for a trial's own failure: the outcome records it and the study goes on."""
    if job.fixed_duration_s is not None:
        return run_fixed_length_trial(job, job.fixed_duration_s, emit, cancel, worker)
    outcome = TrialOutcome(number=job.number, state=TrialStatus.FAILED, trial_dir=job.trial_dir, worker=worker,
                           started_at=time.time())
    cfg = job.model_config
    emit(TrialStarted(trial=job.number, total_epochs=cfg.epochs, params=cfg.to_dict(), worker=worker))
    monitor = HealthMonitor()
    layer_stats = EpochLayerStats(monitor)  # per-epoch layer views: live progress, then the replay file
    recorder = PlotDataRecorder(monitor) if job.plot_generation != "none" else None
    board = TensorBoardHook(Path(job.tensorboard_dir)) if job.tensorboard_dir else None
    group: DataParallelGroup | None = None
    try:
        data = cached_dataset(job.dataset, job.data_fraction, job.data_seed, job.data_dir)
        device = pick_device(job.device)
        devices = job.resolved_devices()
        if len(devices) > 1:  # DistributedDataParallel: this process is rank 0 and runs the trial
            group = DataParallelGroup(devices, HelperTask(cfg, job.dataset, job.data_fraction, job.data_seed,
                                                              job.data_dir, job.seed))
            device = group.parallel.device
        seed_everything(job.seed)  # before building: weight initialisation draws from the global RNG
        model = build_model(cfg)
        outcome.param_count = count_parameters(model)
        hooks: list[TrainerHook] = [monitor, ProgressReporter(job.number, emit, layer_stats=layer_stats.measure)]
        hooks += [hook for hook in (recorder, board) if hook is not None]
        if job.storage_url and job.study_name and job.trial_id is not None and job.pruner != "none":
            trial = connect_trial(job.storage_url, job.study_name, job.trial_id, job.pruner, cfg.epochs)
            hooks.append(PruningHook(trial, functools.partial(_epoch_objective, job, monitor, outcome)))
        settings = TrainSettings(seed=job.seed, device=device, patience=job.patience, time_budget_s=job.time_budget_s,
                                 parallel=group.parallel if group is not None else None,
                                 compile=job.compile_model)
        predicted_s = estimate_cost(model, cfg, data, device).total_s / max(1, len(devices))
        outcome.metrics["predicted_s"] = round(predicted_s, 1)
        outcome.metrics["threads"] = torch.get_num_threads()  # part of how this trial trained (float order)
        check_budget(predicted_s, job.skip_over_s, cfg.epochs, device)

        result = train(model, cfg, data, settings, hooks, cancel)
        if group is not None:
            group.close()  # the helper ranks are done once rank 0 stops training
        stopped = STOPPED_AS.get(result.stop_reason)
        if stopped is not None:  # pruned or cancelled: recorded as such; nothing of it is delivered
            outcome.state, outcome.error = stopped, result.stop_detail
            if stopped == TrialStatus.PRUNED:  # its epochs are part of the study's record (a cancelled one reruns)
                outcome.history = result.history
        else:
            _complete(job, outcome, model, data, device, result, monitor, recorder)
    except OverBudget as skipped:
        outcome.state, outcome.error = TrialStatus.PRUNED, str(skipped)
        outcome.metrics["skipped"] = True
    except Exception as exc:
        outcome.state, outcome.error = TrialStatus.FAILED, f"{type(exc).__name__}: {exc}"
        log.error("trial %d failed: %s", job.number, outcome.error)
        log.info("trial %d failed here:\n%s", job.number, traceback.format_exc())  # the run's log, not the console
    finally:
        if group is not None:
            group.close()
    outcome.finished_at = time.time()
    layer_stats.save(Path(job.trial_dir))
    _write_json(Path(job.trial_dir) / "outcome.json", outcome.to_dict())
    if job.plot_generation == "all" and outcome.state == TrialStatus.COMPLETE:
        render_trial_plots(Path(job.trial_dir))  # skips what it cannot draw; never raises
    return outcome


def _epoch_objective(job: TrialJob, monitor: HealthMonitor, outcome: TrialOutcome, epoch: EpochEnd) -> float:
    """The study's objective as of this epoch (health from what the monitor has recorded so far)."""
    if job.mode == "simple":
        return epoch.val_accuracy
    health = compute_health(monitor, val_accuracy=epoch.val_accuracy, train_accuracy=epoch.train_accuracy,
                            param_count=outcome.param_count)
    return objective_value(job.mode, epoch.val_accuracy, health.overall, job.health_weight)


def _complete(job: TrialJob, outcome: TrialOutcome, model: torch.nn.Module, data: PreparedData,
              device: torch.device, result: TrainResult, monitor: HealthMonitor,
              recorder: PlotDataRecorder | None) -> None:
    """A trial that trained to its end: test it, score its health, write its files."""
    assert result.val is not None  # only a stop request leaves a run unevaluated
    test = evaluate(model, data.test, device)
    health = compute_health(monitor, val_accuracy=result.val.accuracy, train_accuracy=result.train_accuracy,
                            param_count=outcome.param_count)
    outcome.metrics = {**outcome.metrics, **result.summary(), "test_accuracy": test.accuracy,
                       "test_loss": test.loss}
    outcome.health = health.to_dict()
    outcome.history = result.history
    outcome.value = objective_value(job.mode, result.val.accuracy, health.overall, job.health_weight)
    outcome.state = TrialStatus.COMPLETE
    _write_trial_files(job, outcome, model)
    if recorder is not None:
        recorder.save(Path(job.trial_dir), model, data, device, test=test)


def _write_trial_files(job: TrialJob, outcome: TrialOutcome, model: object) -> None:
    directory = Path(job.trial_dir)
    save_model(model, job.model_config, directory)  # type: ignore[arg-type]
    _write_json(directory / "metrics.json", {**outcome.metrics, "param_count": outcome.param_count,
                                              "objective": outcome.value, "history": outcome.history})
    _write_json(directory / "health.json", outcome.health or {})
    _write_json(directory / "architecture.json",
                describe(model, health=outcome.health, input_shape=job.model_config.input_shape))  # type: ignore[arg-type]
    _write_json(directory / "job.json", {**job.to_dict(), "storage_url": masked(job.storage_url)})


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))
