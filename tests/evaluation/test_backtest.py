"""Tests of forecast.evaluation.backtest: rolling origins, naive baselines, comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.evaluation.backtest import (
    BACKTEST_COLUMNS,
    BASS_COLUMNS,
    COMPARISON_COLUMNS,
    NAIVE_MODELS,
    PERFORMANCE_COLUMNS,
    bass_market_sensitivity,
    compare_models,
    default_models,
    naive_forecasts,
    performance,
    rolling_origin,
    sensitivity_2023,
    to_csv,
    value_sensitivity,
)
from forecast.models import ExponentialTrend, LinearTrend, curves

YEARS = [2021, 2022, 2023, 2024]
CHINA = [324.0, 738.0, 910.0, 1170.0]  # China Li-ion production [GWh], document 002
CHINA_940 = [324.0, 738.0, 940.0, 1170.0]  # the conflicting 2023 value
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def backtest() -> pd.DataFrame:
    return rolling_origin(YEARS, CHINA, default_models(saturation=3800.0), n_draws=1_000, seed=1)


def test_backtest_has_one_row_per_model_origin_and_year(backtest):
    assert list(backtest.columns) == BACKTEST_COLUMNS
    names = [*default_models(saturation=3800.0), *NAIVE_MODELS]
    # origins 2022 (forecasts 2023, 2024) and 2023 (forecast 2024): 3 rows per model
    assert len(backtest) == 3 * len(names)
    assert backtest.groupby("model", sort=False).size().to_dict() == dict.fromkeys(names, 3)
    assert sorted(backtest["origin"].unique()) == [2022, 2023]
    first = backtest[backtest["origin"] == 2022]
    assert set(first["horizon"]) == {1, 2}


def test_naive_benchmarks_by_hand_for_origin_2023(backtest):
    rows = backtest[(backtest["origin"] == 2023) & (backtest["kind"] == "naive")].set_index(
        "model"
    )
    assert rows.loc["naive_last", "forecast"] == pytest.approx(910.0)
    # last growth 910 / 738 applied once: 910 * 1.23306 = 1122.09
    assert rows.loc["naive_last_growth", "forecast"] == pytest.approx(1122.0867, abs=1e-3)
    # average growth 2021-2023: sqrt(910 / 324) = 1.67591 -> 1525.07
    assert rows.loc["naive_mean_growth", "forecast"] == pytest.approx(1525.0693, abs=1e-3)
    # percentage errors against 1170: (1122.087 - 1170) / 1170 = -4.095 %
    assert rows.loc["naive_last_growth", "pct_error"] == pytest.approx(-4.0952, abs=1e-3)
    assert rows.loc["naive_last", "abs_error"] == pytest.approx(260.0)
    assert np.isnan(rows.loc["naive_last", "in80"])


def test_naive_forecasts_two_years_ahead_by_hand():
    out = naive_forecasts([2021, 2022], [324.0, 738.0], [2023, 2024])
    np.testing.assert_allclose(out["naive_last"], [738.0, 738.0])
    # 738 * (738 / 324) = 1681.0 and 738 * (738 / 324) ** 2 = 3828.94
    np.testing.assert_allclose(out["naive_last_growth"], [1681.0, 3828.9444], rtol=1e-6)
    np.testing.assert_allclose(out["naive_mean_growth"], out["naive_last_growth"])


def test_models_that_cannot_fit_are_skipped_with_the_reason(backtest):
    skipped = backtest[backtest["status"] == "skipped"]
    free = skipped[skipped["model"] == "logistic_free_k"]
    assert len(free) == 3  # needs 4 points; the origins give 2 and 3
    assert free["reason"].str.contains("needs at least 4 points").all()
    damped = skipped[skipped["model"] == "damped"]
    assert set(damped["origin"]) == {2022}
    assert skipped["forecast"].isna().all()
    ok = backtest[backtest["status"] == "ok"]
    assert (ok["reason"] == "").all() and ok["forecast"].notna().all()


def test_bands_are_nested_and_coverage_flags_match(backtest):
    ok = backtest[(backtest["status"] == "ok") & (backtest["kind"] == "model")]
    assert (ok["lo95"] <= ok["lo80"]).all() and (ok["hi80"] <= ok["hi95"]).all()
    inside = ((ok["actual"] >= ok["lo80"]) & (ok["actual"] <= ok["hi80"])).astype(float)
    np.testing.assert_array_equal(ok["in80"].to_numpy(), inside.to_numpy())


def test_performance_mape_by_hand(backtest):
    perf = performance(backtest).set_index("model")
    assert list(performance(backtest).columns) == PERFORMANCE_COLUMNS
    # naive_last: |738-910|/910 = 18.901 %, |738-1170|/1170 = 36.923 %, |910-1170|/1170 = 22.222 %
    assert perf.loc["naive_last", "mape"] == pytest.approx((18.9011 + 36.9231 + 22.2222) / 3,
                                                           abs=1e-3)
    assert perf.loc["naive_last", "n_forecasts"] == 3
    assert np.isnan(perf.loc["naive_last", "coverage80"])
    assert perf.loc["logistic_free_k", "n_skipped"] == 3
    assert np.isnan(perf.loc["logistic_free_k", "mape"])
    assert 0.0 <= perf.loc["exponential", "coverage95"] <= 1.0


def test_backtest_is_deterministic_and_independent_of_model_order():
    models = {"linear": LinearTrend(), "exponential": ExponentialTrend()}
    a = rolling_origin(YEARS, CHINA, models, n_draws=500, seed=3, naive=False)
    b = rolling_origin(YEARS, CHINA, dict(reversed(models.items())), n_draws=500, seed=3,
                       naive=False)
    key = ["model", "origin", "year"]
    pd.testing.assert_frame_equal(a.sort_values(key, ignore_index=True),
                                  b.sort_values(key, ignore_index=True))
    c = rolling_origin(YEARS, CHINA, models, n_draws=500, seed=4, naive=False)
    assert not np.allclose(a["lo80"], c["lo80"])


def test_backtest_input_errors():
    with pytest.raises(ModelError, match=r"needs more than min_train=4 points, got 4"):
        rolling_origin(YEARS, CHINA, min_train=4)
    with pytest.raises(ModelError, match=r"differ in length \(4 vs 3\)"):
        rolling_origin(YEARS, CHINA[:3])


def test_value_sensitivity_910_vs_940_by_hand():
    frame = value_sensitivity(YEARS, CHINA, CHINA_940,
                              {"cagr_endpoint": default_models()["cagr_endpoint"],
                               "linear": LinearTrend()})
    assert list(frame.columns) == ["model", "value_910", "value_940", "difference",
                                   "difference_pct"]
    rows = frame.set_index("model")
    # The end-point CAGR uses only 2021 and 2024: the 2023 value cannot move it.
    assert rows.loc["cagr_endpoint", "difference"] == pytest.approx(0.0, abs=1e-9)
    # Linear: slope 1355/5 = 271 -> 2030 = 785.5 + 271*7.5 = 2818; with 940: 1370/5 = 274,
    # mean 793 -> 793 + 274*7.5 = 2848.
    assert rows.loc["linear", "value_910"] == pytest.approx(2818.0)
    assert rows.loc["linear", "value_940"] == pytest.approx(2848.0)
    assert rows.loc["linear", "difference_pct"] == pytest.approx(100 * 30 / 2818)


def test_sensitivity_2023_reads_both_variants_from_the_data():
    if not (DATA_DIR / "history.csv").exists():
        pytest.skip("data/history.csv not present")
    frame = sensitivity_2023({"linear": LinearTrend()}, data_dir=DATA_DIR)
    assert list(frame.columns)[:3] == ["model", "value_910", "value_940"]
    assert frame.loc[0, "value_910"] == pytest.approx(2818.0)


@pytest.fixture(scope="module")
def comparison(backtest) -> pd.DataFrame:
    return compare_models(YEARS, CHINA, default_models(saturation=3800.0), n_draws=4_000,
                          seed=5, backtest=backtest)


def test_comparison_table_reads_like_a_review(comparison, backtest):
    assert list(comparison.columns) == COMPARISON_COLUMNS
    rows = comparison.set_index("model")
    assert list(rows.index) == list(default_models(saturation=3800.0))
    assert rows.loc["logistic_free_k", "df_resid"] == 1
    assert "3 parameters from 4 points: 1 df left" in rows.loc["logistic_free_k", "caveat"]
    assert "K = 3,800 assumed" in rows.loc["logistic", "caveat"]
    assert rows.loc["cagr_endpoint", "parameters"].startswith("rate=0.5342")
    assert (comparison["target_year"] == 2030).all()
    assert (comparison["lo95"] <= comparison["lo80"]).all()
    assert (comparison["lo80"] <= comparison["p50"]).all()
    assert (comparison["p50"] <= comparison["hi80"]).all()
    assert (comparison["hi80"] <= comparison["hi95"]).all()
    mape = performance(backtest).set_index("model")["mape"]
    assert rows.loc["linear", "mape_backtest"] == pytest.approx(mape["linear"])
    assert rows.loc["linear", "central"] == pytest.approx(2818.0)
    assert np.isnan(rows.loc["linear", "aic"]) and np.isfinite(rows.loc["exponential", "aic"])


def test_comparison_keeps_a_row_for_a_model_that_cannot_fit():
    frame = compare_models([2023, 2024], [910.0, 1170.0],
                           {"linear": LinearTrend(), **{"free": default_models()[
                               "logistic_free_k"]}}, n_draws=500)
    rows = frame.set_index("model")
    assert rows.loc["free", "caveat"].startswith("not fitted: logistic needs at least 4 points")
    assert pd.isna(rows.loc["free", "central"])
    assert rows.loc["linear", "df_resid"] == 0


def test_to_csv_is_byte_identical_across_runs(tmp_path, comparison):
    again = compare_models(YEARS, CHINA, default_models(saturation=3800.0), n_draws=4_000,
                           seed=5, backtest=rolling_origin(
                               YEARS, CHINA, default_models(saturation=3800.0), n_draws=1_000,
                               seed=1))
    a = to_csv(comparison, tmp_path / "a" / "comparison.csv")
    b = to_csv(again, tmp_path / "b.csv", decimals=6)
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text()
    assert text.endswith("\n") and "\r" not in text
    assert "2818.000000" in text  # linear 2030 central, 6 decimals


def test_default_models_estimate_k_with_both_saturating_curves():
    models = default_models(saturation=3800.0)
    assert {"logistic", "gompertz", "logistic_free_k", "gompertz_free_k"} <= set(models)
    assert "bass" not in models
    assert default_models(market=30_000.0)["bass"].market == 30_000.0
    assert "gompertz_free_k" not in default_models(include_free_saturation=False)


def test_bass_sensitivity_recovers_a_known_market_and_follows_the_assumed_ones():
    t = np.arange(2011, 2025).astype(float)
    annual = curves.bass_cumulative(t, 50_000.0, 0.01, 0.4, 2010.0) - curves.bass_cumulative(
        t - 1.0, 50_000.0, 0.01, 0.4, 2010.0)
    table = bass_market_sensitivity(t, annual, multiples=(2.0, 4.0), n_draws=500)
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
    table = bass_market_sensitivity(YEARS, CHINA, multiples=(2.0, 5.0, 10.0, 20.0), n_draws=1_000)
    # Cumulative 2021-2024 output: 324 + 738 + 910 + 1,170 = 3,142 GWh.
    assert table["market"].iloc[1] == pytest.approx(2 * 3142.0)
    assert table["central"].is_monotonic_increasing  # a larger m, a later peak, more in 2030
    assert table["peak_year"].is_monotonic_increasing
    assert table["central"].iloc[-1] > 50 * table["central"].iloc[0]
    assert (table["lo80"] <= table["p50"]).all() and (table["p50"] <= table["hi80"]).all()
    again = bass_market_sensitivity(YEARS, CHINA, multiples=(2.0, 5.0, 10.0, 20.0), n_draws=1_000)
    pd.testing.assert_frame_equal(table, again)


@pytest.mark.parametrize("multiples", [(1.0,), (0.5, 2.0), (float("nan"),)])
def test_bass_sensitivity_refuses_a_market_not_above_the_observed_output(multiples):
    with pytest.raises(ModelError, match="multiples must exceed 1"):
        bass_market_sensitivity(YEARS, CHINA, multiples=multiples)
