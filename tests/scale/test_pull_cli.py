"""`nettune worker pull` input errors: one line that says what is wrong and how to fix it, exit code 2."""

from __future__ import annotations

import optuna
import pytest

from nettune.cli.main import main
from nettune.config import OptimizationConfig
from nettune.study.heartbeat import heartbeat_backend
from nettune.study.storage import open_study
from tests.conftest import closed_local_url
from tests.scale.conftest import optuna_url


def _error(capsys, *args: str) -> str:
    assert main(["worker", "pull", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("nettune: error: "), err
    return err


def test_bad_arguments(capsys, monkeypatch):
    monkeypatch.delenv("NETTUNE_STORAGE", raising=False)
    assert "pass --storage URL" in _error(capsys, "--study", "s")
    assert "--gpus 'a,b' is not valid" in _error(capsys, "--storage", "sqlite:///x.db", "--study", "s", "--gpus", "a,b")
    assert "--n-trials 0 must be at least 1" in _error(capsys, "--storage", "sqlite:///x.db", "--study", "s",
                                                       "--n-trials", "0")
    assert "unknown argument(s)" in _error(capsys, "--storage", "sqlite:///x.db", "--study", "s", "--bogus")


def test_unreachable_storage(capsys):
    port = closed_local_url().rsplit(":", 1)[1]
    assert "cannot open storage" in _error(capsys, "--storage", f"postgresql://postgres@127.0.0.1:{port}/x",
                                           "--study", "s")


def test_missing_or_foreign_study(capsys, pg_url, tmp_path):
    assert "no study 'nope' in this storage (studies there: none)" in _error(capsys, "--storage", pg_url,
                                                                             "--study", "nope")
    optuna.create_study(study_name="plain", storage=optuna_url(pg_url))
    assert "was not created by 'nettune optimize'" in _error(capsys, "--storage", pg_url, "--study", "plain")


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the no-GPU message")
def test_gpus_on_a_machine_without_cuda(capsys, pg_url, tmp_path, mnist_data_dir):
    config = OptimizationConfig(dataset="mnist", storage=pg_url, run_name="gpu", output_dir=str(tmp_path),
                                data_dir=str(mnist_data_dir), data_fraction=0.02)
    heartbeat_backend(open_study(config)[0]).close()
    assert "this machine has no CUDA device" in _error(capsys, "--storage", pg_url, "--study", "gpu", "--gpus", "0")
