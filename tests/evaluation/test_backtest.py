"""Tests of forecast.evaluation.backtest: rolling origins, naive baselines, performance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.evaluation.backtest import (
    BACKTEST_COLUMNS,
    NAIVE_MODELS,
    PERFORMANCE_COLUMNS,
    default_models,
    naive_forecasts,
    performance,
    rolling_origin,
)
from forecast.models import BassDiffusion, ExponentialTrend, LinearTrend
from tests.conftest import CHINA, YEARS


def test_backtest_has_one_row_per_model_origin_and_year(backtest):
    assert list(backtest.columns) == BACKTEST_COLUMNS
    names = [*default_models(saturation_multiple=3.0), *NAIVE_MODELS]
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
    # coverage is the share of ok forecasts whose actual is inside the band, by hand
    ok = backtest[(backtest["model"] == "exponential") & (backtest["status"] == "ok")]
    inside = [lo <= a <= hi for lo, a, hi in zip(ok["lo80"], ok["actual"], ok["hi80"],
                                                 strict=True)]
    assert perf.loc["exponential", "coverage80"] == pytest.approx(sum(inside) / len(inside))


def _tiny_backtest(in80: list[float], status: list[str]) -> pd.DataFrame:
    n = len(in80)
    frame = pd.DataFrame({c: np.nan for c in BACKTEST_COLUMNS}, index=range(n))
    frame["model"], frame["kind"], frame["status"] = "m", "model", status
    frame["error"] = [10.0, -20.0, 30.0, 40.0][:n]
    frame["abs_error"] = frame["error"].abs()
    frame["in80"] = in80
    frame["in95"] = 1.0
    return frame


def test_coverage_by_hand_on_a_tiny_table():
    # 3 ok forecasts, 2 inside the 80% band; the skipped row does not count
    perf = performance(_tiny_backtest([1.0, 0.0, 1.0, 0.0], ["ok", "ok", "ok", "skipped"]))
    row = perf.set_index("model").loc["m"]
    assert row["coverage80"] == pytest.approx(2 / 3)
    assert row["coverage95"] == 1.0
    assert row["n_forecasts"] == 3 and row["n_skipped"] == 1
    assert row["mae"] == pytest.approx(20.0)
    assert row["rmse"] == pytest.approx(np.sqrt((100 + 400 + 900) / 3))


def _synthetic_coverage(model, sigma: float, n_series: int) -> float:
    """80% coverage of ``model`` backtested on straight lines with N(0, sigma) noise."""
    rng = np.random.default_rng(20)
    t = np.arange(2010, 2020)
    rows = []
    for i in range(n_series):
        y = 100.0 + 10.0 * (t - 2010) + rng.normal(0.0, sigma, t.size)
        rows.append(rolling_origin(t, y, {"m": model}, min_train=8, n_draws=1_000, seed=i,
                                   naive=False))
    return float(performance(pd.concat(rows)).set_index("model").loc["m", "coverage80"])


def test_coverage_on_a_known_process_is_what_the_intervals_promise():
    # A line with normal noise is the linear trend's own process: its classical OLS interval
    # (prior_df=0) covers 80% of the 240 forecasts (3 per series); binomial sd 0.026, more
    # with the forecasts of one series correlated.
    assert 0.72 <= _synthetic_coverage(LinearTrend(prior_df=0), 5.0, 80) <= 0.88
    # told a noise sd ten times too small, it covers far less: the check can fail
    small = LinearTrend(prior_sigma=0.5 / 190.0, prior_df=np.inf)  # sd 0.5 at the last value
    assert _synthetic_coverage(small, 5.0, 20) < 0.3


def test_no_look_ahead_forecasts_ignore_every_later_value():
    t = np.arange(2017, 2025)
    y = 50.0 * np.exp(0.3 * (t - 2017)) * (1.0 + 0.05 * np.sin(t))
    models = {**default_models(saturation_multiple=3.0), "bass": BassDiffusion()}
    base = rolling_origin(t, y, models, n_draws=500, seed=9)
    cols = ["model", "origin", "year", "forecast", "lo80", "hi80", "lo95", "hi95", "status"]
    for origin in (2018, 2022):
        changed = y.copy()
        changed[t > origin] *= 10.0  # every value after the origin
        other = rolling_origin(t, changed, models, n_draws=500, seed=9)
        a = base.loc[base["origin"] == origin, cols].reset_index(drop=True)
        b = other.loc[other["origin"] == origin, cols].reset_index(drop=True)
        assert (a["status"] == "ok").sum() > 10
        pd.testing.assert_frame_equal(a, b)
        # the actuals did change, so the comparison is not vacuous
        assert not np.allclose(base.loc[base["origin"] == origin, "actual"],
                               other.loc[other["origin"] == origin, "actual"])


def test_an_absolute_level_from_outside_the_series_is_not_backtested():
    bt = rolling_origin(YEARS, CHINA, default_models(saturation=3800.0, market=30_000.0),
                        n_draws=500, seed=1)
    for name in ("logistic", "gompertz", "bass"):
        rows = bt[bt["model"] == name]
        assert (rows["status"] == "skipped").all() and rows["forecast"].isna().all()
        assert rows["reason"].str.contains("cannot know it (no look-ahead)", regex=False).all()
    # relative to the origin's value it exists at every origin: K = 3 x 738 from 2022
    ok = rolling_origin(YEARS, CHINA, default_models(saturation_multiple=3.0), n_draws=500,
                        seed=1)
    assert (ok.loc[ok["model"] == "logistic", "status"] == "ok").all()


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


def test_default_models_estimate_k_with_both_saturating_curves():
    models = default_models(saturation=3800.0)
    assert {"logistic", "gompertz", "logistic_free_k", "gompertz_free_k"} <= set(models)
    assert "bass" not in models
    assert default_models(market=30_000.0)["bass"].market == 30_000.0
    assert default_models(saturation_multiple=3.0)["gompertz"].saturation_multiple == 3.0
    with pytest.raises(ModelError, match="not both"):
        default_models(saturation=3800.0, saturation_multiple=3.0)


def test_the_calibrated_default_is_skipped_where_it_has_no_window_or_horizon(backtest):
    from forecast.evaluation.comparison import compare_models

    assert list(default_models())[-1] == "default"
    # Four points leave at most three before any origin: the default needs four.
    rows = backtest[backtest["model"] == "default"]
    assert len(rows) == 3 and (rows["status"] == "skipped").all()
    assert rows["reason"].str.contains("needs the last 4 consecutive years").all()
    models = {"default": default_models()["default"]}
    ok = compare_models(YEARS, CHINA, models, target_year=2030, n_draws=1_000).iloc[0]
    assert ok["lo80"] < ok["p50"] < ok["hi80"] and ok["caveat"].startswith("forecasts 2025-2030")
    late = compare_models(YEARS, CHINA, models, target_year=2031, n_draws=1_000).iloc[0]
    assert np.isnan(late["p50"]) and "calibrated to 6 years ahead" in late["caveat"]
