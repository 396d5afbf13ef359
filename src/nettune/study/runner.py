"""optimize(): the study loop. Ask Optuna for parameters, hand jobs to an executor, tell it the results."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import optuna
from optuna.trial import TrialState

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError, NettuneError
from nettune.executors.base import Executor
from nettune.executors.factory import make_executor
from nettune.logs import attach_run_logging, detach
from nettune.progress.events import Event, Notice, TrialFinished
from nettune.progress.state import StudyProgress
from nettune.space.search_space import SpaceOptions, baseline_params, suggest_model_config
from nettune.study.results import OptimizationResult, finalize
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import counts_toward_budget, fail_stale_trials, open_study
from nettune.training.cancel import CancelToken
from nettune.training.distributed import data_parallel_devices
from nettune.trials.job import TrialJob, TrialOutcome
from nettune.trials.run import cached_dataset

log = logging.getLogger("nettune.study")
optuna.logging.set_verbosity(optuna.logging.WARNING)

Listener = Callable[[Event, StudyProgress], None]
CANCEL_GRACE_S = 60.0  # how long to wait for running trials to stop after a cancel
# In a study with a timeout, no searched trial may plan more than this share of it: a study gets at least a
# handful of trials for its sampler to learn from, instead of one huge model eating the budget.
TRIAL_SHARE = 0.25


def optimize(
    config: OptimizationConfig,
    listener: Listener | None = None,
    cancel: CancelToken | None = None,
    executor: Executor | None = None,
) -> OptimizationResult:
    run_dir = config.run_dir
    try:
        (run_dir / "trials").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the run directory {run_dir}: {exc.strerror}; "
                          "choose a writable output_dir") from exc
    handlers = attach_run_logging(run_dir)
    try:
        return _optimize(config, listener or (lambda e, p: None), cancel or CancelToken(), executor)
    finally:
        detach(handlers)


def _optimize(config: OptimizationConfig, listener: Listener, cancel: CancelToken,
              executor: Executor | None) -> OptimizationResult:
    started = time.time()
    data = cached_dataset(config.dataset, config.data_fraction, config.seed, config.data_dir)
    info = data.info
    study, resumed = open_study(config)
    # Trials a killed process left RUNNING are failed and queued again with the same parameters: in the run's own
    # SQLite file every RUNNING trial; in shared storage those whose heartbeat stopped (other hosts' stay).
    stale = fail_stale_trials(study, own_storage=config.storage is None)
    log.info("run %s: %s study of %s (%s), %d trials, %d worker(s), storage %s", config.run_name,
             "resuming" if resumed else "new", info.name, info.family.upper(), config.trials,
             config.concurrent_workers, config.storage_url())
    space = SpaceOptions(max_epochs=config.max_epochs_per_trial, activation=config.activation)
    if not resumed and config.warm_start:
        study.enqueue_trial(baseline_params(info, space), user_attrs={"baseline": True})

    progress = StudyProgress(total_trials=config.trials, concurrency=config.concurrent_workers, mode=config.mode)
    for t in study.get_trials(deepcopy=False):
        if counts_toward_budget(t):
            progress.record_previous(_outcome_state(t.state), t.value, t.user_attrs.get("val_accuracy"), t.number)
    if stale:
        progress.notices.append(f"rerunning interrupted trial(s) {stale}")
    # Shared storage: the budget counts every host's trials, and other hosts' trials show up as progress.
    shared = SharedStudy(study, config.trials, participant_name("optimize")) if config.storage is not None else None

    executor = executor or make_executor(config)
    in_flight: dict[int, optuna.Trial] = {}
    deadline = started + config.timeout if config.timeout else None
    interrupted = False
    try:
        while True:
            while (not config.follow_only and len(in_flight) < executor.capacity
                   and progress.finished + len(in_flight) < config.trials
                   and not cancel.cancelled and (deadline is None or time.time() < deadline)):
                trial = study.ask() if shared is None else shared.claim()
                if trial is None:  # the remaining slots are taken by other hosts' trials
                    break
                job = _make_job(config, study, trial, info, space, deadline)
                if job is not None:
                    executor.submit(job)
                    in_flight[trial.number] = trial
            if not in_flight and (shared is None or shared.done() or cancel.cancelled
                                  or (deadline is not None and time.time() >= deadline)):
                break
            if cancel.cancelled:
                interrupted = True
                executor.cancel()
            for event in executor.events(timeout=0.25) + (shared.poll() if shared is not None else []):
                progress.apply(event)
                listener(event, progress)
                if isinstance(event, TrialFinished) and event.trial in in_flight:
                    _tell(study, in_flight.pop(event.trial), TrialOutcome.from_dict(event.outcome))
                elif isinstance(event, Notice):
                    log.warning(event.message)
    except KeyboardInterrupt:
        interrupted = True
        log.warning("interrupted: stopping %d running trial(s); completed trials are kept", len(in_flight))
        _drain_after_cancel(study, executor, in_flight, progress, listener)
    finally:
        executor.close()
        if shared is not None:
            shared.finish(explain_best=config.benchmark_trial_seconds is None)
    # A cancel that lands between two trials stops the study short of its budget just like one mid-trial.
    interrupted = interrupted or (cancel.cancelled and progress.finished < config.trials)
    if interrupted:
        log.warning("study stopped before its end; rerun the same command to resume run %s", config.run_name)
    return finalize(config, study, data, started=started, interrupted=interrupted)


def _make_job(config: OptimizationConfig, study: optuna.Study, trial: optuna.Trial, info: Any,
              space: SpaceOptions, deadline: float | None) -> TrialJob | None:
    try:
        cfg = suggest_model_config(trial, info, space)
    except NettuneError as exc:  # a sampled combination that cannot be built: record why, move on
        trial.set_user_attr("error", str(exc))
        study.tell(trial, state=TrialState.FAIL)
        return None
    budget = config.trial_timeout
    if deadline is not None:  # trials started near the study's end get only the time that is left
        remaining = max(1.0, deadline - time.time())
        budget = remaining if budget is None else min(budget, remaining)
    # A searched trial that is predicted not to finish its epochs in its share is skipped before it trains; the
    # baseline always trains (the time budget still stops it).
    skip_over = trial_share(config, budget)
    if trial.user_attrs.get("baseline"):
        skip_over = None
    trial.set_user_attr("model_config", cfg.to_dict())
    return TrialJob(
        number=trial.number,
        model_config=cfg,
        dataset=config.dataset,
        data_fraction=config.data_fraction,
        data_seed=config.seed,
        seed=config.seed + trial.number,
        mode=config.mode,
        health_weight=config.health_weight,
        trial_dir=str((config.run_dir / "trials" / f"{trial.number:04d}").resolve()),
        patience=config.early_stopping_patience,
        time_budget_s=budget,
        skip_over_s=skip_over,
        device=config.device,
        data_dir=config.data_dir,
        plot_generation=config.plot_generation,
        tensorboard_dir=str((config.run_dir / "tensorboard" / f"{trial.number:04d}").resolve())
        if config.tensorboard else None,
        storage_url=config.storage_url(),
        study_name=study.study_name,
        trial_id=trial._trial_id,
        pruner=config.pruner,
        fixed_duration_s=config.benchmark_trial_seconds,
        devices=data_parallel_devices(config.device, config.gpus_per_worker),
    )


def trial_share(config: OptimizationConfig, budget: float | None) -> float | None:
    """The most one searched trial may plan to take: its time budget, and at most TRIAL_SHARE of a timed study."""
    if config.timeout is None:
        return budget
    share = config.timeout * TRIAL_SHARE
    return share if budget is None else min(budget, share)


def _tell(study: optuna.Study, trial: optuna.Trial, outcome: TrialOutcome) -> None:
    attrs: dict[str, Any] = {
        "duration_s": round(outcome.duration_s, 3),
        "worker": outcome.worker,
        "started_at": outcome.started_at,
        "finished_at": outcome.finished_at,
        "param_count": outcome.param_count,
        "trial_dir": outcome.trial_dir,
    }
    for key in ("val_accuracy", "test_accuracy", "train_accuracy", "epochs_run", "best_epoch", "stop_reason",
                "predicted_s", "skipped"):
        if key in outcome.metrics:
            attrs[key] = outcome.metrics[key]
    if outcome.health:
        attrs["health"] = outcome.health.get("overall")
        attrs["health_metrics"] = outcome.health.get("metrics")
    if outcome.error:
        attrs["error"] = outcome.error
    if outcome.state == "cancelled":
        attrs["interrupted"] = True
    for key, value in attrs.items():
        trial.set_user_attr(key, value)
    if outcome.state == "complete":
        study.tell(trial, outcome.value)
        log.info("trial %d complete: objective %.4f, val acc %.4f, test acc %.4f, %.1fs", outcome.number,
                 outcome.value, outcome.metrics.get("val_accuracy", 0), outcome.metrics.get("test_accuracy", 0),
                 outcome.duration_s)
    elif outcome.state == "pruned":
        study.tell(trial, state=TrialState.PRUNED)
        log.info("trial %d pruned: %s", outcome.number, outcome.error)
    else:
        study.tell(trial, state=TrialState.FAIL)
        log.warning("trial %d %s: %s", outcome.number, outcome.state, outcome.error)


def _drain_after_cancel(study: optuna.Study, executor: Executor, in_flight: dict[int, optuna.Trial],
                        progress: StudyProgress, listener: Listener) -> None:
    executor.cancel()
    deadline = time.time() + CANCEL_GRACE_S
    while in_flight and time.time() < deadline:
        try:
            events = executor.events(timeout=0.25)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            break
        for event in events:
            progress.apply(event)
            listener(event, progress)
            if isinstance(event, TrialFinished) and event.trial in in_flight:
                _tell(study, in_flight.pop(event.trial), TrialOutcome.from_dict(event.outcome))
    for number, trial in in_flight.items():  # never reported back: leave a resumable record
        trial.set_user_attr("interrupted", True)
        study.tell(trial, state=TrialState.FAIL)
        log.warning("trial %d did not stop in time; recorded as interrupted", number)


def _outcome_state(state: TrialState) -> str:
    return {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned"}.get(state, "failed")
