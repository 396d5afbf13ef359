"""Reports each epoch's validation accuracy to the Optuna study and stops the trial when told to."""

from __future__ import annotations

import optuna

from nettune.training.hooks import EpochEnd, TrainContext, TrainerHook


def make_pruner(name: str) -> optuna.pruners.BasePruner:
    if name == "median":
        # Two complete trials before judging anyone, and never before the second epoch: first epochs of
        # good and bad configurations look alike.
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()


class PruningHook(TrainerHook):
    def __init__(self, trial: optuna.Trial) -> None:
        self.trial = trial

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        self.trial.report(epoch.val_accuracy, step=epoch.epoch)
        if epoch.epoch < ctx.total_epochs and self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {epoch.epoch} at val accuracy {epoch.val_accuracy:.4f}")


def connect_trial(storage_url: str, study_name: str, trial_id: int, pruner: str) -> optuna.Trial:
    """A handle on a trial that the orchestrator asked for, from any process that reaches its storage."""
    study = optuna.load_study(study_name=study_name, storage=storage_url, pruner=make_pruner(pruner))
    return optuna.trial.Trial(study, trial_id)
