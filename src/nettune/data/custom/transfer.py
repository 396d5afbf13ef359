"""A decoded custom dataset as one zip, so remote workers get it by its content key instead of the raw files.

The orchestrator packs <data_dir>/custom/<key>/ once and puts it in the run's artifact store under
`datasets/<key>.zip`; a worker without that key in its own cache fetches and unpacks it there. Only the files a
decoded dataset consists of are accepted on unpacking, and the cache's own per-array SHA-256 hashes (checked by
every load) catch a damaged transfer.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from nettune.data.cache import DECODED_DIR
from nettune.data.custom.store import FACTS, custom_dir
from nettune.errors import DataError

_MEMBER = re.compile(rf"(?:{re.escape(FACTS)}|{re.escape(DECODED_DIR)}/(?:meta\.json|words\.txt|[a-z_]+\.npy))")
MAX_UNPACKED_BYTES = 16 * 1024**3  # a decoded dataset larger than this is not one nettune wrote


def archive_key(key: str) -> str:
    """Where a dataset lives in an artifact store, relative to the run's prefix."""
    return f"datasets/{key}.zip"


def has_dataset(key: str, data_dir: Path) -> bool:
    return (custom_dir(data_dir) / key / FACTS).is_file()


def pack(key: str, data_dir: Path, dest: Path) -> Path:
    folder = custom_dir(data_dir) / key
    if not (folder / FACTS).is_file():
        raise DataError(f"dataset custom:{key} is not in the cache at {custom_dir(data_dir)}; run once with "
                        "dataset=<its folder or file> on this machine to decode it")
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and _MEMBER.fullmatch(name):
                zf.write(path, name)
    return dest


def unpack(archive: Path, key: str, data_dir: Path) -> None:
    """Install a packed dataset into this machine's cache (atomically: a concurrent loader sees it whole)."""
    root = custom_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            bad = [m.filename for m in members if not _MEMBER.fullmatch(m.filename)]
            if bad or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise DataError(f"{archive} is not a packed nettune dataset (unexpected member {bad[:1]}); "
                                "delete it from the artifact store so the orchestrator ships it again")
            zf.extractall(staging)
        if not (staging / FACTS).is_file():
            raise DataError(f"{archive} lacks {FACTS}; delete it from the artifact store so it is shipped again")
        try:
            staging.rename(root / key)
        except OSError:
            if not has_dataset(key, data_dir):  # another process installed it meanwhile: that copy is as good
                raise
    except zipfile.BadZipFile as exc:
        raise DataError(f"{archive} is not a readable zip ({exc}); delete it from the artifact store") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
