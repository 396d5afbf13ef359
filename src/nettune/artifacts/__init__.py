"""Trial artifacts: verified zip bundles of a trial directory, and the stores that keep them."""

from nettune.artifacts.bundle import MANIFEST, BundleError, pack_bundle, unpack_bundle
from nettune.artifacts.s3 import S3Store
from nettune.artifacts.store import ArtifactStore, FileSystemStore

__all__ = ["MANIFEST", "ArtifactStore", "BundleError", "FileSystemStore", "S3Store", "pack_bundle", "unpack_bundle"]
