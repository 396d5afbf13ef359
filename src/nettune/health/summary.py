"""The plain-language verdict: one sentence on overall health, then the few problems that matter most.

Every sentence is derived from the numbers in the report and names a likely cause and a next step, so a
user who does not know what a "dead ReLU" is still learns what to try.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from nettune.health.gradient_health import EXPLODING_OK, VANISHING_OK
from nettune.health.report import LayerHealth
from nettune.health.result import MetricResult

HEALTHY = 0.75  # overall at or above: "Healthy"
FAIR = 0.5  # at or above: "Some concerns"; below: "Unhealthy"
LAYER_WARN = 0.10  # a layer with this share of dead or saturated units is named
LOW_SCORE = 0.5  # a metric below this gets a sentence explaining why
GAP_WARN = 0.10  # train accuracy this far above validation accuracy is called overfitting
CONSISTENCY_WARN = 0.7  # consistency below this is named (it sits near 1 when errors are scattered)
CHANCE_SKILL = 0.1  # skill above chance below this: "has not learned the task"
LARGE_MODEL = 0.6  # efficiency size factor below this (about 4.6M parameters): "try a smaller model"
MAX_ISSUES = 4  # the summary names at most this many problems, most serious first


def write_summary(
    overall: float,
    results: Mapping[str, MetricResult],
    layers: Sequence[LayerHealth],
    overfitting_gap: float,
    unmeasured: Sequence[str],
) -> tuple[str, list[str]]:
    """(summary, issues): the verdict plus up to MAX_ISSUES sentences, and the full list of issues."""
    issues = [
        *_divergence(results["training_stability"]),
        *_unit_issues(layers),
        *_gradient_issues(results["gradient_health"], layers),
        *_stability_issues(results["training_stability"]),
        *_convergence_issues(results["convergence_quality"]),
        *_gap_issues(overfitting_gap),
        *_consistency_issues(results["accuracy_consistency"]),
        *_efficiency_issues(results["parameter_efficiency"]),
    ]
    verdict = "Healthy" if overall >= HEALTHY else "Some concerns" if overall >= FAIR else "Unhealthy"
    parts = [f"{verdict} (health {overall:.2f})" + (": no problems found." if not issues else ".")]
    parts += [_sentence(issue) for issue in issues[:MAX_ISSUES]]
    if len(issues) > MAX_ISSUES:
        parts.append(f"{len(issues) - MAX_ISSUES} more issue(s) in the report.")
    if unmeasured:
        parts.append("Not measured (neutral score): " + ", ".join(unmeasured) + ".")
    return " ".join(parts), issues


def _divergence(stability: MetricResult) -> list[str]:
    step = stability.details.get("first_non_finite_step")
    if step is None:
        return []
    return [f"the training loss became NaN/inf at step {int(step)}; lower the learning rate or clip gradients"]


def _unit_issues(layers: Sequence[LayerHealth]) -> list[str]:
    out = []
    for layer in sorted(layers, key=lambda row: -max(row.dead or 0.0, row.saturated or 0.0)):
        noun = "filters" if layer.kind == "conv" else "units"
        if (layer.dead or 0.0) >= LAYER_WARN:
            fix = (
                "consider leaky_relu or elu, or a lower learning rate"
                if layer.activation in ("relu", "gelu", "silu")
                else "consider a lower learning rate or batch norm"
            )
            out.append(f"{_pct(layer.dead)} of the {noun} in {_label(layer)} are dead; {fix}")
        if (layer.saturated or 0.0) >= LAYER_WARN:
            out.append(
                f"{_pct(layer.saturated)} of the {noun} in {_label(layer)} are saturated at ±1; "
                "lower the learning rate, clip gradients or use a ReLU-family activation"
            )
    return out


def _gradient_issues(gradients: MetricResult, layers: Sequence[LayerHealth]) -> list[str]:
    out = []
    for layer in layers:
        if layer.grad_score is None or layer.grad_score >= LOW_SCORE or layer.grad_norm_mean is None:
            continue
        if layer.grad_norm_mean <= VANISHING_OK:
            out.append(
                f"gradients vanish in {_label(layer)} (mean norm {layer.grad_norm_mean:.1e}); "
                "add batch norm, use a ReLU-family activation or fewer layers"
            )
        elif layer.grad_norm_mean >= EXPLODING_OK:
            out.append(
                f"gradients explode in {_label(layer)} (mean norm {layer.grad_norm_mean:.1e}); "
                "lower the learning rate or clip gradients"
            )
    if gradients.details.get("ratio_factor", 1.0) < LOW_SCORE:
        out.append(
            f"gradient norms differ {gradients.details['layer_ratio']:.0e}x between layers; "
            "early layers barely learn, so add batch norm or use fewer layers"
        )
    share = gradients.details.get("non_finite_share", 0.0)
    if share > 0:
        out.append(f"{_pct(share)} of gradient samples were NaN/inf; lower the learning rate or clip gradients")
    return out


def _stability_issues(stability: MetricResult) -> list[str]:
    if not stability.measured or stability.score >= LOW_SCORE or "spike_factor" not in stability.details:
        return []
    d = stability.details
    worst = min(("spike_factor", "noise_factor", "rise_factor"), key=lambda key: d[key])
    if worst == "rise_factor" and d["overshoot"] >= d["late_rise"]:
        return [
            f"the training loss shot up to {1 + d['overshoot']:.1f}x its starting value early on; "
            "lower the learning rate or add a warm-up"
        ]
    what = {
        "spike_factor": f"the training loss spiked {int(d['spikes'])} times",
        "noise_factor": "the training loss is very noisy from batch to batch",
        "rise_factor": "the training loss climbed back up late in training",
    }[worst]
    return [f"{what}; lower the learning rate or use a larger batch size"]


def _convergence_issues(convergence: MetricResult) -> list[str]:
    d = convergence.details
    if not convergence.measured or convergence.score >= LOW_SCORE or "best_epoch" not in d:
        return []
    best, epochs = int(d["best_epoch"]), int(d["epochs"])
    if d["rise_after_best"] > d["tolerance"]:
        return [
            f"validation loss was best at epoch {best} of {epochs} and rose afterwards; the model is "
            "overfitting, so add dropout or weight decay, or train fewer epochs"
        ]
    if abs(d["total_change"]) <= d["tolerance"]:
        return ["validation loss is not improving across epochs; try a different learning rate"]
    return ["validation loss zig-zags between epochs; lower the learning rate"]


def _gap_issues(gap: float) -> list[str]:
    if not math.isfinite(gap) or gap < GAP_WARN:
        return []
    return [
        f"training accuracy is {gap * 100:.0f} points above validation accuracy; "
        "add dropout, weight decay or data augmentation"
    ]


def _consistency_issues(consistency: MetricResult) -> list[str]:
    d = consistency.details
    if not consistency.measured or consistency.score >= CONSISTENCY_WARN or "shard_min" not in d:
        return []
    return [
        f"accuracy ranges from {_pct(d['shard_min'])} to {_pct(d['shard_max'])} across validation shards; "
        "errors cluster in part of the data, so check class balance"
    ]


def _efficiency_issues(efficiency: MetricResult) -> list[str]:
    d = efficiency.details
    if d.get("skill", 1.0) < CHANCE_SKILL:
        return ["accuracy is barely above chance; the model has not learned the task"]
    if d.get("size_factor", 1.0) < LARGE_MODEL:
        return [f"{d['params'] / 1e6:.1f}M parameters is large for this task; try a smaller model"]
    return []


def _pct(share: float | None) -> str:
    return f"{(share or 0.0) * 100:.0f}%"


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _label(layer: LayerHealth) -> str:
    return f"{layer.kind} layer '{layer.name}'"
