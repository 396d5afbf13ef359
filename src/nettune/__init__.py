"""nettune: health-aware hyperparameter optimization for CNNs and LSTMs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nettune.architecture import describe
    from nettune.config import OptimizationConfig
    from nettune.models.io import load_model
    from nettune.space.model_config import ModelConfig
    from nettune.study.results import OptimizationResult
    from nettune.study.runner import optimize

__all__ = ["ModelConfig", "OptimizationConfig", "OptimizationResult", "describe", "load_model", "optimize"]

_LAZY = {
    "OptimizationConfig": "nettune.config",
    "ModelConfig": "nettune.space.model_config",
    "OptimizationResult": "nettune.study.results",
    "optimize": "nettune.study.runner",
    "load_model": "nettune.models.io",
    "describe": "nettune.architecture",
}


def __getattr__(name: str) -> Any:
    # Lazy so `nettune --version` and error messages do not pay for importing torch and optuna.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nettune' has no attribute {name!r}")
