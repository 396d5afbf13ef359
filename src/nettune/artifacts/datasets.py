"""A user's own dataset for remote workers: shipped once per run to the artifact store, by its content key.

The job input stays small (it names `custom:<key>`); the worker fetches `<store>/datasets/<key>.zip` only when its
own cache lacks that key (nettune.worker.handler), so a worker that has seen the data never downloads it again.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from nettune.artifacts.s3 import S3Store
from nettune.data.custom.transfer import archive_key, has_dataset, pack, unpack
from nettune.dataset_ref import custom_key
from nettune.errors import ConfigError, DataError

log = logging.getLogger("nettune.remote")


def ship_dataset(dataset: str, data_dir: Path, store_url: str | None, endpoint_url: str | None) -> None:
    """Put the study's custom dataset where workers will look for it (nothing to do for built-in datasets)."""
    key = custom_key(dataset)
    if key is None:
        return
    if store_url is None:
        raise ConfigError("remote workers need artifact_store=s3://bucket/prefix to receive a dataset of your own "
                          "(a job names its data by content key and carries no files)")
    store = S3Store.from_url(store_url, endpoint_url=endpoint_url)
    name = archive_key(key)
    if store.exists(name):
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = pack(key, data_dir, Path(tmp) / f"{key}.zip")
        log.info("shipping dataset custom:%s (%.1f MB) to %s", key, archive.stat().st_size / 1e6, store.url(name))
        store.put(name, archive)


def fetch_dataset(dataset: str, data_dir: Path, store_url: str | None, endpoint_url: str | None) -> None:
    """On a worker: make sure `dataset` is in this machine's cache, fetching it from the store if not."""
    key = custom_key(dataset)
    if key is None or has_dataset(key, data_dir):
        return
    if store_url is None:
        raise DataError(f"dataset {dataset} is not in this worker's cache and the job names no artifact store; "
                        "run the study with artifact_store=s3://bucket/prefix")
    store = S3Store.from_url(store_url, endpoint_url=endpoint_url)
    with tempfile.TemporaryDirectory() as tmp:
        archive = store.get(archive_key(key), Path(tmp) / f"{key}.zip")
        unpack(archive, key, data_dir)
