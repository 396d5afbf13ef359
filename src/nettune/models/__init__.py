"""Model construction and persistence."""

from nettune.models.build import build_model, count_parameters
from nettune.models.io import load_model, save_model

__all__ = ["build_model", "count_parameters", "load_model", "save_model"]
