"""The static facts about each supported dataset, and turning a user-typed name into one of them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from nettune.data import class_names
from nettune.data.types import Modality
from nettune.dataset_ref import BUILTIN_DATASETS, DATASET_ALIASES, builtin_name, normalized
from nettune.errors import ConfigError


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    modality: Modality
    class_names: tuple[str, ...]
    train_size: int  # canonical sizes of the published splits, before any subsampling
    test_size: int
    image_shape: tuple[int, int, int] | None = None  # (C, H, W) for images
    max_words: int | None = None  # text: words kept in the vocabulary (plus ids 0 = pad, 1 = OOV)
    seq_len: int | None = None  # text: tokens per example after left-padding / truncation
    description: str = ""
    unit: str = "example"  # what one example is called in notes ("the 25,000-review train split")
    hflip_keeps_class: bool = False  # images: a mirrored example still belongs to its class

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


SPECS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec("mnist", "image", class_names.MNIST, 60_000, 10_000, (1, 28, 28),
                    description="handwritten digits, 28x28 grayscale"),
        DatasetSpec("fashion_mnist", "image", class_names.FASHION_MNIST, 60_000, 10_000, (1, 28, 28),
                    description="Zalando clothing articles, 28x28 grayscale", hflip_keeps_class=True),
        DatasetSpec("cifar10", "image", class_names.CIFAR10, 50_000, 10_000, (3, 32, 32),
                    description="natural images, 32x32 RGB, 10 classes", hflip_keeps_class=True),
        DatasetSpec("cifar100", "image", class_names.CIFAR100, 50_000, 10_000, (3, 32, 32),
                    description="natural images, 32x32 RGB, 100 fine classes", hflip_keeps_class=True),
        DatasetSpec("gtsrb", "image", class_names.GTSRB, 39_209, 12_630, (3, 32, 32),
                    description="German traffic signs, cropped to the sign and resized to 32x32 RGB", unit="image"),
        DatasetSpec("imdb", "text", class_names.IMDB, 25_000, 25_000, max_words=20_000, seq_len=256,
                    description="movie-review sentiment, binary", unit="review"),
        DatasetSpec("reuters", "text", class_names.REUTERS, 8_982, 2_246, max_words=10_000, seq_len=200,
                    description="Reuters newswire topics, 46 classes (Keras split)"),
    )
}

# The names (and the spellings accepted for them) are nettune.dataset_ref's, which the options validate against;
# a dataset added to one and not the other would be offered but unloadable, or loadable but refused.
if tuple(SPECS) != BUILTIN_DATASETS:
    raise RuntimeError(f"data.catalog SPECS {tuple(SPECS)} differ from dataset_ref.BUILTIN_DATASETS {BUILTIN_DATASETS}")


def dataset_names() -> list[str]:
    return list(SPECS)


def resolve(name: str) -> DatasetSpec:
    """The spec for `name`, or a ConfigError that lists the valid names and suggests the closest."""
    key = builtin_name(name)
    if key is not None:
        return SPECS[key]
    close = difflib.get_close_matches(normalized(name), list(SPECS) + list(DATASET_ALIASES), n=1, cutoff=0.5)
    hint = f" Did you mean '{DATASET_ALIASES.get(close[0], close[0])}'?" if close else ""
    raise ConfigError(f"Unknown dataset '{name}'.{hint} Valid names: {', '.join(SPECS)}.")
