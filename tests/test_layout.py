"""Choosing how many trials train at once when concurrent_workers is left to auto."""

import pytest
import torch

from nettune.config import OptimizationConfig, option_help
from nettune.executors import layout as layout_mod
from nettune.executors.layout import MARGIN, SCALING, auto_ceiling, candidate_layouts, choose_layout


def _config(**overrides) -> OptimizationConfig:
    return OptimizationConfig(**{"dataset": "mnist", "trials": 8, "timeout": 600, **overrides})


def _no_measuring(*_args, **_kwargs):
    raise AssertionError("this layout must be decided without timing the model")


def test_the_users_value_wins_and_splits_the_cores(image_data, monkeypatch):
    monkeypatch.setattr(layout_mod, "measure_rates", _no_measuring)
    chosen = choose_layout(_config(concurrent_workers=3), image_data, cores=6)
    assert (chosen.workers, chosen.threads, chosen.reason) == (3, 2, "set by concurrent_workers")
    assert chosen.measured == {}


@pytest.mark.parametrize(("overrides", "cores", "reason"), [
    ({"follow_only": True}, 2, "follow_only"),
    ({"use_runpod_service": True, "runpod_endpoint": "http://127.0.0.1:1"}, 2, "remote endpoint"),
    ({"benchmark_trial_seconds": 1.0}, 2, "benchmark trials"),
    ({"trials": 1}, 2, "one core or one trial"),
    ({}, 1, "one core or one trial"),
])
def test_fixed_layouts_are_decided_without_timing(image_data, monkeypatch, overrides, cores, reason):
    monkeypatch.setattr(layout_mod, "measure_rates", _no_measuring)
    chosen = choose_layout(_config(**overrides), image_data, cores=cores)
    assert (chosen.workers, chosen.threads) == (1, cores)
    assert reason in chosen.reason


def test_candidates_split_the_cores_evenly():
    assert candidate_layouts(2, 4) == [(1, 2), (2, 1)]
    assert candidate_layouts(6, 4) == [(1, 6), (2, 3), (3, 2)]
    assert candidate_layouts(4, 1) == [(1, 4)]
    assert auto_ceiling(64) == 4 and auto_ceiling(2) == 2


@pytest.mark.parametrize(("one_thread_rate", "workers"), [
    (100.0, 2),  # 2 x 100 x SCALING = 190 >= 1.1 x 150
    (80.0, 1),   # 2 x 80 x SCALING = 152 < 1.1 x 150: not worth the slower feedback
])
def test_more_workers_only_when_they_win_by_the_margin(image_data, monkeypatch, one_thread_rate, workers):
    monkeypatch.setattr(layout_mod, "measure_rates", lambda *_a: ({2: 150.0, 1: one_thread_rate}, 20.0))
    chosen = choose_layout(_config(), image_data, cores=2)
    assert chosen.workers == workers and chosen.threads == 2 // workers
    assert chosen.predicted == {"1x2": 150.0, "2x1": round(2 * one_thread_rate * SCALING, 1)}
    assert (chosen.predicted["2x1"] >= MARGIN * 150.0) == (workers == 2)


def test_a_short_study_stays_in_process(image_data, monkeypatch):
    monkeypatch.setattr(layout_mod, "measure_rates", lambda *_a: ({2: 150.0, 1: 150.0}, 5.0))
    chosen = choose_layout(_config(timeout=None, trials=4), image_data, cores=2)  # 4 trials x 5 s
    assert chosen.workers == 1 and "short study (~20 s" in chosen.reason


def test_measuring_times_the_real_baseline_and_restores_threads(image_data):
    before = torch.get_num_threads()
    rates, trial_s = layout_mod.measure_rates(_config(max_epochs_per_trial=2), image_data, [2, 1])
    assert torch.get_num_threads() == before
    assert set(rates) == {2, 1} and all(rate > 0 for rate in rates.values())
    assert 0 < trial_s < 60  # two epochs of 512 tiny images

    chosen = choose_layout(_config(max_epochs_per_trial=2), image_data, cores=2)
    assert set(chosen.measured) == {"2 threads", "1 threads"} and set(chosen.predicted) == {"1x2", "2x1"}
    assert chosen.reason.startswith("measured")
    assert chosen.to_dict()["workers"] == chosen.workers in (1, 2)


def test_auto_is_the_default_and_can_be_written_out():
    assert OptimizationConfig(dataset="mnist").concurrent_workers is None
    assert OptimizationConfig.from_strings({"dataset": "mnist", "concurrent_workers": "auto"}).concurrent_workers \
        is None
    assert OptimizationConfig.from_strings({"dataset": "mnist", "workers": "2"}).concurrent_workers == 2
    assert dict((name, default) for name, default, _ in option_help())["concurrent_workers"] == "auto"


def test_a_trial_budget_caps_the_predicted_study(image_data, monkeypatch):
    monkeypatch.setattr(layout_mod, "measure_rates", lambda *_a: ({2: 150.0, 1: 150.0}, 100.0))
    chosen = choose_layout(_config(timeout=None, trials=4, trial_timeout=5.0), image_data, cores=2)  # 4 x 5 s
    assert chosen.workers == 1 and "short study (~20 s" in chosen.reason
