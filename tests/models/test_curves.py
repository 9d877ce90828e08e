"""Curve functions: known values, inverse relations, and broadcasting over input types."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast.models import curves


@pytest.mark.parametrize("kind", ["scalar", "list", "array", "series"])
def test_compound_accepts_several_input_types(kind):
    years = {"scalar": 6, "list": [6], "array": np.array([6]), "series": pd.Series([6])}[kind]
    out = curves.compound(823.0, 0.20, years)
    # Published outlook: 823 GWh x 1.2^6 = 2,457.5 GWh of power batteries in 2030.
    assert np.ravel(out)[0] == pytest.approx(823 * 2.985984)


def test_compound_broadcasts_draws_against_years():
    rates = np.array([[0.05], [0.20], [0.30]])
    out = curves.compound(np.array([[94.0], [823.0], [254.0]]), rates, np.arange(1, 7))
    assert out.shape == (3, 6)
    np.testing.assert_allclose(out[:, -1], [94 * 1.05**6, 823 * 1.2**6, 254 * 1.3**6])
    assert out[:, -1].sum() == pytest.approx(3809.5, abs=0.1)  # the outlook's 3,800 GWh


def test_logistic_known_points():
    k, r, t0 = 4000.0, 0.5, 2026.0
    assert curves.logistic(t0, k, r, t0) == pytest.approx(k / 2)
    assert curves.logistic(t0 + 1, k, r, t0) == pytest.approx(k / (1 + math.exp(-0.5)))
    far = curves.logistic(np.array([1e6, -1e6]), k, r, t0)
    np.testing.assert_allclose(far, [k, 0.0], atol=1e-9)
    assert np.all(np.isfinite(far))


def test_gompertz_known_points():
    k, r, t0 = 4000.0, 0.4, 2025.0
    assert curves.gompertz(t0, k, r, t0) == pytest.approx(k / math.e)
    assert curves.gompertz(t0 + 2, k, r, t0) == pytest.approx(k * math.exp(-math.exp(-0.8)))
    path = curves.gompertz(np.arange(2000, 2060), k, r, t0)
    assert np.all(np.diff(path) >= 0) and np.all(np.diff(path[20:40]) > 0)


def test_damped_compound_limits():
    h = np.arange(0, 7)
    # phi = 1 is plain compound growth.
    np.testing.assert_allclose(curves.damped_compound(100.0, 0.2, 1.0, h), 100 * 1.2**h)
    # phi = 0.5: log growth halves each year; level after 2 years = 100 * 1.2^(0.5 + 0.25).
    assert curves.damped_compound(100.0, 0.2, 0.5, 2) == pytest.approx(100 * 1.2**0.75)
    # The damped path converges to base * (1 + r)^(phi / (1 - phi)).
    assert curves.damped_compound(100.0, 0.2, 0.5, 200) == pytest.approx(100 * 1.2)
    both = curves.damped_compound(100.0, 0.2, np.array([[1.0], [0.5]]), h)
    assert both.shape == (2, 7)


def test_bass_cumulative():
    m, p, q = 1000.0, 0.03, 0.38
    t = np.arange(2020, 2080)
    out = curves.bass_cumulative(t, m, p, q, t_start=2020)
    assert out[0] == 0.0
    assert np.all(np.diff(out) >= 0)
    assert out[-1] == pytest.approx(m, rel=1e-6)
    # The derivative at the start is p * m (innovators only).
    assert curves.bass_cumulative(2020.001, m, p, q, 2020) / 0.001 == pytest.approx(p * m, rel=1e-2)
