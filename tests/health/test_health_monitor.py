"""HealthMonitor on tiny real models: forced dead/saturated units, gradient norms, probe side effects."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nettune.errors import ConfigError
from nettune.health import HealthMonitor, compute_health
from nettune.health.activity import measure_activity
from nettune.training.hooks import BatchEnd, TrainContext, TrainerHook


def three_class_data(n: int, *shape: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(n, *shape, generator=gen)
    flat = x.reshape(n, -1)
    y = (flat[:, 0] > 0).long() + (flat[:, 1] > 0).long()
    return x, y


def test_forced_dead_relus_are_detected_per_layer(train):
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 16), nn.ReLU(), nn.Linear(16, 3)
    )
    with torch.no_grad():  # pre-activations here are O(1), so a -100 bias keeps a unit off for good
        model[0].bias[:2] = -100.0
        model[3].bias[:4] = -100.0
    x, y = three_class_data(320, 1, 6, 6)
    monitor = HealthMonitor()
    result = train(model, x, y, [monitor], epochs=2)

    conv, fc = (next(a for a in monitor.activity if a.name == name) for name in ("1", "4"))
    assert (conv.source, fc.source) == ("0", "3")  # credited to the layer that produced them
    assert conv.dead[:2].all() and fc.dead[:4].all()
    # The per-unit statistics match a direct computation on the same probe samples.
    probe = x[-64:][: fc.entries]
    model.eval()
    with torch.no_grad():
        conv_out, fc_out = model[:2](probe), model[:5](probe)
    assert np.allclose(conv.active_fraction, (conv_out > 0).float().mean((0, 2, 3)).numpy())
    assert np.allclose(fc.active_fraction, (fc_out > 0).float().mean(0).numpy())
    assert np.array_equal(fc.dead, ((fc_out > 0).sum(0) == 0).numpy())

    report = compute_health(
        monitor, val_accuracy=result.val_accuracy, train_accuracy=result.train_accuracy, param_count=result.param_count
    )
    rows = {row.name: row for row in report.per_layer}
    assert rows["0"].kind == "conv" and rows["0"].units == 8 and rows["0"].dead == pytest.approx(conv.dead.mean())
    assert rows["3"].kind == "linear" and rows["3"].units == 16 and rows["3"].dead >= 4 / 16
    assert rows["5"].units == 0 and rows["5"].dead is None  # the classifier has no activation after it
    assert report.dead_fraction == pytest.approx((conv.dead.sum() + fc.dead.sum()) / 24)
    assert "linear layer '3'" in report.summary and "dead" in report.summary


def test_saturated_tanh_units_count_as_unusable(train):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3))
    with torch.no_grad():  # tanh(±50) is ±1 in float32 with zero gradient, so these stay pinned
        model[0].bias[:3] = 50.0
        model[0].bias[3:5] = -50.0
    x, y = three_class_data(256, 8)
    monitor = HealthMonitor()
    result = train(model, x, y, [monitor], epochs=1)

    tanh = monitor.activity[0]
    assert tanh.bounded and tanh.activation == "tanh"
    assert tanh.saturated.tolist() == [True] * 5 + [False] * 11
    assert not tanh.dead.any()
    report = compute_health(monitor, val_accuracy=result.val_accuracy, train_accuracy=0.5, param_count=200)
    assert report.saturated_fraction == pytest.approx(5 / 16)
    assert report.metrics["neuron_utilization"] == pytest.approx(11 / 16)
    assert "saturated" in report.summary


class TinyLSTM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(20, 8)
        self.rnn = nn.LSTM(8, 4, num_layers=2, batch_first=True)
        self.head = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.emb(x))
        return self.head(out[:, -1])


def test_lstm_layers_are_monitored_and_graded_per_stacked_layer(train):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(2)
    x = torch.randint(0, 20, (96, 12), generator=gen)
    monitor = HealthMonitor()
    result = train(TinyLSTM(), x, x[:, -1] % 3, [monitor], epochs=2, val_size=32)

    assert monitor.grad_layer_names == ["emb", "rnn.l0", "rnn.l1", "head"]
    assert monitor.grad_layer_kinds == ["embedding", "lstm", "lstm", "linear"]
    assert [(a.name, a.source, a.units) for a in monitor.activity] == [("rnn.l0", "rnn.l0", 4), ("rnn.l1", "rnn.l1", 4)]
    report = compute_health(monitor, val_accuracy=result.val_accuracy, train_accuracy=0.5, param_count=600)
    rows = {row.name: row for row in report.per_layer}
    assert rows["rnn.l1"].activation == "lstm" and rows["rnn.l1"].units == 4
    assert rows["rnn.l0"].grad_norm_mean is not None and rows["emb"].units == 0


def test_saturated_lstm_units_are_found_in_each_stacked_layer():
    torch.manual_seed(0)
    model = TinyLSTM()
    with torch.no_grad():
        # Gates i, f, g, o all ~1 for one unit: its cell grows by 1 per step and h = tanh(c) -> 1 from
        # step 3 on, i.e. on 398 of 400 steps (> 99%).
        for gate in range(4):
            model.rnn.bias_ih_l0[gate * 4 + 1] = 50.0  # layer 0, unit 1 (seen through h_n)
            model.rnn.bias_ih_l1[gate * 4 + 0] = 50.0  # layer 1, unit 0 (seen over the whole sequence)
    x = torch.randint(0, 20, (32, 400), generator=torch.Generator().manual_seed(2))
    lower, top = measure_activity(model, x).layers

    assert (lower.name, top.name) == ("rnn.l0", "rnn.l1")
    assert lower.bounded and top.activation == "lstm"
    assert lower.saturated.tolist() == [False, True, False, False]
    assert top.saturated.tolist() == [True, False, False, False]
    assert top.entries == 32 * 400 and lower.entries == 32


def test_gradient_norms_match_a_direct_computation(train):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    expected: dict[int, list[float]] = {}

    class Reference(TrainerHook):
        def on_batch_end(self, ctx: TrainContext, step: BatchEnd) -> None:
            expected[step.global_step] = [
                float(torch.sqrt(sum(p.grad.pow(2).sum() for p in layer.parameters()))) for layer in model[::2]
            ]

    x, y = three_class_data(224, 8)
    monitor = HealthMonitor(grad_every=3)
    train(model, x, y, [monitor, Reference()], epochs=2)  # 10 steps per epoch

    assert monitor.grad_layer_names == ["0", "2"]
    assert monitor.grad_steps.tolist() == [1, 4, 7, 10, 13, 16, 19]
    want = np.array([expected[s] for s in monitor.grad_steps.tolist()])
    assert np.allclose(monitor.grad_norms, want, rtol=1e-5)
    assert np.allclose(monitor.global_grad_norms, np.sqrt((want**2).sum(axis=1)), rtol=1e-5)
    assert len(monitor.losses) == 20


def test_unused_and_frozen_parameters_are_not_judged(train):
    class WithSpare(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
            self.spare = nn.Linear(4, 4)  # never called: its .grad stays None
            self.frozen = nn.Linear(8, 8).requires_grad_(False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.body(x + 0 * self.frozen(x))

    x, y = three_class_data(224, 8)
    monitor = HealthMonitor(grad_every=1)
    result = train(WithSpare(), x, y, [monitor], epochs=2)
    assert monitor.grad_layer_names == ["body.0", "body.2", "spare"]
    assert np.isnan(monitor.grad_norms[:, 2]).all()
    report = compute_health(monitor, val_accuracy=result.val_accuracy, train_accuracy=0.5, param_count=300)
    assert report.per_layer[2].grad_norm_mean is None and report.per_layer[2].grad_score is None
    assert report.metrics["gradient_health"] > 0.9  # an unused layer is not a vanishing one


def test_probe_restores_modes_and_leaves_model_untouched():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    model.train()
    model[1].eval()  # e.g. a frozen batch norm: must stay in eval afterwards
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = measure_activity(model, torch.randn(40, 8))
    assert model.training and model[4].training and not model[1].training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # incl. BN running stats
    assert result.output_dim == 3
    assert [layer.source for layer in result.layers] == ["0"]  # BN is skipped: the units belong to the linear
    assert not model[0]._forward_hooks and not model[2]._forward_hooks  # hooks removed


def test_reused_activation_module_is_split_per_call():
    class Shared(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b, self.act = nn.Linear(8, 6), nn.Linear(6, 4), nn.ReLU()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.act(self.b(self.act(self.a(x))))

    layers = measure_activity(Shared(), torch.randn(30, 8)).layers
    assert [(layer.name, layer.source, layer.units) for layer in layers] == [("act#0", "a", 6), ("act#1", "b", 4)]


def test_monitor_rejects_bad_settings():
    with pytest.raises(ConfigError, match="grad_every"):
        HealthMonitor(grad_every=0)
    with pytest.raises(ConfigError, match="probe_samples"):
        HealthMonitor(probe_samples=0)
