"""Tests of forecast.models.prior: the reference-class noise prior and its pooling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.data.reference import extract_windows, load_reference
from forecast.models.prior import (
    GROWTH_PRIOR,
    MIN_GROWTH,
    RESIDUAL_PRIOR,
    WINDOW,
    fit_prior,
    pool,
    window_variances,
)
from tests.conftest import REFERENCE_CLASS, SHARED

CANDIDATES = [REFERENCE_CLASS / "technology_ramps.csv",
              SHARED / "reference" / "technology_ramps.csv"]


def _reference_windows() -> np.ndarray:
    path = next((p for p in CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("the reference class technology_ramps.csv is not present")
    # Every 4-year window growing >= 15%/yr, whether or not later years were observed.
    frame = load_reference(path)
    return extract_windows(frame, WINDOW, 1, MIN_GROWTH, require_actual=False).values


def test_stated_priors_are_what_the_reference_class_gives():
    growth, residual = window_variances(_reference_windows())
    assert growth.size > 1_000  # every 4-year window growing >= 15%/yr
    for stated, variances in ((GROWTH_PRIOR, growth), (RESIDUAL_PRIOR, residual)):
        s0, nu0 = fit_prior(variances)
        assert s0 == pytest.approx(stated.sigma, rel=0.03)
        assert nu0 == pytest.approx(stated.df, abs=0.2)


def test_fit_prior_recovers_a_known_scaled_inverse_chi_square():
    rng = np.random.default_rng(11)
    s0, nu0, n = 0.2, 5.0, 20_000
    sigma2 = nu0 * s0**2 / rng.chisquare(nu0, n)  # across series
    variances = sigma2 * rng.chisquare(2, n) / 2  # one window each, 2 df
    est_s0, est_nu = fit_prior(variances)
    assert est_s0 == pytest.approx(s0, rel=0.05)
    assert est_nu == pytest.approx(nu0, rel=0.15)


def test_window_variances_by_hand():
    # one window 100, 200, 300, 600: log growth 0.693, 0.405, 0.693 (endpoint 82%/yr)
    years = np.arange(2000, 2004)
    values = np.array([100.0, 200.0, 300.0, 600.0])
    frame = pd.DataFrame({"series": ["fast"] * 4 + ["flat"] * 4, "year": [*years, *years],
                          "value": [*values, *np.full(4, 5.0)]})
    windows = extract_windows(frame, 4, 1, MIN_GROWTH, require_actual=False)
    growth, residual = window_variances(windows.values)
    assert growth.size == 1  # the flat series has no fast-growth window
    assert growth[0] == pytest.approx(np.var(np.diff(np.log(values)), ddof=1))
    z = np.log(values)
    fit = np.polyval(np.polyfit(np.arange(4.0), z, 1), np.arange(4.0))
    assert residual[0] == pytest.approx(np.sum((z - fit) ** 2) / 2)


def test_pool_is_the_conjugate_update():
    assert pool(0.5, 2, 0.2, 2.0) == pytest.approx((math.sqrt((2 * 0.04 + 0.5) / 4), 4.0))
    assert pool(0.0, 0, 0.2, 2.0) == pytest.approx((0.2, 2.0))
    assert pool(0.5, 2, 0.3, math.inf) == (0.3, math.inf)
