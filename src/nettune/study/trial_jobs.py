"""The job for one trial: its sampled model, its share of the time, and where it reports."""

from __future__ import annotations

import time
from typing import Any

import optuna
from optuna.trial import TrialState

from nettune.config import OptimizationConfig
from nettune.errors import NettuneError
from nettune.space.search_space import SpaceOptions, suggest_model_config
from nettune.study.optuna_compat import trial_id
from nettune.trials.job import TrialJob

# In a study with a timeout, no searched trial may plan more than this share of it: a study gets at least a
# handful of trials for its sampler to learn from, instead of one huge model eating the budget.
TRIAL_SHARE = 0.25


def make_job(config: OptimizationConfig, study: optuna.Study, trial: optuna.Trial, info: Any,
              space: SpaceOptions, deadline: float | None) -> TrialJob | None:
    try:
        cfg = suggest_model_config(trial, info, space)
    except NettuneError as exc:  # a sampled combination that cannot be built: record why, move on
        trial.set_user_attr("error", str(exc))
        study.tell(trial, state=TrialState.FAIL)
        return None
    budget = config.trial_timeout
    if deadline is not None:  # trials started near the study's end get only the time that is left
        remaining = max(1.0, round(deadline - time.time(), 1))
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
        compile_model=config.compile_model,
        data_dir=config.data_dir,
        plot_generation=config.plot_generation,
        tensorboard_dir=str((config.run_dir / "tensorboard" / f"{trial.number:04d}").resolve())
        if config.tensorboard else None,
        storage_url=config.storage_url(),
        study_name=study.study_name,
        trial_id=trial_id(trial),
        pruner=config.pruner,
        fixed_duration_s=config.benchmark_trial_seconds,
        parallel=config.gpus_per_worker,  # resolved where the trial runs: a CPU laptop may drive GPU workers
    )


def trial_share(config: OptimizationConfig, budget: float | None) -> float | None:
    """The most one searched trial may plan to take: its time budget, and at most TRIAL_SHARE of a timed study."""
    if config.timeout is None:
        return budget
    share = config.timeout * TRIAL_SHARE
    return share if budget is None else min(budget, share)


