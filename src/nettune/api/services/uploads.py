"""Datasets uploaded through the API: streamed to disk under a size limit, unpacked safely, validated by decoding
them exactly as `dataset=<path>` would, listed, shown by example and deleted.

Each upload lives in <uploads_dir>/<name>/: `data/` (the unpacked zip) or `data.<csv|tsv|jsonl|npz>`, and
`upload.json` (what was uploaded, and its content key in the decoded cache). Jobs name an upload by `name`; the
server turns that into the path, so API clients never name paths on the server.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from nettune.api.models import DatasetEntry, DatasetExample, DatasetExamples
from nettune.api.services.errors import Conflict, InvalidRequest, NotFound, TooLarge
from nettune.data import CustomOptions, default_data_dir
from nettune.data.custom import custom_dir, ingest, load_custom
from nettune.data.decoded import ImageArrays, TextCorpus
from nettune.dataset_ref import builtin_name
from nettune.errors import NettuneError

UPLOAD_FORMATS = ("zip", "csv", "tsv", "jsonl", "npz")  # zip: a folder layout; the rest: one file
FORMAT_ALIASES = {"ndjson": "jsonl"}
UPLOAD_PATH = "/datasets/uploads/"  # requests under it stream their bodies (BodyLimit lets them through)
MANIFEST = "upload.json"
EXAMPLES = 6
_CHUNK = 1 << 20


@dataclass(frozen=True)
class UploadLimits:
    upload_bytes: int  # the request body
    unpacked_bytes: int  # what a zip may expand to, counted as it is written (headers can lie)
    files: int  # members a zip may hold


class UploadService:
    def __init__(self, root: Path, data_dir: Path | None, limits: UploadLimits) -> None:
        self.root, self.limits = root, limits
        self.data_dir = data_dir or default_data_dir()

    # -- create ------------------------------------------------------------------------------------------------
    def check_name(self, name: str, fmt: str) -> None:
        if builtin_name(name) is not None:  # `FMNIST` too: jobs would read the built-in one
            raise Conflict(f"{name!r} is a built-in dataset; give your upload another name")
        if fmt not in UPLOAD_FORMATS:
            raise InvalidRequest(f"format={fmt!r} is not accepted; upload one of: {', '.join(UPLOAD_FORMATS)}")
        if (self.root / name / MANIFEST).exists():
            raise Conflict(f"a dataset named {name!r} exists; delete it first or choose another name")

    def start(self) -> tuple[Path, io.BufferedWriter]:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=self.root, prefix=".incoming-", delete=False)  # noqa: SIM115
        return Path(handle.name), handle  # type: ignore[return-value]

    def finish(self, name: str, fmt: str, incoming: Path, filename: str | None) -> DatasetEntry:
        """Unpack and validate a fully received upload; on any failure nothing of it is left behind."""
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{name}-"))
        try:
            payload = "data" if fmt == "zip" else f"data.{fmt}"
            if fmt == "zip":
                self._unzip(incoming, staging / payload)
            else:
                shutil.move(incoming, staging / payload)
            final = self.root / name
            try:
                staging.rename(final)  # fails when the name was taken meanwhile
            except OSError:
                raise Conflict(f"a dataset named {name!r} exists; delete it first or choose another name") \
                    from None
            staging = final
            # Decoded at its final path: the job reading it later finds it in the cache's index, decoding nothing.
            try:
                key = ingest(str(final / payload), self.data_dir, CustomOptions())
            except NettuneError as exc:
                raise InvalidRequest(f"the upload is not a usable dataset: {exc}") from None
            manifest = {"name": name, "format": fmt, "filename": filename, "path": payload, "key": key,
                        "uploaded_at": time.time(), "bytes": _size(final)}
            (final / MANIFEST).write_text(json.dumps(manifest, indent=1))
            return self.describe(name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            incoming.unlink(missing_ok=True)

    def _unzip(self, archive: Path, into: Path) -> None:
        try:
            zf = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidRequest(f"the upload is not a readable zip archive ({exc}); zip the folder and try again") \
                from None
        with zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > self.limits.files:
                raise TooLarge(f"the archive holds {len(members)} files; this server unpacks at most "
                               f"{self.limits.files}")
            written = 0
            for member in members:
                target = into / _safe_member_path(member)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > self.limits.unpacked_bytes:
                            raise TooLarge(f"the archive unpacks to more than {self.limits.unpacked_bytes:,} "
                                           "bytes, this server's limit")
                        out.write(chunk)
        _strip_single_top_folder(into)

    # -- read ----------------------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{MANIFEST}"))

    def manifest(self, name: str) -> dict[str, Any]:
        try:
            return json.loads((self.root / name / MANIFEST).read_text())
        except (OSError, ValueError):
            raise NotFound(f"no uploaded dataset named {name!r}; GET /datasets lists them") from None

    def path(self, name: str) -> Path:
        """Where the job reads the upload named `name` (raises 404 for an unknown name)."""
        return self.root / name / self.manifest(name)["path"]

    def describe(self, name: str) -> DatasetEntry:
        manifest = self.manifest(name)
        found = self._load(manifest)
        spec, notes = found.spec, found.notes
        shape = list(spec.image_shape) if spec.image_shape else [spec.seq_len or 0]
        return DatasetEntry(name=name, modality=spec.modality, family="cnn" if spec.modality == "image" else "lstm",
                            task=f"{spec.modality} classification", num_classes=spec.num_classes,
                            class_names=list(spec.class_names), train_size=spec.train_size,
                            test_size=spec.test_size, input_shape=shape,
                            description=spec.description.replace(str(self.root / name), "upload"),
                            available_offline=True, uploaded=True, format=manifest["format"],
                            filename=manifest.get("filename"), bytes=manifest["bytes"],
                            uploaded_at=manifest["uploaded_at"], class_counts=notes.get("class_counts", {}),
                            skipped_unreadable=int(notes.get("skipped_unreadable", 0)))

    def examples(self, name: str) -> DatasetExamples:
        """A few training examples per the first classes: PNG thumbnails (data URLs) or text excerpts."""
        found = self._load(self.manifest(name))
        decoded, names = found.decoded, found.spec.class_names
        out: list[DatasetExample] = []
        if isinstance(decoded, ImageArrays):
            labels = np.asarray(decoded.y_train)
            for row in _spread(labels, EXAMPLES):
                image = _png_data_url(np.asarray(decoded.x_train[row]))
                out.append(DatasetExample(label=names[labels[row]], image=image))
        elif isinstance(decoded, TextCorpus):
            labels = np.asarray(decoded.train.labels)
            words = decoded.words or ()
            for row in _spread(labels, EXAMPLES):
                start, end = decoded.train.offsets[row], decoded.train.offsets[row + 1]
                tokens = decoded.train.tokens[start:min(end, start + 40)]
                text = " ".join(words[t] if t < len(words) else f"<{t}>" for t in tokens)
                out.append(DatasetExample(label=names[labels[row]], text=text + (" …" if end - start > 40 else "")))
        return DatasetExamples(name=name, examples=out)

    def _load(self, manifest: dict[str, Any]) -> Any:
        try:
            return load_custom(manifest["key"], self.data_dir)
        except NettuneError:  # the cache was cleared: decode the upload again
            key = ingest(str(self.root / manifest["name"] / manifest["path"]), self.data_dir, CustomOptions())
            return load_custom(key, self.data_dir)

    # -- delete --------------------------------------------------------------------------------------------------
    def delete(self, name: str) -> None:
        manifest = self.manifest(name)
        shutil.rmtree(self.root / name)
        shutil.rmtree(custom_dir(self.data_dir) / manifest["key"], ignore_errors=True)


def _safe_member_path(member: zipfile.ZipInfo) -> PurePosixPath:
    """The member's path inside the target folder, or a 422 for names that would escape it or are not files."""
    name = member.filename.replace("\\", "/")
    path = PurePosixPath(name)
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InvalidRequest(f"the archive member {member.filename!r} is a symbolic link; archive plain files only")
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]) or not path.parts:
        raise InvalidRequest(f"the archive member {member.filename!r} would be written outside the dataset folder; "
                             "archive paths must be relative, without '..'")
    return path


def _strip_single_top_folder(root: Path) -> None:
    """`zip -r photos.zip photos/` wraps everything in photos/: the classes are one level down, so lift them."""
    entries = [p for p in root.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        subdirs = [p for p in inner.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))]
        if subdirs:
            for child in inner.iterdir():
                child.rename(root / child.name)
            inner.rmdir()


def _spread(labels: np.ndarray, count: int) -> list[int]:
    """Rows of `count` examples taken round-robin over the classes, so every class shows up early."""
    by_class = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    rows: list[int] = []
    depth = 0
    while len(rows) < count and any(depth < len(r) for r in by_class):
        rows += [int(r[depth]) for r in by_class if depth < len(r)]
        depth += 1
    return rows[:count]


def _png_data_url(image: np.ndarray) -> str:
    from PIL import Image

    pixels = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
