"""ModelConfig -> nn.Module."""

from __future__ import annotations

from torch import nn

from nettune.models.cnn import ConvNet
from nettune.models.lstm import LSTMNet
from nettune.space.model_config import ModelConfig


def build_model(cfg: ModelConfig) -> nn.Module:
    return ConvNet(cfg) if cfg.family == "cnn" else LSTMNet(cfg)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
