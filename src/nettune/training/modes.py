"""Temporarily switch a model to eval mode for a measurement, then restore every module's own mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """Dropout off and batch-norm running statistics; afterwards each submodule gets its previous mode back
    (some may have been frozen in eval on purpose)."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training
