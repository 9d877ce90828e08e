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
from forecast.models import ExponentialTrend, LinearTrend

YEARS = [2021, 2022, 2023, 2024]
CHINA = [324.0, 738.0, 910.0, 1170.0]  # China Li-ion production [GWh], document 002


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


def test_default_models_estimate_k_with_both_saturating_curves():
    models = default_models(saturation=3800.0)
    assert {"logistic", "gompertz", "logistic_free_k", "gompertz_free_k"} <= set(models)
    assert "bass" not in models
    assert default_models(market=30_000.0)["bass"].market == 30_000.0
    assert "gompertz_free_k" not in default_models(include_free_saturation=False)
