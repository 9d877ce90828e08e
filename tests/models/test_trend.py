"""Tests of forecast.models.trend: CAGR, linear and exponential trends against hand values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend
from tests.conftest import CHINA, FUTURE, YEARS


def test_endpoint_cagr_of_china_2021_2024_is_53_4_percent():
    model = EndpointCAGR().fit(YEARS, CHINA)
    # (1170 / 324) ** (1/3) - 1: 3.6111 ** (1/3) = 1.5342
    assert model.params_["rate"] == pytest.approx(0.5342, abs=5e-5)
    assert model.params_["base"] == 1170.0
    assert model.predict([2025])[0] == pytest.approx(1170.0 * 1.53418, rel=1e-4)
    assert model.df_resid_ == 2


def test_growth_2023_2024_is_28_6_percent_or_24_5_with_940():
    assert EndpointCAGR().fit([2023, 2024], [910.0, 1170.0]).params_["rate"] == pytest.approx(
        0.2857, abs=5e-5
    )  # 1170 / 910 - 1
    assert EndpointCAGR().fit([2023, 2024], [940.0, 1170.0]).params_["rate"] == pytest.approx(
        0.2447, abs=5e-5
    )  # 1170 / 940 - 1


def test_least_squares_cagr_of_china_by_hand():
    # OLS slope of log values on t = 0..3: sum((t - 1.5) * log y) / 5
    logs = [math.log(x) for x in (324.0, 738.0, 910.0, 1170.0)]
    slope = (-1.5 * logs[0] - 0.5 * logs[1] + 0.5 * logs[2] + 1.5 * logs[3]) / 5.0
    model = LeastSquaresCAGR().fit(YEARS, CHINA)
    assert model.params_["rate"] == pytest.approx(math.exp(slope) - 1.0, rel=1e-12)
    assert model.params_["rate"] == pytest.approx(0.5010, abs=5e-4)
    assert model.predict([2024])[0] == pytest.approx(1170.0)


def test_linear_trend_of_china_by_hand():
    # slope = Sxy / Sxx = (-1.5*324 - 0.5*738 + 0.5*910 + 1.5*1170) / 5 = 1355 / 5 = 271
    model = LinearTrend().fit(YEARS, CHINA)
    assert model.params_["slope"] == pytest.approx(271.0)
    # mean 785.5 at t = 1.5; 2030 is t = 9: 785.5 + 271 * 7.5 = 2818
    assert model.predict([2030])[0] == pytest.approx(2818.0)


def test_exact_exponential_gives_its_exact_rate_in_every_cagr_model():
    t = np.arange(2010, 2020)
    y = 100.0 * 1.3 ** (t - 2010)
    for model in (EndpointCAGR(), LeastSquaresCAGR(), ExponentialTrend()):
        model.fit(t, y)
        assert model.params_["rate"] == pytest.approx(0.3, rel=1e-10), model.name
        np.testing.assert_allclose(model.predict([2025]), 100.0 * 1.3**15, rtol=1e-9)
    assert ExponentialTrend().fit(t, y).params_["level"] == pytest.approx(100.0 * 1.3**9)


def test_exact_line_is_recovered():
    t = np.arange(2000, 2008)
    model = LinearTrend().fit(t, 50.0 + 7.5 * (t - 2000))
    assert model.params_["slope"] == pytest.approx(7.5)
    assert model.params_["level"] == pytest.approx(50.0 + 7.5 * 7)
    assert model.sigma_resid_ == pytest.approx(0.0, abs=1e-9)
    assert any("exact" in n for n in model.notes_)
    # the bands still carry the reference-class noise, pooled: 2 df of 8
    assert model.sigma_ == pytest.approx(np.sqrt(2 * (0.155 * 102.5) ** 2 / 8), rel=1e-9)


def test_exponential_intervals_match_the_statsmodels_ols_prediction_interval():
    import statsmodels.api as sm

    rng = np.random.default_rng(42)
    t = np.arange(2015, 2023)
    y = 50.0 * np.exp(0.25 * (t - 2015) + rng.normal(0.0, 0.08, t.size))
    # prior_df=0: the series alone, which is the classical OLS interval
    model = ExponentialTrend(prior_df=0).fit(t, y)
    design = np.column_stack([np.ones(t.size), t - 2022.0])
    res = sm.OLS(np.log(y), design).fit()
    new = np.column_stack([np.ones(3), np.array([2024.0, 2026.0, 2030.0]) - 2022.0])
    for level in (0.8, 0.95):
        ci = res.get_prediction(new).conf_int(obs=True, alpha=1.0 - level)
        lo, hi = model.predict_interval([2024, 2026, 2030], level=level, n_draws=200_000,
                                        seed=1)
        np.testing.assert_allclose(np.log(lo), ci[:, 0], atol=0.02)
        np.testing.assert_allclose(np.log(hi), ci[:, 1], atol=0.02)
    assert model.bse_["log_slope"] == pytest.approx(float(res.bse[1]), rel=1e-10)


def test_bands_widen_with_the_horizon_for_trend_models():
    model = ExponentialTrend().fit(YEARS, CHINA)
    lo, hi = model.predict_interval(FUTURE, level=0.8, n_draws=5_000, seed=0)
    assert np.all(np.diff(np.log(hi) - np.log(lo)) > 0)


def test_endpoint_cagr_draws_follow_the_random_walk_with_drift_interval():
    from scipy import stats

    model = EndpointCAGR().fit(YEARS, CHINA)
    # Increments of log values and their drift (the log end-point CAGR), by hand.
    incr = np.diff(np.log(CHINA))
    mu = np.log(1170.0 / 324.0) / 3.0
    ssr = np.sum((incr - mu) ** 2)  # 3 increments, 1 drift: 2 df
    # pooled with the reference class's 0.244 on 2 df: t with 4 df
    sigma = np.sqrt((2 * 0.244**2 + ssr) / 4.0)
    assert model.sigma_ == pytest.approx(sigma)
    # h years ahead: variance sigma^2 (h^2 / 3 + h), Student t with 4 df.
    h = np.array([1.0, 6.0])
    half = stats.t.ppf(0.9, 4) * sigma * np.sqrt(h**2 / 3.0 + h)
    lo, hi = model.predict_interval(2024 + h, level=0.8, n_draws=200_000, seed=2)
    np.testing.assert_allclose(np.log(hi), np.log(1170.0) + mu * h + half, atol=0.03)
    np.testing.assert_allclose(np.log(lo), np.log(1170.0) + mu * h - half, atol=0.03)
