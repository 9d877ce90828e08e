"""Parameter draws: inverse CDFs against hand-computed quantiles, bounds and moments."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.scenarios.preparation import prepare
from forecast.scenarios.sampling import draw_parameters, quantile
from forecast.scenarios.schema import Normal, Triangular, Uniform


def test_quantile_functions() -> None:
    q = np.array([0.0, 0.25, 0.5, 1.0])
    uni = Uniform(low=0.1, high=0.3)
    np.testing.assert_allclose(quantile("segments.power.cagr", uni, q), [0.1, 0.15, 0.2, 0.3])
    tri = Triangular(low=0.0, high=1.0, mode=0.5)
    # Symmetric triangle: median 0.5; F(0.25) = 2 * 0.25**2 = 0.125.
    np.testing.assert_allclose(quantile("share.target", tri, [0.125, 0.5]), [0.25, 0.5])
    norm = Normal(mean=0.2, sd=0.05)
    assert quantile("segments.power.cagr", norm, 0.5) == pytest.approx(0.2)
    assert quantile("segments.power.cagr", norm, 0.8413447) == pytest.approx(0.25, abs=1e-6)
    # A wide normal on a rate is truncated to the rate's domain (> -1).
    wide = Normal(mean=0.0, sd=5.0)
    assert quantile("segments.power.cagr", wide, 0.0) > -1.0


def test_draws_respect_bounds_and_moments(history, scenario) -> None:
    sc = scenario(
        segments__power__cagr=0.2,
        segments__consumer__cagr=0.05,
        segments__storage__cagr=0.3,
        uncertain={
            "segments.power.cagr": {"dist": "normal", "sd": 0.05, "low": 0.15},
            "segments.consumer.cagr": {"dist": "uniform", "low": 0.0, "high": 0.1},
            "segments.storage.cagr": {"dist": "triangular", "low": 0.2, "high": 0.5},
        },
    )
    draws = draw_parameters(prepare(sc, history), 50_000, seed=7)
    assert draws["segments.power.cagr"].min() >= 0.15
    assert draws["segments.consumer.cagr"].mean() == pytest.approx(0.05, abs=0.002)
    # Triangular(0.2, 0.3, 0.5) has mean (0.2 + 0.3 + 0.5) / 3.
    assert draws["segments.storage.cagr"].mean() == pytest.approx(1.0 / 3, abs=0.002)
