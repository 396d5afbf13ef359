"""The six metrics as pure functions: constructed inputs must move each score the right way."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nettune.health import METRIC_DOCS, METRIC_NAMES, METRIC_WEIGHTS, NEUTRAL_SCORE, overall_health
from nettune.health.activity import UnitActivity
from nettune.health.gradient_health import gradient_health
from nettune.health.metrics import (
    accuracy_consistency,
    convergence_quality,
    neuron_utilization,
    parameter_efficiency,
)
from nettune.health.stability import rolling_median, training_stability

RNG = np.random.default_rng(0)


def decaying_loss(n: int = 600, noise: float = 0.03, start: float = 2.3, floor: float = 0.3) -> np.ndarray:
    trend = floor + (start - floor) * np.exp(-np.arange(n) / (n / 5))
    return trend * (1 + noise * RNG.standard_normal(n))


# --- training stability ------------------------------------------------------------------------


def test_smooth_decreasing_loss_is_stable_despite_steep_trend():
    no_noise = training_stability(decaying_loss(noise=0.0))
    assert no_noise.score > 0.99  # the learning curve itself is not instability
    assert training_stability(decaying_loss()).score > 0.9


def test_spikes_lower_stability_and_are_counted():
    smooth = decaying_loss()
    spiky = smooth.copy()
    spiky[[50, 150, 250, 350, 450, 550]] *= 4.0
    smooth_result, spiky_result = training_stability(smooth), training_stability(spiky)
    assert spiky_result.details["spikes"] == 6
    assert smooth_result.details["spikes"] == 0
    assert spiky_result.score < smooth_result.score - 0.3


def test_noisier_loss_is_less_stable():
    # Bouncing by ±0.4 around the trend (17% of the initial 2.3) is far beyond mini-batch noise.
    bouncing = decaying_loss(noise=0.0) + 0.4 * np.abs(RNG.standard_normal(600))
    quiet, loud = training_stability(decaying_loss(noise=0.02)), training_stability(bouncing)
    assert loud.details["noise"] > 5 * quiet.details["noise"]
    assert loud.score < quiet.score - 0.3


def test_good_fit_is_not_mistaken_for_noise():
    # Near a low loss the batch-to-batch noise is large *relative to the loss* (30% here) but small next
    # to the initial loss: that is a well-fitting model, not an unstable one.
    fitted = decaying_loss(noise=0.0, floor=0.1)
    fitted[300:] += 0.03 * RNG.standard_normal(300)  # ±30% around a plateau at 0.1
    assert training_stability(fitted).score > 0.9


def test_loss_climbing_back_up_is_unstable():
    n = 600
    falls_then_rises = np.concatenate([np.linspace(2.3, 0.5, n // 2), np.linspace(0.5, 2.0, n // 2)])
    result = training_stability(falls_then_rises)
    assert result.details["late_rise"] > 0.5
    assert result.score < 0.3


def test_non_finite_loss_scores_zero_and_reports_step():
    losses = decaying_loss(100)
    losses[40] = np.nan
    result = training_stability(losses)
    assert result.score == 0.0
    assert result.details["first_non_finite_step"] == 41
    assert training_stability([1.0, math.inf] * 10).score == 0.0


def test_too_few_batches_is_unmeasured_neutral():
    for losses in ([], [1.0, 0.9, 0.8]):
        result = training_stability(losses)
        assert not result.measured
        assert result.score == NEUTRAL_SCORE


def test_rolling_median_follows_monotone_series_and_ignores_spike():
    series = np.arange(20, dtype=float)
    assert np.array_equal(rolling_median(series, 5), series)
    series[10] = 1000.0
    assert rolling_median(series, 5)[10] == 11.0


# --- gradient health ---------------------------------------------------------------------------


def grad_matrix(*columns: float, samples: int = 50) -> np.ndarray:
    jitter = np.exp(0.2 * RNG.standard_normal((samples, len(columns))))
    return np.array(columns) * jitter


def test_healthy_gradients_score_high():
    result = gradient_health(grad_matrix(0.5, 0.1, 0.02), ["a", "b", "c"])
    assert result.score > 0.99
    assert set(result.per_layer) == {"a", "b", "c"}


def test_vanishing_layer_scores_low_and_is_named():
    result = gradient_health(grad_matrix(0.5, 0.1, 1e-9), ["a", "b", "c"])
    assert result.per_layer["c"] == 0.0
    assert result.per_layer["a"] > 0.99
    assert result.score < 0.5


def test_exploding_layer_scores_low():
    result = gradient_health(grad_matrix(0.5, 1e3), ["a", "b"])
    assert result.per_layer["b"] == 0.0
    assert result.score < 0.5


def test_large_ratio_between_layers_scores_low_even_if_each_is_in_range():
    result = gradient_health(grad_matrix(1e-4, 5.0, samples=20), ["early", "late"])
    assert min(result.per_layer.values()) > 0.99  # each layer alone looks fine...
    assert result.details["layer_ratio"] > 1e4
    assert result.score < 0.5  # ...but early layers barely learn relative to late ones


def test_transient_explosions_cost_in_proportion():
    calm = grad_matrix(0.5, 0.1, samples=100)
    bursty = calm.copy()
    bursty[::10, 1] = 1e4  # 10% of samples explode
    calm_score, bursty_score = gradient_health(calm, ["a", "b"]).score, gradient_health(bursty, ["a", "b"]).score
    assert bursty_score < calm_score - 0.05
    assert bursty_score > 0.5


def test_non_finite_gradients_score_zero_and_missing_are_skipped():
    matrix = grad_matrix(0.5, 0.1, samples=10)
    matrix[:, 1] = np.inf
    assert gradient_health(matrix, ["a", "b"]).per_layer["b"] == 0.0
    matrix[:, 1] = np.nan  # never measured (e.g. unused layer): not judged at all
    result = gradient_health(matrix, ["a", "b"])
    assert "b" not in result.per_layer
    assert result.score > 0.99


def test_no_gradient_samples_is_unmeasured():
    result = gradient_health(np.zeros((0, 3)), ["a", "b", "c"])
    assert not result.measured
    assert result.score == NEUTRAL_SCORE


# --- accuracy consistency ----------------------------------------------------------------------


def test_scattered_errors_are_consistent_clustered_errors_are_not():
    scattered = RNG.random(5000) < 0.8
    clustered = np.sort(scattered)[::-1]  # same accuracy, all errors at the end
    assert accuracy_consistency(scattered).score > 0.9
    assert accuracy_consistency(clustered).score < 0.2


def test_more_shard_spread_lowers_consistency():
    base = RNG.random(2000) < 0.8
    mild, strong = base.copy(), base.copy()
    mild[:200] = RNG.random(200) < 0.5  # one shard notably worse
    strong[:200] = False  # one shard entirely wrong
    scores = [accuracy_consistency(v).score for v in (base, mild, strong)]
    assert scores[0] > scores[1] > scores[2]


def test_consistency_edge_cases():
    assert accuracy_consistency(np.ones(100, dtype=bool)).score == 1.0
    small = accuracy_consistency(np.ones(15, dtype=bool))
    assert not small.measured and small.score == NEUTRAL_SCORE


# --- parameter efficiency ----------------------------------------------------------------------


def test_more_parameters_for_same_accuracy_lowers_efficiency():
    scores = [parameter_efficiency(0.9, p, 10).score for p in (5_000, 100_000, 1_000_000, 10_000_000)]
    assert scores[0] > scores[1] > scores[2] > scores[3]
    assert scores[1] == pytest.approx((0.9 - 0.1) / 0.9 * 0.85)


def test_useless_tiny_model_is_not_rewarded():
    assert parameter_efficiency(0.1, 500, num_classes=10).score == 0.0  # chance level
    assert parameter_efficiency(0.5, 500, num_classes=2).score == 0.0
    assert parameter_efficiency(0.9, 2_000_000, 10).score > parameter_efficiency(0.2, 500, 10).score


def test_efficiency_without_class_count_uses_raw_accuracy():
    assert parameter_efficiency(0.7, 1_000).score == pytest.approx(0.7)
    assert parameter_efficiency(math.nan, 1_000).score == 0.0


# --- convergence quality -----------------------------------------------------------------------


def test_steadily_falling_val_loss_converges_well():
    result = convergence_quality([1.5, 1.0, 0.8, 0.7])
    assert result.details["end_ratio"] == 1.0  # ends at its best
    # Not exactly 1: the 2%-of-first-loss tolerance shrinks small total movements towards 0.5.
    assert result.score == pytest.approx((0.8 + 0.03) / (0.8 + 0.06))
    assert convergence_quality([1.5, 0.5, 0.3, 0.25]).score > result.score


def test_rising_val_loss_after_best_lowers_convergence():
    good = convergence_quality([1.5, 1.0, 0.8, 0.7]).score
    overfit = convergence_quality([1.5, 1.0, 1.1, 1.4])
    assert overfit.details["best_epoch"] == 2
    assert overfit.score < good - 0.4


def test_zigzag_scores_below_smooth():
    smooth = convergence_quality([2.0, 1.6, 1.3, 1.1, 1.0]).score
    zigzag = convergence_quality([2.0, 1.2, 1.6, 1.0, 1.3, 1.0]).score
    assert zigzag < smooth - 0.2


def test_single_epoch_is_neutral_and_nan_is_zero():
    single = convergence_quality([0.9])
    assert not single.measured and single.score == NEUTRAL_SCORE
    assert convergence_quality([1.0, math.nan]).score == 0.0


# --- neuron utilization ------------------------------------------------------------------------


def activity(name: str, active: list[float], saturated: list[float] | None = None) -> UnitActivity:
    bounded = saturated is not None
    return UnitActivity(
        name,
        "tanh" if bounded else "relu",
        name,
        bounded,
        np.array(active),
        np.array(saturated if bounded else [0.0] * len(active)),
        100,
    )


def test_utilization_counts_dead_and_saturated_units_per_layer():
    relu = activity("conv", [0.0, 0.5, 0.3, 0.0])  # 2 of 4 dead
    tanh = activity("fc", [1.0, 1.0, 0.6, 0.4], saturated=[1.0, 0.995, 0.5, 0.0])  # 2 of 4 saturated
    result = neuron_utilization([relu, tanh])
    assert result.score == pytest.approx(1 - 4 / 8)
    assert result.per_layer == {"conv": 0.5, "fc": 0.5}
    assert result.details["dead_fraction"] == pytest.approx(2 / 8)
    assert result.details["saturated_fraction"] == pytest.approx(2 / 4)  # of bounded units


def test_utilization_without_units_is_unmeasured():
    assert not neuron_utilization([]).measured


# --- catalog and overall -----------------------------------------------------------------------


def test_catalog_is_complete_and_weights_sum_to_one():
    assert set(METRIC_DOCS) == set(METRIC_WEIGHTS) == set(METRIC_NAMES)
    assert sum(METRIC_WEIGHTS.values()) == pytest.approx(1.0)
    for doc in METRIC_DOCS.values():
        assert {"label", "what", "why", "bad"} <= set(doc)
        assert all(text and "\n" not in text for text in doc.values())


def test_overall_is_the_weighted_mean():
    assert overall_health(dict.fromkeys(METRIC_NAMES, 1.0)) == pytest.approx(1.0)
    one_bad = {**dict.fromkeys(METRIC_NAMES, 1.0), "gradient_health": 0.0}
    assert overall_health(one_bad) == pytest.approx(1.0 - METRIC_WEIGHTS["gradient_health"])
