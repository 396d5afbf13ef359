"""Recurrent classifier for token sequences: embedding, (bi)LSTM, a pooled summary, a dense head."""

from __future__ import annotations

import torch
from torch import nn

from nettune.models.layers import dense_head
from nettune.space.model_config import ModelConfig


class LSTMNet(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(
            cfg.embedding_dim,
            cfg.lstm_units,
            num_layers=cfg.lstm_layers,
            batch_first=True,
            bidirectional=cfg.bidirectional,
            dropout=cfg.dropout if cfg.lstm_layers > 1 else 0.0,
        )
        self.sequence_pooling = cfg.sequence_pooling
        self.sequence_length = cfg.sequence_length
        self.dropout = nn.Dropout(cfg.dropout) if cfg.dropout > 0 else nn.Identity()
        directions = 2 if cfg.bidirectional else 1
        summaries = 2 if cfg.sequence_pooling == "mean_max" else 1
        out_features = cfg.lstm_units * directions * summaries
        self.head = dense_head(out_features, cfg.dense_sizes, cfg.num_classes, cfg.activation, cfg.dropout)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if self.sequence_length:  # the last tokens: inputs are left-padded, so these are the real ones
            tokens = tokens[:, -self.sequence_length :]
        outputs, _ = self.lstm(self.embedding(tokens))
        # Sequences are left-padded, so the last step has read the real tokens in every pooling mode.
        if self.sequence_pooling == "last":
            summary = outputs[:, -1]
        elif self.sequence_pooling == "max":
            summary = outputs.max(dim=1).values
        else:
            summary = _mean_max(outputs, (tokens != 0).unsqueeze(-1))
        return self.head(self.dropout(summary))


def _mean_max(outputs: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Max and mean over the real tokens only: padding must not dilute the mean or win the max."""
    largest = outputs.masked_fill(~real, torch.finfo(outputs.dtype).min).max(dim=1).values
    mean = (outputs * real).sum(dim=1) / real.sum(dim=1).clamp(min=1)
    return torch.cat([largest, mean], dim=1)
