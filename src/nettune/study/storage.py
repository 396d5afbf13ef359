"""Create or resume the Optuna study behind a run."""

from __future__ import annotations

import logging
import os
import time
import warnings
from pathlib import Path

import optuna

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.storage_url import masked, with_driver
from nettune.study.heartbeat import HeartbeatSettings, heartbeat_backend, open_storage
from nettune.study.recovery import recover_trials
from nettune.trials.pruning import make_pruner
from nettune.trials.state import TrialStatus

log = logging.getLogger("nettune.study")

# Attributes that must match for a rerun with the same run_name to resume rather than mix two studies.
# health_weight and max_epochs_per_trial change what the objective means and what budget trials are compared at.
IDENTITY_KEYS = ("dataset", "mode", "data_fraction", "seed", "activation", "health_weight", "max_epochs_per_trial")


# TPE's random start-up trials before it models the space. With a warm-start baseline and ranges centred on
# known-good recipes, a few suffice; at 10 most short studies were random search.
STARTUP_TRIALS = 4


def make_sampler(config: OptimizationConfig, trials_so_far: int = 0, salt: int = 0) -> optuna.samplers.BaseSampler:
    """`trials_so_far` and `salt` shift the seed: a resumed study, or a second process on the same study, must
    not replay the random draws that proposed the trials it already has (the same seed would propose them
    again). A new study with one process keeps exactly `seed`, so runs stay reproducible."""
    seed = (config.seed + 1_000_003 * trials_so_far + salt) % 2**32
    if config.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=seed,
            multivariate=True,  # conv blocks, filters and learning rate interact; model them jointly
            group=True,  # the CNN space is conditional (filters_3 exists only with 3+ blocks)
            # concurrent trials (here or, with shared storage, on other hosts) get different parameters
            constant_liar=(config.concurrent_workers or 1) > 1 or config.storage is not None,
            n_startup_trials=STARTUP_TRIALS,
        )


def open_study(config: OptimizationConfig) -> tuple[optuna.Study, bool]:
    """The run's study and whether it already existed (a resume)."""
    name = config.resolved_run_name()
    url = config.storage_url()
    try:
        storage = open_storage(url, shared=config.storage is not None)
        existing = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(storage)}
    except ConfigError:
        raise
    except Exception as exc:
        detail = str(exc).replace(url, str(masked(url))).replace(with_driver(url), str(masked(url)))
        raise ConfigError(f"cannot open storage {masked(url)!r}: {exc.__class__.__name__}: {detail}"
                          .splitlines()[0]) from exc
    resumed = name in existing
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        direction="maximize",
        # Shared storage: each participant draws its own stream even when two start at once.
        sampler=make_sampler(config, existing.get(name, 0), os.getpid() if config.storage is not None else 0),
        pruner=make_pruner(config.pruner, config.max_epochs_per_trial),
        load_if_exists=True,
    )
    identity = {k: getattr(config, k) for k in IDENTITY_KEYS}
    if resumed:
        previous = study.user_attrs.get("identity")
        # Keys a study made by an older version did not record are not held against it.
        changed = {k: v for k, v in identity.items() if previous and k in previous and previous[k] != v}
        if changed:
            diff = ", ".join(f"{k}: {previous[k]!r} -> {v!r}" for k, v in changed.items())
            raise ConfigError(f"run {name!r} already holds a different study ({diff}); choose another run_name")
    else:
        study.set_user_attr("identity", identity)
        study.set_user_attr("started_at", time.time())  # every participant's `timeout` counts from here
        # What pull workers need to join with only --storage and --study (the URL itself may hold a password);
        # absolute paths, so a worker on this machine (or a shared file system) writes where this run reads.
        shared = {k: v for k, v in config.to_dict().items() if k != "storage"}
        for key in ("output_dir", "data_dir"):
            shared[key] = str(Path(shared[key]).resolve()) if shared[key] else None
        study.set_user_attr("config", shared)
        HeartbeatSettings.from_env().store(study)
    backend = heartbeat_backend(study)
    if backend is not None:
        backend.use(HeartbeatSettings.of(study))
    return study, resumed


def fail_stale_trials(study: optuna.Study, *, own_storage: bool = True) -> list[int]:
    """Trials left RUNNING by a killed process are failed and queued again with the same parameters.

    In the run's own SQLite file only this process writes, so every RUNNING trial is a crash leftover; in
    shared storage other hosts run trials too, and only those whose heartbeat stopped are (study/recovery.py).
    """
    return recover_trials(study, every_running=own_storage, max_retry=HeartbeatSettings.of(study).max_retry)


def counts_toward_budget(trial: optuna.trial.FrozenTrial) -> bool:
    """Finished trials count; interrupted ones (Ctrl-C, crash) are rerun on resume."""
    return TrialStatus.of(trial).counts_toward_budget
