"""Reports each epoch's objective to the Optuna study and asks the trainer to stop when the pruner says so.

The objective, not raw accuracy: in mode=health a pruned trial's recorded value (Optuna keeps its last report)
must sit on the same scale as completed trials' total scores, and the pruner must compare like with like.
"""

from __future__ import annotations

from collections.abc import Callable

import optuna

from nettune.storage_url import with_driver
from nettune.training.hooks import EpochEnd, StopReason, TrainContext, TrainerHook


def make_pruner(name: str, epochs: int = 1) -> optuna.pruners.BasePruner:
    """`epochs`: what every trial plans. Hyperband's first rung sits a third of the way in: after one epoch of
    six, slower-starting recipes (augmentation, label smoothing, a lower rate) look worse than they end."""
    if name == "median":
        # Two complete trials before judging anyone, and never before the second epoch: first epochs of
        # good and bad configurations look alike.
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=max(1, epochs // 3), reduction_factor=3)
    return optuna.pruners.NopPruner()


class PruningHook(TrainerHook):
    def __init__(self, trial: optuna.Trial, objective: Callable[[EpochEnd], float]) -> None:
        self.trial = trial
        self.objective = objective

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        value = self.objective(epoch)
        self.trial.report(value, step=epoch.epoch)
        if epoch.epoch < ctx.total_epochs and self.trial.should_prune():
            ctx.request_stop(StopReason.PRUNED, f"pruned after epoch {epoch.epoch} at objective {value:.4f} "
                                                f"(val accuracy {epoch.val_accuracy:.4f})")


def connect_trial(storage_url: str, study_name: str, trial_id: int, pruner: str, epochs: int) -> optuna.Trial:
    """A handle on a trial that the orchestrator asked for, from any process that reaches its storage."""
    study = optuna.load_study(study_name=study_name, storage=with_driver(storage_url),
                              pruner=make_pruner(pruner, epochs))
    return optuna.trial.Trial(study, trial_id)
