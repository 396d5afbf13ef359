"""Pull worker (`nettune worker pull`): run trials of a shared-storage study until the study is done.

Any number of pull workers, on any hosts, join a study that `nettune optimize … storage=URL` created: each
takes trials through the study's budget (SharedStudy.claim), runs them with the same job construction and
result recording as the orchestrator, and keeps them alive with heartbeats. A worker that dies leaves trials
that go stale after the grace period; any other participant then queues them again with the same parameters.
A worker stopped with Ctrl-C or SIGTERM hands its running trials back the same way, at once.
"""

from __future__ import annotations

import dataclasses
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import optuna
import torch

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError, NettuneError
from nettune.executors.local import LocalExecutor
from nettune.logs import attach_run_logging, detach
from nettune.progress.events import Event, Notice, TrialFinished
from nettune.progress.state import StudyProgress
from nettune.space.search_space import SpaceOptions
from nettune.study.heartbeat import HeartbeatSettings, HeartbeatStorage, open_storage
from nettune.study.recovery import requeue
from nettune.study.runner import _make_job, _outcome_state, _tell
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import counts_toward_budget, make_sampler
from nettune.training.cancel import CancelToken
from nettune.training.distributed import data_parallel_devices
from nettune.trials.job import TrialOutcome
from nettune.trials.pruning import make_pruner
from nettune.trials.run import cached_dataset

log = logging.getLogger("nettune.study")

Listener = Callable[[Event, StudyProgress], None]


@dataclass(frozen=True)
class Slot:
    """Where one of this worker's concurrent trials trains."""

    device: str
    devices: tuple[str, ...] = ()  # DistributedDataParallel over these; () = `device` alone


@dataclass
class PullOptions:
    storage: str
    study: str
    n_trials: int | None = None  # stop after taking this many trials (default: until the study is done)
    gpus: list[int] | None = None  # CUDA device indices this worker may use
    gpus_per_trial: int | None = None  # DDP devices per trial (default: the study's gpus_per_worker)
    output_dir: str | None = None  # default: the study's output_dir (shared file system) or ./optimization_results
    data_dir: str | None = None


@dataclass
class PullReport:
    worker: str
    config: OptimizationConfig
    ran: dict[int, str] = field(default_factory=dict)  # trial number -> outcome state
    study_done: bool = False


def plan_slots(device: str, gpus: list[int] | None, per_trial: int) -> list[Slot]:
    """One slot per trial this worker runs at once: all of --gpus in groups of `per_trial`, else one slot."""
    if not gpus:
        return [Slot(device, data_parallel_devices(device, per_trial))]
    visible = torch.cuda.device_count()
    missing = [g for g in gpus if not 0 <= g < visible]
    if missing:
        raise ConfigError(f"--gpus {','.join(map(str, gpus))}: device(s) {missing} do not exist here "
                          f"(torch sees {visible} CUDA device(s)); list indices from 0 to {visible - 1}"
                          if visible else f"--gpus {','.join(map(str, gpus))}: this machine has no CUDA device; "
                          "leave --gpus out to train on the CPU")
    if len(gpus) % per_trial:
        raise ConfigError(f"--gpus lists {len(gpus)} device(s), which do not split into groups of "
                          f"--gpus-per-trial {per_trial}")
    groups = [gpus[i : i + per_trial] for i in range(0, len(gpus), per_trial)]
    return [Slot(f"cuda:{g[0]}", tuple(f"cuda:{i}" for i in g) if per_trial > 1 else ()) for g in groups]


def join_study(options: PullOptions) -> tuple[optuna.Study, OptimizationConfig, str]:
    """Open the study with the config it was created with; returns it, the config and this worker's name."""
    try:
        storage = open_storage(options.storage, shared=True)
        names = sorted(s.study_name for s in optuna.get_all_study_summaries(storage))
    except NettuneError:
        raise
    except Exception as exc:
        raise ConfigError(f"cannot open storage: {exc.__class__.__name__}: {str(exc).splitlines()[0]}; check --storage "
                          "(e.g. postgresql://user:password@host:5432/db)") from exc
    if options.study not in names:
        raise ConfigError(f"no study {options.study!r} in this storage (studies there: {', '.join(names) or 'none'}); "
                          "create it first with 'nettune optimize ... storage=URL run_name=NAME' (follow_only=true "
                          "runs no trials there)")
    stored = optuna.load_study(study_name=options.study, storage=storage).user_attrs.get("config")
    if not isinstance(stored, dict):
        raise ConfigError(f"study {options.study!r} was not created by 'nettune optimize' (it holds no nettune "
                          "config), so a pull worker cannot know its datasets and search space")
    known = set(OptimizationConfig.option_names())
    config = OptimizationConfig(**{
        **{k: v for k, v in stored.items() if k in known},
        "storage": options.storage, "run_name": options.study, "follow_only": False,
        "output_dir": options.output_dir or stored.get("output_dir") or "optimization_results",
        "data_dir": options.data_dir or _existing_dir(stored.get("data_dir")),
    })
    name = participant_name("pull")
    # Workers must not draw the same parameters: each gets its own sampler seed (the data seed is the study's).
    sampler_config = replace(config, seed=(config.seed + zlib.crc32(name.encode())) % 2**31)
    study = optuna.load_study(study_name=options.study, storage=storage, sampler=make_sampler(sampler_config),
                              pruner=make_pruner(config.pruner, config.max_epochs_per_trial))
    assert isinstance(storage, HeartbeatStorage)
    storage.use(HeartbeatSettings.of(study))
    return study, config, name


def _existing_dir(path: str | None) -> str | None:
    """The study's data_dir when this host has it too; otherwise this host's default cache."""
    return path if path and Path(path).is_dir() else None


def pull(options: PullOptions, listener: Listener | None = None, cancel: CancelToken | None = None) -> PullReport:
    study, config, name = join_study(options)
    per_trial = options.gpus_per_trial or config.gpus_per_worker
    slots = plan_slots(config.device, options.gpus, per_trial)
    try:
        (config.run_dir / "trials").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write trial files to {config.run_dir}: {exc.strerror}; pass --output-dir") from exc
    handlers = attach_run_logging(config.run_dir)
    shared = SharedStudy(study, config.trials, name)
    try:
        log.info("pull worker %s joined study %s: %d slot(s) %s", name, options.study, len(slots),
                 [dataclasses.astuple(s) for s in slots])
        return _run(study, config, shared, slots, options.n_trials, listener or (lambda e, p: None),
                    cancel or CancelToken(), PullReport(name, config))
    finally:
        shared.finish()
        detach(handlers)


def _run(study: optuna.Study, config: OptimizationConfig, shared: SharedStudy, slots: list[Slot],
         n_trials: int | None, listener: Listener, cancel: CancelToken, report: PullReport) -> PullReport:
    info = cached_dataset(config.dataset, config.data_fraction, config.seed, config.data_dir).info
    space = SpaceOptions(max_epochs=config.max_epochs_per_trial, activation=config.activation)
    progress = StudyProgress(total_trials=config.trials, concurrency=len(slots), mode=config.mode)
    for t in study.get_trials(deepcopy=False):
        if counts_toward_budget(t):
            progress.record_previous(_outcome_state(t.state), t.value, t.user_attrs.get("val_accuracy"), t.number)
    executor = LocalExecutor(len(slots))
    in_flight: dict[int, tuple[optuna.Trial, int]] = {}  # trial number -> (trial, slot index)
    taken = 0
    try:
        while True:
            busy = {slot for _, slot in in_flight.values()}
            free = [i for i in range(len(slots)) if i not in busy]
            while free and not cancel.cancelled and (n_trials is None or taken < n_trials):
                trial = shared.claim()
                if trial is None:  # every remaining slot of the budget is running somewhere
                    break
                taken += 1
                job = _make_job(config, study, trial, info, space, None)
                if job is None:  # a sampled combination that cannot be built, already recorded as failed
                    continue
                slot = free.pop(0)
                executor.submit(replace(job, device=slots[slot].device, devices=slots[slot].devices))
                in_flight[trial.number] = (trial, slot)
            if not in_flight and (cancel.cancelled or (n_trials is not None and taken >= n_trials) or shared.done()):
                break
            if cancel.cancelled:
                executor.cancel()
            for event in executor.events(timeout=0.25) + shared.poll():
                progress.apply(event)
                listener(event, progress)
                if isinstance(event, TrialFinished) and event.trial in in_flight:
                    trial, _ = in_flight.pop(event.trial)
                    outcome = TrialOutcome.from_dict(event.outcome)
                    outcome.worker = f"{report.worker}:{outcome.worker}"  # which host ran it, for everyone else
                    _record(study, trial, outcome)
                    report.ran[trial.number] = outcome.state
                elif isinstance(event, Notice):
                    log.warning(event.message)
    finally:
        executor.close()
    report.study_done = shared.done()
    return report


def _record(study: optuna.Study, trial: optuna.Trial, outcome: TrialOutcome) -> None:
    try:
        _tell(study, trial, outcome)
    except optuna.exceptions.UpdateFinishedTrialError:
        # Its heartbeats did not reach the database for a whole grace period (a network partition, a stalled
        # host), so another participant declared it dead and queued it again; that retry owns it now.
        log.warning("trial %d was declared dead by another participant while it ran here; its result (%s) is "
                    "discarded and the queued retry runs it again", trial.number, outcome.state)
        return
    if outcome.state == "cancelled":  # this worker is stopping: hand the trial back with the same parameters
        frozen = study._storage.get_trial(trial._trial_id)
        requeue(study, frozen, [*frozen.system_attrs.get("retry_history", []), frozen.number])
        log.warning("trial %d stopped with this worker; queued again with the same parameters", trial.number)

