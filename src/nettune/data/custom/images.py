"""Image folders -> uint8 arrays (N, C, H, W): every image resized to one square side, grayscale kept when every
image is grayscale, RGB otherwise. Unreadable images are skipped and named, up to MAX_BAD_SHARE of them."""

from __future__ import annotations

import logging
import statistics
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from nettune.data.custom.scan import ImageFile, Source
from nettune.data.decoded import ImageArrays
from nettune.errors import DataError

log = logging.getLogger("nettune.data")
MAX_BAD_SHARE = 0.05  # more unreadable images than this is a broken folder, not a few stray files
SIDE_RANGE = (8, 64)  # the default side: the images' median longest side, clamped (CPU-friendly, enough detail)
GRAY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
_SHOWN = 3


@dataclass
class DecodedImages:
    arrays: ImageArrays
    class_names: tuple[str, ...]
    notes: dict[str, Any]


def decode_images(source: Source, image_size: int | None) -> DecodedImages:
    headers, bad = _headers(source.images)
    _check_bad(source, bad)
    side = image_size or _default_side([size for _, size, _ in headers])
    gray = all(mode in GRAY_MODES for _, _, mode in headers)
    class_names = tuple(sorted({f.label for f, _, _ in headers if f.split == "train"}))
    index = {name: i for i, name in enumerate(class_names)}
    pixels: dict[str, list[np.ndarray]] = {"train": [], "test": []}
    labels: dict[str, list[int]] = {"train": [], "test": []}
    for file, _, _ in headers:
        try:
            array = _pixels(file, side, gray)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            bad.append((file, str(exc)))
            continue
        pixels[file.split].append(array)
        labels[file.split].append(index[file.label])
    _check_bad(source, bad)

    def stacked(split: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        if not pixels[split]:
            return None, None
        return np.stack(pixels[split]), np.asarray(labels[split], dtype=np.int64)

    (x_train, y_train), (x_test, y_test) = stacked("train"), stacked("test")
    if x_train is None or y_train is None:
        raise DataError(f"{source.path}: no readable training images")
    sides = sorted({size for _, size, _ in headers})
    notes: dict[str, Any] = {
        "image_size": side, "image_size_from": "image_size option" if image_size else
        f"the images' median longest side, clamped to {SIDE_RANGE[0]}..{SIDE_RANGE[1]}",
        "channels": "grayscale (every image is)" if gray else "RGB", "source_sizes": _size_summary(sides),
        "resize": "each image stretched to a square (bilinear)",
        "skipped_unreadable": len(bad),
        "skipped_examples": [str(f.path.relative_to(source.path)) for f, _ in bad[:_SHOWN]],
    }
    if bad:
        log.warning("skipped %d unreadable image(s) in %s, e.g. %s", len(bad), source.path,
                    ", ".join(notes["skipped_examples"]))
    return DecodedImages(ImageArrays(x_train, y_train, x_test, y_test), class_names, notes)


def _headers(files: tuple[ImageFile, ...]) -> tuple[list[tuple[ImageFile, tuple[int, int], str]],
                                                     list[tuple[ImageFile, str]]]:
    """Size and mode of every image from its header alone (cheap); files Pillow cannot identify are bad."""
    good, bad = [], []
    for file in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. "palette images with transparency": the pixels still load
                with Image.open(file.path) as img:
                    good.append((file, img.size, img.mode))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            bad.append((file, str(exc)))
    return good, bad


def _pixels(file: ImageFile, side: int, gray: bool) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(file.path) as img:
            img.load()
            if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit / float grayscale: scale into 0..255
                values = np.asarray(img, dtype=np.float64)
                top = values.max() or 1.0
                img = Image.fromarray((values * (255.0 / top)).astype(np.uint8))
            converted = img.convert("L" if gray else "RGB")
            if converted.size != (side, side):
                converted = converted.resize((side, side), Image.Resampling.BILINEAR)
            array = np.asarray(converted, dtype=np.uint8)
    return array[None] if gray else array.transpose(2, 0, 1)


def _check_bad(source: Source, bad: list[tuple[ImageFile, str]]) -> None:
    if len(bad) > MAX_BAD_SHARE * len(source.images):
        shown = "; ".join(f"{f.path.relative_to(source.path)} ({why})" for f, why in bad[:_SHOWN])
        raise DataError(f"{len(bad)} of {len(source.images)} images in {source.path} cannot be read (more than "
                        f"{MAX_BAD_SHARE:.0%}), e.g. {shown}; fix or remove them")


def _default_side(sizes: list[tuple[int, int]]) -> int:
    longest = statistics.median(max(w, h) for w, h in sizes) if sizes else SIDE_RANGE[1]
    return int(min(max(round(longest), SIDE_RANGE[0]), SIDE_RANGE[1]))


def _size_summary(sizes: list[tuple[int, int]]) -> str:
    if len(sizes) == 1:
        return f"{sizes[0][0]}x{sizes[0][1]}"
    return f"{len(sizes)} sizes, {sizes[0][0]}x{sizes[0][1]} to {sizes[-1][0]}x{sizes[-1][1]}"
