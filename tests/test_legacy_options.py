"""The original system's option names work on both faces, with their units converted."""

from __future__ import annotations

import pytest

from nettune.api.models import OptimizeRequest
from nettune.config import OptimizationConfig
from nettune.errors import ConfigError

CASES = [
    ({"concurrent": "false", "concurrent_workers": "4"}, {"concurrent_workers": 4}),  # our name wins
    ({"concurrent": "false"}, {"concurrent_workers": 1}),
    ({"concurrent": "true", "workers": "3"}, {"concurrent_workers": 3}),
    ({"timeout_hours": "1.5"}, {"timeout": 5400.0}),
    ({"max_training_time_minutes": "2"}, {"trial_timeout": 120.0}),
    ({"target_gpus_per_worker": "2"}, {"gpus_per_worker": 2}),
    ({"use_multi_gpu": "false", "gpus_per_worker": "1"}, {"gpus_per_worker": 1}),
    ({"auto_detect_gpus": "true"}, {"device": "auto"}),
    ({"runpod_service_endpoint": "abc123", "runpod_service_fallback_local": "false"},
     {"runpod_endpoint": "abc123", "runpod_fallback_local": False}),
]


@pytest.mark.parametrize(("given", "expected"), CASES)
def test_cli_accepts_the_original_names(given, expected):
    config = OptimizationConfig.from_strings(given)
    assert {k: getattr(config, k) for k in expected} == expected


def _typed(value: str) -> object:
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


@pytest.mark.parametrize(("given", "expected"), CASES)
def test_api_accepts_the_original_names(given, expected):
    request = OptimizeRequest.model_validate({k: _typed(v) for k, v in given.items()})
    assert {k: getattr(request, k) for k in expected} == expected


def test_bad_legacy_values_are_one_line_errors():
    with pytest.raises(ConfigError, match=r"timeout_hours='soon' is not valid; expected a number"):
        OptimizationConfig.from_strings({"timeout_hours": "soon"})
    with pytest.raises(ValueError, match="concurrent must be a bool"):
        OptimizeRequest.model_validate({"concurrent": "maybe"})
