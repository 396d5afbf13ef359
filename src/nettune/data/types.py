"""What every dataset loader returns: tensors plus the facts the search space and models need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import torch

Modality = Literal["image", "text"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    modality: Modality
    num_classes: int
    class_names: tuple[str, ...]
    input_shape: tuple[int, ...]  # (C, H, W) for images, (seq_len,) for token sequences
    vocab_size: int | None = None  # text only; ids 0 = padding, 1 = out-of-vocabulary
    hflip_keeps_class: bool = False  # images only: horizontal flips are a valid augmentation

    @property
    def family(self) -> Literal["cnn", "lstm"]:
        """Modality decides the model family: images -> CNN, token sequences -> LSTM."""
        return "cnn" if self.modality == "image" else "lstm"


@dataclass
class Split:
    x: torch.Tensor  # float32 (N, C, H, W) normalized, or int64 (N, seq_len) token ids
    y: torch.Tensor  # int64 (N,)

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass
class PreparedData:
    info: DatasetInfo
    train: Split
    val: Split
    test: Split
    notes: dict[str, Any] = field(default_factory=dict)  # how splits were made, recorded in results
    # Text only: token id -> word ([0] "<pad>", [1] "<unk>"), for showing what a model read. Kept out of
    # `notes` because notes are copied into results.json.
    vocabulary: tuple[str, ...] | None = None
