"""Tests of forecast.models.prior: the reference-class noise prior and its pooling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from forecast.data.reference import load_reference
from forecast.models.prior import GROWTH_PRIOR, RESIDUAL_PRIOR, pool
from tests.conftest import REFERENCE_CLASS, SHARED

CANDIDATES = [REFERENCE_CLASS / "technology_ramps.csv",
              SHARED / "reference" / "technology_ramps.csv"]


def test_stated_priors_are_what_the_reference_class_gives():
    path = next((p for p in CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("the reference class technology_ramps.csv is not present")
    # Every 4-year window growing >= 15%/yr, whether or not later years were observed (the
    # windows extract_windows keeps have an actual after them to score).
    ref = load_reference(path)
    years = range(ref["year"].min(), ref["year"].max() + 1)
    grid = ref.pivot(index="series", columns="year", values="value").reindex(columns=years)
    every = np.lib.stride_tricks.sliding_window_view(grid.to_numpy(float), 4, axis=1)
    every = every.reshape(-1, 4)
    windows = every[np.isfinite(every).all(axis=1) & (every[:, -1] / every[:, 0] >= 1.15**3)]
    z = np.log(windows)
    growth = np.var(np.diff(z, axis=1), axis=1, ddof=1)  # 2 df each
    t = np.arange(4.0)
    slope, intercept = np.polyfit(t, z.T, 1)
    residual = np.sum((z - intercept[:, None] - slope[:, None] * t) ** 2, axis=1) / 2
    assert growth.size > 1_000
    for stated, variances in ((GROWTH_PRIOR, growth), (RESIDUAL_PRIOR, residual)):
        # variances / s0^2 ~ F(2, nu0), fitted by maximum likelihood
        _, nu0, _, scale = stats.f.fit(variances[variances > 0], fdfn=2, floc=0)
        assert math.sqrt(scale) == pytest.approx(stated.sigma, rel=0.03)
        assert nu0 == pytest.approx(stated.df, abs=0.2)


def test_pool_is_the_conjugate_update():
    assert pool(0.5, 2, 0.2, 2.0) == pytest.approx((math.sqrt((2 * 0.04 + 0.5) / 4), 4.0))
    assert pool(0.0, 0, 0.2, 2.0) == pytest.approx((0.2, 2.0))
    assert pool(0.5, 2, 0.3, math.inf) == (0.3, math.inf)
