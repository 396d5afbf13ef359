"""Create or resume the Optuna study behind a run."""

from __future__ import annotations

import logging
import warnings

import optuna
from optuna.trial import TrialState

from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.trials.pruning import make_pruner

log = logging.getLogger("nettune.study")

# Attributes that must match for a rerun with the same run_name to resume rather than mix two studies.
IDENTITY_KEYS = ("dataset", "mode", "data_fraction", "seed", "activation")


def make_sampler(config: OptimizationConfig) -> optuna.samplers.TPESampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=config.seed,
            multivariate=True,  # conv blocks, filters and learning rate interact; model them jointly
            group=True,  # the CNN space is conditional (filters_3 exists only with 3+ blocks)
            constant_liar=config.concurrent_workers > 1,  # concurrent trials get different parameters
            n_startup_trials=max(4, min(10, config.trials // 4)),
        )


def open_study(config: OptimizationConfig) -> tuple[optuna.Study, bool]:
    """The run's study and whether it already existed (a resume)."""
    name = config.resolved_run_name()
    storage = config.storage_url()
    try:
        existing = {s.study_name for s in optuna.get_all_study_summaries(storage)}
    except Exception as exc:
        raise ConfigError(f"cannot open storage {storage!r}: {exc.__class__.__name__}: {exc}".splitlines()[0]) from exc
    resumed = name in existing
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        direction="maximize",
        sampler=make_sampler(config),
        pruner=make_pruner(config.pruner),
        load_if_exists=True,
    )
    identity = {k: getattr(config, k) for k in IDENTITY_KEYS}
    if resumed:
        previous = study.user_attrs.get("identity")
        if previous and previous != identity:
            diff = ", ".join(f"{k}: {previous.get(k)!r} -> {v!r}" for k, v in identity.items() if previous.get(k) != v)
            raise ConfigError(f"run {name!r} already holds a different study ({diff}); choose another run_name")
    else:
        study.set_user_attr("identity", identity)
    return study, resumed


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Trials left RUNNING by a killed orchestrator are failed so their slots are run again."""
    stale = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.RUNNING]
    for trial in stale:
        study._storage.set_trial_user_attr(trial._trial_id, "interrupted", True)
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        log.warning("trial %d was left running by an earlier process; marked failed and will be rerun", trial.number)
    return [t.number for t in stale]


def counts_toward_budget(trial: optuna.trial.FrozenTrial) -> bool:
    """Finished trials count; interrupted ones (Ctrl-C, crash) are rerun on resume."""
    if trial.state in (TrialState.COMPLETE, TrialState.PRUNED):
        return True
    return trial.state == TrialState.FAIL and not trial.user_attrs.get("interrupted", False)
