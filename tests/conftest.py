from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from nettune.config import OptimizationConfig
from nettune.data.types import DatasetInfo, PreparedData, Split
from nettune.space.model_config import ModelConfig
from tests.genuine import genuine, genuine_root

REPO = Path(__file__).resolve().parents[1]

# The long end-to-end tests (real processes, PostgreSQL, servers, full studies): `make test-fast` leaves them out
# with -m "not slow". One list, by path, so a new test in these modules is slow without anyone remembering to say.
SLOW_PATHS = ("tests/scale/", "tests/remote/test_remote_study.py", "tests/remote/test_runpod_sdk.py",
              "tests/api/test_real_job.py", "tests/api/test_restart.py", "tests/api/test_schemathesis.py",
              "tests/test_cli.py", "tests/test_study.py", "tests/test_compile.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if str(item.path.relative_to(REPO)).startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)


def _quadrant_images(n: int, seed: int) -> Split:
    """Learnable 4-class images: the class is the quadrant that holds a bright square."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.randn(n, 1, 12, 12, generator=g) * 0.3
    for i, label in enumerate(y.tolist()):
        r, c = divmod(label, 2)
        x[i, 0, r * 6 + 1 : r * 6 + 5, c * 6 + 1 : c * 6 + 5] += 2.0
    return Split(x, y)


@pytest.fixture
def image_data() -> PreparedData:
    info = DatasetInfo("quadrants", "image", 4, ("tl", "tr", "bl", "br"), (1, 12, 12))
    return PreparedData(info, _quadrant_images(512, 0), _quadrant_images(128, 1), _quadrant_images(128, 2))


@pytest.fixture
def text_data() -> PreparedData:
    """Class 1 sequences contain token 7, class 0 sequences do not."""
    def split(n: int, seed: int) -> Split:
        g = torch.Generator().manual_seed(seed)
        x = torch.randint(2, 7, (n, 16), generator=g)
        y = torch.randint(0, 2, (n,), generator=g)
        x[y == 1, 5] = 7
        return Split(x, y)

    info = DatasetInfo("tokens", "text", 2, ("neg", "pos"), (16,), vocab_size=10)
    return PreparedData(info, split(384, 0), split(96, 1), split(96, 2))


@pytest.fixture
def cnn_config(image_data: PreparedData) -> ModelConfig:
    return ModelConfig(family="cnn", dataset="quadrants", input_shape=(1, 12, 12), num_classes=4, filters=(8, 16),
                       dense_units=32, batch_size=64, epochs=2, learning_rate=3e-3)


@pytest.fixture
def shared_datasets() -> Path:
    """The folder of genuine datasets (mnist/, fashion_mnist/, imdb/); a test fails loudly without them."""
    for name in ("mnist", "fashion_mnist", "imdb"):
        genuine(name)
    return genuine_root()


def mnist_study_factory(tmp_path: Path, data_dir: Path, **defaults: object) -> Callable[..., OptimizationConfig]:
    """OptimizationConfig(...) for a small study on genuine MNIST in tmp_path: `defaults`, then each call's own."""
    base = {"dataset": "mnist", "output_dir": str(tmp_path / "runs"), "data_dir": str(data_dir),
            "plot_generation": "none", **defaults}

    def make(**overrides: object) -> OptimizationConfig:
        return OptimizationConfig(**{**base, **overrides})  # type: ignore[arg-type]

    return make


def closed_local_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens, so any download attempt fails at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


SOURCE_ENVS = ("NETTUNE_DATASET_MIRROR", "NETTUNE_NPM_REGISTRY", "NETTUNE_DEBIAN_MIRROR", "NETTUNE_PYPI_INDEX")


@pytest.fixture(autouse=True)
def _local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # No test may reach a real dataset host or registry: every source points at a closed local port.
    dead = closed_local_url()
    for env in SOURCE_ENVS:
        monkeypatch.setenv(env, dead)


@pytest.fixture(scope="session")
def mnist_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding genuine MNIST (copied from shared/), decoded once per test session."""
    import shutil

    source = genuine("mnist")
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(source, root / "mnist")
    return root
