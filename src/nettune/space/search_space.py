"""The search space: an Optuna trial -> a valid ModelConfig, for the family the data calls for.

Invalid combinations are impossible by construction: the number of conv blocks is bounded by how
often the input can be halved, and every other choice is independent of the input size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import optuna

from nettune.data.types import DatasetInfo
from nettune.space.model_config import AUGMENTATIONS, ModelConfig, canonical_activation

# Ranges start where good small-image and text models live (the classic conv nets with batch norm and Adam; the
# bidirectional LSTM with pooled outputs). Removed as hopeless on the budgets nettune runs at, from the trials
# recorded in bench/results/: plain SGD and RMSprop in a few epochs, tanh, 5x5 kernels, one conv block, no batch
# norm, global average pooling after only 2-3 blocks, a constant learning rate, dropout of 0.5 in a few epochs,
# two-layer LSTMs and 256-unit LSTMs on a CPU, last-step pooling of padded text.
BASE_FILTERS = (16, 24, 32, 48, 64)  # first block; each next block doubles (the standard widening)
DENSE_CHOICES = (64, 128, 256)
CNN_BATCHES = (64, 128, 256)
LSTM_BATCHES = (32, 64, 128)
SEARCHED_ACTIVATIONS = ("relu", "leaky_relu", "gelu", "silu")
SEARCHED_OPTIMIZERS = ("adam", "adamw")
EMBEDDING_CHOICES = (64, 128, 256)
LSTM_UNIT_CHOICES = (32, 64, 128)
SEQUENCE_FRACTIONS = (0.5, 0.75, 1.0)  # of the dataset's sequence length: the last tokens are read
LSTM_MAX_EPOCHS = 3


@dataclass(frozen=True)
class SpaceOptions:
    max_epochs: int  # the fidelity: every trial plans this many epochs, and the pruner compares them per epoch
    activation: str | None = None  # fixed for all trials when set


def max_conv_blocks(info: DatasetInfo) -> int:
    side = min(info.input_shape[1:])
    return max(1, min(4, side.bit_length() - 1))


def conv_block_range(info: DatasetInfo) -> tuple[int, int]:
    """2-3 blocks (28 px: 14, then 7, then 3 px), fewer only where the image is too small to halve twice."""
    top = min(3, max_conv_blocks(info))
    return min(2, top), top


def augmentations(info: DatasetInfo) -> tuple[str, ...]:
    """Mirrors only where they keep the class: clothes and natural images, not digits or traffic signs."""
    return AUGMENTATIONS if info.hflip_keeps_class else tuple(a for a in AUGMENTATIONS if a != "translate_flip")


def suggest_model_config(trial: optuna.Trial, info: DatasetInfo, options: SpaceOptions) -> ModelConfig:
    common = {"dataset": info.name, "input_shape": info.input_shape, "num_classes": info.num_classes}
    if info.family == "cnn":
        low, high = conv_block_range(info)
        blocks = trial.suggest_int("conv_blocks", low, high)
        base = trial.suggest_categorical("base_filters", BASE_FILTERS)
        family: dict[str, Any] = {
            "family": "cnn",
            "filters": tuple(base * 2**i for i in range(blocks)),
            "convs_per_block": trial.suggest_int("convs_per_block", 1, 2),
            "kernel_size": 3,
            "batch_norm": True,
            "pooling": "max",
            "augment": trial.suggest_categorical("augment", augmentations(info)),
        }
        batch = trial.suggest_categorical("batch_size", CNN_BATCHES)
    else:
        seq_len = info.input_shape[0]
        fraction = trial.suggest_categorical("sequence_fraction", SEQUENCE_FRACTIONS)
        family = {
            "family": "lstm",
            "vocab_size": int(info.vocab_size or 0),
            "embedding_dim": trial.suggest_categorical("embedding_dim", EMBEDDING_CHOICES),
            "lstm_units": trial.suggest_categorical("lstm_units", LSTM_UNIT_CHOICES),
            "lstm_layers": 1,
            "bidirectional": trial.suggest_categorical("bidirectional", (True, False)),
            "sequence_pooling": trial.suggest_categorical("sequence_pooling", ("max", "mean_max")),
            "sequence_length": 0 if fraction == 1.0 else max(1, round(seq_len * fraction)),
        }
        batch = trial.suggest_categorical("batch_size", LSTM_BATCHES)
    if options.activation is None:
        act = trial.suggest_categorical("activation", SEARCHED_ACTIVATIONS)
    else:
        act = canonical_activation(options.activation)
        trial.set_user_attr("fixed_activation", act)
    return ModelConfig(
        **common,
        **family,
        activation=act,
        # Stepped values are rounded: 0.30000000000000004 would be exact but longer on the wire and in every file.
        dropout=round(trial.suggest_float("dropout", 0.0, 0.4, step=0.05), 2),
        dense_layers=trial.suggest_int("dense_layers", 0, 1),
        dense_units=trial.suggest_categorical("dense_units", DENSE_CHOICES),
        optimizer=trial.suggest_categorical("optimizer", SEARCHED_OPTIMIZERS),
        learning_rate=trial.suggest_float("learning_rate", 5e-4, 5e-3, log=True),
        weight_decay=trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True),
        lr_schedule="cosine",
        batch_size=batch,
        label_smoothing=round(trial.suggest_float("label_smoothing", 0.0, 0.15, step=0.05), 2),
        epochs=fidelity_epochs(info, options.max_epochs),
    )


def fidelity_epochs(info: DatasetInfo, max_epochs: int) -> int:
    """Epochs every trial plans. Text models here converge in two or three epochs and overfit after, so an LSTM
    plans at most three; images get the whole max_epochs_per_trial."""
    return max_epochs if info.family == "cnn" else min(LSTM_MAX_EPOCHS, max_epochs)


def baseline_params(info: DatasetInfo, options: SpaceOptions) -> dict[str, Any]:
    """A proven starting point, enqueued as trial 0 so the search never starts from nothing.

    CNN: the classic two-block conv net (32 then 64 filters, batch norm, dropout, one dense layer, Adam at 2e-3).
    LSTM: a bidirectional single-layer LSTM over 128-d embeddings, max- and mean-pooled over the real tokens.
    """
    if info.family == "cnn":
        family: dict[str, Any] = {
            "conv_blocks": conv_block_range(info)[0],
            "base_filters": 32,
            "convs_per_block": 1,
            "augment": "none",
            "dense_units": 128,
            "dropout": 0.25,
            "batch_size": 128,
        }
    else:
        family = {
            "sequence_fraction": 1.0,
            "embedding_dim": 128,
            "lstm_units": 64,
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
        "label_smoothing": 0.0,
    }
    if options.activation is None:
        params["activation"] = "relu"
    return params
