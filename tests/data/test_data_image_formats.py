"""Image readers on tiny synthetic files written in exactly each dataset's canonical on-disk format."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from nettune.data import dataset_catalog, load_dataset
from nettune.data.types import PreparedData
from nettune.errors import DataError


def raw_pixels(data: PreparedData, x: torch.Tensor) -> np.ndarray:
    """Undo the normalisation with the statistics recorded in notes: back to 0..255 pixel values."""
    mean = np.asarray(data.notes["normalization"]["mean"])[None, :, None, None]
    std = np.asarray(data.notes["normalization"]["std"])[None, :, None, None]
    return (x.numpy() * std + mean) * 255


# ---------------------------------------------------------------- MNIST-style IDX, uncompressed


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def write_mnist(folder: Path, per_class: int = 3, gz: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", per_class), ("t10k", 1)):
        labels = np.repeat(np.arange(10), n)
        images = np.repeat(labels * 20, 28 * 28).reshape(-1, 28, 28)  # pixel value = 20 * label
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            path = folder / f"{prefix}-{kind}-ubyte"
            write_idx(path, array)
            if gz:
                Path(f"{path}.gz").write_bytes(gzip.compress(path.read_bytes()))
                path.unlink()


def test_uncompressed_idx_files(tmp_path: Path):
    write_mnist(tmp_path / "mnist")
    data = load_dataset("mnist", data_dir=tmp_path, val_fraction=0.34, allow_download=False)
    assert data.notes["format"] == "IDX files (uncompressed)"
    assert data.notes["sizes"] == {"train": 20, "val": 10, "test": 10}
    # Images stay paired with their labels through subsampling, shuffling and normalisation.
    for split in (data.train, data.val, data.test):
        pixels = raw_pixels(data, split.x)
        assert np.allclose(pixels[:, 0, 0, 0], split.y.numpy() * 20, atol=0.01)


def test_truncated_idx_file_is_a_data_error(tmp_path: Path):
    write_mnist(tmp_path / "mnist")
    labels = tmp_path / "mnist" / "train-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-3])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte is truncated"):
        load_dataset("mnist", data_dir=tmp_path, allow_download=False)


def test_cache_follows_changed_files_and_survives_deleted_ones(tmp_path: Path):
    folder = tmp_path / "mnist"
    write_mnist(folder, gz=True)
    first = load_dataset("mnist", data_dir=tmp_path, allow_download=False)
    # Replace the test images (all pixels 255 now): the cache must notice, not serve stale arrays.
    write_idx(folder / "t10k-images-idx3-ubyte", np.full((10, 28, 28), 255))
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    os.utime(folder / "t10k-images-idx3-ubyte", ns=(1, 1))
    second = load_dataset("mnist", data_dir=tmp_path, allow_download=False)
    assert second.notes["format"] == "IDX files (partly gzipped)"
    assert np.allclose(raw_pixels(second, second.test.x), 255, atol=0.01)
    assert not torch.equal(first.test.x, second.test.x)
    # With the raw files gone, the decoded cache alone still serves the dataset offline.
    for f in folder.glob("*ubyte*"):
        f.unlink()
    third = load_dataset("mnist", data_dir=tmp_path, allow_download=False)
    assert torch.equal(third.test.x, second.test.x)
    entry = next(e for e in dataset_catalog(tmp_path) if e["name"] == "mnist")
    assert entry["available_offline"] and entry["offline_format"] == "decoded cache only"


# ---------------------------------------------------------------- CIFAR


def cifar_batch(labels: list[int], label_key: bytes) -> dict:
    labels_arr = np.asarray(labels)
    data = np.zeros((len(labels), 3072), dtype=np.uint8)
    data[:, :1024] = (labels_arr * 2)[:, None]  # red plane encodes the label
    data[:, 1024:2048] = 100  # green
    data[:, 2048:] = np.arange(1024, dtype=np.uint8)[None] % 7  # blue: a pattern along rows
    batch = {b"batch_label": b"synthetic", label_key: labels, b"data": data,
             b"filenames": [f"img_{i}.png".encode() for i in range(len(labels))]}
    if label_key == b"fine_labels":
        batch[b"coarse_labels"] = [lab // 5 for lab in labels]
    return batch


def write_cifar10(folder: Path, as_archive: bool) -> None:
    members = {f"data_batch_{i}": cifar_batch([j % 10 for j in range(i, i + 20)], b"labels") for i in range(1, 6)}
    members["test_batch"] = cifar_batch(list(range(10)) * 2, b"labels")
    members["batches.meta"] = {b"label_names": [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog",
                                                b"frog", b"horse", b"ship", b"truck"], b"num_vis": 3072}
    folder.mkdir(parents=True)
    if as_archive:
        with tarfile.open(folder / "cifar-10-python.tar.gz", "w:gz") as tar:
            for name, obj in members.items():
                blob = pickle.dumps(obj, protocol=2)
                info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
    else:
        (folder / "cifar-10-batches-py").mkdir()
        for name, obj in members.items():
            (folder / "cifar-10-batches-py" / name).write_bytes(pickle.dumps(obj, protocol=2))


@pytest.mark.parametrize("as_archive", [True, False], ids=["tar.gz", "folder"])
def test_cifar10(tmp_path: Path, as_archive: bool):
    write_cifar10(tmp_path / "cifar10", as_archive)
    data = load_dataset("cifar10", data_dir=tmp_path, allow_download=False)
    expected = "cifar-10-python.tar.gz pickle batches" if as_archive else "cifar-10-batches-py/ pickle batches"
    assert data.notes["format"] == expected
    assert data.info.input_shape == (3, 32, 32) and data.info.class_names[9] == "truck"
    assert len(data.train) + len(data.val) == 100 and len(data.test) == 20
    pixels = raw_pixels(data, data.train.x)
    assert np.allclose(pixels[:, 0], (data.train.y.numpy() * 2)[:, None, None], atol=0.01)
    assert np.allclose(pixels[:, 1], 100, atol=0.01)
    assert np.allclose(pixels[0, 2, 0, :7], np.arange(7), atol=0.01)  # planes reshape as rows of 32
    assert torch.allclose(data.train.x.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-4)


def test_cifar100_uses_fine_labels(tmp_path: Path):
    folder = tmp_path / "cifar100" / "cifar-100-python"
    folder.mkdir(parents=True)
    (folder / "train").write_bytes(pickle.dumps(cifar_batch(list(range(100)) * 2, b"fine_labels"), protocol=2))
    (folder / "test").write_bytes(pickle.dumps(cifar_batch(list(range(100)), b"fine_labels"), protocol=2))
    (folder / "meta").write_bytes(pickle.dumps({b"fine_label_names": [b"apple"] * 100}, protocol=2))
    data = load_dataset("cifar100", data_dir=tmp_path, allow_download=False)
    assert data.info.num_classes == 100 and data.info.class_names[:2] == ("apple", "aquarium_fish")
    assert sorted(data.test.y.tolist()) == list(range(100))
    assert len(data.train) + len(data.val) == 200
    assert np.allclose(raw_pixels(data, data.test.x)[:, 0, 0, 0], data.test.y.numpy() * 2, atol=0.01)


def test_a_pickle_that_would_run_code_is_refused(tmp_path: Path):
    class Exploit:
        def __reduce__(self):
            return (os.getcwd, ())  # harmless, but any callable outside numpy must be refused

    write_cifar10(tmp_path / "cifar10", as_archive=False)
    (tmp_path / "cifar10" / "cifar-10-batches-py" / "test_batch").write_bytes(
        pickle.dumps({b"data": Exploit()}, protocol=2))
    with pytest.raises(DataError, match=r"refusing to load posix\.getcwd"):
        load_dataset("cifar10", data_dir=tmp_path, allow_download=False)


# ---------------------------------------------------------------- GTSRB

CSV_HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n"


def ppm(width: int, height: int, roi: tuple[int, int, int, int], color: tuple[int, int, int]) -> bytes:
    """A binary P6 image: blue border, `color` inside the inclusive ROI box."""
    img = np.zeros((height, width, 3), dtype=np.uint8)
    img[..., 2] = 255
    x1, y1, x2, y2 = roi
    img[y1:y2 + 1, x1:x2 + 1] = color
    return f"P6\n{width} {height}\n255\n".encode() + img.tobytes()


def class_color(class_id: int) -> tuple[int, int, int]:
    return (200, 10 * class_id, 50)


def gtsrb_files(classes: tuple[int, ...], per_class: int, test_per_class: int) -> dict[str, bytes]:
    """Relative path -> content, laid out as in the official zips."""
    files: dict[str, bytes] = {}
    test_rows = []
    for cid in classes:
        rows = []
        for i in range(per_class):
            w, h = 30 + 3 * i, 28 + 2 * i
            roi = (5, 6, w - 6, h - 5)
            name = f"{i // 3:05d}_{i % 3:05d}.ppm"
            files[f"GTSRB/Final_Training/Images/{cid:05d}/{name}"] = ppm(w, h, roi, class_color(cid))
            rows.append(f"{name};{w};{h};{';'.join(map(str, roi))};{cid}\n")
        files[f"GTSRB/Final_Training/Images/{cid:05d}/GT-{cid:05d}.csv"] = (CSV_HEADER + "".join(rows)).encode()
        for _ in range(test_per_class):
            name = f"{len(test_rows):05d}.ppm"
            files[f"GTSRB/Final_Test/Images/{name}"] = ppm(40, 40, (4, 4, 35, 35), class_color(cid))
            test_rows.append(f"{name};40;40;4;4;35;35;{cid}\n")
    # The test-images zip ships its CSV without ClassId; the labels come separately in GT-final_test.csv.
    files["GTSRB/Final_Test/Images/GT-final_test.test.csv"] = (
        "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2\n" + "".join(r.rsplit(";", 1)[0] + "\n"
                                                                  for r in test_rows)).encode()
    files["GT-final_test.csv"] = (CSV_HEADER + "".join(test_rows)).encode()
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)


def test_gtsrb_folders_with_official_test_split(tmp_path: Path):
    files = gtsrb_files((0, 1, 14), per_class=6, test_per_class=2)
    files["GTSRB/GT-final_test.csv"] = files.pop("GT-final_test.csv")  # where people usually copy it
    write_tree(tmp_path / "gtsrb", files)
    data = load_dataset("gtsrb", data_dir=tmp_path, val_fraction=0.2, allow_download=False)
    assert data.notes["format"].endswith("(folders, official test split)")
    assert data.info.num_classes == 43 and data.info.class_names[14] == "Stop"
    assert data.info.input_shape == (3, 32, 32)
    assert len(data.train) + len(data.val) == 18 and len(data.test) == 6
    assert sorted(data.test.y.tolist()) == [0, 0, 1, 1, 14, 14]
    # Cropped to the ROI: no blue border survives, every pixel is the class colour.
    for split in (data.train, data.val, data.test):
        pixels = raw_pixels(data, split.x)
        expected = np.stack([class_color(int(c)) for c in split.y])[:, :, None, None]
        assert np.abs(pixels - expected).max() < 0.5


def test_gtsrb_zips(tmp_path: Path):
    files = gtsrb_files((3, 7), per_class=5, test_per_class=1)
    folder = tmp_path / "gtsrb"
    folder.mkdir()
    zips = {"GTSRB_Final_Training_Images.zip": "GTSRB/Final_Training/", "GTSRB_Final_Test_Images.zip":
            "GTSRB/Final_Test/", "GTSRB_Final_Test_GT.zip": "GT-final_test.csv"}
    for zip_name, prefix in zips.items():
        with zipfile.ZipFile(folder / zip_name, "w") as zf:
            for rel, content in files.items():
                if rel.startswith(prefix):
                    zf.writestr(rel, content)
    data = load_dataset("gtsrb", data_dir=tmp_path, allow_download=False)
    assert data.notes["format"].endswith("(zip, official test split)")
    assert len(data.train) + len(data.val) == 10 and sorted(data.test.y.tolist()) == [3, 7]
    pixels = raw_pixels(data, data.test.x)
    assert np.abs(pixels - np.stack([class_color(int(c)) for c in data.test.y])[:, :, None, None]).max() < 0.5


def test_gtsrb_without_test_split_holds_out_a_stratified_fifth(tmp_path: Path):
    files = {k: v for k, v in gtsrb_files((0, 5), per_class=10, test_per_class=0).items() if "Final_Training" in k}
    write_tree(tmp_path / "gtsrb", files)
    data = load_dataset("gtsrb", data_dir=tmp_path, allow_download=False)
    assert data.notes["test_split"].startswith("stratified 20% held out of the 20-image train split")
    assert sorted(data.test.y.tolist()) == [0, 0, 5, 5]
    assert data.notes["available"] == {"train": 20, "test": None}
