import math

import numpy as np
import pytest
import torch

from nettune.models import build_model
from nettune.plots import PLOT_DATA_FILE, PlotDataRecorder, read_plot_data
from nettune.plots.collect import decode
from nettune.space.model_config import ModelConfig
from nettune.training.device import seed_everything
from nettune.training.trainer import TrainSettings, train
from tests.plots.conftest import CNN_CONFIG, VOCABULARY, image_data, quadrant_images, with_label_noise


def _train(hooks):
    seed_everything(0)
    model = build_model(CNN_CONFIG)
    result = train(model, CNN_CONFIG, image_data(), TrainSettings(seed=0), hooks)
    return model, result


@pytest.fixture(scope="module")
def recorded():
    """A run with a stand-alone recorder (no HealthMonitor to borrow from): (recorder, model, result)."""
    recorder = PlotDataRecorder(grad_every=3)
    model, result = _train([recorder])
    return recorder, model, result


def test_recorder_does_not_change_training(recorded):
    _, plain = _train([])
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in plain.history]
    assert strip == [{k: v for k, v in row.items() if k != "seconds"} for row in recorded[2].history]


def test_own_gradient_series_samples_every_k_steps(recorded):
    recorder, _, result = recorded
    names, kinds, steps, norms = recorder.gradient_series()
    total_steps = result.epochs_run * math.ceil(384 / CNN_CONFIG.batch_size)
    assert steps.tolist() == list(range(1, total_steps + 1, 3))
    assert norms.shape == (len(steps), len(names))
    assert names[0] == "features.0.0" and kinds[0] == "conv"
    assert np.all(np.isfinite(norms)) and np.all(norms > 0)


def test_saved_file_is_small_and_complete(recorded, tmp_path):
    recorder, model, _ = recorded
    data = image_data()
    # An MNIST-sized test split: labels, predictions and confidences scale with it; the saved images are a
    # fixed dozen of the most confident mistakes (label noise guarantees there are some).
    data.test = with_label_noise(quadrant_images(10_000, 5))
    path = recorder.save(tmp_path, model, data, torch.device("cpu"))
    assert path.name == PLOT_DATA_FILE and path.stat().st_size < 2_000_000
    saved = read_plot_data(tmp_path)
    assert saved.array("test_y").size == 10_000 and saved.array("test_pred").dtype == np.int16
    assert saved.array("mistake_x").shape[1:] == (1, 12, 12)
    assert saved.meta["class_names"] == list(data.info.class_names)
    assert saved.meta["normalization"] == {"mean": [0.1], "std": [0.3]}
    assert saved.array("act_inputs").shape[0] == 4  # the default activation samples


def test_monitor_is_reused_for_gradients_and_units(cnn_trial):
    shared = read_plot_data(cnn_trial)
    assert shared.meta["grad_layers"][:1] == ["features.0.0"]
    assert [u["name"] for u in shared.meta["units"]] == ["features.0.2", "features.1.2", "head.1"]


def test_decode_tokens():
    assert decode([0, 1, 2, 7, 42], VOCABULARY) == ["<unk>", "alpha", "golden", "#42"]
    assert decode([0, 3], VOCABULARY, keep_padding=True) == ["", "bravo"]
    assert decode([5], None) == ["#5"]


def test_empty_probe_saves_without_activations(tmp_path):
    cfg = ModelConfig.from_dict({**CNN_CONFIG.to_dict(), "epochs": 1})
    data = image_data()
    data.val.x, data.val.y = data.val.x[:0], data.val.y[:0]
    seed_everything(0)
    model = build_model(cfg)
    recorder = PlotDataRecorder()
    train(model, cfg, data, TrainSettings(seed=0), [recorder])
    recorder.save(tmp_path, model, data, torch.device("cpu"))
    saved = read_plot_data(tmp_path)
    assert "activations" not in saved.meta and saved.array("act_inputs") is None
    assert saved.array("grad_norms").shape[0] > 0  # the rest is still recorded
