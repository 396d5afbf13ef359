"""MNIST and Fashion-MNIST: the IDX files of LeCun et al., gzipped or not."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from nettune.data.cache import Found
from nettune.data.decoded import ImageArrays
from nettune.errors import DataError

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
NEEDED = ", ".join(f"{f}.gz" for f in FILES)
_UBYTE = 0x08


def find(root: Path) -> Found | None:
    paths = []
    for base in FILES:
        candidates = [root / f"{base}.gz", root / base]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            return None
        paths.append(path)
    gz = sum(p.suffix == ".gz" for p in paths)
    kind = "gzipped" if gz == len(paths) else "uncompressed" if gz == 0 else "partly gzipped"
    return Found(f"IDX files ({kind})", tuple(paths))


def decode(found: Found) -> ImageArrays:
    train_x, train_y, test_x, test_y = (read_idx(p) for p in found.files)
    for images, labels, split in ((train_x, train_y, "train"), (test_x, test_y, "test")):
        if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise DataError(f"IDX {split} files disagree (images {images.shape}, labels {labels.shape}); "
                            f"delete them from {found.files[0].parent} so they are fetched again.")
    # Grayscale: add the channel axis so images are (N, 1, 28, 28) like every other image dataset.
    return ImageArrays(train_x[:, None], train_y.astype(np.int64), test_x[:, None], test_y.astype(np.int64))


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file: 2 zero bytes, a type byte, a rank byte, big-endian int32 dims, then the data."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise DataError(f"Cannot read {path} ({exc}); delete it so it is fetched again.") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _UBYTE:
        raise DataError(f"{path} is not an unsigned-byte IDX file; delete it so it is fetched again.")
    rank = raw[3]
    header = 4 + 4 * rank
    dims = struct.unpack(f">{rank}i", raw[4:header])
    count = int(np.prod(dims))
    if len(raw) != header + count:
        raise DataError(f"{path} is truncated or padded ({len(raw) - header} data bytes, expected {count}); "
                        "delete it so it is fetched again.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)
