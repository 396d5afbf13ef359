"""Tiny trained trials (CNN and LSTM) written to disk the way the trial runner writes them.

Session-scoped: each trains once (about a second) with the real trainer, HealthMonitor and recorder, and
every plot test then reads the same trial directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from nettune.data.types import DatasetInfo, PreparedData, Split
from nettune.health import HealthMonitor, compute_health
from nettune.models import build_model, count_parameters, save_model
from nettune.plots.recorder import PlotDataRecorder
from nettune.space.model_config import ModelConfig
from nettune.training.device import seed_everything
from nettune.training.evaluate import evaluate
from nettune.training.trainer import TrainSettings, train

CNN_CLASSES = ("top-left", "top-right", "bottom-left", "bottom-right")
VOCABULARY = ["<pad>", "<unk>", "alpha", "bravo", "charlie", "delta", "echo", "golden", "hotel", "india"]


def quadrant_images(n: int, seed: int, side: int = 12) -> Split:
    """4 classes: the quadrant holding a bright square (learnable in a few steps)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.randn(n, 1, side, side, generator=g) * 0.3
    half = side // 2
    for i, label in enumerate(y.tolist()):
        r, c = divmod(label, 2)
        x[i, 0, r * half + 1 : r * half + half - 1, c * half + 1 : c * half + half - 1] += 2.0
    return Split(x, y)


def token_split(n: int, seed: int) -> Split:
    """Class 1 rows contain token 7 ("golden"), class 0 rows do not; rows are left-padded like real text."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(2, 7, (n, 16), generator=g)
    x[:, :3] = 0  # padding
    y = torch.randint(0, 2, (n,), generator=g)
    x[y == 1, 8] = 7
    return Split(x, y)


def with_label_noise(split: Split, every: int = 8) -> Split:
    """Relabel every 8th sample: even a perfect model then makes (confident) test mistakes to plot."""
    y = split.y.clone()
    y[::every] = (y[::every] + 1) % int(y.max() + 1)
    return Split(split.x, y)


def image_data() -> PreparedData:
    info = DatasetInfo("quadrants", "image", 4, CNN_CLASSES, (1, 12, 12))
    notes = {"normalization": {"mean": [0.1], "std": [0.3]}}
    return PreparedData(info, quadrant_images(384, 0), quadrant_images(96, 1),
                        with_label_noise(quadrant_images(128, 2)), notes)


def text_data() -> PreparedData:
    info = DatasetInfo("tokens", "text", 2, ("negative", "positive"), (16,), vocab_size=len(VOCABULARY))
    return PreparedData(info, token_split(256, 0), token_split(64, 1), with_label_noise(token_split(64, 2)))


CNN_CONFIG = ModelConfig(family="cnn", dataset="quadrants", input_shape=(1, 12, 12), num_classes=4, filters=(8, 16),
                         dense_units=32, batch_size=64, epochs=2, learning_rate=3e-3)
LSTM_CONFIG = ModelConfig(family="lstm", dataset="tokens", input_shape=(16,), num_classes=2, vocab_size=len(VOCABULARY),
                          embedding_dim=8, lstm_units=12, lstm_layers=2, sequence_pooling="max", batch_size=32,
                          epochs=2, learning_rate=1e-2, activation="tanh")


def write_trial(directory: Path, cfg: ModelConfig, data: PreparedData, number: int,
                vocabulary: list[str] | None = None, monitor_shared: bool = True) -> Path:
    """Train and write model/metrics/health/outcome + plot_data, as nettune.trials.run does."""
    seed_everything(0)
    model = build_model(cfg)
    monitor = HealthMonitor(grad_every=2)
    recorder = PlotDataRecorder(monitor if monitor_shared else None, grad_every=2)
    result = train(model, cfg, data, TrainSettings(seed=0, patience=5), [monitor, recorder])
    test = evaluate(model, data.test, torch.device("cpu"))
    health = compute_health(monitor, val_accuracy=result.val.accuracy, train_accuracy=result.train_accuracy,
                            param_count=count_parameters(model))
    save_model(model, cfg, directory)
    metrics = {**result.summary(), "test_accuracy": test.accuracy, "history": result.history}
    (directory / "metrics.json").write_text(json.dumps(metrics))
    (directory / "health.json").write_text(json.dumps(health.to_dict()))
    (directory / "outcome.json").write_text(json.dumps({"number": number, "state": "complete"}))
    recorder.save(directory, model, data, torch.device("cpu"), test=test, vocabulary=vocabulary)
    return directory


@pytest.fixture(scope="session")
def cnn_trial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_trial(tmp_path_factory.mktemp("cnn_trial"), CNN_CONFIG, image_data(), number=3)


@pytest.fixture(scope="session")
def lstm_trial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_trial(tmp_path_factory.mktemp("lstm_trial"), LSTM_CONFIG, text_data(), number=4, vocabulary=VOCABULARY)
