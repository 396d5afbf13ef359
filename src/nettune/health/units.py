"""Which modules' outputs are "units" worth monitoring, and what counts as active or saturated for each.

The lead's model classes are free to name their attributes anything, so units are found purely by module
type while walking `model.named_modules()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from torch import nn


@dataclass(frozen=True)
class UnitSpec:
    """How to judge one kind of unit from its output values."""

    activation: str  # "relu", ..., "tanh", "lstm", "gru"
    active_above: float  # a unit is active on an entry when its output exceeds this
    bounded: bool  # output limited to (-1, 1): saturation applies and activity uses |a|


# ReLU, LeakyReLU and ELU are the identity on positive inputs, so any positive output is signal: > 0.
_RELU_LIKE: Final = UnitSpec("relu", 0.0, bounded=False)
# GELU and SiLU cross zero smoothly; tiny positive outputs come from pre-activations near 0 (x < ~0.02)
# and carry no more signal than a ReLU's zero, so "active" needs a small margin.
SMOOTH_ACTIVE_ABOVE: Final = 0.01
# tanh and recurrent outputs: a unit whose |output| never leaves ~0 is constant, i.e. dead.
BOUNDED_ACTIVE_ABOVE: Final = 0.01
# A bounded unit is saturated on an entry when |a| > 0.99 (tanh' < 0.02 there: almost no gradient)...
SATURATION_LEVEL: Final = 0.99
# ...and saturated overall when that holds on more than 99% of its probe entries.
SATURATED_SHARE: Final = 0.99

_BY_TYPE: Final[tuple[tuple[type[nn.Module], UnitSpec], ...]] = (
    (nn.ReLU, _RELU_LIKE),
    (nn.LeakyReLU, UnitSpec("leaky_relu", 0.0, bounded=False)),
    (nn.ELU, UnitSpec("elu", 0.0, bounded=False)),
    (nn.GELU, UnitSpec("gelu", SMOOTH_ACTIVE_ABOVE, bounded=False)),
    (nn.SiLU, UnitSpec("silu", SMOOTH_ACTIVE_ABOVE, bounded=False)),
    (nn.Tanh, UnitSpec("tanh", BOUNDED_ACTIVE_ABOVE, bounded=True)),
    # Recurrent hidden states are o * tanh(c): bounded, so they saturate like tanh.
    (nn.LSTM, UnitSpec("lstm", BOUNDED_ACTIVE_ABOVE, bounded=True)),
    (nn.GRU, UnitSpec("gru", BOUNDED_ACTIVE_ABOVE, bounded=True)),
)

# Layers whose output is the input of the next activation ("the conv whose filters are dead").
# Normalisation layers are skipped on purpose: a dead unit after Conv->BN->ReLU belongs to the conv.
SOURCE_TYPES: Final[tuple[type[nn.Module], ...]] = (
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.Linear,
    nn.Embedding,
    nn.LSTM,
    nn.GRU,
)


def unit_spec(module: nn.Module) -> UnitSpec | None:
    """The spec for a monitored module, or None when its output is not a layer of units."""
    for cls, spec in _BY_TYPE:
        if isinstance(module, cls):
            return spec
    return None


def layer_kind(module: nn.Module) -> str:
    """A short kind name for reports: conv, linear, lstm, gru, embedding, norm, or the class name."""
    if isinstance(module, nn.Conv1d | nn.Conv2d | nn.Conv3d):
        return "conv"
    if isinstance(module, nn.Linear):
        return "linear"
    if isinstance(module, nn.LSTM):
        return "lstm"
    if isinstance(module, nn.GRU):
        return "gru"
    if isinstance(module, nn.Embedding):
        return "embedding"
    if isinstance(module, nn.modules.batchnorm._BatchNorm | nn.LayerNorm | nn.GroupNorm):
        return "norm"
    return type(module).__name__.lower()


def recurrent_layer_name(module_name: str, num_layers: int, layer: int) -> str:
    """Name of one stacked layer of an LSTM/GRU; a single-layer module keeps its own name.

    Gradient groups and activity records both use this, so a layer's gradients and its units line up.
    """
    return module_name if num_layers == 1 else f"{module_name}.l{layer}"


def unwrap_compiled(model: nn.Module) -> nn.Module:
    """The eager module behind a torch.compile wrapper, so hooks see real submodules and names."""
    inner = getattr(model, "_orig_mod", None)
    return inner if isinstance(inner, nn.Module) else model
