"""Turn what a trial recorded for its plots (plus the test split) into the PlotData written to plot_data.npz.

Kept small on purpose (< ~1 MB for MNIST): test labels/predictions as int16, confidences and activations
as float16, and only the handful of inputs that are actually drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from nettune.data.text import OOV, PAD
from nettune.data.types import PreparedData
from nettune.health.activity import UnitActivity
from nettune.health.gradients import GradientSeries
from nettune.plots.capture import WeightSample, reduce_feature_maps, reduce_sequence
from nettune.plots.data_file import PlotData
from nettune.training.evaluate import Evaluation, evaluate

MISTAKES_SHOWN = 12  # images: a 3 x 4 grid
TEXT_MISTAKES_SHOWN = 6  # reviews: six snippets still fit one readable figure
SNIPPET_TOKENS = 60


@dataclass
class Recorded:
    """What a training run recorded for its plots (plots/recorder.py fills it in)."""

    gradients: GradientSeries = field(default_factory=GradientSeries.empty)
    weights: list[WeightSample] = field(default_factory=list)
    activations: list[tuple[str, torch.Tensor]] = field(default_factory=list)  # (layer name, its output)
    activation_inputs: torch.Tensor | None = None  # the probe inputs those outputs are of
    units: list[UnitActivity] = field(default_factory=list)


def vocabulary_of(data: PreparedData) -> list[str] | None:
    """The id -> word table of a text dataset when the loader provides one (index = token id)."""
    words = getattr(data, "vocabulary", None) or data.notes.get("vocab", {}).get("words")
    return list(words) if words else None


def decode(ids: Sequence[int], vocabulary: Sequence[str] | None, keep_padding: bool = False) -> list[str]:
    out: list[str] = []
    for token in ids:
        if token == PAD:
            if keep_padding:
                out.append("")
        elif token == OOV:
            out.append("<unk>")
        elif vocabulary is not None and token < len(vocabulary):
            out.append(vocabulary[token])
        else:
            out.append(f"#{token}")
    return out


def assemble(recorded: Recorded, model: nn.Module, data: PreparedData, device: torch.device,
             test: Evaluation | None, vocabulary: Sequence[str] | None) -> PlotData:
    info = data.info
    vocabulary = vocabulary if vocabulary is not None else vocabulary_of(data)
    out = PlotData(meta={
        "dataset": info.name,
        "modality": info.modality,
        "family": info.family,
        "class_names": list(info.class_names),
        "input_shape": list(info.input_shape),
        "normalization": data.notes.get("normalization"),
        "has_vocabulary": vocabulary is not None,
    })
    _add_gradients(out, recorded.gradients)
    _add_weights(out, recorded.weights)
    _add_activations(out, recorded, vocabulary)
    _add_units(out, recorded.units)
    if len(data.test):
        test = test if test is not None else evaluate(model, data.test, device)
        _add_test(out, data, test, vocabulary)
    return out


def _add_gradients(out: PlotData, gradients: GradientSeries) -> None:
    names, kinds, steps, norms = gradients
    out.meta["grad_layers"] = list(names)
    out.meta["grad_kinds"] = list(kinds)
    out.arrays["grad_steps"] = np.asarray(steps, dtype=np.int64)
    out.arrays["grad_norms"] = np.asarray(norms, dtype=np.float32)


def _add_weights(out: PlotData, weights: list[WeightSample]) -> None:
    entries: list[dict[str, Any]] = []
    for sample in weights:
        if sample.end is None or sample.start.size == 0:
            continue
        key = f"w{len(entries)}"
        out.arrays[f"{key}_start"] = sample.start.astype(np.float32)
        out.arrays[f"{key}_end"] = sample.end.astype(np.float32)
        entries.append({"key": key, "label": sample.label, "layer": sample.layer, "kind": sample.kind,
                        "numel": sample.numel})
    out.meta["weights"] = entries


def _add_activations(out: PlotData, recorded: Recorded, vocabulary: Sequence[str] | None) -> None:
    inputs = recorded.activation_inputs
    if inputs is None or not recorded.activations:
        return
    layers: list[dict[str, Any]] = []
    sequence = inputs.dim() == 2  # token ids (N, T) feed a recurrent model
    for i, (name, output) in enumerate(recorded.activations):
        if sequence and output.dim() == 3:
            values, kept = reduce_sequence(output)
        elif output.dim() == 4:
            values, kept = reduce_feature_maps(output)
        else:
            continue
        out.arrays[f"act{i}"] = values
        layers.append({"key": f"act{i}", "name": name, "kept": kept, "total": int(output.shape[-1 if sequence else 1])})
    if not layers:
        return
    if sequence:
        window = out.arrays[layers[0]["key"]].shape[1]
        ids = inputs[:, -window:].to(torch.int64)
        out.arrays["act_inputs"] = ids.numpy().astype(np.int32)
        out.meta["activation_tokens"] = [decode(row.tolist(), vocabulary, keep_padding=True) for row in ids]
    else:
        out.arrays["act_inputs"] = inputs.float().numpy().astype(np.float16)
    out.meta["activations"] = {"kind": "sequence" if sequence else "maps", "layers": layers}


def _add_units(out: PlotData, units: list[UnitActivity]) -> None:
    entries: list[dict[str, Any]] = []
    for i, layer in enumerate(units):
        if layer.units == 0:
            continue
        out.arrays[f"unit{i}_active"] = layer.active_fraction.astype(np.float32)
        out.arrays[f"unit{i}_saturated"] = layer.saturated_share.astype(np.float32)
        entries.append({"key": f"unit{i}", "name": layer.name, "activation": layer.activation,
                        "source": layer.source, "bounded": layer.bounded})
    out.meta["units"] = entries


def _add_test(out: PlotData, data: PreparedData, test: Evaluation, vocabulary: Sequence[str] | None) -> None:
    y = data.test.y.cpu().numpy()
    pred = test.predictions.cpu().numpy()
    conf = test.confidence.float().cpu().numpy()
    label_type = np.int16 if data.info.num_classes < 2**15 else np.int32
    out.arrays["test_y"] = y.astype(label_type)
    out.arrays["test_pred"] = pred.astype(label_type)
    out.arrays["test_conf"] = conf.astype(np.float16)
    wrong = np.flatnonzero(pred != y)
    text = data.info.modality == "text"
    shown = TEXT_MISTAKES_SHOWN if text else MISTAKES_SHOWN
    # Stable sort on -confidence: among equally confident mistakes the earlier test sample comes first.
    chosen = wrong[np.argsort(-conf[wrong], kind="stable")][:shown]
    entries: list[dict[str, Any]] = []
    for index in chosen.tolist():
        entry: dict[str, Any] = {"index": index, "true": int(y[index]), "pred": int(pred[index]),
                                 "confidence": float(conf[index])}
        if text:
            tokens = decode(data.test.x[index].tolist(), vocabulary)
            entry["text"] = " ".join(tokens[:SNIPPET_TOKENS]) + (" …" if len(tokens) > SNIPPET_TOKENS else "")
        entries.append(entry)
    out.meta["mistakes"] = entries
    if not text and chosen.size:
        out.arrays["mistake_x"] = data.test.x[torch.from_numpy(chosen)].float().numpy().astype(np.float16)
