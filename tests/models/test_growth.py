"""Tests of forecast.models.growth: recovery of known curves, reference values, errors, draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.growth import (
    DEFAULT_FALLBACK_SIGMA,
    GROWTH_MODELS,
    BassDiffusion,
    DampedTrend,
    EndpointCAGR,
    ExponentialTrend,
    GompertzCurve,
    GrowthModel,
    LeastSquaresCAGR,
    LinearTrend,
    LogisticCurve,
    make_model,
)

# China Li-ion production 2021-2024 [GWh] (document 002); 2023 alternative 940 GWh.
YEARS = np.array([2021, 2022, 2023, 2024])
CHINA = np.array([324.0, 738.0, 910.0, 1170.0])
FUTURE = np.arange(2025, 2031)


def real_models() -> list[GrowthModel]:
    """One configured instance of every model that can fit the 4-point China series."""
    return [
        EndpointCAGR(),
        LeastSquaresCAGR(),
        LinearTrend(),
        ExponentialTrend(),
        LogisticCurve(saturation=3800.0),
        GompertzCurve(saturation=3800.0),
        LogisticCurve(),
        GompertzCurve(),
        DampedTrend(),
        DampedTrend(damping=0.8),
        BassDiffusion(market=30_000.0),
    ]


MODEL_IDS = [
    "cagr_endpoint", "cagr_ls", "linear", "exponential", "logistic_k3800", "gompertz_k3800",
    "logistic_free", "gompertz_free", "damped", "damped_phi0.8", "bass_m30000",
]  # fmt: skip


# ----------------------------------------------------------------- reference values


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


# ----------------------------------------------------------------- synthetic recovery


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
    assert model.sigma_ == pytest.approx(0.0, abs=1e-9)
    assert any("exact" in n for n in model.notes_)


def test_logistic_with_free_saturation_is_recovered_from_15_points():
    t = np.arange(2015, 2030)
    y = curves.logistic(t, 2000.0, 0.6, 2025.0)
    model = LogisticCurve().fit(t, y)
    assert model.params_["saturation"] == pytest.approx(2000.0, rel=1e-5)
    assert model.params_["rate"] == pytest.approx(0.6, rel=1e-5)
    assert model.params_["midpoint"] == pytest.approx(2025.0, abs=1e-4)
    assert model.df_resid_ == 12
    assert model.method_.startswith("nonlinear least squares")


def test_gompertz_with_free_saturation_is_recovered_from_15_points():
    t = np.arange(2010, 2025)
    y = curves.gompertz(t, 2000.0, 0.4, 2022.0)
    model = GompertzCurve().fit(t, y)
    assert model.params_["saturation"] == pytest.approx(2000.0, rel=1e-5)
    assert model.params_["rate"] == pytest.approx(0.4, rel=1e-5)
    assert model.params_["midpoint"] == pytest.approx(2022.0, abs=1e-4)


@pytest.mark.parametrize(("cls", "curve"), [(LogisticCurve, curves.logistic),
                                            (GompertzCurve, curves.gompertz)])
def test_fixed_saturation_linearisation_is_exact_on_four_points(cls, curve):
    t = np.arange(2021, 2025)
    y = curve(t, 3800.0, 0.45, 2026.0)
    model = cls(saturation=3800.0).fit(t, y)
    assert model.params_["rate"] == pytest.approx(0.45, rel=1e-10)
    assert model.params_["midpoint"] == pytest.approx(2026.0, abs=1e-9)
    assert model.df_resid_ == 2
    assert math.isnan(model.bse_["saturation"])
    np.testing.assert_allclose(model.predict(FUTURE), curve(FUTURE, 3800.0, 0.45, 2026.0))
    assert "K = 3,800 assumed" in model.caveat_


def test_damped_trend_recovers_a_known_damped_path():
    t = np.arange(2017, 2025)  # 8 points: below ETS_MIN_OBS, so the documented fallback runs
    b, phi = 0.2, 0.8  # log growth b * phi ** (t - 2024): fading towards the last year
    growth = b * phi ** (t[1:] - 2024.0)
    y = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(growth)]))
    model = DampedTrend().fit(t, y)
    assert model.method_ == "growth-rate least squares"
    assert model.params_["damping"] == pytest.approx(0.8, abs=1e-6)
    assert model.params_["growth_last"] == pytest.approx(math.expm1(0.2), rel=1e-6)
    expected = curves.damped_compound(y[-1], math.expm1(0.2), 0.8, FUTURE - 2024)
    np.testing.assert_allclose(model.predict(FUTURE), expected, rtol=1e-6)
    fixed = DampedTrend(damping=0.8).fit(t, y)
    assert fixed.params_["growth_last"] == pytest.approx(math.expm1(0.2), rel=1e-12)
    assert fixed.df_resid_ == t.size - 2
    longer = np.arange(2005, 2025)
    y_long = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(b * phi ** (longer[1:] - 2024.0))]))
    no_ets = DampedTrend(use_statsmodels=False).fit(longer, y_long)
    assert no_ets.method_ == "growth-rate least squares"
    assert no_ets.params_["damping"] == pytest.approx(0.8, abs=1e-6)


def test_damped_trend_says_why_statsmodels_was_not_used_on_four_points():
    model = DampedTrend().fit(YEARS, CHINA)
    assert model.method_ == "growth-rate least squares"
    assert any("4 points < 10" in n for n in model.notes_)
    assert model.df_resid_ == 1  # 3 growth rates, 2 parameters


def test_damped_trend_uses_statsmodels_ets_on_a_long_series():
    rng = np.random.default_rng(0)
    t = np.arange(1995, 2025)
    log_growth = 0.3 * 0.93 ** (t - 1995)
    y = 100.0 * np.exp(np.cumsum(log_growth) + rng.normal(0.0, 0.01, t.size))
    model = DampedTrend().fit(t, y)
    assert model.method_ == "ets"
    assert model.params_["damping"] == pytest.approx(0.93, abs=0.02)
    draws = model.sample(FUTURE, n_draws=500, seed=3)
    assert draws.shape == (500, FUTURE.size)
    np.testing.assert_array_equal(draws, model.sample(FUTURE, n_draws=500, seed=3))


def test_bass_recovers_p_and_q_with_market_fixed():
    t = np.arange(2011, 2025).astype(float)
    annual = curves.bass_cumulative(t, 50_000.0, 0.01, 0.4, 2010.0) - curves.bass_cumulative(
        t - 1.0, 50_000.0, 0.01, 0.4, 2010.0
    )
    model = BassDiffusion(market=50_000.0).fit(t, annual)
    assert model.params_["p"] == pytest.approx(0.01, rel=1e-6)
    assert model.params_["q"] == pytest.approx(0.4, rel=1e-6)
    assert model.df_resid_ == t.size - 2
    free = BassDiffusion().fit(t, annual)
    assert free.params_["market"] == pytest.approx(50_000.0, rel=1e-4)
    # Peak of the adoption rate: 2010 + ln(0.4 / 0.01) / 0.41 = 2010 + 8.997 = 2019.0.
    assert free.peak_year_ == pytest.approx(2010.0 + math.log(40.0) / 0.41, rel=1e-6)
    fine = np.arange(2011.0, 2031.0, 0.01)
    rate = np.gradient(curves.bass_cumulative(fine, 50_000.0, 0.01, 0.4, 2010.0), fine)
    assert free.peak_year_ == pytest.approx(fine[np.argmax(rate)], abs=0.01)


def test_bass_with_a_free_market_on_the_china_series_puts_the_peak_in_the_data():
    # Four points that have grown 324 -> 1,170 GWh: the least-squares Bass curve reads the
    # slowing growth of 2023-2024 as the approach of the peak. This is the identifiability
    # problem notebook 02 shows, so the numbers are pinned here.
    model = BassDiffusion().fit(YEARS, CHINA)
    assert model.df_resid_ == 1
    assert 2022.0 < model.peak_year_ < 2025.0
    assert model.params_["market"] < 2.0 * CHINA.sum()
    assert model.predict([2030.0])[0] < CHINA[-1]


# ----------------------------------------------------------------- uncertainty


def test_exponential_intervals_match_the_statsmodels_ols_prediction_interval():
    import statsmodels.api as sm

    rng = np.random.default_rng(42)
    t = np.arange(2015, 2023)
    y = 50.0 * np.exp(0.25 * (t - 2015) + rng.normal(0.0, 0.08, t.size))
    model = ExponentialTrend().fit(t, y)
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


@pytest.mark.parametrize("model", real_models(), ids=MODEL_IDS)
def test_draws_are_seeded_shaped_and_bands_nested(model):
    model.fit(YEARS, CHINA)
    a = model.sample(FUTURE, n_draws=2_000, seed=7)
    assert a.shape == (2_000, FUTURE.size)
    assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, model.sample(FUTURE, n_draws=2_000, seed=7))
    assert not np.array_equal(a, model.sample(FUTURE, n_draws=2_000, seed=8))
    lo80, hi80 = model.predict_interval(FUTURE, level=0.8, n_draws=2_000, seed=7)
    lo95, hi95 = model.predict_interval(FUTURE, level=0.95, n_draws=2_000, seed=7)
    assert np.all(lo95 <= lo80) and np.all(lo80 < hi80) and np.all(hi80 <= hi95)
    frame = model.forecast_frame(FUTURE, n_draws=2_000, seed=7)
    assert list(frame.columns) == ["model", "year", "central", "mean", "p5", "p10", "p50",
                                   "p90", "p95"]
    q = frame[["p5", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    assert frame["year"].tolist() == FUTURE.tolist()


def test_bands_widen_with_the_horizon_for_trend_models():
    model = ExponentialTrend().fit(YEARS, CHINA)
    lo, hi = model.predict_interval(FUTURE, level=0.8, n_draws=5_000, seed=0)
    assert np.all(np.diff(np.log(hi) - np.log(lo)) > 0)


def test_df_zero_uses_the_stated_fallback_sigma_not_a_zero_width_band():
    model = ExponentialTrend().fit([2023, 2024], [910.0, 1170.0])
    assert model.df_resid_ == 0
    assert model.sigma_source_ == "fallback"
    assert model.sigma_ == DEFAULT_FALLBACK_SIGMA
    assert any("df_resid = 0" in n for n in model.notes_)
    lo, hi = model.predict_interval([2025], level=0.8, n_draws=4_000, seed=1)
    assert hi[0] / lo[0] > 1.2
    wider = ExponentialTrend(fallback_sigma=0.3).fit([2023, 2024], [910.0, 1170.0])
    lo3, hi3 = wider.predict_interval([2025], level=0.8, n_draws=4_000, seed=1)
    assert hi3[0] / lo3[0] > hi[0] / lo[0]
    assert "noise sigma assumed" in model.caveat_


def test_one_df_is_reported_and_its_intervals_are_wider_than_with_two():
    free = LogisticCurve().fit(YEARS, CHINA)
    assert free.df_resid_ == 1
    assert free.n_params_ == 3
    assert "3 parameters from 4 points: 1 df left" in free.caveat_
    assert any("Cauchy" in n for n in free.notes_)
    # t quantile with 1 df (6.31 at 95%) against the normal (1.64): the draws must show it
    draws = free.sample([2030], n_draws=20_000, seed=0)[:, 0]
    log_draws = np.log(draws)
    spread95 = np.subtract(*np.quantile(log_draws, [0.975, 0.025]))
    spread80 = np.subtract(*np.quantile(log_draws, [0.9, 0.1]))
    assert spread95 / spread80 > 2.5  # a normal gives 3.92 / 2.56 = 1.53


def test_free_saturation_on_china_sits_at_its_lower_bound_and_says_so():
    model = LogisticCurve().fit(YEARS, CHINA)
    assert model.params_["saturation"] == pytest.approx(1.05 * 1170.0, rel=1e-3)
    assert "sits at a bound" in model.caveat_
    bounded = LogisticCurve(saturation_bounds=(2000.0, 5000.0)).fit(YEARS, CHINA)
    assert 2000.0 <= bounded.params_["saturation"] <= 5000.0
    # Far ahead the path is K times Cauchy-like noise; K draws are clipped to the bounds, so
    # the median stays between them and every draw stays finite.
    draws = bounded.sample([2100], n_draws=3_000, seed=1)
    assert np.all(np.isfinite(draws))
    assert 2000.0 * 0.8 < np.median(draws) < 5000.0


def test_summary_lists_parameters_df_and_notes():
    model = DampedTrend().fit(YEARS, CHINA)
    text = model.summary()
    for needle in ("DampedTrend", "growth_last", "damping", "df_resid: 1", "note:", "caveat:"):
        assert needle in text
    frame = model.params_frame()
    assert list(frame.columns) == ["param", "value", "bse", "unit"]
    assert "growth_last=" in model.format_params()


def test_aic_is_reported_only_for_log_least_squares_fits():
    assert np.isfinite(ExponentialTrend().fit(YEARS, CHINA).aic_)
    assert np.isfinite(LogisticCurve().fit(YEARS, CHINA).aic_)
    assert np.isnan(LinearTrend().fit(YEARS, CHINA).aic_)
    assert np.isnan(LogisticCurve(saturation=3800.0).fit(YEARS, CHINA).aic_)
    assert EndpointCAGR().fit(YEARS, CHINA).rmse_log_ > 0


# ----------------------------------------------------------------- errors

pytestmark_errors = pytest.mark.filterwarnings("error")


@pytestmark_errors
@pytest.mark.parametrize(
    ("model", "years", "values", "match"),
    [
        (LogisticCurve(), YEARS[:3], CHINA[:3], r"logistic needs at least 4 points .*got 3"),
        (ExponentialTrend(), [2024], [1170.0], r"exponential needs at least 2 points"),
        (EndpointCAGR(), [2024], [1170.0], r"cagr_endpoint needs at least 2 points"),
        (LeastSquaresCAGR(), [2024], [1170.0], r"cagr_ls needs at least 2 points"),
        (DampedTrend(), YEARS[:2], CHINA[:2], r"damped needs at least 3 points"),
        (ExponentialTrend(), YEARS, [324.0, 0.0, 910.0, 1170.0],
         r"every value must be > 0; got 0 in 2022"),
        (EndpointCAGR(), YEARS, [-1.0, 738.0, 910.0, 1170.0], r"must be > 0; got -1 in 2021"),
        (LogisticCurve(saturation=1000.0), YEARS, CHINA,
         r"saturation level 1000 must exceed the largest observation 1170"),
        (GompertzCurve(saturation=1170.0), YEARS, CHINA, r"must exceed the largest observation"),
        (ExponentialTrend(), YEARS, [324.0, np.nan, 910.0, 1170.0],
         r"values contain NaN \(years 2022\)"),
        (LinearTrend(), YEARS, CHINA[:3], r"years and values differ in length \(4 vs 3\)"),
        (LinearTrend(), [2021, 2021, 2022], [1.0, 2.0, 3.0], r"years contain duplicates"),
        (LogisticCurve(saturation_bounds=(1000.0, 5000.0)), YEARS, CHINA,
         r"saturation_bounds must satisfy"),
        (DampedTrend(damping=1.5), YEARS, CHINA, r"damping must be in \(0, 1\]"),
        (DampedTrend(), [2018, 2020, 2022, 2024], CHINA, r"years must be consecutive"),
        (BassDiffusion(market=2000.0), YEARS, CHINA, r"market potential 2000 must exceed"),
        (ExponentialTrend(), np.ones((4, 2)), CHINA, r"years must be 1-D or one column"),
    ],
)
def test_bad_input_raises_one_clear_model_error(model, years, values, match):
    with pytest.raises(ModelError, match=match) as info:
        model.fit(years, values)
    assert "\n" not in str(info.value)


@pytestmark_errors
def test_unfitted_model_and_registry_errors():
    with pytest.raises(ModelError, match=r"call fit\(years, values\) before"):
        ExponentialTrend().predict([2025])
    with pytest.raises(ModelError, match=r"unknown growth model 'cubic'; choose one of"):
        make_model("cubic")
    with pytest.raises(ModelError, match=r"got unknown arguments \['K'\]; allowed: "):
        make_model("logistic", K=3800)
    with pytest.raises(ModelError, match=r"interval level must be in \(0, 1\)"):
        ExponentialTrend().fit(YEARS, CHINA).predict_interval([2025], level=80)
    with pytest.raises(ModelError, match="n_draws must be >= 1"):
        ExponentialTrend().fit(YEARS, CHINA).sample([2025], n_draws=0)


def test_registry_builds_every_model():
    assert set(GROWTH_MODELS) == {"cagr_endpoint", "cagr_ls", "linear", "exponential",
                                  "logistic", "gompertz", "damped", "bass"}
    model = make_model("gompertz", saturation=3800.0)
    assert isinstance(model, GompertzCurve) and model.saturation == 3800.0


# ----------------------------------------------------------------- scikit-learn


def test_sklearn_clone_and_params_round_trip():
    from sklearn.base import clone

    model = LogisticCurve(saturation=3800.0, fallback_sigma=0.2)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    twin.set_params(saturation=2500.0)
    assert twin.saturation == 2500.0 and model.saturation == 3800.0
    fitted = LinearTrend().fit(YEARS, CHINA)
    fresh = clone(fitted)
    assert not hasattr(fresh, "params_")
    assert fitted.fit(YEARS.reshape(-1, 1), CHINA) is fitted


def test_cross_val_score_with_time_series_split_runs():
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    rng = np.random.default_rng(5)
    t = np.arange(2000, 2016).reshape(-1, 1)
    y = 10.0 * np.exp(0.2 * (t[:, 0] - 2000) + rng.normal(0.0, 0.03, t.shape[0]))
    scores = cross_val_score(ExponentialTrend(), t, y, cv=TimeSeriesSplit(n_splits=4),
                             scoring="neg_mean_absolute_percentage_error")
    assert scores.shape == (4,)
    assert np.all(np.isfinite(scores)) and np.all(scores > -0.15)


def test_endpoint_cagr_draws_follow_the_random_walk_with_drift_interval():
    from scipy import stats

    model = EndpointCAGR().fit(YEARS, CHINA)
    # Increments of log values and their drift (the log end-point CAGR), by hand.
    incr = np.diff(np.log(CHINA))
    mu = np.log(1170.0 / 324.0) / 3.0
    sigma = np.sqrt(np.sum((incr - mu) ** 2) / 2.0)  # 3 increments, 1 drift: 2 df
    assert model.sigma_ == pytest.approx(sigma)
    # h years ahead: variance sigma^2 (h^2 / 3 + h), Student t with 2 df.
    h = np.array([1.0, 6.0])
    half = stats.t.ppf(0.9, 2) * sigma * np.sqrt(h**2 / 3.0 + h)
    lo, hi = model.predict_interval(2024 + h, level=0.8, n_draws=200_000, seed=2)
    np.testing.assert_allclose(np.log(hi), np.log(1170.0) + mu * h + half, atol=0.03)
    np.testing.assert_allclose(np.log(lo), np.log(1170.0) + mu * h - half, atol=0.03)


def test_a_failed_refit_leaves_the_model_unfitted():
    model = LogisticCurve().fit(YEARS, CHINA)
    with pytest.raises(ModelError, match="needs at least 4 points"):
        model.fit(YEARS[:3], CHINA[:3])
    with pytest.raises(ModelError, match="call fit"):
        model.predict([2025])
