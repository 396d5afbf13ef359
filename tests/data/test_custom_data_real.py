"""A folder of PNGs written from the genuine Fashion-MNIST test split: read back exactly, and searched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import nettune
from nettune.config import OptimizationConfig
from nettune.data import load_dataset
from nettune.data.class_names import FASHION_MNIST
from nettune.data.idx import read_idx
from tests.genuine import genuine

PER_CLASS = 150  # 1,500 images: enough to learn, quick to write


@pytest.fixture(scope="module")
def fashion_pngs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    source = genuine("fashion_mnist")
    images = read_idx(source / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(source / "t10k-labels-idx1-ubyte.gz")
    root = tmp_path_factory.mktemp("fashion-pngs")
    rows = np.concatenate([np.flatnonzero(labels == c)[:PER_CLASS] for c in range(10)])
    for row in rows:
        folder = root / FASHION_MNIST[labels[row]].replace("/", "-")
        folder.mkdir(exist_ok=True)
        Image.fromarray(images[row], mode="L").save(folder / f"{row:05d}.png")
    return root, images[rows], labels[rows]


def test_png_folder_reads_back_the_genuine_pixels(fashion_pngs, tmp_path):
    root, images, labels = fashion_pngs
    data = load_dataset(str(root), data_dir=tmp_path / "cache")
    assert data.info.input_shape == (1, 28, 28) and data.info.num_classes == 10
    assert data.notes["custom"]["channels"] == "grayscale (every image is)"
    # Undo the normalisation: the decoded pixels are Fashion-MNIST's own bytes, losslessly.
    stats = data.notes["normalization"]
    decoded = np.rint((data.train.x.numpy() * stats["std"][0] + stats["mean"][0]) * 255).astype(np.uint8)
    genuine = {image.tobytes(): FASHION_MNIST[label].replace("/", "-") for image, label in zip(images, labels,
                                                                                               strict=True)}
    names = data.info.class_names
    assert all(genuine[image[0].tobytes()] == names[y] for image, y in zip(decoded, data.train.y.tolist(),
                                                                             strict=True))
    assert sorted(data.notes["custom"]["class_counts"]["train"].values()) == [PER_CLASS] * 10


def test_a_study_on_the_folder_learns_clothes(fashion_pngs, tmp_path):
    root, _, _ = fashion_pngs
    config = OptimizationConfig(dataset=str(root), mode="simple", trials=2, max_epochs_per_trial=2,
                                data_dir=str(tmp_path / "cache"), output_dir=str(tmp_path / "runs"), run_name="pngs",
                                plot_generation="none", seed=1)
    result = nettune.optimize(config)
    assert result.counts["complete"] + result.counts["pruned"] == 2 and result.counts["failed"] == 0
    assert result.best_test_accuracy > 0.7  # 10 classes: chance is 0.1
    results = (tmp_path / "runs" / "pngs" / "results.json").read_text()
    assert '"ref": "custom:' in results and "T-shirt-top" in results
