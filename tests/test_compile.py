"""compile_model: torch.compile'd training gives a trained model, and the health monitor still sees every layer."""

from __future__ import annotations

import torch

from nettune.data.types import PreparedData
from nettune.health.monitor import HealthMonitor
from nettune.models.build import build_model
from nettune.space.model_config import ModelConfig
from nettune.training.trainer import TrainSettings, train


def test_a_compiled_model_trains_as_well_and_health_still_measures_it(image_data: PreparedData,
                                                                      cnn_config: ModelConfig):
    results = {}
    for compiled in (False, True):
        torch.manual_seed(0)
        model, monitor = build_model(cnn_config), HealthMonitor()
        results[compiled] = (train(model, cnn_config, image_data, TrainSettings(compile=compiled), [monitor]),
                             monitor)
    plain, compiled = results[False][0], results[True][0]
    assert compiled.val.accuracy >= 0.9 and abs(compiled.val.accuracy - plain.val.accuracy) <= 0.05
    assert compiled.epochs_run == plain.epochs_run == cnn_config.epochs
    # the monitor reads the plain model's parameters, which the compiled forward trains
    plain_monitor, compiled_monitor = results[False][1], results[True][1]
    assert compiled_monitor.grad_layer_names == plain_monitor.grad_layer_names
    norms = compiled_monitor.grad_norms
    assert norms.shape == plain_monitor.grad_norms.shape and norms.size > 0
    assert bool((norms > 0).all()) and bool(torch.isfinite(torch.as_tensor(norms)).all())
