"""What a user's dataset path holds: an image folder, a text table or arrays; and fingerprints of its files.

Two fingerprints: the listing (names, sizes, modification times: a stat per file, fast) tells whether anything
changed since the last run; the content hash (every byte) names the data itself, so the decoded cache and remote
workers key on what the data is, not where it lies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nettune.dataset_ref import ARRAY_SUFFIXES, TABLE_SUFFIXES
from nettune.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".pbm", ".webp", ".gif", ".tif", ".tiff")
SPLIT_NAMES = ("train", "test")
Kind = Literal["images", "table", "arrays"]
LAYOUT_HELP = ("one subfolder per class (photos/cat/1.png, photos/dog/2.jpg), optionally under train/ and test/; "
               "or a .csv/.tsv/.jsonl file with text and label columns; or a .npz with x and y")


@dataclass(frozen=True)
class ImageFile:
    path: Path
    split: str  # "train" or "test"
    label: str  # the class folder's name


@dataclass(frozen=True)
class Source:
    path: Path  # resolved
    kind: Kind
    files: tuple[Path, ...]  # every file read, sorted
    images: tuple[ImageFile, ...] = ()

    def listing(self) -> str:
        digest = hashlib.sha256()
        for file in self.files:
            st = file.stat()
            digest.update(f"{file}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return digest.hexdigest()

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for file in self.files:
            digest.update(str(file.relative_to(self.path) if self.kind == "images" else file.name).encode() + b"\0")
            with file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        return digest.hexdigest()


def scan(name: str) -> Source:
    path = Path(name.strip()).expanduser()
    if not path.exists():
        raise DataError(f"dataset={name}: no such file or folder; give {LAYOUT_HELP}")
    path = path.resolve()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            return Source(path, "table", (path,))
        if suffix in ARRAY_SUFFIXES:
            return Source(path, "arrays", (path,))
        raise DataError(f"dataset={name}: cannot read {suffix or 'this'} files as a dataset; give {LAYOUT_HELP}")
    images = _image_files(path)
    return Source(path, "images", tuple(sorted(f.path for f in images)), images)


def _visible_dirs(folder: Path) -> list[Path]:
    # Hidden folders (.git, .decoded) and macOS zip debris (__MACOSX) are never classes.
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))


def _image_files(root: Path) -> tuple[ImageFile, ...]:
    subdirs = _visible_dirs(root)
    by_name = {d.name.lower(): d for d in subdirs}
    if "train" in by_name and set(by_name) <= set(SPLIT_NAMES):
        splits = [(split, by_name[split]) for split in SPLIT_NAMES if split in by_name]
    else:
        splits = [("train", root)]
    files: list[ImageFile] = []
    train_classes: set[str] = set()
    for split, folder in splits:
        classes = _visible_dirs(folder)
        if not classes:
            loose = sum(_is_image(p) for p in folder.iterdir())
            where = f"{folder} holds {loose} images but no class folders" if loose else f"{folder} has no images"
            raise DataError(f"{where}; lay it out as {LAYOUT_HELP}")
        for class_dir in classes:
            found = [ImageFile(p, split, class_dir.name) for p in sorted(class_dir.rglob("*"))
                     if _is_image(p) and not any(part.startswith(".") for part in p.relative_to(class_dir).parts)]
            if not found:
                raise DataError(f"class folder {class_dir} has no images ({', '.join(IMAGE_SUFFIXES[:5])}, ...); "
                                "add images to it or remove it")
            files += found
        names = {c.name for c in classes}
        if split == "train":
            train_classes = names
        elif names - train_classes:
            raise DataError(f"{folder} has classes that train/ lacks ({', '.join(sorted(names - train_classes))}); "
                            "every test class needs training images")
    if len(train_classes) < 2:
        raise DataError(f"{root} has a single class ({', '.join(train_classes)}); a classifier needs at least two "
                        "class folders")
    return tuple(files)


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
