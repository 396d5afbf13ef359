"""Convolutional classifier for images: conv blocks, then a tapering dense head."""

from __future__ import annotations

import torch
from torch import nn

from nettune.models.layers import activation, dense_head
from nettune.space.model_config import ModelConfig


class ConvNet(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        channels, height, width = cfg.input_shape
        blocks: list[nn.Module] = []
        for out_channels in cfg.filters:
            layers: list[nn.Module] = []
            for _ in range(cfg.convs_per_block):
                # BatchNorm follows the conv, so the conv's own bias would be redundant.
                layers.append(
                    nn.Conv2d(channels, out_channels, cfg.kernel_size, padding="same", bias=not cfg.batch_norm)
                )
                if cfg.batch_norm:
                    layers.append(nn.BatchNorm2d(out_channels))
                layers.append(activation(cfg.activation))
                channels = out_channels
            layers.append(nn.MaxPool2d(2))
            height, width = height // 2, width // 2
            blocks.append(nn.Sequential(*layers))
        self.features = nn.Sequential(*blocks)
        if cfg.pooling == "global":
            self.pool: nn.Module = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
            flat = channels
        else:
            self.pool = nn.Flatten()
            flat = channels * height * width
        self.dropout = nn.Dropout(cfg.dropout) if cfg.dropout > 0 else nn.Identity()
        self.head = dense_head(flat, cfg.dense_sizes, cfg.num_classes, cfg.activation, cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.pool(self.features(x))))
