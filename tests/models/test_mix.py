"""Tests of forecast.models.mix: ALR helpers, the log-ratio trend of a segment mix, segment paths.

Reference numbers are worked out by hand from the source documents (segment production 2023
power 664.3, consumer 91, storage 154.7 GWh and 2024 823 / 94 / 254 GWh).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.errors import ModelError
from forecast.models.mix import LogRatioMix, alr, inv_alr, segment_paths
from forecast.models.share import shares_from_levels
from tests.conftest import FUTURE, QUANTILE_COLUMNS, SEGMENT_GWH, SEGMENTS


def china_mix(**kwargs: object) -> LogRatioMix:
    return LogRatioMix(**kwargs).fit([2023, 2024], shares_from_levels(SEGMENT_GWH), SEGMENTS)


# --------------------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------------------


def test_alr_hand_values_and_round_trip() -> None:
    shares = shares_from_levels(SEGMENT_GWH)
    r = alr(shares, reference=0)
    # log(254 / 823) = ln(0.308627); log(94 / 823) = ln(0.114216); log(154.7/664.3)
    assert r[1, 1] == pytest.approx(-1.1756, abs=5e-5)
    assert r[1, 0] == pytest.approx(-2.1697, abs=5e-5)
    assert r[0, 1] == pytest.approx(-1.4572, abs=5e-5)
    assert inv_alr(r, reference=0) == pytest.approx(shares, abs=1e-15)


def test_inv_alr_extreme_ratios_stay_positive() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shares = inv_alr(np.array([[1000.0, -1000.0], [0.0, 0.0]]), reference=1)
    assert np.all(shares > 0.0)
    assert shares.sum(axis=-1) == pytest.approx([1.0, 1.0], abs=1e-15)
    assert shares[1] == pytest.approx([1 / 3, 1 / 3, 1 / 3], abs=1e-15)


# --------------------------------------------------------------------------------------
# LogRatioMix
# --------------------------------------------------------------------------------------


def test_mix_fit_by_hand() -> None:
    mix = china_mix()
    assert mix.reference_ == "power"  # the largest mean share
    assert mix.ratio_segments_ == ("consumer", "storage")
    assert mix.df_resid_ == 0 and mix.resid_sigma_ is None and mix.slope_se_ is None
    # log(254/823) = -1.175622; log(154.7/664.3) = -1.457246; log(94/823) = -2.169661;
    # log(91/664.3) = -1.987874
    assert mix.level_ == pytest.approx([-2.169661, -1.175622], abs=1e-6)
    assert mix.slope_ == pytest.approx([-2.169661 + 1.987874, -1.175622 + 1.457246], abs=2e-6)
    assert mix.predict([2023, 2024]) == pytest.approx(shares_from_levels(SEGMENT_GWH), abs=1e-12)


def test_mix_damped_projection_by_hand() -> None:
    mix = china_mix(damping={"storage": 0.7})
    # storage: -1.175622 + 0.281624 * (0.7 (1 - 0.7^6) / 0.3 = 2.058819) = -0.595809
    # consumer (undamped): -2.169661 - 0.181787 * 6 = -3.260383
    e_cons, e_stor = math.exp(-3.260383), math.exp(-0.595809)
    total = 1 + e_cons + e_stor
    expected = [1 / total, e_cons / total, e_stor / total]  # 0.629132, 0.024142, 0.346725
    assert mix.predict([2030])[0] == pytest.approx(expected, abs=2e-6)
    undamped = china_mix().predict([2030])[0]
    assert undamped[2] > expected[2]  # damping holds storage's share back
    summary = china_mix().summary()
    assert "UNDAMPED" in summary and "2 years determine each log-ratio trend exactly" in summary


def test_mix_drift_sigma_spread_by_hand() -> None:
    mix = china_mix(damping=0.8, drift_sigma={"storage": 0.2})
    draws = mix.sample([2026, 2030], 40_000, seed=11)
    r = alr(draws, reference=0)  # (n_draws, 2, 2): consumer, storage
    g = np.array([0.8 + 0.8**2, 0.8 * (1 - 0.8**6) / 0.2])  # 1.44, 2.950848
    # consumer keeps the default 0.1/yr, storage gets 0.2/yr; sd = sigma * g
    assert r[:, :, 0].std(axis=0) == pytest.approx(0.1 * g, rel=0.03)
    assert r[:, :, 1].std(axis=0) == pytest.approx(0.2 * g, rel=0.03)
    assert r[:, 1, 1].mean() == pytest.approx(-1.175622 + 0.281624 * g[1], abs=0.01)


def test_mix_two_years_without_drift_sigma_refuses() -> None:
    mix = china_mix(drift_sigma=None)
    with pytest.raises(ModelError, match=r"0 residual degrees of freedom.*drift_sigma"):
        mix.sample(FUTURE, 10, 1)


def test_mix_estimated_uncertainty_matches_t_interval() -> None:
    from scipy import stats

    years = np.arange(2018, 2025)
    rng = np.random.default_rng(0)
    ratios = np.column_stack([0.3 - 0.1 * (years - 2024), -1.0 + 0.2 * (years - 2024)])
    ratios = ratios + rng.normal(0.0, 0.05, ratios.shape)
    shares = inv_alr(ratios, reference=1)
    mix = LogRatioMix(reference="b", drift_sigma=None).fit(years, shares, ["a", "b", "c"])
    assert mix.df_resid_ == 5
    # Trend-only band at 2030: level + slope * 6, design x = [1, 6] centred on 2024.
    t = years - 2024.0
    x = np.array([1.0, 6.0])
    var = (
        x
        @ np.linalg.inv(
            np.column_stack([np.ones_like(t), t]).T @ np.column_stack([np.ones_like(t), t])
        )
        @ x
    )
    half = stats.t.ppf(0.9, 5) * mix.resid_sigma_ * math.sqrt(var)
    r = alr(mix.sample([2030], 200_000, seed=5), reference=1)[:, 0, :]
    q_lo, q_hi = np.quantile(r, [0.1, 0.9], axis=0)
    centre = mix.level_ + 6 * mix.slope_
    assert q_lo == pytest.approx(centre - half, abs=0.02)
    assert q_hi == pytest.approx(centre + half, abs=0.02)
    assert mix.slope_ == pytest.approx([-0.1, 0.2], abs=0.05)


def test_mix_same_seed_same_draws() -> None:
    mix = china_mix()
    a = mix.sample(FUTURE, 500, seed=1)
    np.testing.assert_array_equal(a, mix.sample(FUTURE, 500, seed=1))
    assert not np.allclose(a, mix.sample(FUTURE, 500, seed=2))


def test_mix_forecast_frames() -> None:
    mix = china_mix(damping=0.8)
    frame = mix.forecast_frame(FUTURE, n_draws=3000, seed=4)
    assert list(frame.columns) == ["model", "year", "segment", *QUANTILE_COLUMNS]
    assert len(frame) == 18
    assert frame["segment"].tolist()[:3] == SEGMENTS
    assert frame.groupby("year")["mean"].sum().to_numpy() == pytest.approx(np.ones(6), abs=1e-12)
    total = np.linspace(1400.0, 3800.0, 6)
    levels = mix.forecast_frame(FUTURE, n_draws=3000, seed=4, total=total)
    assert levels.groupby("year")["mean"].sum().to_numpy() == pytest.approx(total, rel=1e-12)
    total_draws = make_total_draws(3000)
    levels = mix.forecast_frame(FUTURE, n_draws=3000, seed=4, total=total_draws)
    assert levels.groupby("year")["mean"].sum().to_numpy() == pytest.approx(
        total_draws.mean(axis=0), rel=1e-12
    )
    with pytest.raises(ModelError, match="total has 3000 draws but the mix has 10"):
        mix.forecast_frame(FUTURE, n_draws=10, seed=4, total=total_draws)


def make_total_draws(n_draws: int) -> np.ndarray:
    rng = np.random.default_rng(99)
    growth = rng.normal(0.2, 0.05, (n_draws, 1))
    return 1170.0 * (1 + growth) ** np.arange(1, 7)


@pytest.mark.parametrize(
    ("years", "shares", "segments", "kwargs", "message"),
    [
        ([2023, 2024], [[0.5, 0.4], [0.5, 0.5]], ["a", "b"], {}, "shares in 2023 sum to 0.9"),
        ([2023, 2024], [[0.746, 0.253], [0.6, 0.4]], ["a", "b"], {}, "not 1"),
        ([2023, 2024], [[1.0, 0.0], [0.5, 0.5]], ["a", "b"], {}, "strictly positive"),
        ([2023, 2024], [[0.5, np.nan], [0.5, 0.5]], ["a", "b"], {}, "NaN"),
        ([2023], [[0.5, 0.5]], ["a", "b"], {}, "at least 2 points"),
        ([2022, 2023, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], {}, r"length \(3 vs 2\)"),
        ([2023, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a"], {}, "1 segment names for 2"),
        ([2023, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a", "a"], {}, "distinct"),
        ([2023, 2024], [[1.0], [1.0]], ["a"], {}, "at least 2 segments"),
        ([2023, 2024], [[0.5, 0.5], [0.5, 0.5]], None, {}, "name the segments"),
        ([2023, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], {"sum_tolerance": -1}, "sum_tol"),
        ([2024, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], {}, "years contain duplicates"),
        ([2023, 2024], [0.5, 0.5], ["a", "b"], {}, "shares must be 2-D"),
        ([2023, 2024], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"], {"reference": "c"}, "not one of"),
        ([2023, 2024], [[0.5, 0.5], [0.4, 0.6]], ["a", "b"], {"damping": 1.5}, "damping must"),
        (
            [2023, 2024],
            [[0.5, 0.5], [0.4, 0.6]],
            ["a", "b"],
            {"reference": "a", "damping": {"a": 0.5}},
            "not non-reference segments",
        ),
        (
            [2023, 2024],
            [[0.5, 0.5], [0.4, 0.6]],
            ["a", "b"],
            {"drift_sigma": 0.0},
            "drift_sigma must be positive",
        ),
    ],
)
def test_mix_errors(
    years: list[float],
    shares: list[list[float]],
    segments: list[str] | None,
    kwargs: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ModelError, match=message) as info:
        LogRatioMix(**kwargs).fit(years, shares, segments)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_mix_interface_and_summary() -> None:
    from sklearn.base import clone

    mix = china_mix(damping={"storage": 0.7})
    assert clone(mix).get_params()["damping"] == {"storage": 0.7}
    lo, hi = mix.predict_interval(FUTURE, level=0.8, n_draws=2000, seed=1)
    assert lo.shape == hi.shape == (6, 3)
    assert np.all(lo < mix.predict(FUTURE)) and np.all(mix.predict(FUTURE) < hi)
    params = mix.params_frame()
    assert params["param"].tolist() == [
        "level[consumer]",
        "slope[consumer]",
        "level[storage]",
        "slope[storage]",
    ]
    assert params["bse"].tolist()[1::2] == [0.1, 0.1]  # the stated drift sigma
    text = mix.summary()
    # storage's slope 0.281624 damped by 0.7 moves the log-ratio at most 0.281624 * 0.7 / 0.3
    assert "moves at most +0.657" in text
    assert "UNDAMPED log-ratio trend for consumer" in text
    assert "stated drift" in text


def test_mix_accepts_dataframe() -> None:
    frame = pd.DataFrame(shares_from_levels(SEGMENT_GWH), columns=SEGMENTS, index=[2023, 2024])
    mix = LogRatioMix(reference="storage").fit(frame.index, frame)
    assert mix.segments_ == tuple(SEGMENTS)
    assert mix.ratio_segments_ == ("power", "consumer")
    assert mix.level_[0] == pytest.approx(math.log(823 / 254), abs=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_years=st.integers(2, 5),
    n_seg=st.integers(2, 4),
    levels=st.lists(st.floats(0.1, 1000.0), min_size=20, max_size=20),
    damping=st.floats(0.3, 1.0),
    drift=st.floats(0.001, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_mix_and_paths_properties(
    n_years: int, n_seg: int, levels: list[float], damping: float, drift: float, seed: int
) -> None:
    shares = shares_from_levels(np.array(levels[: n_years * n_seg]).reshape(n_years, n_seg))
    names = [f"s{i}" for i in range(n_seg)]
    mix = LogRatioMix(damping=damping, drift_sigma=drift).fit(
        np.arange(2020, 2020 + n_years), shares, names
    )
    years = np.arange(2020, 2051)
    draws = mix.sample(years, 300, seed)
    assert draws.shape == (300, len(years), n_seg)
    assert np.all(draws > 0.0)
    assert np.all(np.abs(draws.sum(axis=-1) - 1.0) <= 1e-12)
    rng = np.random.default_rng(seed)
    total = rng.lognormal(7.0, 1.0, (300, len(years)))
    paths = segment_paths(total, draws)
    assert np.all(paths >= 0.0)
    np.testing.assert_allclose(paths.sum(axis=-1), total, rtol=1e-12, atol=0.0)


def test_unfitted_mix() -> None:
    with pytest.raises(ModelError, match="not fitted"):
        LogRatioMix().predict(FUTURE)


# --------------------------------------------------------------------------------------
# segment_paths
# --------------------------------------------------------------------------------------


def test_segment_paths_shapes_and_values() -> None:
    shares = np.array([[0.7, 0.1, 0.2], [0.6, 0.1, 0.3]])
    total = np.array([1000.0, 2000.0])
    paths = segment_paths(total, shares)
    expected = np.array([[700.0, 100.0, 200.0], [1200.0, 200.0, 600.0]])
    np.testing.assert_allclose(paths, expected, rtol=1e-12)
    total_draws = np.array([[1000.0, 2000.0], [500.0, 100.0], [0.0, 1.0]])
    assert segment_paths(total_draws, shares).shape == (3, 2, 3)
    share_draws = np.broadcast_to(shares, (4, 2, 3))
    assert segment_paths(total, share_draws).shape == (4, 2, 3)
    both = segment_paths(total_draws, np.broadcast_to(shares, (3, 2, 3)))
    assert both[1, 1] == pytest.approx([60.0, 10.0, 30.0], rel=1e-12)
    assert both[2, 0].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("total", "shares", "message"),
    [
        ([1.0, 2.0, 3.0], [[0.5, 0.5], [0.5, 0.5]], "does not match"),
        (np.ones((4, 2)), np.full((3, 2, 2), 0.5), "does not match"),
        ([1.0, -2.0], [[0.5, 0.5], [0.5, 0.5]], "total must be non-negative"),
        ([1.0, np.nan], [[0.5, 0.5], [0.5, 0.5]], "NaN"),
        ([1.0, 2.0], [[0.5, 0.6], [0.5, 0.5]], "sum to 1 in every row"),
        ([1.0, 2.0], [[1.5, -0.5], [0.5, 0.5]], "shares must be non-negative"),
        ([1.0, 2.0], [0.5, 0.5], "shares must be"),
        (5.0, [[0.5, 0.5]], "total must be"),
    ],
)
def test_segment_paths_errors(total: object, shares: object, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        segment_paths(total, shares)  # type: ignore[arg-type]


def test_mix_fits_straight_from_the_data_layer(history: pd.DataFrame) -> None:
    from forecast import data

    levels = pd.concat(
        {seg: data.get_series(history, "production", segment=seg) for seg in SEGMENTS}, axis=1
    )
    mix = LogRatioMix().fit(levels.index, shares_from_levels(levels), SEGMENTS)
    assert mix.level_ == pytest.approx([-2.169661, -1.175622], abs=1e-6)
