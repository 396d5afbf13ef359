"""The health metrics by name: their order, weights in the overall score, and plain-language help.

This is the single place that says which metrics exist. The report, the overall score, the docs and the
dashboard's teaching text all read from here, so adding or re-weighting a metric happens in one file.
"""

from __future__ import annotations

from typing import Final

METRIC_NAMES: Final[tuple[str, ...]] = (
    "neuron_utilization",
    "parameter_efficiency",
    "training_stability",
    "gradient_health",
    "convergence_quality",
    "accuracy_consistency",
)

# Weights of the overall health score (they sum to 1). The four "is training working" metrics carry most
# of the weight. parameter_efficiency is mostly accuracy, which the health objective already counts
# separately, and accuracy_consistency sits near 1 for most runs, so both get less to avoid double-counting
# accuracy and to keep a near-constant term from diluting the others.
METRIC_WEIGHTS: Final[dict[str, float]] = {
    "neuron_utilization": 0.20,
    "parameter_efficiency": 0.10,
    "training_stability": 0.20,
    "gradient_health": 0.20,
    "convergence_quality": 0.20,
    "accuracy_consistency": 0.10,
}

# Score given to a metric that had no data to judge (e.g. a single epoch for convergence). Halfway means
# "unknown": a run is neither rewarded nor ruined for something that could not be measured.
NEUTRAL_SCORE: Final[float] = 0.5

METRIC_DOCS: Final[dict[str, dict[str, str]]] = {
    "neuron_utilization": {
        "label": "Neuron utilization",
        "what": "Share of units/filters that are alive: active on some probe inputs and not stuck at ±1.",
        "why": "Dead ReLUs and saturated tanh/LSTM units pass no gradient, so that capacity is wasted.",
        "bad": "Learning rate too high or poor init killed units; try leaky_relu/elu, batch norm, a lower LR.",
    },
    "parameter_efficiency": {
        "label": "Parameter efficiency",
        "what": "Accuracy above chance, discounted by how many powers of ten the model exceeds 10k parameters.",
        "why": "Of two models with the same accuracy, the smaller one is cheaper and usually generalises better.",
        "bad": "Low accuracy, or a much bigger model than needed; try fewer filters/units or fewer layers.",
    },
    "training_stability": {
        "label": "Training stability",
        "what": "How smooth the per-batch training loss is around its trend: noise, spikes, and rises.",
        "why": "A jumpy or rising loss means the optimizer overshoots; results become luck-dependent.",
        "bad": "Learning rate too high or batches too small; lower the LR, raise batch size, or add batch norm.",
    },
    "gradient_health": {
        "label": "Gradient health",
        "what": "Whether each layer's gradient norm stays between vanishing (<1e-7) and exploding (>1e2).",
        "why": "Layers with vanishing gradients stop learning; exploding ones make training diverge.",
        "bad": "Vanishing: deep tanh stacks or dead units, add batch norm/ReLU-family. Exploding: lower LR.",
    },
    "convergence_quality": {
        "label": "Convergence quality",
        "what": "Whether validation loss falls steadily across epochs and ends near its best value.",
        "why": "A steady fall means more epochs help; a rise at the end means the model started overfitting.",
        "bad": "Val loss rising: overfitting, add dropout/weight decay or fewer epochs; zig-zag: lower the LR.",
    },
    "accuracy_consistency": {
        "label": "Accuracy consistency",
        "what": "How evenly accuracy holds across 10 slices of the validation set, beyond random noise.",
        "why": "A model that fails on one part of the data is less trustworthy than its average suggests.",
        "bad": "Errors cluster in part of the data (a class or source); check class balance and augmentation.",
    },
}
