"""Tests of forecast.models.prior: the reference-class noise prior and its pooling."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from forecast.models.prior import (
    GROWTH_PRIOR,
    RESIDUAL_PRIOR,
    fit_prior,
    pool,
    window_variances,
)

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [ROOT / "data" / "reference" / "technology_ramps.csv",
              ROOT.parent / "shared" / "reference" / "technology_ramps.csv"]


def _reference_series() -> list[tuple[np.ndarray, np.ndarray]]:
    path = next((p for p in CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("the reference class technology_ramps.csv is not present")
    rows: dict[str, list[tuple[int, float]]] = defaultdict(list)
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            rows[row["series"]].append((int(row["year"]), float(row["value"])))
    return [(np.array([y for y, _ in r]), np.array([v for _, v in r])) for r in rows.values()]


def test_stated_priors_are_what_the_reference_class_gives():
    growth, residual = window_variances(_reference_series())
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
    growth, residual = window_variances([(years, values), (years, np.full(4, 5.0))])
    assert growth.size == 1  # the flat series has no fast-growth window
    assert growth[0] == pytest.approx(np.var(np.diff(np.log(values)), ddof=1))
    z = np.log(values)
    fit = np.polyval(np.polyfit(np.arange(4.0), z, 1), np.arange(4.0))
    assert residual[0] == pytest.approx(np.sum((z - fit) ** 2) / 2)


def test_pool_is_the_conjugate_update():
    assert pool(0.5, 2, 0.2, 2.0) == pytest.approx((math.sqrt((2 * 0.04 + 0.5) / 4), 4.0))
    assert pool(0.0, 0, 0.2, 2.0) == pytest.approx((0.2, 2.0))
    assert pool(0.5, 2, 0.3, math.inf) == (0.3, math.inf)
