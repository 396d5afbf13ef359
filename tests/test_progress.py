"""StudyProgress: what the live display and the API show, fed by events from any executor."""

from nettune.progress.events import EpochProgress, TrialFinished, TrialStarted
from nettune.progress.state import StudyProgress


def test_a_running_trial_carries_its_finished_epochs_for_live_curves():
    progress = StudyProgress(total_trials=2)
    progress.apply(TrialStarted(trial=0, total_epochs=3, params={}, worker="local-0"))
    progress.apply(EpochProgress(trial=0, epoch=1, total_epochs=3, fraction=0.5, loss=1.2, accuracy=0.6))
    assert progress.snapshot()["running_trials"][0]["history"] == []  # mid-epoch: no finished epoch yet
    progress.apply(EpochProgress(trial=0, epoch=1, total_epochs=3, fraction=1.0, loss=1.0, accuracy=0.7,
                                 val_accuracy=0.72, val_loss=0.9))
    progress.apply(EpochProgress(trial=0, epoch=2, total_epochs=3, fraction=1.0, loss=0.6, accuracy=0.8,
                                 val_accuracy=0.81, val_loss=0.5))
    running = progress.snapshot()["running_trials"][0]
    assert running["history"] == [
        {"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.7, "val_loss": 0.9, "val_accuracy": 0.72},
        {"epoch": 2, "train_loss": 0.6, "train_accuracy": 0.8, "val_loss": 0.5, "val_accuracy": 0.81},
    ]
    progress.apply(TrialFinished(trial=0, outcome={"state": "complete", "value": 0.81, "duration_s": 3.0,
                                                   "metrics": {"val_accuracy": 0.81}}))
    assert progress.snapshot()["running_trials"] == []  # the finished trial's curves come from its files
