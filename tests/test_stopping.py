"""Stopping without exceptions: hooks ask the trainer to stop, every run returns a TrainResult saying why, and
end-of-training hooks run however the run ended."""

import json
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from nettune.models import build_model
from nettune.plots.tensorboard import TensorBoardHook
from nettune.space.model_config import ModelConfig
from nettune.training.cancel import CancelToken
from nettune.training.device import seed_everything
from nettune.training.hooks import BatchEnd, EpochEnd, StopReason, TrainContext, TrainerHook
from nettune.training.trainer import TrainSettings, train
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial
from nettune.trials.state import TrialStatus


class _Calls(TrainerHook):
    """Counts what the trainer called, and asks for a stop at a chosen epoch end or batch."""

    def __init__(self, stop_after_epoch: int | None = None, stop_at_batch: int | None = None) -> None:
        self.stop_after_epoch, self.stop_at_batch = stop_after_epoch, stop_at_batch
        self.batches = self.epochs = self.ends = self.aborts = 0

    def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
        self.batches += 1
        if step.global_step == self.stop_at_batch:
            ctx.request_stop(StopReason.PRUNED, f"stop at step {step.global_step}")

    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        self.epochs += 1
        if epoch.epoch == self.stop_after_epoch:
            ctx.request_stop(StopReason.PRUNED, f"pruned after epoch {epoch.epoch}")
            ctx.request_stop(StopReason.CANCELLED, "a second request")  # the first one wins

    def on_train_end(self, ctx: TrainContext) -> None:
        self.ends += 1

    def on_train_abort(self) -> None:
        self.aborts += 1


class _Raises(TrainerHook):
    def on_epoch_end(self, ctx: TrainContext, epoch: EpochEnd) -> None:
        raise RuntimeError("a hook broke")


def _train(cfg, data, hooks, cancel=None, **settings):
    seed_everything(0)
    model = build_model(cfg)
    return train(model, cfg, data, TrainSettings(seed=0, **settings), hooks, cancel)


def test_a_stop_asked_at_an_epoch_end_returns_that_epochs_result_and_runs_every_end_hook(cnn_config, image_data,
                                                                                        tmp_path):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 5})
    calls, board = _Calls(stop_after_epoch=2), TensorBoardHook(tmp_path / "tb")
    result = _train(cfg, image_data, [calls, board], patience=10)
    assert result.stop_reason == StopReason.PRUNED == "pruned"
    assert result.stop_detail == "pruned after epoch 2"
    assert [row["epoch"] for row in result.history] == [1, 2] and result.epochs_run == 2
    assert result.val is None  # a stopped run delivers nothing, so it is not evaluated again
    assert (calls.epochs, calls.ends, calls.aborts) == (2, 1, 0)
    assert board._writer is None  # the TensorBoard hook closed itself at the run's end
    events = EventAccumulator(str(tmp_path / "tb")).Reload()
    assert [e.step for e in events.Scalars("accuracy/val")] == [1, 2]


def test_a_stop_asked_during_an_epoch_ends_before_the_next_batch_without_validating(cnn_config, image_data):
    calls = _Calls(stop_at_batch=3)
    result = _train(cnn_config, image_data, [calls])
    assert calls.batches == 3 and calls.epochs == 0 and calls.ends == 1
    assert result.stop_reason == "pruned" and result.stop_detail == "stop at step 3" and result.history == []


def test_the_trainers_own_stops_keep_their_reason_and_a_validated_result(cnn_config, image_data):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 50})
    calls = _Calls()
    result = _train(cfg, image_data, [calls], time_budget_s=0.05, patience=100)
    assert result.stop_reason == StopReason.TIME_BUDGET and result.stop_detail == ""
    assert result.val is not None and calls.ends == 1
    assert result.summary()["stop_reason"] == "time budget" and type(result.summary()["stop_reason"]) is str


def test_a_failing_run_raises_and_hooks_release_what_they_hold(cnn_config, image_data, tmp_path):
    calls, board = _Calls(), TensorBoardHook(tmp_path / "tb")
    with pytest.raises(RuntimeError, match="a hook broke"):
        _train(cnn_config, image_data, [calls, board, _Raises()])
    assert (calls.ends, calls.aborts) == (0, 1)
    assert board._writer is None


def test_a_cancelled_trial_reports_cancelled_like_any_other(tmp_path, mnist_data_dir):
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8,),
                      dense_units=16, batch_size=32, epochs=3)
    job = TrialJob(number=7, model_config=cfg, dataset="mnist", data_fraction=0.02, data_seed=0, seed=7,
                   mode="simple", health_weight=0.3, trial_dir=str(tmp_path / "0007"), plot_generation="none",
                   data_dir=str(mnist_data_dir))
    token = CancelToken()
    token.cancel()  # before the first batch: the trial stops at once, and still reports like any other
    outcome = run_trial(job, lambda event: None, token)
    assert outcome.state == TrialStatus.CANCELLED and outcome.error == "cancelled by the user"
    assert outcome.value is None and outcome.history == []
    assert json.loads(Path(job.trial_dir, "outcome.json").read_text())["state"] == "cancelled"
