"""optimize(): a study from start to finish: data, the study, the loop (study/loop.py), the results."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import time
from typing import Any

import optuna

from nettune.config import OptimizationConfig
from nettune.data import CustomOptions, DatasetInfo
from nettune.errors import ConfigError, NettuneError
from nettune.executors.base import Executor
from nettune.executors.factory import make_executor
from nettune.executors.layout import choose_layout
from nettune.logs import attach_run_logging, detach
from nettune.progress.events import Notice
from nettune.progress.state import StudyProgress
from nettune.space.search_space import SpaceOptions, baseline_params
from nettune.storage_url import masked
from nettune.study.loop import Limits, Listener, OwnStudy, SharedClaims, run_loop
from nettune.study.record import seed_progress
from nettune.study.results import OptimizationResult, finalize
from nettune.study.run_lock import run_lock
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import fail_stale_trials, open_study
from nettune.study.trial_jobs import make_job
from nettune.training.cancel import CancelToken
from nettune.trials.run import cached_dataset

log = logging.getLogger("nettune.study")
optuna.logging.set_verbosity(optuna.logging.WARNING)

__all__ = ["Listener", "optimize"]


def optimize(
    config: OptimizationConfig,
    listener: Listener | None = None,
    cancel: CancelToken | None = None,
    executor: Executor | None = None,
) -> OptimizationResult:
    run_dir = config.run_dir
    created = not run_dir.exists()
    try:
        (run_dir / "trials").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the run directory {run_dir}: {exc.strerror}; "
                          "choose a writable output_dir") from exc
    lock = run_lock(run_dir, str(config.run_name)) if config.storage is None else contextlib.nullcontext()
    try:
        with lock:
            handlers = attach_run_logging(run_dir)
            try:
                return _optimize(config, listener or (lambda e, p: None), cancel or CancelToken(), executor)
            finally:
                detach(handlers)
    except NettuneError:
        # A run that failed before any trial (bad storage, missing data, a refused endpoint) leaves no folder.
        if created and not any((run_dir / "trials").iterdir()):
            shutil.rmtree(run_dir, ignore_errors=True)
        raise


def _optimize(config: OptimizationConfig, listener: Listener, cancel: CancelToken,
              executor: Executor | None) -> OptimizationResult:
    started = time.time()
    _check_device(config)
    data = cached_dataset(config.dataset, config.data_fraction, config.seed, config.data_dir,
                          CustomOptions(config.image_size, config.text_column, config.label_column))
    info = data.info
    custom = data.notes.get("custom")
    if custom:  # trials load the decoded data by its content key, wherever they run
        config = dataclasses.replace(config, dataset=custom["ref"])
        log.info("your dataset %s: %d classes, %s, so %s models (%s)", custom["source"], info.num_classes,
                 data.notes["format"], custom["family"], custom["family_reason"])
    layout = choose_layout(config, data)
    config = dataclasses.replace(config, concurrent_workers=layout.workers)  # the study records what ran
    log.info("trials at once: %s", layout.describe())
    # Before the study exists: an endpoint that refuses the key must not leave a study behind that the corrected
    # command would then have to match.
    executor = executor or make_executor(config)
    shared: SharedStudy | None = None
    try:
        study, resumed = open_study(config)
        # Trials a killed process left RUNNING are failed and queued again with the same parameters: in the run's
        # own SQLite file every RUNNING trial; in shared storage those whose heartbeat stopped (other hosts' stay).
        stale = fail_stale_trials(study, own_storage=config.storage is None)
        log.info("run %s: %s study of %s (%s), %d trials, %d worker(s), storage %s", config.run_name,
                 "resuming" if resumed else "new", info.name, info.family.upper(), config.trials,
                 config.concurrent_workers, masked(config.storage_url()))
        space = SpaceOptions(max_epochs=config.max_epochs_per_trial, activation=config.activation)
        if not resumed and config.warm_start:
            study.enqueue_trial(baseline_params(info, space), user_attrs={"baseline": True})
        progress = StudyProgress(total_trials=config.trials, concurrency=config.concurrent_workers, mode=config.mode)
        seed_progress(progress, study.get_trials(deepcopy=False))
        rates = f" (samples/s {layout.predicted})" if layout.predicted else ""
        told = [f"trials at once: {layout.describe()}{rates}"]
        if custom:
            told.append(_describe_custom(custom, info))
        for message in told:
            notice = Notice(message, level="info")
            progress.apply(notice)
            listener(notice, progress)
        if stale:
            progress.notices.append(f"rerunning interrupted trial(s) {stale}")
        # Shared storage: the budget counts every host's trials, and other hosts' trials show up as progress.
        if config.storage is not None:
            shared = SharedStudy(study, config.trials, participant_name("optimize"))
        deadline = started + config.timeout if config.timeout else None
        source = OwnStudy(study) if shared is None else SharedClaims(shared)
        limits = Limits(total=config.trials if shared is None else None, deadline=deadline,
                        submit=not config.follow_only)
        report = run_loop(source, executor, lambda trial: make_job(config, study, trial, info, space, deadline),
                          progress, listener, cancel, limits)
    finally:
        executor.close()
        if shared is not None:
            shared.finish(explain_best=config.benchmark_trial_seconds is None)
    # A cancel that lands between two trials stops the study short of its budget just like one mid-trial.
    interrupted = report.interrupted or (cancel.cancelled and progress.finished < config.trials)
    if interrupted:
        log.warning("study stopped before its end; rerun the same command to resume run %s", config.run_name)
    return finalize(config, study, data, started=started, interrupted=interrupted, layout=layout.to_dict())


def _describe_custom(custom: dict[str, Any], info: DatasetInfo) -> str:
    """One line on how the user's files were read: what nettune decided for them, and how to change it."""
    shape = "x".join(str(n) for n in info.input_shape)
    parts = [f"your data {custom['source']}: {info.num_classes} classes, {custom['family']} models because "
             f"{custom['family_reason']}, inputs {shape}"]
    if "image_size" in custom:
        parts.append(f"side {custom['image_size']} from {custom['image_size_from']} (image_size= overrides)")
    if "text_column" in custom:
        parts.append(f"text from column {custom['text_column']!r}, labels from {custom['label_column']!r}")
    if custom.get("skipped_unreadable"):
        parts.append(f"{custom['skipped_unreadable']} unreadable file(s) skipped, e.g. "
                     f"{', '.join(custom['skipped_examples'])}")
    return "; ".join(parts)


def _check_device(config: OptimizationConfig) -> None:
    """device=cuda for trials that run here, on a machine without CUDA: one error now, not one per trial."""
    if config.device == "cuda" and not config.use_runpod_service and not config.follow_only:
        import torch

        if not torch.cuda.is_available():
            raise ConfigError("device=cuda, but this machine has no usable CUDA GPU; use device=auto (CUDA when "
                              "present) or device=cpu")


