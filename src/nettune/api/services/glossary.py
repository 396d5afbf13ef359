"""GET /glossary: every explanation the dashboard shows, from one place.

Hyperparameters come from nettune.space.glossary, the six health metrics from nettune.health.METRIC_DOCS, the
study options from OptimizationConfig's help texts; the other health numbers the API returns (per-layer and
summary figures) are explained here.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Final

from nettune.api.models import SERVER_DECIDED
from nettune.config import OptimizationConfig
from nettune.health import METRIC_DOCS
from nettune.health.gradient_health import EXPLODING, VANISHING
from nettune.space.glossary import HYPERPARAMETERS, param_aliases

HEALTH_TERMS: Final[dict[str, dict[str, str]]] = {
    "health_overall": {
        "title": "Overall health",
        "what": "The weighted mean of the six health metrics, from 0 (unhealthy) to 1 (healthy).",
        "why": "One number to compare how soundly different models trained, beside their accuracy.",
        "bad_value": "Below 0.5: read the health summary and the lowest metrics to see what went wrong.",
    },
    "total_score": {
        "title": "Total score",
        "what": "The objective in mode 'health': (1 - w) x validation accuracy + w x overall health.",
        "why": "Ranks trials by accuracy and health together, so a fragile model does not win on accuracy alone.",
        "bad_value": "Far below the accuracy: the model is accurate but unhealthy; see its health summary.",
    },
    "overfitting_gap": {
        "title": "Overfitting gap",
        "what": "Training accuracy minus validation accuracy.",
        "why": "A model that does much better on its training data than on unseen data has memorised it.",
        "bad_value": "Above 0.10: overfitting; add dropout or weight decay, use fewer epochs or a smaller model.",
    },
    "dead_fraction": {
        "title": "Dead units",
        "what": "Share of all monitored units and filters that were never active on the probe inputs.",
        "why": "A dead unit passes no signal and no gradient: its parameters are wasted.",
        "bad_value": "Above 10%: learning rate too high or poor initialisation; try leaky_relu/elu or a lower LR.",
    },
    "saturated_fraction": {
        "title": "Saturated units",
        "what": "Share of units with bounded activations (tanh, LSTM, GRU) stuck near +1 or -1.",
        "why": "A saturated unit has a near-zero gradient, so it stops learning.",
        "bad_value": "Above 10%: inputs to the layer are too large; lower the LR, add normalisation.",
    },
    "dead": {
        "title": "Dead units in this layer",
        "what": "Share of this layer's units or filters never active on the probe inputs.",
        "why": "Shows where in the network capacity is lost.",
        "bad_value": "High in one layer: that layer's inputs are mostly negative (ReLU); try leaky_relu or batch norm.",
    },
    "saturated": {
        "title": "Saturated units in this layer",
        "what": "Share of this layer's bounded units stuck near +1 or -1.",
        "why": "Saturated units stop learning; common in deep tanh stacks and LSTMs.",
        "bad_value": "High: scale the inputs down (normalisation, lower LR) or use an unbounded activation.",
    },
    "grad_norm_mean": {
        "title": "Gradient norm (mean)",
        "what": "Average size of this layer's weight gradient over the sampled training steps.",
        "why": "It is how strongly the layer is being changed by training.",
        "bad_value": f"Below {VANISHING:g}: the layer is not learning (vanishing). Above {EXPLODING:g}: it is "
                     "blowing up (exploding); lower the learning rate.",
    },
    "grad_norm_max": {
        "title": "Gradient norm (max)",
        "what": "Largest size of this layer's weight gradient over the sampled training steps.",
        "why": "Spikes that the mean hides show up here.",
        "bad_value": f"Above {EXPLODING:g}: occasional exploding steps; lower the LR or clip gradients.",
    },
    "grad_score": {
        "title": "Gradient score",
        "what": "This layer's gradient health from 0 to 1: 1 while its gradient norms stay in a healthy range.",
        "why": "Finds the layer that vanishes or explodes when the network-wide score drops.",
        "bad_value": "Near 0: the layer's gradients vanish or explode; see its gradient norms.",
    },
    "gradient_flow": {
        "title": "Gradient flow",
        "what": "Each layer's gradient L2 norm in one epoch, input side first (log scale): the dark bar is the mean "
                "over the epoch's sampled steps, the light bar the largest.",
        "why": "Shows whether every layer is being trained: in a healthy network the bars stay within a few orders "
               "of magnitude of each other.",
        "bad_value": f"Bars near {VANISHING:g} on the input side: gradients vanish before reaching it. Bars above "
                     f"{EXPLODING:g}: exploding; lower the learning rate or clip gradients.",
    },
    "weight_stats": {
        "title": "Weights and biases",
        "what": "Each layer's weight and bias values at the end of an epoch: a histogram from the smallest to the "
                "largest, with the mean (μ) and standard deviation (σ).",
        "why": "Training should move the weights gradually; the distributions show how much and where.",
        "bad_value": "A spread (σ) that keeps growing every epoch, or extreme minimum/maximum values: the weights "
                     "are blowing up; add weight decay or lower the learning rate. No change at all: not learning.",
    },
    "training_replay": {
        "title": "Training replay",
        "what": "Step through the finished trial epoch by epoch (or press Play): the curves, the gradient flow and "
                "the weights as they were at the end of that epoch.",
        "why": "Shows when a problem began, e.g. the epoch from which validation loss rose or a layer's gradients "
               "faded.",
        "bad_value": "Not a metric: read the curves and bars at each epoch.",
    },
    "train_loss": {
        "title": "Training loss",
        "what": "Cross-entropy on the training data at the end of training (lower is better).",
        "why": "Shows how well the model fits the data it learns from.",
        "bad_value": "High: the model underfits; train longer, raise capacity or the learning rate.",
    },
    "val_loss": {
        "title": "Validation loss",
        "what": "Cross-entropy on held-out validation data at the end of training (lower is better).",
        "why": "The honest measure of fit: the data was not trained on.",
        "bad_value": "Much higher than the training loss, or rising over epochs: overfitting.",
    },
}


def glossary() -> dict[str, Any]:
    metrics = {name: {"title": d["label"], "what": d["what"], "why": d["why"], "bad_value": d["bad"]}
               for name, d in METRIC_DOCS.items()}
    options = {f.name: {"title": f.name.replace("_", " ").capitalize(), "what": f.metadata["help"]}
               for f in fields(OptimizationConfig) if f.name not in SERVER_DECIDED}
    return {"hyperparameters": HYPERPARAMETERS, "param_aliases": param_aliases(),
            "health_metrics": {**metrics, **HEALTH_TERMS}, "options": options}
