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
from dataclasses import dataclass, field, replace
from pathlib import Path

import optuna

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError, NettuneError
from nettune.executors.local import LocalExecutor
from nettune.executors.placement import Placement, plan_slots
from nettune.logs import attach_run_logging, detach
from nettune.progress.state import StudyProgress
from nettune.space.search_space import SpaceOptions
from nettune.study.heartbeat import HeartbeatSettings, HeartbeatStorage, open_storage
from nettune.study.loop import Limits, Listener, SharedClaims, run_loop
from nettune.study.record import seed_progress
from nettune.study.shared import SharedStudy, participant_name
from nettune.study.storage import make_sampler
from nettune.study.trial_jobs import make_job
from nettune.training.cancel import CancelToken
from nettune.trials.pruning import make_pruner
from nettune.trials.run import cached_dataset
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.study")


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
    ran: dict[int, TrialStatus] = field(default_factory=dict)  # trial number -> its outcome
    study_done: bool = False


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


def _run(study: optuna.Study, config: OptimizationConfig, shared: SharedStudy, slots: list[Placement],
         n_trials: int | None, listener: Listener, cancel: CancelToken, report: PullReport) -> PullReport:
    info = cached_dataset(config.dataset, config.data_fraction, config.seed, config.data_dir).info
    space = SpaceOptions(max_epochs=config.max_epochs_per_trial, activation=config.activation)
    progress = StudyProgress(total_trials=config.trials, concurrency=len(slots), mode=config.mode)
    seed_progress(progress, study.get_trials(deepcopy=False))
    # The study's timeout holds for every participant, counted from when the study began.
    began = study.user_attrs.get("started_at")
    deadline = float(began) + config.timeout if config.timeout and began else None
    executor = LocalExecutor(len(slots), placements=slots)
    try:
        loop = run_loop(SharedClaims(shared, label=report.worker, hand_back=True), executor,
                        lambda trial: make_job(config, study, trial, info, space, deadline), progress, listener,
                        cancel, Limits(take=n_trials, deadline=deadline))
    finally:
        executor.close()
    report.ran = loop.ran
    report.study_done = shared.done()
    return report


