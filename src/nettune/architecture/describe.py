"""describe(): a model as a JSON graph in Cytoscape.js `elements` format, with per-layer facts and health.

    graph = describe(load_model(trial_dir), health=json.loads((trial_dir / "health.json").read_text()))
    cy = cytoscape({elements: graph.elements, layout: {name: "preset"}})   // in a web page, unchanged

One node per layer (plus the input), edges in data-flow order. Every value is a plain JSON type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from nettune.architecture.layout import layout_hints, position_2d
from nettune.architecture.trace import TracedLayer, dummy_input, layer_facts, trace_layers
from nettune.errors import NettuneError
from nettune.models.build import build_model
from nettune.space.model_config import ModelConfig

FORMAT = "nettune.architecture/1"
INPUT_ID = "input"

ModelLike = nn.Module | ModelConfig | Mapping[str, Any]


def describe(model_or_config: ModelLike, health: Mapping[str, Any] | None = None,
             input_shape: tuple[int, ...] | None = None) -> dict[str, Any]:
    """Graph of `model_or_config` (a module, a ModelConfig or its dict). A bare module without a `.config`
    (load_model attaches one) needs `input_shape`. `health` is a HealthReport.to_dict()."""
    model, cfg = _resolve(model_or_config)
    family = cfg.family if cfg else ("lstm" if any(isinstance(m, nn.Embedding) for m in model.modules()) else "cnn")
    shape = tuple(cfg.input_shape) if cfg else input_shape
    if shape is None:
        raise NettuneError("describe() needs input_shape for a model without an attached config")
    layers = trace_layers(model, dummy_input(tuple(shape), family))
    by_name = {layer.get("name"): layer for layer in (health or {}).get("per_layer") or [] if isinstance(layer, dict)}

    rows = [_input_row(tuple(shape)), *(_layer_row(layer, by_name) for layer in layers)]
    _credit_activations(rows)
    basis = "health" if health else "parameters"
    most = max((row["params"] for row in rows), default=0)
    intensities = [_health_score(row.get("health")) if health else (row["params"] / most if most else 0.0)
                   for row in rows]
    hints = layout_hints([tuple(row["output_shape"]) for row in rows], intensities, basis)
    nodes = []
    for index, (row, hint) in enumerate(zip(rows, hints, strict=True)):
        node_id = INPUT_ID if index == 0 else f"n{index}"
        nodes.append({"data": {"id": node_id, **row, "layout3d": hint}, "position": position_2d(index)})
    edges = [{"data": {"id": f"e{i}", "source": nodes[i]["data"]["id"], "target": nodes[i + 1]["data"]["id"]}}
             for i in range(len(nodes) - 1)]
    total = sum(p.numel() for p in model.parameters())
    # Parameters of modules that did not run in the forward pass (or of non-leaf modules) belong to no node;
    # reported so a viewer's per-node sum can always be reconciled with the total.
    unassigned = total - sum(row["params"] for row in rows)
    out: dict[str, Any] = {
        "format": FORMAT,
        "model": {
            "family": family,
            "input_shape": list(shape),
            "num_classes": cfg.num_classes if cfg else (rows[-1]["output_shape"] or [None])[-1],
            "total_params": total,
            "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "layers": len(rows) - 1,
            "unassigned_params": unassigned,
        },
        "elements": {"nodes": nodes, "edges": edges},
    }
    if health:
        out["health"] = {"overall": health.get("overall"), "metrics": health.get("metrics"),
                         "summary": health.get("summary")}
    return out


def _resolve(model_or_config: ModelLike) -> tuple[nn.Module, ModelConfig | None]:
    if isinstance(model_or_config, nn.Module):
        cfg = getattr(model_or_config, "config", None)
        return model_or_config, cfg if isinstance(cfg, ModelConfig) else None
    cfg = model_or_config if isinstance(model_or_config, ModelConfig) else ModelConfig.from_dict(dict(model_or_config))
    return build_model(cfg), cfg


def _input_row(shape: tuple[int, ...]) -> dict[str, Any]:
    return {"name": "input", "type": "Input", "kind": "input", "label": f"Input {_shape_text(shape)}",
            "output_shape": list(shape), "params": 0, "trainable_params": 0, "health": None}


def _layer_row(layer: TracedLayer, health_by_name: Mapping[str, Any]) -> dict[str, Any]:
    params = list(layer.module.parameters(recurse=False))
    facts = layer_facts(layer.module)
    return {
        "name": layer.name,
        "type": type(layer.module).__name__,
        **facts,
        "label": _label(layer, facts),
        "output_shape": list(layer.output_shape),
        "params": sum(p.numel() for p in params),
        "trainable_params": sum(p.numel() for p in params if p.requires_grad),
        "health": _health_for(layer.name, health_by_name),
    }


def _credit_activations(rows: list[dict[str, Any]]) -> None:
    """A conv/linear layer's `activation` is the one applied to its output (the next activation node)."""
    pending: dict[str, Any] | None = None
    for row in rows:
        if row["kind"] in ("conv", "linear"):
            pending = row
            row.setdefault("activation", None)
        elif row.get("activation") and pending is not None and row["kind"] not in ("lstm", "gru"):
            pending["activation"] = row["activation"]
            pending = None


def _health_for(name: str, by_name: Mapping[str, Any]) -> dict[str, Any] | None:
    if name in by_name:
        return dict(by_name[name])
    # A stacked LSTM reports one entry per layer ("lstm.l0", "lstm.l1"): attach them all to the module node.
    parts = [dict(v) for k, v in by_name.items() if isinstance(k, str) and k.startswith(name + ".l")]
    if not parts:
        return None
    return {"name": name, "layers": parts, **_merged(parts)}


def _merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    def values(key: str) -> list[float]:
        return [float(p[key]) for p in parts if isinstance(p.get(key), int | float)]

    merged: dict[str, Any] = {}
    for key, reduce in (("dead", max), ("saturated", max), ("grad_norm_max", max), ("grad_score", min)):
        found = values(key)
        merged[key] = reduce(found) if found else None
    means = values("grad_norm_mean")
    merged["grad_norm_mean"] = sum(means) / len(means) if means else None
    merged["units"] = sum(int(p.get("units") or 0) for p in parts)
    return merged


def _health_score(entry: Mapping[str, Any] | None) -> float:
    """0..1 for colouring: the worst of gradient score, alive share and unsaturated share; 1 when unknown."""
    if not entry:
        return 1.0
    scores = []
    if isinstance(entry.get("grad_score"), int | float):
        scores.append(float(entry["grad_score"]))
    for key in ("dead", "saturated"):
        if isinstance(entry.get(key), int | float):
            scores.append(1.0 - float(entry[key]))
    return min(scores) if scores else 1.0


def _label(layer: TracedLayer, facts: Mapping[str, Any]) -> str:
    kind = type(layer.module).__name__
    if "filters" in facts:
        return f"{kind} {facts['filters']}@{'×'.join(map(str, facts['kernel_size']))}"
    if "units" in facts:
        return f"{kind} {facts['units']}"
    if "embedding_dim" in facts:
        return f"{kind} {facts['vocab_size']}→{facts['embedding_dim']}"
    return kind


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)
