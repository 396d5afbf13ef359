"""A user's own dataset for remote workers: shipped once per run to the artifact store, by its content key.

The job names `custom:<key>`; the worker fetches `<store>/datasets/<key>.zip` only when its own cache lacks that
key (nettune.worker.handler), so a worker that has seen the data never downloads it again. Without a store, a small
dataset rides inline beside each job (outside the job's own 1 KB limit) and is installed the same way.
"""

from __future__ import annotations

import base64
import logging
import tempfile
from pathlib import Path

from nettune.artifacts.s3 import S3Store
from nettune.data.custom.transfer import archive_key, has_dataset, pack, unpack
from nettune.dataset_ref import custom_key
from nettune.errors import ConfigError, DataError
from nettune.worker.schema import MAX_INLINE_DATASET_CHARS

log = logging.getLogger("nettune.remote")


def ship_dataset(dataset: str, data_dir: Path, store_url: str | None, endpoint_url: str | None) -> str | None:
    """Put the study's custom dataset where workers will look for it: in the artifact store (returns None), or,
    without one, as base64 to send inline with every job when it is small enough (returns it). Built-in datasets
    need nothing (None)."""
    key = custom_key(dataset)
    if key is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        if store_url is None:
            archive = pack(key, data_dir, Path(tmp) / f"{key}.zip")
            encoded = base64.b64encode(archive.read_bytes()).decode("ascii")
            if len(encoded) > MAX_INLINE_DATASET_CHARS:
                raise ConfigError(f"dataset {dataset} is {archive.stat().st_size / 1e6:.1f} MB packed, over the "
                                  f"{MAX_INLINE_DATASET_CHARS * 3 / 4 / 1e6:.1f} MB a job can carry inline; set "
                                  "artifact_store=s3://bucket/prefix so remote workers fetch it once")
            return encoded
        store = S3Store.from_url(store_url, endpoint_url=endpoint_url)
        name = archive_key(key)
        if not store.exists(name):
            archive = pack(key, data_dir, Path(tmp) / f"{key}.zip")
            log.info("shipping dataset custom:%s (%.1f MB) to %s", key, archive.stat().st_size / 1e6, store.url(name))
            store.put(name, archive)
        return None


def fetch_dataset(dataset: str, data_dir: Path, store_url: str | None, endpoint_url: str | None,
                  inline: str | None = None) -> None:
    """On a worker: make sure `dataset` is in this machine's cache, from the job's inline copy or the store."""
    key = custom_key(dataset)
    if key is None or has_dataset(key, data_dir):
        return
    if inline is not None:
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / f"{key}.zip"
            archive.write_bytes(base64.b64decode(inline, validate=True))
            unpack(archive, key, data_dir)
        return
    if store_url is None:
        raise DataError(f"dataset {dataset} is not in this worker's cache and the job names no artifact store; "
                        "run the study with artifact_store=s3://bucket/prefix")
    store = S3Store.from_url(store_url, endpoint_url=endpoint_url)
    with tempfile.TemporaryDirectory() as tmp:
        archive = store.get(archive_key(key), Path(tmp) / f"{key}.zip")
        unpack(archive, key, data_dir)
