"""Tests of forecast.models.growth: what every growth model shares (draws, sigma, summary,
errors, scikit-learn conventions), run over one configured instance of each model."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import ModelError
from forecast.models.bass import BassDiffusion
from forecast.models.damped import DampedTrend
from forecast.models.growth import GrowthModel
from forecast.models.prior import GROWTH_PRIOR, RESIDUAL_PRIOR
from forecast.models.saturating import GompertzCurve, LogisticCurve
from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend
from tests.conftest import CHINA, FUTURE, QUANTILE_COLUMNS, YEARS


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
    assert list(frame.columns) == ["model", "year", *QUANTILE_COLUMNS]
    q = frame[["p5", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    assert frame["year"].tolist() == FUTURE.tolist()


def test_df_zero_borrows_the_reference_class_noise_not_a_zero_width_band():
    model = ExponentialTrend().fit([2023, 2024], [910.0, 1170.0])
    assert model.df_resid_ == 0
    assert model.sigma_source_ == "reference"
    assert model.sigma_ == RESIDUAL_PRIOR.sigma
    assert model.df_t_ == RESIDUAL_PRIOR.df  # t with the lent df: wide but finite
    assert any("df_resid = 0" in n and "reference-class" in n for n in model.notes_)
    lo, hi = model.predict_interval([2025], level=0.8, n_draws=4_000, seed=1)
    assert hi[0] / lo[0] > 1.4
    wider = ExponentialTrend(prior_sigma=0.3).fit([2023, 2024], [910.0, 1170.0])
    lo3, hi3 = wider.predict_interval([2025], level=0.8, n_draws=4_000, seed=1)
    assert hi3[0] / lo3[0] > hi[0] / lo[0]
    assert "noise sd from the reference class" in model.caveat_
    with pytest.raises(ModelError, match="prior_df = 0 lends none"):
        ExponentialTrend(prior_df=0).fit([2023, 2024], [910.0, 1170.0])


def test_noise_sd_pools_own_residuals_with_the_prior_by_hand():
    # Random walk on logs, innovations from the China series: 0.823, 0.210, 0.251.
    model = EndpointCAGR().fit(YEARS, CHINA)
    g = np.diff(np.log(CHINA))
    ssr = float(np.sum((g - g.mean()) ** 2))  # 2 df
    s0, nu0 = GROWTH_PRIOR.sigma, GROWTH_PRIOR.df
    assert model.sigma_resid_ == pytest.approx(np.sqrt(ssr / 2))
    assert model.sigma_ == pytest.approx(np.sqrt((nu0 * s0**2 + ssr) / (nu0 + 2)))
    assert model.df_t_ == 2 + nu0
    # prior_df = 0: the classical interval from the series alone; inf: the prior as known
    alone = EndpointCAGR(prior_df=0).fit(YEARS, CHINA)
    assert alone.sigma_ == pytest.approx(np.sqrt(ssr / 2)) and alone.df_t_ == 2
    known = EndpointCAGR(prior_sigma=0.5, prior_df=np.inf).fit(YEARS, CHINA)
    assert known.sigma_ == 0.5 and known.sigma_source_ == "stated"


def test_one_own_df_with_the_prior_gives_t3_bands_not_cauchy():
    # 4 points, 3 parameters: the free Gompertz has 1 df of its own and 3 with the prior.
    model = GompertzCurve().fit(YEARS, CHINA)
    assert model.df_resid_ == 1 and model.df_t_ == 3
    assert not any("Cauchy" in n for n in model.notes_)
    lo, hi = model.predict_interval([2030], level=0.8, n_draws=20_000, seed=3)
    assert CHINA[-1] / 2 < lo[0] and hi[0] < 10 * CHINA[-1]


def test_summary_lists_parameters_df_and_notes():
    model = DampedTrend().fit(YEARS, CHINA)
    text = model.summary()
    # phi profiles onto its lower bound 0.5 on China: held there, so 1 parameter and 2 df
    for needle in ("DampedTrend", "growth_last", "damping", "df_resid: 2", "note:", "caveat:",
                   "fixed: damping (on its lower search bound 0.5)", "AICc"):
        assert needle in text
    frame = model.params_frame()
    assert list(frame.columns) == ["param", "value", "bse", "unit", "estimated"]
    assert frame.set_index("param")["estimated"].to_dict() == {"growth_last": True,
                                                                 "damping": False}
    assert "growth_last=" in model.format_params()


# Log-linear data with known residuals: n = 6, so AICc is defined for 2 parameters.
T6 = np.arange(2015, 2021, dtype=float)
E6 = np.array([0.05, -0.03, 0.02, -0.04, 0.01, -0.01])
Y6 = np.exp(2.0 + 0.3 * (T6 - 2015) + E6)


def test_aicc_by_hand_on_six_points():
    model = ExponentialTrend().fit(T6, Y6)
    x = np.column_stack([np.ones(6), T6 - T6[-1]])
    resid = np.log(Y6) - x @ np.linalg.lstsq(x, np.log(Y6), rcond=None)[0]
    ssr = float(resid @ resid)
    k = 3  # intercept, slope and the residual variance
    expected = 6 * np.log(ssr / 6) + 2 * k + 2 * k * (k + 1) / (6 - k - 1)
    assert model.aicc_ == pytest.approx(expected, rel=1e-9)
    assert model.aicc_ - (6 * np.log(ssr / 6) + 2 * k) == pytest.approx(12.0)


def test_aicc_is_undefined_on_four_points_and_says_so():
    for model in (ExponentialTrend(), GompertzCurve(), BassDiffusion(market=30_000.0)):
        model.fit(YEARS, CHINA)
        assert np.isnan(model.aicc_)
        assert any("AICc undefined" in n and "n - K - 1" in n for n in model.notes_)
    # models that do not maximise a log-scale likelihood report none, without a note
    for model in (LinearTrend(), LogisticCurve(saturation=3800.0)):
        model.fit(YEARS, CHINA)
        assert np.isnan(model.aicc_) and not any("AICc" in n for n in model.notes_)
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
def test_unfitted_model_and_bad_arguments():
    with pytest.raises(ModelError, match=r"call fit\(years, values\) before"):
        ExponentialTrend().predict([2025])
    with pytest.raises(ModelError, match=r"interval level must be in \(0, 1\)"):
        ExponentialTrend().fit(YEARS, CHINA).predict_interval([2025], level=80)
    with pytest.raises(ModelError, match="n_draws must be >= 1"):
        ExponentialTrend().fit(YEARS, CHINA).sample([2025], n_draws=0)


def test_sklearn_clone_and_params_round_trip():
    from sklearn.base import clone

    model = LogisticCurve(saturation=3800.0, prior_sigma=0.2)
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


def test_forecast_frame_p5_p95_is_a_90_percent_band_and_named_so():
    from forecast.models.base import BaseModel

    assert "p5-p95 the 90% band" in BaseModel.forecast_frame.__doc__
    assert "95% band" not in BaseModel.forecast_frame.__doc__
    model = ExponentialTrend().fit(YEARS, CHINA)
    frame = model.forecast_frame([2027], n_draws=50_000, seed=4)
    draws = model.sample([2027], n_draws=50_000, seed=4)[:, 0]
    inside = np.mean((draws >= frame["p5"].iloc[0]) & (draws <= frame["p95"].iloc[0]))
    assert inside == pytest.approx(0.90, abs=0.002)
