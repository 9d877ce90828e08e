"""The projection engine against hand-computed curves, and its properties on random scenarios."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.errors import ScenarioError
from forecast.models import curves
from forecast.scenarios.preparation import prepare
from forecast.scenarios.projection import (
    PROJECTION_COLUMNS,
    draw,
    evaluate,
    simulate,
    summarise,
)
from forecast.scenarios.sampling import central_parameters, draw_parameters, quantile
from forecast.scenarios.schema import parse_scenario

# China 2024 from document 002: power 823, consumer 94, storage 254 GWh; share 76%.
POWER, CONSUMER, STORAGE, SHARE = 823.0, 94.0, 254.0, 0.76
YEARS = np.arange(2025, 2031)
H = YEARS - 2024


@pytest.fixture(scope="module")
def central_paths(history: pd.DataFrame) -> Any:
    """The central-value paths of a scenario: ``{(region, segment): path}``."""

    def paths(sc: Any) -> dict[tuple[str, str], np.ndarray]:
        prepared = prepare(sc, history)
        return {k: v[0] for k, v in evaluate(prepared, central_parameters(prepared)).items()}

    return paths


def test_compound_segments_and_world_through_constant_share(scenario, central_paths) -> None:
    paths = central_paths(scenario())
    np.testing.assert_allclose(paths[("China", "power")], POWER * 1.1**H)
    np.testing.assert_allclose(paths[("China", "consumer")], np.full(6, CONSUMER))
    np.testing.assert_allclose(paths[("China", "storage")], STORAGE * 1.2**H)
    total = POWER * 1.1**H + CONSUMER + STORAGE * 1.2**H
    np.testing.assert_allclose(paths[("China", "total")], total)
    np.testing.assert_allclose(paths[("World", "total")], total / SHARE)
    np.testing.assert_allclose(paths[("China", "world_share")], np.full(6, SHARE))


def test_damped_and_logistic_match_the_curve_functions(scenario, central_paths) -> None:
    sc = scenario(
        segments__power={"model": "damped", "cagr": 0.2, "damping": 0.8},
        segments__storage={"model": "logistic", "saturation": 1500, "rate": 0.4},
    )
    paths = central_paths(sc)
    # Damped: log-growth 0.8^h * log(1.2): 2025 = 823 * 1.2**0.8 = 957.46 GWh.
    assert paths[("China", "power")][0] == pytest.approx(823 * 1.2**0.8)
    np.testing.assert_allclose(
        paths[("China", "power")], curves.damped_compound(POWER, 0.2, 0.8, H)
    )
    midpoint = 2024 + np.log(1500 / STORAGE - 1) / 0.4
    np.testing.assert_allclose(
        paths[("China", "storage")], curves.logistic(YEARS, 1500, 0.4, midpoint)
    )


def test_logistic_below_base_declines_towards_saturation(scenario, central_paths) -> None:
    sc = scenario(segments__storage={"model": "logistic", "saturation": 200, "rate": 0.5})
    storage = central_paths(sc)[("China", "storage")]
    assert np.all(np.diff(storage) < 0)
    assert np.all(storage > 200)
    assert storage[0] < STORAGE


def test_linear_and_logit_share_paths(scenario, central_paths) -> None:
    linear = central_paths(scenario(share={"model": "linear", "target": 0.64, "by": 2027}))
    # 0.76 -> 0.64 over 3 years: 0.72, 0.68, 0.64, then held.
    np.testing.assert_allclose(
        linear[("China", "world_share")], [0.72, 0.68, 0.64, 0.64, 0.64, 0.64]
    )
    logit = central_paths(scenario(share={"model": "logit", "target": 0.5}))
    share = logit[("China", "world_share")]
    assert share[-1] == pytest.approx(0.5)
    assert np.all(np.diff(share) < 0)
    np.testing.assert_allclose(logit[("World", "total")], logit[("China", "total")] / share)


def test_world_anchor_applies_growth_to_world_and_share_to_china(scenario, central_paths) -> None:
    sc = scenario(anchor="world", share={"model": "linear", "target": 0.5})
    paths = central_paths(sc)
    world_power = POWER / SHARE * 1.1**H
    np.testing.assert_allclose(paths[("World", "power")], world_power)
    share = SHARE + (0.5 - SHARE) * H / 6
    np.testing.assert_allclose(paths[("China", "power")], world_power * share)


def test_capacity_cap_scales_china_and_leaves_rest_of_world(scenario, central_paths) -> None:
    sc = scenario(
        caps={"capacity": {"base": 1000, "base_year": 2025, "growth": 0.0, "max_utilisation": 0.5}}
    )
    paths = central_paths(sc)
    uncapped = POWER * 1.1**H + CONSUMER + STORAGE * 1.2**H
    np.testing.assert_allclose(paths[("China", "capacity_limit")], np.full(6, 500.0))
    np.testing.assert_allclose(paths[("China", "total")], np.full(6, 500.0))
    np.testing.assert_allclose(paths[("China", "power")], 500 * POWER * 1.1**H / uncapped)
    rest = uncapped * (1 - SHARE) / SHARE
    np.testing.assert_allclose(paths[("World", "total")], 500 + rest)
    np.testing.assert_allclose(paths[("China", "world_share")], 500 / (500 + rest))


def test_capacity_from_data_starts_in_its_reported_year(scenario, central_paths) -> None:
    # Document 004: over 2,000 GWh capacity (2025); +10%/yr; 100% utilisation never binds here.
    sc = scenario(caps={"capacity": {"base": "data", "growth": 0.1, "max_utilisation": 1.0}})
    paths = central_paths(sc)
    np.testing.assert_allclose(paths[("China", "capacity_limit")], 2000 * 1.1 ** (YEARS - 2025))


def test_data_values_missing_from_history_name_the_key(history, scenario) -> None:
    sc = scenario(segments__power={"model": "compound", "cagr": "data"})
    bare = history[history["kind"] != "outlook"]
    with pytest.raises(ScenarioError, match=r"key 'segments.power.cagr': the data has no outlook"):
        prepare(sc, bare)


def test_target_year_checked_against_history(history, scenario) -> None:
    with pytest.raises(ScenarioError, match=r"target year 2024 is not after .* 2024"):
        prepare(scenario(target_year=2024), history)


@pytest.mark.parametrize("changes", [{}, {"noise": {"correlation": 0.5}},
                                     {"anchor": "world", "share": {"model": "linear",
                                                                   "target": 0.7}}])
def test_evaluate_leaves_its_draws_as_they_were(history, scenario, changes) -> None:
    # One set of draws serves several evaluations (the spread decomposition), so evaluate may
    # work in place only on arrays it made itself.
    prepared = prepare(scenario(**changes), history)
    values, noise = draw(prepared, 300, 5)
    kept = {seg: x.copy() for seg, x in noise.items()}
    first = evaluate(prepared, values, noise)
    second = evaluate(prepared, values, noise)
    for seg, x in noise.items():
        np.testing.assert_array_equal(x, kept[seg])
    for key, path in first.items():
        np.testing.assert_array_equal(path, second[key])
    world = sum(first[("World", seg)] for seg in ("power", "consumer", "storage"))
    np.testing.assert_allclose(first[("World", "total")], world)


def test_simulate_rejects_bad_draw_counts(history, scenario) -> None:
    prepared = prepare(scenario(), history)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ScenarioError, match=r"key 'draws': the number of draws"):
            simulate(prepared, bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

rates = st.floats(-0.3, 0.6)
segment_models = st.one_of(
    st.builds(lambda r: {"model": "compound", "cagr": r}, rates),
    st.builds(
        lambda r, d: {"model": "damped", "cagr": r, "damping": d}, rates, st.floats(0.3, 1.0)
    ),
    st.builds(
        lambda k, r: {"model": "logistic", "saturation": k, "rate": r},
        st.floats(10, 5000),
        st.floats(0.05, 1.5),
    ),
)


@st.composite
def random_scenarios(draw: st.DrawFn) -> Any:
    segments = {seg: draw(segment_models) for seg in ("power", "consumer", "storage")}
    doc: dict[str, Any] = {
        "name": "random",
        "description": "Random.",
        "target_year": 2030,
        "segments": segments,
        "anchor": draw(st.sampled_from(["china", "world"])),
    }
    if draw(st.booleans()):
        power = {
            "model": "ev_demand",
            "sales_target": draw(st.floats(5, 100)),
            "kwh_target": draw(st.floats(20, 120)),
        }
        segments["power"] = power
    share_model = draw(st.sampled_from(["hold", "linear", "logit"]))
    doc["share"] = {"model": share_model}
    if share_model != "hold":
        doc["share"]["target"] = draw(st.floats(0.05, 1.0))
    if draw(st.booleans()):
        doc["caps"] = {
            "capacity": {
                "base": draw(st.floats(500, 4000)),
                "base_year": 2025,
                "growth": draw(st.floats(-0.1, 0.2)),
                "max_utilisation": draw(st.floats(0.3, 1.0)),
            }
        }
    uncertain = {}
    for seg, spec in segments.items():
        if spec["model"] in ("compound", "damped"):
            uncertain[f"segments.{seg}.cagr"] = {"dist": "normal", "sd": draw(st.floats(0.01, 0.5))}
        elif spec["model"] == "logistic":
            k = spec["saturation"]
            uncertain[f"segments.{seg}.saturation"] = {
                "dist": "uniform",
                "low": k / 2,
                "high": k * 2,
            }
    if share_model != "hold":
        uncertain["share.target"] = {"dist": "normal", "sd": 0.1}
    doc["uncertain"] = uncertain
    return parse_scenario(doc, "random.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=random_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_every_draw_sums_and_is_non_negative(sc: Any, seed: int, history) -> None:
    prepared = prepare(sc, history)
    paths = simulate(prepared, 300, seed)
    for region in ("China", "World"):
        parts = sum(paths[(region, seg)] for seg in ("power", "consumer", "storage"))
        np.testing.assert_allclose(parts, paths[(region, "total")], rtol=1e-12)
    for key, values in paths.items():
        assert np.all(np.isfinite(values)), key
        assert np.all(values >= 0), key
    assert np.all(paths[("China", "total")] <= paths[("World", "total")] * (1 + 1e-12))
    share = paths[("China", "world_share")]
    assert np.all((share >= 0) & (share <= 1 + 1e-12))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=random_scenarios(), seed=st.integers(0, 2**32 - 1))
def test_summary_quantiles_ordered_and_seed_deterministic(sc: Any, seed: int, history) -> None:
    prepared = prepare(sc, history)
    first = summarise(prepared, simulate(prepared, 200, seed))
    again = summarise(prepared, simulate(prepared, 200, seed))
    assert list(first.columns) == list(PROJECTION_COLUMNS)
    pd.testing.assert_frame_equal(first, again)
    q = first[["p5", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    assert np.all(q >= 0)


def test_share_year_must_follow_the_last_observation(history, scenario) -> None:
    sc = scenario(share={"model": "linear", "target": 0.7, "by": 2024})
    with pytest.raises(ScenarioError, match=r"key 'share.by': year 2024 is not after .* 2024"):
        prepare(sc, history)


# --------------------------------------------------------------------------- share trend

# China's share of world production 2021-2024 (document 002): 57%, 68.3%, 71%, 76%.
SHARES = np.array([0.57, 0.683, 0.71, 0.76])


def _trend_by_hand(cap: float, year: float) -> tuple[float, float]:
    """OLS of logit(s / cap) on the year, and the prediction's standard error (2 df)."""
    t = np.arange(2021.0, 2025.0)
    z = np.log((SHARES / cap) / (1.0 - SHARES / cap))
    slope, intercept = np.polyfit(t, z, 1)
    resid = z - (intercept + slope * t)
    sigma2 = resid @ resid / 2.0
    x0 = year - t.mean()
    se = np.sqrt(sigma2 * (1.0 + 1.0 / 4.0 + x0**2 / ((t - t.mean()) ** 2).sum()))
    return intercept + slope * year, se


def test_trend_share_target_is_the_fitted_fisher_pry_trend(
    history, scenario, central_paths
) -> None:
    sc = scenario(share={"model": "logit", "target": "trend", "by": 2030, "cap": 0.9})
    prepared = prepare(sc, history)
    z, _ = _trend_by_hand(0.9, 2030.0)
    assert prepared.central["share.target"] == pytest.approx(0.9 / (1.0 + np.exp(-z)))
    assert prepared.central["share.target"] == pytest.approx(0.8818, abs=5e-4)
    share = central_paths(sc)[("China", "world_share")]
    assert share[-1] == pytest.approx(prepared.central["share.target"])


def test_fitted_share_draws_follow_the_trend_prediction_interval(history, scenario) -> None:
    from scipy import stats

    sc = scenario(
        share={"model": "logit", "target": "trend", "by": 2030, "cap": 0.9},
        uncertain={"share.target": {"dist": "fitted", "low": 1e-6}},
    )
    prepared = prepare(sc, history)
    dist = prepared.distributions["share.target"]
    z, se = _trend_by_hand(0.9, 2030.0)
    assert dist.mean == pytest.approx(z) and dist.sd == pytest.approx(se) and dist.df == 2
    # Quantiles of the Student-t (2 df) prediction interval, mapped back, truncated at 1e-6
    # (the 2-df tail still holds ~2e-4 of the mass below it).
    q = np.array([0.1, 0.5, 0.9])
    lo_p = stats.t.cdf((np.log(1e-6 / 0.9 / (1.0 - 1e-6 / 0.9)) - z) / se, 2)
    assert 1e-5 < lo_p < 1e-3
    expected = 0.9 / (1.0 + np.exp(-(z + se * stats.t.ppf(lo_p + q * (1.0 - lo_p), 2))))
    np.testing.assert_allclose(quantile("share.target", dist, q), expected, rtol=1e-6)
    draws = draw_parameters(prepared, 40_000, seed=3)["share.target"]
    np.testing.assert_allclose(np.quantile(draws, q), expected, atol=2e-3)


def test_fitted_share_is_truncated_to_the_lowest_observed_share_by_default(
    history, scenario
) -> None:
    sc = scenario(
        share={"model": "logit", "target": "trend", "by": 2030, "cap": 0.9},
        uncertain={"share.target": {"dist": "fitted"}},
    )
    prepared = prepare(sc, history)
    assert prepared.distributions["share.target"].low == pytest.approx(0.57)
    paths = simulate(prepared, 20_000, seed=4)
    share = paths[("China", "world_share")]
    # China / World of noisy paths gives back the share up to rounding: never above the cap
    assert share.min() >= 0.57 - 1e-12 and share.max() <= 0.9 + 1e-12
    # Heavy 2-df tails stay bounded: the world is at most China / 0.57.
    world = paths[("World", "total")][:, -1]
    assert world.max() <= paths[("China", "total")][:, -1].max() / 0.57 + 1e-6


def test_trend_cap_below_an_observed_share_is_refused(history, scenario) -> None:
    sc = scenario(share={"model": "logit", "target": "trend", "cap": 0.75})
    with pytest.raises(ScenarioError, match=r"share\.cap.*above every observed share"):
        prepare(sc, history)
