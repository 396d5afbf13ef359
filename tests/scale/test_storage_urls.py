"""The PostgreSQL URL as users type it (postgresql://user:password@host/db) works for every connection a study
makes, the trial's own pruning connection included, and its password never reaches a file or the console."""

from __future__ import annotations

import subprocess
import sys

import optuna

from tests.scale.conftest import optuna_url

PASSWORD = "hunter2-secret"


def test_plain_postgresql_url_prunes_and_keeps_the_password_out_of_every_file(pg_url, mnist_data_dir, tmp_path):
    url = pg_url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@", 1)
    runs = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "nettune.cli.main", "optimize", "dataset=mnist", "data_fraction=0.02",
         f"data_dir={mnist_data_dir}", "trials=3", "max_epochs_per_trial=2", "pruner=median", "mode=simple",
         f"storage={url}", "run_name=pg", f"output_dir={runs}", "plot_generation=none"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    study = optuna.load_study(study_name="pg", storage=optuna_url(pg_url))
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.FAIL not in states, [t.user_attrs.get("error") for t in study.trials]
    # Every trial reported its epochs through its own connection to the study (the pruner's).
    assert all(len(t.intermediate_values) >= 1 for t in study.trials)

    written = [tmp_path / "logs" / "nettune.log", *runs.rglob("*.json"), *runs.rglob("*.yaml"), *runs.rglob("*.log")]
    assert len(written) > 5
    for path in written:
        assert PASSWORD not in path.read_text(errors="replace"), path
    assert PASSWORD not in done.stdout + done.stderr
    assert "postgres:***@" in (runs / "pg" / "nettune.log").read_text()
