import pytest
import torch

from nettune.models import build_model
from nettune.space.model_config import ModelConfig
from nettune.training.cancel import CancelToken
from nettune.training.device import seed_everything
from nettune.training.hooks import BatchEnd, TrainerHook
from nettune.training.progress_hook import ProgressReporter
from nettune.training.trainer import TrainSettings, train


def _run(cfg, data, hooks=(), cancel=None, **settings):
    seed_everything(settings.get("seed", 0))  # weight initialisation draws from the global RNG
    model = build_model(cfg)
    return model, train(model, cfg, data, TrainSettings(**settings), list(hooks), cancel)


def test_learns_a_learnable_task(cnn_config, image_data):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 4})
    _, result = _run(cfg, image_data, seed=0)
    assert result.val.accuracy > 0.9
    assert result.epochs_run == len(result.history) >= 1
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]


def test_lstm_learns_token_presence(text_data):
    cfg = ModelConfig(family="lstm", dataset="tokens", input_shape=(16,), num_classes=2, vocab_size=10,
                      embedding_dim=8, lstm_units=16, lstm_layers=1, sequence_pooling="max", batch_size=32,
                      epochs=5, learning_rate=1e-2)
    _, result = _run(cfg, text_data, seed=0, patience=5)
    assert result.val.accuracy > 0.9


def test_same_seed_same_metrics(cnn_config, image_data):
    _, a = _run(cnn_config, image_data, seed=7)
    _, b = _run(cnn_config, image_data, seed=7)
    _, c = _run(cnn_config, image_data, seed=8)
    def strip(history):
        return [{k: v for k, v in row.items() if k != "seconds"} for row in history]

    assert strip(a.history) == strip(b.history)
    assert a.val.accuracy == b.val.accuracy and torch.equal(a.val.predictions, b.val.predictions)
    assert a.history[0]["train_loss"] != c.history[0]["train_loss"]


class _CancelAfter(TrainerHook):
    def __init__(self, token: CancelToken, after: int) -> None:
        self.token, self.after, self.batches_seen = token, after, 0

    def on_batch_end(self, ctx, step: BatchEnd) -> None:
        self.batches_seen += 1
        if self.batches_seen == self.after:
            self.token.cancel()


def test_cancellation_stops_within_one_batch(cnn_config, image_data):
    token = CancelToken()
    hook = _CancelAfter(token, after=3)
    _, result = _run(cnn_config, image_data, hooks=[hook], cancel=token)
    assert hook.batches_seen == 3
    # Ended, not raised: no epoch finished, nothing was validated, and the result says why it stopped.
    assert result.stop_reason == "cancelled" and result.history == [] and result.val is None


def test_time_budget_stops_and_keeps_best(cnn_config, image_data):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 50})
    _, result = _run(cfg, image_data, time_budget_s=0.05, patience=100)
    assert result.stop_reason == "time budget" and result.epochs_run < 50


def test_early_stopping_restores_best_epoch(cnn_config, image_data):
    # A learning rate this high makes validation loss bounce; patience 1 must stop and restore the best.
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "epochs": 12, "learning_rate": 0.5, "optimizer": "sgd",
                                 "lr_schedule": "constant"})
    _, result = _run(cfg, image_data, patience=1, seed=3)
    best = min(result.history, key=lambda r: r["val_loss"])
    if result.stop_reason == "early stopping":
        assert result.epochs_run == result.best_epoch + 1
    assert result.val.loss == pytest.approx(best["val_loss"], rel=1e-5)


def test_progress_events_cover_each_epoch(cnn_config, image_data):
    events = []
    _run(cnn_config, image_data, hooks=[ProgressReporter(5, events.append, updates_per_epoch=4)])
    assert {e.trial for e in events} == {5}
    fractions = [e.fraction for e in events if e.epoch == 1]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 4
    assert events[-1].val_accuracy is not None and events[-1].epoch == 2


def test_non_finite_loss_stops_training(cnn_config, image_data):
    cfg = ModelConfig.from_dict({**cnn_config.to_dict(), "learning_rate": 1e6, "optimizer": "sgd",
                                 "batch_norm": False, "epochs": 3})
    _, result = _run(cfg, image_data, patience=10)
    assert result.stop_reason.startswith("diverged") or torch.isfinite(torch.tensor(result.val.loss))
