"""The `nettune` command as a user runs it: real subprocesses, real signals."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SOURCE_ENVS, closed_local_url

NETTUNE = [sys.executable, "-m", "nettune.cli.main"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "NETTUNE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    dead = closed_local_url()
    env.update({name: dead for name in SOURCE_ENVS})
    return env


def _run(args, cwd, data_dir, timeout=120):
    return subprocess.run(NETTUNE + args, cwd=cwd, env=_env(data_dir), capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["optimize", "datset=mnist"], "unknown option 'datset' (did you mean 'dataset'?)"),
        (["optimize", "dataset=cifar11"], "did you mean 'cifar10'?"),
        (["optimize", "trials=-1"], "trials=-1 is out of range"),
        (["frobnicate"], "unknown command 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, args, fragment):
    proc = _run(args, tmp_path, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and fragment in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_missing_data_offline_names_files_and_place(tmp_path):
    proc = _run(["optimize", "dataset=fashion_mnist", "trials=1"], tmp_path, tmp_path / "empty")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith("nettune: error:") and "train-images-idx3-ubyte.gz" in error
    assert str(tmp_path / "empty" / "fashion_mnist") in error


def test_unwritable_output_dir_is_one_line(tmp_path, mnist_data_dir):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = _run(["optimize", "trials=1", f"output_dir={blocker}"], tmp_path, mnist_data_dir)
    assert proc.returncode == 2 and "cannot write the run directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_debug_flag_shows_the_traceback(tmp_path):
    proc = _run(["--debug", "optimize", "dataset=nope"], tmp_path, tmp_path)
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_ctrl_c_keeps_completed_trials_and_same_command_resumes(tmp_path, mnist_data_dir):
    # plot_generation=none: the time limit below is for stopping the trial, not for drawing the best one's plots.
    # One worker: the test interrupts trial 1 after trial 0 has finished, which needs trials one after another.
    args = ["optimize", "dataset=mnist", "trials=3", "max_epochs_per_trial=3", "data_fraction=0.05",
            "run_name=interrupt", "warm_start=true", "pruner=none", "seed=5", "plot_generation=none",
            "concurrent_workers=1"]
    # A shell starts background jobs with SIGINT ignored and children inherit that (pytest run from a script with
    # `&` would make nettune deaf to this test's Ctrl-C), so the child gets the default, as a terminal's would.
    proc = subprocess.Popen(NETTUNE + args, cwd=tmp_path, env=_env(mnist_data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    deadline = time.time() + 120
    for line in proc.stderr:  # wait until one trial is complete and the next has started
        lines.append(line)
        if "trial 1 started" in line or time.time() > deadline:
            break
    time.sleep(1.0)
    interrupted_at = time.time()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert time.time() - interrupted_at < 15, "Ctrl-C must stop a running trial within a batch"
    assert proc.returncode == 130, "".join(lines)

    run_dir = tmp_path / "optimization_results" / "interrupt"
    first = json.loads((run_dir / "results.json").read_text())
    assert first["interrupted"] is True
    assert first["trials"][0]["state"] == "complete" and first["trials"][1]["state"] == "interrupted"

    resumed = _run(args, tmp_path, mnist_data_dir, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    final = json.loads((run_dir / "results.json").read_text())
    assert final["trials"][0] == first["trials"][0]  # the completed trial is kept untouched
    assert final["counts"]["complete"] == 3 and final["counts"]["interrupted"] == 1
    assert "Best model:" in resumed.stdout
