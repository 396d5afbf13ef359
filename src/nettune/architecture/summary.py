"""architecture_summary: the handful of numbers a gallery card shows for a model, straight from its config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nettune.models.build import build_model, count_parameters
from nettune.space.model_config import ModelConfig


def architecture_summary(config: ModelConfig | Mapping[str, Any]) -> dict[str, Any]:
    """Conv layers, filters, kernel sizes, dense layers and nodes, activation and parameter count.

    The parameter count comes from building the model (milliseconds on CPU, no forward pass), so it is
    exact for every option combination rather than a formula that could drift from the model code.
    """
    cfg = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(dict(config))
    summary: dict[str, Any] = {
        "family": cfg.family,
        "dataset": cfg.dataset,
        "input_shape": list(cfg.input_shape),
        "num_classes": cfg.num_classes,
        "activation": cfg.activation,
        "dense_layers": cfg.dense_layers,
        "dense_nodes": list(cfg.dense_sizes),
        "dropout": cfg.dropout,
        "parameters": count_parameters(build_model(cfg)),
    }
    if cfg.family == "cnn":
        summary |= {
            "conv_blocks": cfg.conv_blocks,
            "conv_layers": cfg.conv_blocks * cfg.convs_per_block,
            # One entry per conv layer, so a gallery can print "32-32-64-64" for two convs per block.
            "filters": [f for f in cfg.filters for _ in range(cfg.convs_per_block)],
            "kernel_sizes": [cfg.kernel_size] * (cfg.conv_blocks * cfg.convs_per_block),
            "batch_norm": cfg.batch_norm,
            "pooling": cfg.pooling,
        }
    else:
        summary |= {
            "conv_layers": 0,
            "filters": [],
            "kernel_sizes": [],
            "vocab_size": cfg.vocab_size,
            "embedding_dim": cfg.embedding_dim,
            "lstm_layers": cfg.lstm_layers,
            "lstm_units": cfg.lstm_units,
            "bidirectional": cfg.bidirectional,
            "sequence_pooling": cfg.sequence_pooling,
        }
    return summary
