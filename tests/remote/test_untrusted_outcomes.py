"""An endpoint's answers are input: a malformed trial outcome fails that trial with a one-line reason, and the
study goes on. A real lying endpoint on 127.0.0.1 speaks just enough of the protocol to return one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import optuna
import pytest

import nettune
from nettune.config import OptimizationConfig
from nettune.errors import ConfigError
from nettune.trials.job import checked_outcome
from tests.remote.loopback_http import LoopbackServer, QuietHandler

BAD_OUTCOMES: list[Any] = [
    {"state": "complete", "value": "abc"},
    {"state": "complete", "value": float("nan")},
    {"state": "done", "value": 0.5},
    {"state": "complete", "value": 0.5, "metrics": {"val_accuracy": "high"}},
    {"state": "complete", "value": 0.5, "metrics": []},
    "complete",
]


@pytest.mark.parametrize("outcome", BAD_OUTCOMES)
def test_malformed_outcomes_are_refused_in_one_line(outcome):
    with pytest.raises(ConfigError) as refused:
        checked_outcome(outcome, 3)
    assert "\n" not in str(refused.value)


def test_a_well_formed_outcome_keeps_the_orchestrators_trial_number():
    outcome = checked_outcome({"number": 99, "state": "complete", "value": 0.9, "metrics": {"val_accuracy": 0.9},
                               "unknown_extra": 1}, 3)
    assert outcome.number == 3 and outcome.value == 0.9


class LyingEndpoint(LoopbackServer):
    """Speaks just enough of the protocol to hand back `outcome` as a finished job's result."""

    def __init__(self, outcome: Any) -> None:
        self.jobs = 0
        endpoint = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/status/"):
                    self.answer(200, {"id": self.path.rsplit("/", 1)[1], "status": "COMPLETED", "workerId": "liar",
                                      "output": {"outcome": outcome}})
                else:
                    self.answer(200, {"workers": {"idle": 1}, "jobs": {}})

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                endpoint.jobs += 1
                self.answer(200, {"id": f"job{endpoint.jobs}", "status": "IN_QUEUE"})

        super().__init__(Handler)


@pytest.fixture
def liar() -> Iterator[LyingEndpoint]:
    server = LyingEndpoint({"state": "complete", "value": "abc"})
    yield server
    server.close()


def test_a_lying_endpoint_fails_its_trials_and_the_study_ends_cleanly(liar, mnist_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = OptimizationConfig(dataset="mnist", trials=2, data_fraction=0.02, data_dir=str(mnist_data_dir),
                                output_dir=str(tmp_path / "runs"), run_name="liar", use_runpod_service=True,
                                runpod_endpoint=liar.url, runpod_fallback_local=False, plot_generation="none")
    result = nettune.optimize(config)
    assert result.counts["failed"] == 2 and result.best_trial is None
    study = optuna.load_study(study_name="liar", storage=config.storage_url())
    assert all(t.state == optuna.trial.TrialState.FAIL for t in study.trials)  # none left RUNNING
    for trial in study.trials:
        error = trial.user_attrs["error"]
        assert "returned an invalid outcome" in error and "'abc'" in error and "\n" not in error
