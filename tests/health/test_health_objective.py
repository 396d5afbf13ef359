"""objective_value: the number a trial reports to the optimizer."""

from __future__ import annotations

import math

import pytest

from nettune.errors import ConfigError
from nettune.health import objective_value


def test_simple_mode_is_accuracy_and_ignores_health():
    assert objective_value("simple", 0.83, None) == 0.83
    assert objective_value("simple", 0.83, 0.1, health_weight=0.9) == 0.83


def test_health_mode_blends_accuracy_and_health():
    assert objective_value("health", 0.8, 0.5) == pytest.approx(0.7 * 0.8 + 0.3 * 0.5)
    assert objective_value("health", 0.8, 0.5, health_weight=0.0) == pytest.approx(0.8)
    assert objective_value("health", 0.8, 0.5, health_weight=1.0) == pytest.approx(0.5)
    # The point of the mode: a slightly less accurate but much healthier model can win.
    assert objective_value("health", 0.88, 0.9) > objective_value("health", 0.90, 0.6)


def test_bad_mode_or_weight_is_a_one_line_config_error():
    with pytest.raises(ConfigError, match="objective mode must be one of simple, health") as err:
        objective_value("accuracy", 0.8, 0.5)
    assert "\n" not in str(err.value)
    for weight in (-0.1, 1.5, math.nan):
        with pytest.raises(ConfigError, match="health weight must be between 0 and 1"):
            objective_value("health", 0.8, 0.5, health_weight=weight)


def test_health_mode_without_a_health_score_is_a_programming_error():
    with pytest.raises(ValueError, match="compute_health"):
        objective_value("health", 0.8, None)
