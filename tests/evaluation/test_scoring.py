"""Scoring functions against values worked out by hand and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scoringrules as sr
from scipy import stats

from forecast.evaluation.scoring import (
    crps_draws,
    crps_quantiles,
    interval_score,
    pit_quantiles,
)


def crps_normal(obs, mu, sigma):
    return sr.crps_normal(np.asarray(obs, float), mu, sigma, backend="numpy")


def test_interval_score_by_hand():
    # 80% interval [0, 1]: alpha = 0.2, so a miss costs 2 / 0.2 = 10 per unit outside.
    got = interval_score([0, 0, 0], [1, 1, 1], [0.5, -0.5, 1.2], 0.8)
    np.testing.assert_allclose(got, [1.0, 1.0 + 10 * 0.5, 1.0 + 10 * 0.2])
    # 90%: 2 / 0.1 = 20 per unit.
    assert interval_score(2.0, 4.0, 5.0, 0.9) == pytest.approx(2.0 + 20.0)
    with pytest.raises(ValueError, match="level"):
        interval_score(0, 1, 0, 80)


def test_crps_of_a_normal_is_the_closed_form():
    # CRPS(N(mu, s), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)], z = (y - mu) / s.
    # At y = mu: s (2 / sqrt(2 pi) - 1 / sqrt(pi)) = 0.2336950 s.
    assert crps_normal(3.0, 3.0, 2.0) == pytest.approx(2 * 0.2336950, abs=1e-6)
    z = 1.5
    closed = z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    assert crps_normal(1.5, 0.0, 1.0) == pytest.approx(closed, rel=1e-10)


def test_crps_of_draws_by_hand_and_against_the_normal():
    # Two equally likely points {0, 1}, y = 0: E|X - y| = 0.5, E|X - X'| = 0.5, CRPS = 0.25.
    assert crps_draws(0.0, [0.0, 1.0]) == pytest.approx(0.25)
    # A point mass at the observation scores 0; at distance d it scores d.
    assert crps_draws(2.0, [2.0, 2.0, 2.0]) == pytest.approx(0.0)
    assert crps_draws(2.0, [5.0, 5.0]) == pytest.approx(3.0)
    draws = stats.norm.rvs(size=(2, 40_000), random_state=np.random.default_rng(1))
    got = crps_draws([0.0, 1.5], draws)
    np.testing.assert_allclose(got, crps_normal([0.0, 1.5], 0.0, 1.0), atol=0.01)


def test_crps_from_quantiles_by_hand_and_against_the_normal():
    # One level 0.5 at 0, y = 1: twice the pinball loss 0.5 * 1 = 1.
    assert crps_quantiles(1.0, [0.0], [0.5]) == pytest.approx(1.0)
    # Levels 0.25, 0.75 at -1, 1; y = 0: pinball (0.25 * 1 + 0.25 * 1) / 2 = 0.25, x 2 = 0.5.
    assert crps_quantiles(0.0, [-1.0, 1.0], [0.25, 0.75]) == pytest.approx(0.5)
    levels = np.arange(1, 1000) / 1000
    q = stats.norm.ppf(levels)
    assert crps_quantiles(0.7, q, levels) == pytest.approx(crps_normal(0.7, 0, 1), abs=2e-3)


def test_pit_by_hand():
    levels = [0.1, 0.5, 0.9]
    q = [0.0, 1.0, 2.0]
    np.testing.assert_allclose(pit_quantiles([-1.0, 0.5, 1.5, 3.0], np.tile(q, (4, 1)), levels),
                               [0.0, 0.3, 0.7, 1.0])


def test_a_nan_actual_or_quantile_scores_nan_and_leaves_the_other_rows_alone():
    # Calibration scores whole arrays with NaN where a cell has no actual, then drops those.
    levels = [0.1, 0.5, 0.9]
    obs = np.array([0.5, np.nan, 0.5])
    q = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [np.nan, 1.0, 2.0]])
    for got in (pit_quantiles(obs, q, levels), crps_quantiles(obs, q, levels),
                crps_draws(obs, q), interval_score(q[:, 0], q[:, 2], obs, 0.8)):
        assert np.isfinite(got[0]) and np.isnan(got[1:]).all(), got
    assert pit_quantiles(obs, q, levels)[0] == pytest.approx(0.3)
