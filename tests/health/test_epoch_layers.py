"""Per-epoch layer statistics: measured in a real trial on genuine MNIST, carried by the epoch's progress into the
running trial's snapshot, saved for the finished trial's replay, and bounded in size however large the model."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from nettune.health import HealthMonitor
from nettune.health.epoch_layers import EpochLayerStats
from nettune.health.gradients import parameter_groups
from nettune.progress.events import EpochProgress, TrialStarted
from nettune.progress.layer_stats import HIST_BINS, LAYER_STATS_FILE, MAX_EPOCH_BYTES, MAX_LAYERS, checked_entry
from nettune.progress.state import StudyProgress
from nettune.space.model_config import ModelConfig
from nettune.training.progress_hook import ProgressReporter
from nettune.trials.job import TrialJob
from nettune.trials.run import run_trial
from nettune.worker.handler import ProgressForwarder

EPOCHS = 3


@pytest.fixture(scope="module")
def mnist_trial(mnist_data_dir, tmp_path_factory):
    """One real 3-epoch CNN trial on 2% of genuine MNIST; every event it emitted and its trial directory."""
    trial_dir = tmp_path_factory.mktemp("trial") / "0000"
    cfg = ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10, filters=(8, 16),
                      dense_units=32, batch_size=64, epochs=EPOCHS, learning_rate=3e-3, batch_norm=True)
    job = TrialJob(number=0, model_config=cfg, dataset="mnist", data_fraction=0.02, data_seed=3, seed=7,
                   mode="health", health_weight=0.3, trial_dir=str(trial_dir), data_dir=str(mnist_data_dir),
                   plot_generation="none", device="cpu", patience=EPOCHS)
    events: list = []
    outcome = run_trial(job, events.append)
    assert outcome.state == "complete", outcome.error
    return events, trial_dir, outcome


def _epoch_ends(events):
    return [e for e in events if isinstance(e, EpochProgress) and e.val_accuracy is not None]


def test_a_real_trial_reports_sane_layer_stats_once_per_epoch(mnist_trial):
    events, _, outcome = mnist_trial
    ends = _epoch_ends(events)
    assert [e.epoch for e in ends] == list(range(1, outcome.metrics["epochs_run"] + 1)) == [1, 2, 3]
    assert all(e.layers is None for e in events if isinstance(e, EpochProgress) and e.val_accuracy is None)
    for end in ends:
        stats = checked_entry(end.layers)  # the shape a remote worker's entry is held to
        assert stats["epoch"] == end.epoch
        assert stats["kinds"][:2] == ["conv", "norm"] and stats["kinds"][-1] == "linear"
        assert stats["layers_total"] == len(stats["layers"]) <= MAX_LAYERS
        for mean, peak in zip(stats["grad_mean"], stats["grad_max"], strict=True):
            assert mean is not None and 0 < mean <= peak < 1e2  # every layer learned; none exploded
        weight = stats["weight"]
        for i in range(len(stats["layers"])):
            assert weight["min"][i] <= weight["mean"][i] <= weight["max"][i] and weight["std"][i] > 0
            assert len(weight["hist"][i]) == HIST_BINS and sum(weight["hist"][i]) > 0
        # A conv before batch norm has no bias (the norm's shift replaces it); norm and linear layers have one.
        assert [m is None for m in stats["bias"]["mean"]] == [kind == "conv" for kind in stats["kinds"]]
    # Training moves the weights: the first layer's weight mean is not the same at every epoch end.
    assert len({e.layers["weight"]["mean"][0] for e in ends}) > 1


def test_the_weight_histogram_counts_every_weight(mnist_trial):
    events, _, _ = mnist_trial
    stats = _epoch_ends(events)[-1].layers
    from nettune.models import build_model

    model = build_model(ModelConfig(family="cnn", dataset="mnist", input_shape=(1, 28, 28), num_classes=10,
                                    filters=(8, 16), dense_units=32, batch_norm=True))
    sizes = {g.name: sum(p.numel() for n, p in g.params if not n.startswith("bias")) for g in parameter_groups(model)}
    assert [sum(h) for h in stats["weight"]["hist"]] == [sizes[name] for name in stats["layers"]]


def test_gradient_norms_are_the_health_monitors_own_samples(mnist_trial, mnist_data_dir):
    """The epoch's mean norm equals the mean of the monitor's samples in that epoch (no second measurement)."""
    events, trial_dir, _ = mnist_trial
    saved = json.loads((trial_dir / LAYER_STATS_FILE).read_text())["epochs"]
    assert saved == [e.layers for e in _epoch_ends(events)]  # the replay reads exactly what was streamed
    health = json.loads((trial_dir / "health.json").read_text())
    per_layer = {row["name"]: row for row in health["per_layer"]}
    last = saved[-1]
    for name, peak in zip(last["layers"], last["grad_max"], strict=True):
        assert peak <= per_layer[name]["grad_norm_max"] * (1 + 1e-3)  # an epoch's peak never beats the run's


def test_the_running_trials_snapshot_carries_the_latest_epoch_and_stays_small(mnist_trial):
    events, _, _ = mnist_trial
    progress = StudyProgress(total_trials=1)
    sizes = []
    for event in events:
        if isinstance(event, TrialStarted | EpochProgress):
            progress.apply(event)
            sizes.append(len(json.dumps(progress.snapshot())))
    running = progress.snapshot()["running_trials"][0]
    assert running["layers"] == _epoch_ends(events)[-1].layers  # only the latest epoch rides along
    assert len(running["history"]) == EPOCHS
    # Bounded: the layer stats add at most one epoch's entry to a snapshot, whatever the epoch count.
    history_bytes = len(json.dumps(running["history"]))
    assert max(sizes) <= sizes[1] + history_bytes + MAX_EPOCH_BYTES


def test_a_model_deeper_than_the_cap_keeps_both_ends_and_the_size_limit(train):
    torch.manual_seed(0)
    layers: list[nn.Module] = [nn.Linear(6, 16)]
    for _ in range(38):
        layers += [nn.Tanh(), nn.Linear(16, 16)]
    model = nn.Sequential(*layers, nn.Tanh(), nn.Linear(16, 3))
    monitor = HealthMonitor(grad_every=1)
    stats = EpochLayerStats(monitor)
    sent: list[EpochProgress] = []
    x = torch.randn(192, 6)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    train(model, x, y, [monitor, ProgressReporter(0, sent.append, layer_stats=stats.measure)], epochs=2)
    entry = stats.epochs[-1]
    names = [g.name for g in parameter_groups(model)]
    assert entry["layers_total"] == len(names) == 40
    assert len(entry["layers"]) == MAX_LAYERS and entry["layers"][0] == names[0] and entry["layers"][-1] == names[-1]
    assert len(json.dumps(entry, separators=(",", ":"))) <= MAX_EPOCH_BYTES
    checked_entry(entry)
    # Each epoch averages only its own samples: epoch 2's mean of the last layer is that epoch's samples' mean.
    column = monitor.grad_layer_names.index(names[-1])
    second = monitor.grad_norms[monitor.grad_steps > monitor.grad_steps.max() // 2, column]
    assert entry["grad_mean"][-1] == pytest.approx(float(np.mean(second)), rel=1e-3)


def test_an_lstm_layer_reports_its_weights_and_biases_per_recurrent_layer(text_data):
    from nettune.models import build_model
    from nettune.training.trainer import TrainSettings
    from nettune.training.trainer import train as train_model

    cfg = ModelConfig(family="lstm", dataset="tokens", input_shape=(16,), num_classes=2, vocab_size=10,
                      embedding_dim=8, lstm_units=16, lstm_layers=2, sequence_pooling="max", batch_size=32, epochs=2)
    model = build_model(cfg)
    monitor = HealthMonitor()
    stats = EpochLayerStats(monitor)
    train_model(model, cfg, text_data, TrainSettings(patience=5),
                [monitor, ProgressReporter(0, lambda e: None, layer_stats=stats.measure)])
    entry = stats.epochs[-1]
    lstm = [i for i, kind in enumerate(entry["kinds"]) if kind == "lstm"]
    assert len(lstm) == 2  # one group per stacked layer, as the gradient health splits them
    for i, inputs in zip(lstm, (8, 16), strict=True):  # the first layer reads the embedding, the second layer 1
        assert sum(entry["weight"]["hist"][i]) == 4 * 16 * (inputs + 16)  # weight_ih and weight_hh, 4 gates
        assert sum(entry["bias"]["hist"][i]) == 2 * 4 * 16  # bias_ih and bias_hh
    embedding = entry["kinds"].index("embedding")
    assert entry["bias"]["mean"][embedding] is None and entry["weight"]["mean"][embedding] is not None


@pytest.mark.parametrize(("change", "reason"), [
    (lambda e: e.pop("grad_max"), "keys"),
    (lambda e: e["grad_mean"].append(1.0), "one value per layer"),
    (lambda e: e["weight"]["mean"].__setitem__(0, True), "numbers or null"),
    (lambda e: e["bias"]["hist"].__setitem__(0, [1] * (HIST_BINS + 1)), "non-negative counts"),
    (lambda e: e["layers"].__setitem__(0, "x" * MAX_EPOCH_BYTES), "byte limit"),
    (lambda e: e.__setitem__("epoch", 0), "positive integers"),
])
def test_an_entry_from_elsewhere_is_held_to_the_written_shape(mnist_trial, change, reason):
    events, _, _ = mnist_trial
    entry = json.loads(json.dumps(_epoch_ends(events)[0].layers))
    change(entry)
    with pytest.raises(ValueError, match=reason):
        checked_entry(entry)


def test_a_remote_worker_repeats_the_latest_layer_stats_until_the_next_epoch_ends(mnist_trial):
    events, _, _ = mnist_trial
    sent: list[dict] = []
    forwarder = ProgressForwarder(sent.append, interval_s=0)
    for event in events:
        if isinstance(event, EpochProgress):
            forwarder.emit(event)
    first_end = next(i for i, s in enumerate(sent) if s["val_accuracy"] is not None)
    assert all(s["layers"] is None for s in sent[:first_end])
    # Every later update carries the latest finished epoch's stats, so a poll between epoch ends still sees them.
    for s in sent[first_end:]:
        assert s["layers"]["epoch"] == (s["epoch"] if s["val_accuracy"] is not None else s["epoch"] - 1)
