"""ModelConfig: the one object that fully describes a trial's model and training recipe.

It is sent whole to wherever a trial runs (a local process, a remote worker) and saved beside every
trained model, so the same config always rebuilds and retrains the same network.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from nettune.config import ACTIVATION_ALIASES, ACTIVATIONS
from nettune.errors import ConfigError

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SEQUENCE_POOLING = ("last", "max", "mean_max")
LR_SCHEDULES = ("cosine", "constant")
# Image augmentation per batch: random shifts of up to AUGMENT_SHIFT_FRACTION of the side, and horizontal flips
# only for data whose classes survive a mirror (clothes, natural images; not digits or traffic signs).
AUGMENTATIONS = ("none", "translate", "translate_flip")


def canonical_activation(name: str) -> str:
    name = ACTIVATION_ALIASES.get(name.lower(), name.lower())
    if name not in ACTIVATIONS:
        raise ConfigError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)} "
                          f"(or {', '.join(ACTIVATION_ALIASES)})")
    return name


@dataclass(frozen=True)
class ModelConfig:
    family: Literal["cnn", "lstm"]
    dataset: str
    input_shape: tuple[int, ...]  # (C, H, W) or (seq_len,)
    num_classes: int
    # CNN: conv blocks, each `convs_per_block` conv layers of filters[i] channels, then 2x2 max-pooling.
    filters: tuple[int, ...] = ()
    convs_per_block: int = 1
    kernel_size: int = 3
    batch_norm: bool = True
    pooling: Literal["max", "global"] = "max"  # after the last block: flatten ("max") or global average
    # LSTM
    vocab_size: int = 0
    embedding_dim: int = 0
    lstm_units: int = 0
    lstm_layers: int = 0
    bidirectional: bool = False
    # How the sequence becomes one vector: the last step, the max over time, or max and mean over the real
    # (non-padding) tokens side by side.
    sequence_pooling: Literal["last", "max", "mean_max"] = "last"
    # Tokens read per example: the last `sequence_length` of the (left-padded) input; 0 = all of it. Shorter
    # is proportionally faster, and long reviews carry their verdict near the end.
    sequence_length: int = 0
    # Shared head
    activation: str = "relu"
    dropout: float = 0.0
    dense_layers: int = 1  # hidden layers before the classifier; each has half the nodes of the previous
    dense_units: int = 128  # nodes in the first hidden layer
    # Training recipe
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    lr_schedule: Literal["cosine", "constant"] = "cosine"
    batch_size: int = 128
    epochs: int = 3
    label_smoothing: float = 0.0  # share of the target spread over the other classes in the training loss
    augment: Literal["none", "translate", "translate_flip"] = "none"  # images only

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError("invalid model config: " + "; ".join(problems))

    @property
    def conv_blocks(self) -> int:
        return len(self.filters)

    @property
    def dense_sizes(self) -> tuple[int, ...]:
        """Tapering hidden layer sizes: first layer dense_units, each next one half (at least 8)."""
        return tuple(max(8, self.dense_units // (2**i)) for i in range(self.dense_layers))

    def problems(self) -> list[str]:
        """Reasons this combination cannot be built; empty when valid."""
        out: list[str] = []
        if self.activation not in ACTIVATIONS:
            out.append(f"activation {self.activation!r} is not one of {', '.join(ACTIVATIONS)}")
        if self.optimizer not in OPTIMIZERS:
            out.append(f"optimizer {self.optimizer!r} is not one of {', '.join(OPTIMIZERS)}")
        if not 0.0 <= self.dropout < 1.0:
            out.append(f"dropout {self.dropout} must be in [0, 1)")
        if self.lr_schedule not in LR_SCHEDULES:
            out.append(f"lr_schedule {self.lr_schedule!r} is not one of {', '.join(LR_SCHEDULES)}")
        if not 0.0 <= self.label_smoothing < 0.5:
            out.append(f"label_smoothing {self.label_smoothing} must be in [0, 0.5)")
        if self.augment not in AUGMENTATIONS:
            out.append(f"augment {self.augment!r} is not one of {', '.join(AUGMENTATIONS)}")
        elif self.augment != "none" and self.family != "cnn":
            out.append("augment applies to images (CNN) only")
        if self.learning_rate <= 0 or self.weight_decay < 0:
            out.append("learning_rate must be > 0 and weight_decay >= 0")
        if self.batch_size < 1 or self.epochs < 1 or self.num_classes < 2 or self.dense_layers < 0:
            out.append("batch_size and epochs must be >= 1, num_classes >= 2, dense_layers >= 0")
        if self.family == "cnn":
            if len(self.input_shape) != 3:
                out.append(f"a CNN needs an input shape (C, H, W), got {self.input_shape}")
            elif not 1 <= len(self.filters) <= 4:
                out.append(f"a CNN has 1-4 conv blocks, got {len(self.filters)}")
            else:
                side = min(self.input_shape[1:])
                if side < 2 ** len(self.filters):
                    out.append(
                        f"{len(self.filters)} pooling blocks shrink a {side}px input below 1px; "
                        f"use at most {side.bit_length() - 1} blocks"
                    )
                if self.kernel_size not in (3, 5, 7):
                    out.append(f"kernel_size must be 3, 5 or 7, got {self.kernel_size}")
        elif self.family == "lstm":
            if len(self.input_shape) != 1:
                out.append(f"an LSTM needs an input shape (seq_len,), got {self.input_shape}")
            elif not 0 <= self.sequence_length <= self.input_shape[0]:
                out.append(f"sequence_length {self.sequence_length} must be in 0..{self.input_shape[0]}")
            if self.vocab_size < 3 or self.embedding_dim < 1 or self.lstm_units < 1 or self.lstm_layers < 1:
                out.append("an LSTM needs vocab_size >= 3 and embedding_dim, lstm_units, lstm_layers >= 1")
            if self.sequence_pooling not in SEQUENCE_POOLING:
                out.append(f"sequence_pooling {self.sequence_pooling!r} is not one of {', '.join(SEQUENCE_POOLING)}")
        else:
            out.append(f"family must be 'cnn' or 'lstm', got {self.family!r}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown model config field(s): {', '.join(unknown)}")
        data = dict(data)
        for key in ("input_shape", "filters"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> ModelConfig:
        return cls.from_dict(json.loads(text))
