"""Where the tests' genuine datasets live, and one loud failure when they are missing.

`../shared/datasets` beside the repo is a development convenience. A clean clone gets the same files through
nettune's own download path (`make test-data`, which `make test` runs first; the package-registry fallbacks work
where the dataset hosts are unreachable). A test never skips for want of them: it fails and says what to run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
DOWNLOADED = REPO / ".test-data"
NAMES = ("mnist", "fashion_mnist", "imdb")
ENV = "NETTUNE_TEST_DATASETS"


def genuine_root() -> Path:
    """The folder holding mnist/, fashion_mnist/ and imdb/: $NETTUNE_TEST_DATASETS, else ../shared/datasets when
    it has them all, else the repo's .test-data/ that `make test-data` fills."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    if all((SHARED / name).is_dir() for name in NAMES):
        return SHARED
    return DOWNLOADED


def genuine(name: str) -> Path:
    folder = genuine_root() / name
    if not folder.is_dir() or not any(folder.iterdir()):
        pytest.fail(f"genuine {name} not found at {folder}: run `make test-data` (it downloads the test datasets "
                    f"through nettune's own download path) or set {ENV} to a folder holding {', '.join(NAMES)}",
                    pytrace=False)
    return folder
