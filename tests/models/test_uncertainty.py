"""Seeded draws and the quantile summaries every table reports."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.models import uncertainty


def test_summarise_draws_columns_and_values():
    draws = np.arange(1, 102, dtype=float)  # 1..101: quantiles are exact
    out = uncertainty.summarise_draws(draws)
    assert list(out) == ["mean", "p5", "p10", "p50", "p90", "p95"]
    assert out["mean"] == 51
    assert out["p5"] == 6 and out["p10"] == 11 and out["p50"] == 51
    assert out["p90"] == 91 and out["p95"] == 96


def test_summarise_draws_along_axis():
    draws = np.stack([np.arange(101.0), 2 * np.arange(101.0)], axis=1)  # (101 draws, 2 years)
    out = uncertainty.summarise_draws(draws, axis=0)
    np.testing.assert_allclose(out["p50"], [50, 100])
    assert out["p95"].shape == (2,)


def test_central_interval():
    draws = np.random.default_rng(0).normal(size=200_000)
    lo, hi = uncertainty.central_interval(draws, 0.95)
    assert lo == pytest.approx(-1.96, abs=0.02) and hi == pytest.approx(1.96, abs=0.02)
    lo80, hi80 = uncertainty.central_interval(draws, 0.8)
    assert lo < lo80 < hi80 < hi
