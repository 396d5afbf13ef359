"""The search space: an Optuna trial -> a valid ModelConfig, for the family the data calls for.

Invalid combinations are impossible by construction: the number of conv blocks is bounded by how
often the input can be halved, and every other choice is independent of the input size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna

from nettune.data.types import DatasetInfo
from nettune.space.model_config import ACTIVATIONS, SEQUENCE_POOLING, ModelConfig, canonical_activation

FILTER_CHOICES = (16, 32, 48, 64, 96, 128)
DENSE_CHOICES = (64, 128, 256, 512)
BATCH_CHOICES = (32, 64, 128, 256)
ADAPTIVE_OPTIMIZERS = ("adam", "adamw", "rmsprop")


@dataclass(frozen=True)
class SpaceOptions:
    max_epochs: int
    activation: str | None = None  # fixed for all trials when set


def max_conv_blocks(info: DatasetInfo) -> int:
    side = min(info.input_shape[1:])
    return max(1, min(4, side.bit_length() - 1))


def suggest_model_config(trial: optuna.Trial, info: DatasetInfo, options: SpaceOptions) -> ModelConfig:
    common = {"dataset": info.name, "input_shape": info.input_shape, "num_classes": info.num_classes}
    if info.family == "cnn":
        blocks = trial.suggest_int("conv_blocks", 1, max_conv_blocks(info))
        family: dict[str, Any] = {
            "family": "cnn",
            "filters": tuple(trial.suggest_categorical(f"filters_{i + 1}", FILTER_CHOICES) for i in range(blocks)),
            "convs_per_block": trial.suggest_int("convs_per_block", 1, 2),
            "kernel_size": trial.suggest_categorical("kernel_size", (3, 5)),
            "batch_norm": trial.suggest_categorical("batch_norm", (True, False)),
            "pooling": trial.suggest_categorical("pooling", ("max", "global")),
        }
    else:
        family = {
            "family": "lstm",
            "vocab_size": int(info.vocab_size or 0),
            "embedding_dim": trial.suggest_categorical("embedding_dim", (32, 64, 128, 256)),
            "lstm_units": trial.suggest_categorical("lstm_units", (32, 64, 128, 256)),
            "lstm_layers": trial.suggest_int("lstm_layers", 1, 2),
            "bidirectional": trial.suggest_categorical("bidirectional", (True, False)),
            "sequence_pooling": trial.suggest_categorical("sequence_pooling", SEQUENCE_POOLING),
        }
    if options.activation is None:
        act = trial.suggest_categorical("activation", ACTIVATIONS)
    else:
        act = canonical_activation(options.activation)
        trial.set_user_attr("fixed_activation", act)
    optimizer = trial.suggest_categorical("optimizer", ("adam", "adamw", "sgd", "rmsprop"))
    # SGD needs roughly 10-100x the learning rate of adaptive methods, so each gets its own range.
    if optimizer == "sgd":
        lr = trial.suggest_float("sgd_learning_rate", 1e-3, 0.3, log=True)
    else:
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True)
    return ModelConfig(
        **common,
        **family,
        activation=act,
        dropout=trial.suggest_float("dropout", 0.0, 0.5, step=0.05),
        dense_layers=trial.suggest_int("dense_layers", 0, 2),
        dense_units=trial.suggest_categorical("dense_units", DENSE_CHOICES),
        optimizer=optimizer,
        learning_rate=lr,
        weight_decay=trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        lr_schedule=trial.suggest_categorical("lr_schedule", ("cosine", "constant")),
        batch_size=trial.suggest_categorical("batch_size", BATCH_CHOICES),
        epochs=trial.suggest_int("epochs", 1, options.max_epochs),
    )


def baseline_params(info: DatasetInfo, options: SpaceOptions) -> dict[str, Any]:
    """A proven starting point, enqueued as trial 0 so the search never starts from nothing.

    CNN: the classic two-block conv net (32 then 64 filters, batch norm, dropout, one dense layer).
    LSTM: a bidirectional single-layer LSTM, max- and mean-pooled over the real tokens; it converges in two or
    three epochs (more overfit), so it trains at most three.
    """
    if info.family == "cnn":
        blocks = min(2, max_conv_blocks(info))
        family: dict[str, Any] = {
            "conv_blocks": blocks,
            **{f"filters_{i + 1}": (32, 64)[i] for i in range(blocks)},
            "convs_per_block": 1,
            "kernel_size": 3,
            "batch_norm": True,
            "pooling": "max",
            "dense_units": 128,
            "dropout": 0.25,
            "batch_size": 128,
        }
    else:
        family = {
            "embedding_dim": 128,
            "lstm_units": 64,
            "lstm_layers": 1,
            "bidirectional": True,
            "sequence_pooling": "mean_max",
            "dense_units": 64,
            "dropout": 0.3,
            "batch_size": 64,
        }
    params = {
        **family,
        "dense_layers": 1,
        "optimizer": "adam",
        "learning_rate": 2e-3,
        "weight_decay": 1e-5,
        "lr_schedule": "cosine",
        "epochs": options.max_epochs if info.family == "cnn" else min(3, options.max_epochs),
    }
    if options.activation is None:
        params["activation"] = "relu"
    return params
