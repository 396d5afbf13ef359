import json
import logging

import numpy as np
import pytest
from matplotlib.patches import Rectangle
from matplotlib.projections.polar import PolarAxes

from nettune.plots import TRIAL_PLOTS, read_plot_data, render_trial_plots
from nettune.plots.activations import plot_activations
from nettune.plots.confusion import confusion_counts, plot_confusion
from nettune.plots.gradient_flow import plot_gradient_flow
from nettune.plots.health_plots import plot_health_radar, plot_unit_map
from nettune.plots.history import plot_history
from nettune.plots.mistakes import plot_mistakes
from nettune.plots.style import PlotSkipped
from nettune.plots.trial_files import load_trial
from nettune.plots.weights import plot_weights
from tests.plots.conftest import CNN_CLASSES, VOCABULARY

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def visible_axes(fig):
    # Colorbars are axes too; the plot panels are the ones with a title or an image/line.
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_render_writes_every_plot_for_a_trained_cnn(cnn_trial):
    paths = render_trial_plots(cnn_trial)
    assert sorted(p.stem for p in paths) == sorted(TRIAL_PLOTS)
    for path in paths:
        assert path.parent == cnn_trial / "plots"
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC
        assert len(data) > 10_000, f"{path.name} is suspiciously small"
    index = json.loads((cnn_trial / "plots" / "index.json").read_text())
    assert set(index["rendered"]) == set(TRIAL_PLOTS) and index["skipped"] == {}


def test_render_writes_every_plot_for_a_trained_lstm(lstm_trial):
    paths = render_trial_plots(lstm_trial)
    assert sorted(p.stem for p in paths) == sorted(TRIAL_PLOTS)


def test_history_marks_train_val_and_best_epoch(cnn_trial):
    trial = load_trial(cnn_trial)
    fig = plot_history(trial)
    loss_ax, acc_ax = visible_axes(fig)
    assert loss_ax.get_title() == "Loss per epoch" and acc_ax.get_title() == "Accuracy per epoch"
    assert loss_ax.get_xlabel() == "Epoch" and "Loss" in loss_ax.get_ylabel()
    epochs = [row["epoch"] for row in trial.history]
    for ax in (loss_ax, acc_ax):
        labels = [line.get_label() for line in ax.get_lines()]
        assert labels[:2] == ["train", "validation"]
        assert list(ax.get_lines()[0].get_xdata()) == epochs
        best = trial.metrics["best_epoch"]
        assert f"best epoch ({best})" in labels
    val_loss = [row["val_loss"] for row in trial.history]
    assert np.allclose(loss_ax.get_lines()[1].get_ydata(), val_loss)
    assert "training history" in fig._suptitle.get_text()


def test_confusion_matrix_counts_every_test_sample(cnn_trial):
    trial = load_trial(cnn_trial)
    fig = plot_confusion(trial)
    count_ax, norm_ax = visible_axes(fig)
    counts = count_ax.get_images()[0].get_array()
    data = trial.plot_data
    assert counts.sum() == data.array("test_y").size == 128
    assert np.allclose(norm_ax.get_images()[0].get_array().sum(axis=1), 1.0)
    assert [t.get_text() for t in count_ax.get_xticklabels()] == list(CNN_CLASSES)
    assert count_ax.get_xlabel() == "Predicted class" and count_ax.get_ylabel() == "True class"
    assert len(count_ax.texts) == int(np.count_nonzero(counts))  # one number per non-empty cell


def test_confusion_counts_helper():
    counts = confusion_counts(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_gradient_flow_has_bars_lines_and_bands(cnn_trial):
    trial = load_trial(cnn_trial)
    layers = trial.plot_data.meta["grad_layers"]
    fig = plot_gradient_flow(trial)
    bar_ax, line_ax = visible_axes(fig)
    bars = [p for p in bar_ax.patches if isinstance(p, Rectangle) and p.get_width() < 1]
    assert len(bars) == 2 * len(layers)  # a max and a mean bar per layer
    assert bar_ax.get_yscale() == "log" and line_ax.get_yscale() == "log"
    legend = [t.get_text() for t in bar_ax.get_legend().get_texts()]
    assert any("vanishing" in t for t in legend) and any("exploding" in t for t in legend)
    assert [line.get_label() for line in line_ax.get_lines()] == layers
    assert line_ax.get_xlabel() == "Training step"


def test_weight_distributions_compare_start_and_end(cnn_trial):
    trial = load_trial(cnn_trial)
    entries = trial.plot_data.meta["weights"]
    assert {"features.0.0.weight", "head.0.weight", "head.0.bias"} <= {e["label"] for e in entries}
    fig = plot_weights(trial)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == [e["label"] for e in entries]
    for ax in axes:
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["start", "end"]
        assert "value" in ax.get_xlabel()
    # Training moved the weights: the end sample differs from the start sample somewhere.
    data = trial.plot_data
    assert any(not np.allclose(data.arrays[f"{e['key']}_start"], data.arrays[f"{e['key']}_end"]) for e in entries)


def test_cnn_activation_maps_show_each_block_for_each_sample(cnn_trial):
    trial = load_trial(cnn_trial)
    info = trial.plot_data.meta["activations"]
    assert info["kind"] == "maps" and [layer["name"] for layer in info["layers"]] == ["features.0.2", "features.1.2"]
    fig = plot_activations(trial)
    axes = visible_axes(fig)
    samples = trial.plot_data.array("act_inputs").shape[0]
    assert len(axes) == samples * 3  # input + two blocks per sample row
    assert all(len(ax.get_images()) == 1 for ax in axes)
    assert "block 1: features.0.2" in axes[1].get_title()


def test_lstm_activation_plot_labels_tokens_with_words(lstm_trial):
    trial = load_trial(lstm_trial)
    fig = plot_activations(trial)
    axes = visible_axes(fig)
    assert len(axes) == 3
    labels = [t.get_text() for t in axes[0].get_xticklabels()]
    assert len(labels) == 16 and labels[:3] == ["", "", ""]  # left padding stays blank
    assert set(labels[3:]) <= set(VOCABULARY[2:])
    assert "hidden state" in fig._suptitle.get_text()


def test_unit_map_and_radar(cnn_trial):
    trial = load_trial(cnn_trial)
    fig = plot_unit_map(trial)
    units = trial.plot_data.meta["units"]
    axes = visible_axes(fig)
    assert len(axes) == len(units) >= 3
    assert all("dead" in ax.get_title(loc="left") for ax in axes)
    radar = plot_health_radar(trial)
    (polar,) = visible_axes(radar)
    assert isinstance(polar, PolarAxes)
    assert len(polar.get_xticklabels()) == 6
    assert f"overall {trial.health['overall']:.2f}" in radar._suptitle.get_text()


def test_mistakes_show_true_and_predicted_labels(cnn_trial):
    trial = load_trial(cnn_trial)
    mistakes = trial.plot_data.meta["mistakes"]
    assert len(mistakes) == 12  # label noise guarantees at least 16 wrong test predictions
    fig = plot_mistakes(trial)
    axes = visible_axes(fig)
    assert len(axes) == len(mistakes)
    confidences = [m["confidence"] for m in mistakes]
    assert confidences == sorted(confidences, reverse=True)
    first = mistakes[0]
    assert axes[0].get_title() == (f"true: {CNN_CLASSES[first['true']]}\n"
                                   f"pred: {CNN_CLASSES[first['pred']]} ({first['confidence']:.0%})")


def test_text_mistakes_show_review_snippets(lstm_trial):
    trial = load_trial(lstm_trial)
    mistakes = trial.plot_data.meta["mistakes"]
    assert len(mistakes) == 6
    assert all(set(m["text"].split()) <= set(VOCABULARY[2:]) for m in mistakes)
    fig = plot_mistakes(trial)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("predicted:" in t for t in texts) and any(mistakes[0]["text"] in t for t in texts)


def test_failed_before_first_epoch_skips_every_plot_with_reasons(tmp_path, caplog):
    (tmp_path / "outcome.json").write_text(json.dumps({"number": 9, "state": "failed", "error": "boom"}))
    with caplog.at_level(logging.INFO, logger="nettune.plots"):
        assert render_trial_plots(tmp_path) == []
    index = json.loads((tmp_path / "plots" / "index.json").read_text())
    assert set(index["skipped"]) == set(TRIAL_PLOTS) and index["rendered"] == {}
    assert "no epoch finished" in index["skipped"]["training_history"]
    assert "plot_data.npz" in index["skipped"]["confusion_matrix"]
    assert sum("skipped" in r.message for r in caplog.records) == len(TRIAL_PLOTS)


def test_missing_trial_dir_never_raises(tmp_path):
    assert render_trial_plots(tmp_path / "nope") == []
    assert not (tmp_path / "nope").exists()  # nothing is created for a trial that has no directory


def test_corrupt_plot_data_skips_only_the_plots_that_need_it(cnn_trial, tmp_path):
    for name in ("metrics.json", "health.json", "outcome.json", "model_config.json"):
        (tmp_path / name).write_bytes((cnn_trial / name).read_bytes())
    (tmp_path / "plot_data.npz").write_bytes(b"not a zip")
    assert read_plot_data(tmp_path) is None
    written = {p.stem for p in render_trial_plots(tmp_path)}
    assert written == {"training_history", "health_radar"}


def test_plot_function_raises_skip_not_error_on_missing_data(tmp_path):
    with pytest.raises(PlotSkipped, match=r"plot_data\.npz"):
        plot_gradient_flow(load_trial(tmp_path))
