"""GTSRB: the official PPM image folders with ';'-separated CSV annotations, or the zips they come in.

Training: GTSRB/Final_Training/Images/<class:05d>/*.ppm with GT-<class:05d>.csv in each class folder.
Test:     GTSRB/Final_Test/Images/*.ppm with GT-final_test.csv (shipped separately in GTSRB_Final_Test_GT.zip).
Each image is cropped to its annotated region of interest and resized to 32x32 RGB.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from nettune.data.archives import iter_members
from nettune.data.cache import Found
from nettune.data.decoded import ImageArrays
from nettune.errors import DataError

SIZE = 32
TRAIN_DIR = Path("GTSRB/Final_Training/Images")
TEST_DIR = Path("GTSRB/Final_Test/Images")
TRAIN_ZIP = "GTSRB_Final_Training_Images.zip"
TEST_ZIP = "GTSRB_Final_Test_Images.zip"
TEST_GT_ZIP = "GTSRB_Final_Test_GT.zip"
TEST_GT = "GT-final_test.csv"
NEEDED = f"{TRAIN_ZIP} (or its extracted {TRAIN_DIR}/ folders), optionally {TEST_ZIP} and {TEST_GT_ZIP}"

_TRAIN_CSV = re.compile(r"(?:^|/)(\d{5})/GT-\1\.csv$")
_TRAIN_PPM = re.compile(r"(?:^|/)(\d{5})/([^/]+\.ppm)$")
_TEST_PPM = re.compile(r"(?:^|/)Final_Test/Images/([^/]+\.ppm)$|^([^/]+\.ppm)$")

Annotation = tuple[tuple[int, int, int, int], int]  # (ROI x1, y1, x2, y2), ClassId


def find(root: Path) -> Found | None:
    train_csvs = sorted((root / TRAIN_DIR).glob("*/GT-*.csv"))
    if train_csvs:
        train, watch = root / TRAIN_DIR, train_csvs
    elif (root / TRAIN_ZIP).is_file():
        train, watch = root / TRAIN_ZIP, [root / TRAIN_ZIP]
    else:
        return None
    test_images = root / TEST_DIR if (root / TEST_DIR).is_dir() else root / TEST_ZIP
    gt_places = [root / TEST_DIR / TEST_GT, root / TEST_DIR.parent / TEST_GT, root / "GTSRB" / TEST_GT,
                 root / TEST_GT, root / TEST_GT_ZIP]
    test_gt = next((p for p in gt_places if p.is_file()), None)
    if test_images.exists() and test_gt is not None:
        kind = "zip" if train.suffix == ".zip" else "folders"
        return Found(f"GTSRB PPM images + CSV annotations ({kind}, official test split)",
                     (train, test_images, test_gt), (*watch, test_images, test_gt))
    return Found("GTSRB PPM images + CSV annotations (no test split)", (train,), tuple(watch))


def decode(found: Found) -> ImageArrays:
    train_src = found.files[0]
    annotations: dict[str, Annotation] = {}
    for path, content in iter_members(train_src, lambda n: _TRAIN_CSV.search(n) is not None):
        folder = path.rsplit("/", 2)[-2]  # image file names are only unique within their class folder
        for filename, ann in _read_csv(content, path):
            annotations[f"{folder}/{filename}"] = ann
    if not annotations:
        raise DataError(f"No GT-*.csv annotations in {train_src}; put {NEEDED} into {train_src.parent}.")

    def train_key(name: str) -> str | None:
        m = _TRAIN_PPM.search(name)
        return f"{m.group(1)}/{m.group(2)}" if m else None

    x_train, y_train = _decode_images(iter_members(train_src, lambda n: _TRAIN_PPM.search(n) is not None),
                                      annotations, train_key)
    if len(found.files) < 3:
        return ImageArrays(x_train, y_train, None, None)

    test_src, gt_src = found.files[1], found.files[2]
    if gt_src.suffix == ".csv":
        gt_members = [(gt_src.name, gt_src.read_bytes())]
    else:
        gt_members = list(iter_members(gt_src, lambda n: n.rsplit("/", 1)[-1] == TEST_GT))
    test_annotations = {name: ann for path, content in gt_members for name, ann in _read_csv(content, path)}

    def test_key(name: str) -> str | None:
        m = _TEST_PPM.search(name)
        return (m.group(1) or m.group(2)) if m else None

    x_test, y_test = _decode_images(iter_members(test_src, lambda n: _TEST_PPM.search(n) is not None),
                                    test_annotations, test_key)
    return ImageArrays(x_train, y_train, x_test, y_test)


def _read_csv(content: bytes, path: str) -> Iterable[tuple[str, Annotation]]:
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    try:
        for row in rows:
            roi = (int(row["Roi.X1"]), int(row["Roi.Y1"]), int(row["Roi.X2"]), int(row["Roi.Y2"]))
            yield row["Filename"], (roi, int(row["ClassId"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise DataError(f"{path}: expected ';'-separated columns Filename;Width;Height;Roi.X1;Roi.Y1;"
                        f"Roi.X2;Roi.Y2;ClassId ({exc!r}); the annotation file is corrupt.") from exc


def _decode_images(members: Iterable[tuple[str, bytes]], annotations: dict[str, Annotation],
                   key_of: Callable[[str], str | None]) -> tuple[np.ndarray, np.ndarray]:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # Pillow is only needed for this dataset
        raise DataError("GTSRB needs Pillow to read its PPM images: pip install pillow") from exc
    images, labels = [], []
    for name, content in members:
        key = key_of(name)
        if key is None or key not in annotations:
            continue  # e.g. GT-final_test.test.csv's images listed without labels: nothing to learn from
        (x1, y1, x2, y2), class_id = annotations[key]
        try:
            with Image.open(io.BytesIO(content)) as img:
                rgb = img.convert("RGB")
                # Roi.X2/Y2 are the last pixel inside the sign (inclusive); PIL's box end is exclusive.
                box = (max(0, x1), max(0, y1), min(rgb.width, x2 + 1), min(rgb.height, y2 + 1))
                if box[2] <= box[0] or box[3] <= box[1]:
                    box = (0, 0, rgb.width, rgb.height)  # a degenerate ROI: keep the whole image
                small = rgb.crop(box).resize((SIZE, SIZE), Image.Resampling.BILINEAR)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise DataError(f"Cannot decode GTSRB image {name} ({exc}); the file is corrupt.") from exc
        images.append(np.asarray(small, dtype=np.uint8).transpose(2, 0, 1))
        labels.append(class_id)
    if not images:
        raise DataError(f"No annotated GTSRB images found; put {NEEDED} into the gtsrb data folder.")
    return np.stack(images), np.asarray(labels, dtype=np.int64)
