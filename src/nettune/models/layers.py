"""Small building blocks shared by the model families."""

from __future__ import annotations

from torch import nn

from nettune.config import ACTIVATIONS

_ACTIVATION_MODULES: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
}
# The names are config.ACTIVATIONS' (what the options and the API accept); each needs its module here.
if set(_ACTIVATION_MODULES) != set(ACTIVATIONS):
    raise RuntimeError(f"models.layers builds {sorted(_ACTIVATION_MODULES)} but config.ACTIVATIONS is {ACTIVATIONS}")


def activation(name: str) -> nn.Module:
    return _ACTIVATION_MODULES[name]()


def dense_head(in_features: int, sizes: tuple[int, ...], num_classes: int, act: str, dropout: float) -> nn.Sequential:
    """Hidden layers (each Linear -> activation -> dropout) followed by the classifier."""
    layers: list[nn.Module] = []
    for size in sizes:
        layers += [nn.Linear(in_features, size), activation(act)]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        in_features = size
    layers.append(nn.Linear(in_features, num_classes))
    return nn.Sequential(*layers)
