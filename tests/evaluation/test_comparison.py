"""Tests of forecast.evaluation.comparison (model comparison, Bass potentials)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.evaluation.backtest import default_models, performance, rolling_origin
from forecast.evaluation.comparison import (
    BASS_COLUMNS,
    COMPARISON_COLUMNS,
    bass_market_sensitivity,
    compare_models,
)
from forecast.models import LinearTrend, curves
from tests.conftest import CHINA, YEARS


@pytest.fixture(scope="module")
def comparison(backtest) -> pd.DataFrame:
    return compare_models(YEARS, CHINA, default_models(saturation_multiple=3.0),
                          target_year=2030, n_draws=4_000, seed=5, backtest=backtest)


def test_comparison_table_reads_like_a_review(comparison, backtest):
    assert list(comparison.columns) == COMPARISON_COLUMNS
    rows = comparison.set_index("model")
    assert list(rows.index) == list(default_models(saturation_multiple=3.0))
    # the free K sits on its lower bound 1.05 x 1170 = 1228.5 (shown rounded half to even):
    # held there, so 2 parameters and 2 df
    assert rows.loc["logistic_free_k", "df_resid"] == 2
    assert rows.loc["logistic_free_k", "n_params"] == 2
    assert "K = 1,228 on its search bound, not estimated" in rows.loc["logistic_free_k",
                                                                      "caveat"]
    assert rows.loc["gompertz_free_k", "df_resid"] == 1
    assert "3 parameters from 4 points: 1 df left" in rows.loc["gompertz_free_k", "caveat"]
    assert "K = 3,510 assumed: 3 x the last observation (2024)" in rows.loc["logistic",
                                                                             "caveat"]
    assert rows.loc["cagr_endpoint", "parameters"].startswith("rate=0.5342")
    assert (comparison["target_year"] == 2030).all()
    assert (comparison["lo95"] <= comparison["lo80"]).all()
    assert (comparison["lo80"] <= comparison["p50"]).all()
    assert (comparison["p50"] <= comparison["hi80"]).all()
    assert (comparison["hi80"] <= comparison["hi95"]).all()
    mape = performance(backtest).set_index("model")["mape"]
    assert rows.loc["linear", "mape_backtest"] == pytest.approx(mape["linear"])
    assert rows.loc["linear", "central"] == pytest.approx(2818.0)
    # AICc: none for a level fit; undefined on 4 points for 2 parameters and the variance
    assert np.isnan(rows.loc["linear", "aicc"]) and np.isnan(rows.loc["exponential", "aicc"])
    assert rows.loc["logistic", "mape_backtest"] > 0  # backtested: K exists at each origin


def test_comparison_keeps_a_row_for_a_model_that_cannot_fit():
    frame = compare_models([2023, 2024], [910.0, 1170.0],
                           {"linear": LinearTrend(), **{"free": default_models()[
                               "logistic_free_k"]}}, target_year=2030, n_draws=500)
    rows = frame.set_index("model")
    assert rows.loc["free", "caveat"].startswith("not fitted: logistic needs at least 4 points")
    assert pd.isna(rows.loc["free", "central"])
    assert rows.loc["linear", "df_resid"] == 0


def test_comparison_is_byte_identical_across_runs(comparison):
    again = compare_models(YEARS, CHINA, default_models(saturation_multiple=3.0),
                           target_year=2030, n_draws=4_000, seed=5, backtest=rolling_origin(
                               YEARS, CHINA, default_models(saturation_multiple=3.0),
                               n_draws=1_000, seed=1))
    assert again.to_csv(index=False) == comparison.to_csv(index=False)
    assert comparison.set_index("model").loc["linear", "central"] == pytest.approx(2818.0)


def test_bass_sensitivity_recovers_a_known_market_and_follows_the_assumed_ones():
    t = np.arange(2011, 2025).astype(float)
    annual = curves.bass_cumulative(t, 50_000.0, 0.01, 0.4, 2010.0) - curves.bass_cumulative(
        t - 1.0, 50_000.0, 0.01, 0.4, 2010.0)
    table = bass_market_sensitivity(t, annual, multiples=(2.0, 4.0), target_year=2030,
                                    n_draws=500)
    assert list(table.columns) == BASS_COLUMNS
    assert list(table["market_basis"]) == ["estimated", "assumed", "assumed"]
    free = table.iloc[0]
    assert free["market"] == pytest.approx(50_000.0, rel=1e-4)
    assert free["peak_year"] == pytest.approx(2010.0 + np.log(40.0) / 0.41, rel=1e-5)
    np.testing.assert_allclose(table["market"].iloc[1:], [2.0 * annual.sum(), 4.0 * annual.sum()])
    np.testing.assert_allclose(table["cumulative_multiple"].iloc[1:], [2.0, 4.0])
    # An exact curve leaves no residual: the fitted m = 50,000 is a perfect fit.
    assert free["rmse_level"] == pytest.approx(0.0, abs=1e-3)
    assert (table["rmse_level"].iloc[1:] > 1.0).all()


def test_bass_sensitivity_on_china_shows_the_target_value_follows_the_assumption():
    table = bass_market_sensitivity(YEARS, CHINA, multiples=(2.0, 5.0, 10.0, 20.0),
                                    target_year=2030, n_draws=1_000)
    # Cumulative 2021-2024 output: 324 + 738 + 910 + 1,170 = 3,142 GWh.
    assert table["market"].iloc[1] == pytest.approx(2 * 3142.0)
    assert table["central"].is_monotonic_increasing  # a larger m, a later peak, more in 2030
    assert table["peak_year"].is_monotonic_increasing
    assert table["central"].iloc[-1] > 50 * table["central"].iloc[0]
    assert (table["lo80"] <= table["p50"]).all() and (table["p50"] <= table["hi80"]).all()
    again = bass_market_sensitivity(YEARS, CHINA, multiples=(2.0, 5.0, 10.0, 20.0),
                                    target_year=2030, n_draws=1_000)
    pd.testing.assert_frame_equal(table, again)


@pytest.mark.parametrize("multiples", [(1.0,), (0.5, 2.0), (float("nan"),)])
def test_bass_sensitivity_refuses_a_market_not_above_the_observed_output(multiples):
    with pytest.raises(ModelError, match="must exceed the cumulative value already observed"):
        bass_market_sensitivity(YEARS, CHINA, multiples=multiples, target_year=2030)
