"""The user's own data as a dataset: image folders, text tables and .npz arrays (see docs/datasets.md)."""

from nettune.data.custom.store import CustomData, CustomOptions, custom_dir, ingest, load_custom

__all__ = ["CustomData", "CustomOptions", "custom_dir", "ingest", "load_custom"]
