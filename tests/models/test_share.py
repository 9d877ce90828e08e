"""Tests of forecast.models.share: shares from levels and the Fisher-Pry trend.

Reference numbers are worked out by hand from the source documents (China's share of world
production 57% / 68.3% / 71% / 76% in 2021-2024; segment production 2023 power 664.3,
consumer 91, storage 154.7 GWh and 2024 823 / 94 / 254 GWh; power-battery installations
LFP 261.01 / 409.0 and ternary 126.13 / 139.0 GWh in 2023 / 2024).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import logit

from forecast.errors import ModelError
from forecast.models.curves import logistic
from forecast.models.share import (
    LogitShare,
    shares_from_levels,
    two_part_share,
)
from tests.conftest import CHINA_SHARE, FUTURE, QUANTILE_COLUMNS, SEEDS, SEGMENT_GWH, YEARS

# --------------------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------------------


def test_shares_from_levels_uses_segment_sum() -> None:
    shares = shares_from_levels(SEGMENT_GWH)
    # 2024 segments add to 823 + 94 + 254 = 1171 GWh (the reported total is 1170 GWh)
    assert shares[1, 2] == pytest.approx(254 / 1171, rel=1e-12)
    assert shares.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-15)
    with pytest.raises(ModelError, match="non-negative"):
        shares_from_levels([[1.0, -2.0]])
    with pytest.raises(ModelError, match="positive sum"):
        shares_from_levels([[0.0, 0.0]])


def test_two_part_share_lfp() -> None:
    lfp = two_part_share([261.01, 409.0], [126.13, 139.0])
    # 409 / 548 = 0.746350 (the reported 74.6% is of 548.4 GWh, which includes other types)
    assert lfp == pytest.approx([261.01 / 387.14, 0.746350], abs=1e-6)


# --------------------------------------------------------------------------------------
# LogitShare
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("floor", "cap", "rate", "midpoint"),
    [(0.0, 1.0, 0.45, 2019.3), (0.0, 0.85, 0.8, 2026.5), (0.1, 0.9, -0.3, 2030.0)],
)
def test_fisher_pry_recovers_synthetic_curve(
    floor: float, cap: float, rate: float, midpoint: float
) -> None:
    t = np.arange(2015, 2025)
    shares = floor + logistic(t, cap - floor, rate, midpoint)
    model = LogitShare(cap=cap, floor=floor).fit(t, shares)
    assert model.rate_ == pytest.approx(rate, abs=1e-10)
    assert model.midpoint_ == pytest.approx(midpoint, abs=1e-8)
    assert model.resid_sigma_ == pytest.approx(0.0, abs=1e-10)
    assert model.predict([2030]) == pytest.approx(
        floor + logistic(2030, cap - floor, rate, midpoint), abs=1e-12
    )


def test_china_share_ols_by_hand() -> None:
    model = LogitShare().fit(YEARS, CHINA_SHARE)
    z = [0.2819, 0.7676, 0.8954, 1.1527]  # logits of 0.57, 0.683, 0.71, 0.76
    centred = [-1.5, -0.5, 0.5, 1.5]  # years minus 2022.5; their sum of squares is 5
    slope = sum(c * zi for c, zi in zip(centred, z, strict=True)) / 5  # 0.27402
    level_2024 = sum(z) / 4 + slope * 1.5  # 1.18543
    assert model.rate_ == pytest.approx(slope, abs=2e-4)
    assert model.intercept_ == pytest.approx(level_2024, abs=2e-4)
    assert model.t_last_ == 2024
    assert model.midpoint_ == pytest.approx(2024 - level_2024 / slope, abs=0.01)  # 2019.67
    # residuals -0.0815, 0.1302, -0.0160, -0.0327: RSS 0.024919 over 2 df
    assert model.df_resid_ == 2
    assert model.resid_sigma_ == pytest.approx(math.sqrt(0.024919 / 2), abs=2e-4)
    assert model.predict_logit(YEARS) + model.residuals_ == pytest.approx(logit(CHINA_SHARE))


def test_cap_transforms_share_before_logit() -> None:
    model = LogitShare(cap=0.85).fit(YEARS, CHINA_SHARE)
    # logit(0.76 / 0.85) = ln(0.76 / 0.09) = 2.13352, etc.
    z = [math.log(0.57 / 0.28), math.log(0.683 / 0.167), math.log(0.71 / 0.14), 2.13352]
    slope = (-1.5 * z[0] - 0.5 * z[1] + 0.5 * z[2] + 1.5 * z[3]) / 5  # 0.44832
    assert model.rate_ == pytest.approx(slope, abs=1e-5)
    draws = LogitShare(cap=0.85, sigma=0.5).fit(YEARS, CHINA_SHARE).sample(FUTURE, 5000, 1)
    assert draws.max() < 0.85
    assert draws.min() > 0.0


def test_interval_by_hand_with_stated_sigma() -> None:
    model = LogitShare(sigma=0.2).fit(YEARS, CHINA_SHARE)
    lo, hi = model.predict_interval([2030], level=0.9)
    # Prediction variance factor 1 + 1/4 + (2030 - 2022.5)^2 / 5 = 12.5; normal q95 = 1.644854.
    z2030 = model.intercept_ + 6 * model.rate_
    half = 1.644854 * 0.2 * math.sqrt(12.5)
    assert lo[0] == pytest.approx(1 / (1 + math.exp(-(z2030 - half))), abs=1e-6)
    assert hi[0] == pytest.approx(1 / (1 + math.exp(-(z2030 + half))), abs=1e-6)
    trend_only = LogitShare(sigma=0.2, include_noise=False).fit(YEARS, CHINA_SHARE)
    lo_t, hi_t = trend_only.predict_interval([2030], level=0.9)
    half_t = 1.644854 * 0.2 * math.sqrt(11.5)
    assert hi_t[0] == pytest.approx(1 / (1 + math.exp(-(z2030 + half_t))), abs=1e-6)
    assert lo[0] < lo_t[0] < hi_t[0] < hi[0]


@pytest.mark.parametrize("include_noise", [True, False])
def test_draws_match_student_t_interval(include_noise: bool) -> None:
    model = LogitShare(include_noise=include_noise).fit(YEARS, CHINA_SHARE)
    draws = model.sample([2026, 2030], 200_000, seed=7)
    lo, hi = model.predict_interval([2026, 2030], level=0.8)
    q_lo, q_hi = np.quantile(logit(draws), [0.1, 0.9], axis=0)
    assert q_lo == pytest.approx(logit(lo), abs=0.02)
    assert q_hi == pytest.approx(logit(hi), abs=0.02)
    # t with 2 df is much wider than a normal with the same scale: 80% q = 1.8856 vs 1.2816
    spread = (logit(hi) - logit(lo)) / 2
    assert spread[1] / model.resid_sigma_ > 1.8856 * math.sqrt(11.5) - 1e-6


def test_two_points_need_stated_sigma() -> None:
    lfp = two_part_share([261.01, 409.0], [126.13, 139.0])
    model = LogitShare().fit([2023, 2024], lfp)
    # logit(409/548) - logit(261.01/387.14) = ln(409/139) - ln(261.01/126.13) = 1.07924 - 0.72725
    assert model.rate_ == pytest.approx(0.35199, abs=1e-5)
    assert model.df_resid_ == 0
    assert model.resid_sigma_ is None and model.sigma_ is None
    assert model.sigma_source_ == "unavailable"
    assert "not estimable" in model.summary()
    assert math.isnan(model.bse_["rate"])
    with pytest.raises(ModelError, match=r"0 residual degrees of freedom.*sigma"):
        model.sample(FUTURE, 100, 1)
    with pytest.raises(ModelError, match="0 residual degrees of freedom"):
        model.predict_interval(FUTURE)
    model.set_params(sigma=0.25).fit([2023, 2024], lfp)
    draws = model.sample(FUTURE, 2000, 1)
    assert draws.shape == (2000, 6)
    assert np.all(draws.std(axis=0) > 0)  # a stated sigma gives a real band, never zero width
    assert "(stated)" in model.summary()
    # With a known sigma the rate's standard error is sigma * sqrt(1 / Sxx) = 0.25 / sqrt(0.5)
    assert model.bse_["rate"] == pytest.approx(0.25 / math.sqrt(0.5), rel=1e-12)


def test_logit_share_same_seed_same_draws() -> None:
    model = LogitShare().fit(YEARS, CHINA_SHARE)
    a = model.sample(FUTURE, 1000, seed=42)
    b = model.sample(FUTURE, 1000, seed=42)
    c = model.sample(FUTURE, 1000, seed=43)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_logit_share_forecast_frame() -> None:
    frame = LogitShare().fit(YEARS, CHINA_SHARE).forecast_frame(FUTURE, n_draws=4000, seed=3)
    assert list(frame.columns) == ["model", "year", *QUANTILE_COLUMNS]
    assert frame["year"].tolist() == FUTURE.tolist()
    assert np.all(frame["p5"] <= frame["p50"]) and np.all(frame["p50"] <= frame["p95"])
    assert frame["p95"].max() < 1.0
    # the median of the draws is the trend (noise is symmetric on the logit scale)
    trend = LogitShare().fit(YEARS, CHINA_SHARE).predict(FUTURE)
    assert frame["p50"].to_numpy() == pytest.approx(trend, abs=0.01)


def test_logit_share_interface_matches_growth_models() -> None:
    from sklearn.base import clone

    model = LogitShare(cap=0.85, include_noise=False)
    assert clone(model).get_params() == {
        "cap": 0.85,
        "floor": 0.0,
        "sigma": None,
        "include_noise": False,
    }
    assert repr(model) == "LogitShare(cap=0.85, include_noise=False)"
    with pytest.raises(ModelError, match="has no parameter 'ceiling'"):
        model.set_params(ceiling=0.9)
    model = LogitShare().fit(YEARS.reshape(-1, 1), CHINA_SHARE)  # (n, 1) years as in sklearn
    frame = model.params_frame()
    assert frame["param"].tolist() == ["rate", "midpoint", "intercept"]
    # se(rate) = sigma / sqrt(Sxx) = 0.11162 / sqrt(5)
    assert frame.loc[0, "bse"] == pytest.approx(0.11162 / math.sqrt(5), abs=2e-4)
    lo80, hi80 = model.predict_interval(FUTURE, 0.8)
    lo95, hi95 = model.predict_interval(FUTURE, 0.95)
    central = model.predict(FUTURE)
    assert np.all(lo95 < lo80) and np.all(lo80 < central)
    assert np.all(central < hi80) and np.all(hi80 < hi95)
    assert "Student t with 2 df" in model.summary()


@pytest.mark.parametrize(
    ("years", "shares", "kwargs", "message"),
    [
        ([2023, 2024], [0.5, 1.0], {}, "strictly between floor 0 and cap 1"),
        ([2023, 2024], [0.0, 0.5], {}, "strictly between"),
        ([2023, 2024], [0.7, 0.9], {"cap": 0.85}, "share 0.9 is not strictly between"),
        ([2023, 2024, 2025], [0.5, 0.6], {}, r"years and shares differ in length \(3 vs 2\)"),
        ([2024], [0.5], {}, r"needs at least 2 points \(a line needs two points\); got 1"),
        ([2023, 2024], [0.5, float("nan")], {}, "NaN"),
        ([2023, float("nan")], [0.5, 0.6], {}, "years must not contain NaN"),
        ([2024, 2024], [0.5, 0.6], {}, "years contain duplicates"),
        ([2023, 2024], [0.5, 0.6], {"cap": 0.4, "floor": 0.5}, "need 0 <= floor < cap <= 1"),
        ([2023, 2024], [0.5, 0.6], {"sigma": -1.0}, "sigma must be a positive"),
        ([2023, 2024], [0.5, 0.6], {"sigma": 0.0}, "sigma must be a positive"),
        ([2023, 2024], ["a", "b"], {}, "shares must be numbers"),
    ],
)
def test_logit_share_errors(
    years: list[float], shares: list[float], kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ModelError, match=message) as info:
        LogitShare(**kwargs).fit(years, shares)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_unfitted_and_bad_draw_count() -> None:
    with pytest.raises(ModelError, match="not fitted"):
        LogitShare().sample(FUTURE, 10, 1)
    with pytest.raises(ModelError, match="n_draws must be a positive integer"):
        LogitShare(sigma=0.1).fit(YEARS, CHINA_SHARE).sample(FUTURE, 0, 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 6),
    cap=st.floats(0.5, 1.0),
    floor=st.floats(0.0, 0.2),
    u=st.lists(st.floats(0.01, 0.99), min_size=6, max_size=6),
    sigma=st.one_of(st.none(), st.floats(0.01, 3.0)),
    seed=st.integers(0, 2**32 - 1),
)
def test_logit_share_draws_stay_inside_bounds(
    n: int, cap: float, floor: float, u: list[float], sigma: float | None, seed: int
) -> None:
    shares = floor + (cap - floor) * np.array(u[:n])
    if sigma is None and n == 2:
        sigma = 0.5
    model = LogitShare(cap=cap, floor=floor, sigma=sigma).fit(np.arange(2019, 2019 + n), shares)
    draws = model.sample(np.arange(2019, 2061), 500, seed)
    assert np.all(np.isfinite(draws))
    assert np.all(draws > floor) and np.all(draws < cap)
    assert np.all(draws > 0.0) and np.all(draws < 1.0)


# --------------------------------------------------------------------------------------
# Source documents
# --------------------------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents not present")
def test_reference_numbers_are_in_the_sources() -> None:
    text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in SEEDS.glob("*.txt"))
    for phrase in [
        "global market share increasing to 68.3%",
        "823 GWh, up 23.9% YoY from 664.3 GWh",
        "254 GWh, up 64% YoY from 154.7 GWh",
        "ternary battery installations were 139.0 GWh",
        "LFP battery installations were 409.0 GWh",
    ]:
        assert phrase in text, phrase


def test_models_fit_straight_from_the_data_layer(history: pd.DataFrame) -> None:
    from forecast import data

    share = data.get_series(history, "production_share_of_world")
    model = LogitShare().fit(share.index, share)
    assert model.rate_ == pytest.approx(0.27402, abs=2e-4)  # the hand OLS slope above
    lfp = data.get_series(history, "power_installations", segment="lfp")
    ternary = data.get_series(history, "power_installations", segment="ternary")
    lfp_model = LogitShare(sigma=0.2).fit(lfp.index, two_part_share(lfp, ternary))
    assert lfp_model.rate_ == pytest.approx(0.35199, abs=1e-5)
