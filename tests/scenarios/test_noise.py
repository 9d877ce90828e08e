"""Process noise of scenario fans: the reference class's variation around a trend."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast import scenarios
from forecast.errors import ScenarioError
from forecast.scenarios.noise import (
    MIN_SHARE,
    NoiseSpec,
    ProcessNoise,
    process_noise,
    reference_noise,
    trend_deviations,
)
from forecast.scenarios.preparation import prepare
from forecast.scenarios.projection import evaluate, simulate
from forecast.scenarios.sampling import draw_parameters
from forecast.scenarios.schema import SEGMENTS

REPO = Path(__file__).resolve().parents[2]
WEIGHTS = {"power": 823.0, "consumer": 94.0, "storage": 254.0}  # China 2024 [GWh]






def log_width(lo: float, hi: float) -> float:
    return float(np.log(hi / lo))


def frame(series: str, years: np.ndarray, logs: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"series": series, "year": years, "value": np.exp(logs)})


# ----------------------------------------------------------------- the trend and its deviations


def test_a_quadratic_log_series_has_no_deviation_and_a_spike_is_scaled_by_hand():
    years = np.arange(2000, 2012)
    t = years - 2000.0
    smooth = trend_deviations(frame("a", years, 1.0 + 0.4 * t - 0.02 * t**2))
    # windows centred on 2003 .. 2008: 12 years minus 3 at each end
    assert smooth["year"].tolist() == list(range(2003, 2009))
    np.testing.assert_allclose(smooth["deviation"], 0.0, atol=1e-12)
    # A spike d in year t0: the 7-point quadratic gives t0 the weight h = 1/3 in its own
    # trend, so the raw deviation is d (1 - h), and divided by sqrt(1 - h) it is d sqrt(2/3).
    logs = np.zeros(years.size)
    logs[5] = 0.3
    spiked = trend_deviations(frame("a", years, logs)).set_index("year")["deviation"]
    assert spiked[2005] == pytest.approx(0.3 * np.sqrt(2 / 3), abs=1e-12)


def test_windows_need_consecutive_years_of_one_series():
    years = np.r_[2000:2007, 2008:2015]  # 2007 missing: two runs of 7 years, one window each
    logs = np.zeros(years.size)
    got = trend_deviations(pd.concat([frame("a", years, logs),
                                      frame("b", np.arange(2000, 2006), np.zeros(6))]))
    assert list(zip(got["series"], got["year"], strict=True)) == [("a", 2003), ("a", 2011)]


@pytest.mark.parametrize("sigma", [0.05, 0.15])
def test_the_estimate_recovers_known_noise_around_ramp_ups(sigma):
    # 300 logistic ramp-ups (steepness 0.3-0.6/yr, the reference class's fast phase) with
    # independent Gaussian log noise: the deviations' root mean square is sigma.
    rng = np.random.default_rng(11)
    years = np.arange(2000, 2020)
    parts = []
    for i in range(300):
        rate, mid = rng.uniform(0.3, 0.6), rng.uniform(2005, 2020)
        logs = -np.log1p(np.exp(-rate * (years - mid))) + rng.normal(0, sigma, years.size)
        parts.append(frame(f"s{i}", years, logs))
    dev = trend_deviations(pd.concat(parts))["deviation"]
    assert np.sqrt(np.mean(dev**2)) == pytest.approx(sigma, rel=0.05)
    # Gaussian noise: the quantiles follow (1.2816 sigma at 90%)
    assert np.quantile(dev, 0.9) == pytest.approx(1.2816 * sigma, rel=0.08)


def test_the_trend_of_a_noise_free_ramp_up_leaves_almost_nothing():
    years = np.arange(2000, 2020)
    parts = [frame(f"r{rate}", years, -np.log1p(np.exp(-rate * (years - 2010))))
             for rate in (0.3, 0.45, 0.6)]
    dev = trend_deviations(pd.concat(parts))["deviation"]
    assert np.abs(dev).max() < 0.02  # smaller than any variation it is meant to measure


def test_reference_variation_comes_from_established_series_only():
    dev = reference_noise()
    assert (dev["share"] >= MIN_SHARE).all()
    assert dev["series"].nunique() >= 10 and len(dev) >= 100
    # China's solar and wind are in it, tiny early years of any series are not
    assert {"solar_electricity:CHN", "wind_electricity:CHN"} <= set(dev["series"])
    rms = float(np.sqrt(np.mean(dev["deviation"] ** 2)))
    assert 0.05 < rms < 0.25


def test_small_series_vary_more_than_established_ones():
    from forecast.data import reference

    dev = trend_deviations(reference.world_share(reference.load_reference()))
    rms = {k: float(np.sqrt(np.mean(g**2))) for k, g in
           dev.groupby(dev["share"] >= MIN_SHARE)["deviation"]}
    small = dev.loc[dev["share"] < 0.01, "deviation"]
    assert float(np.sqrt(np.mean(small**2))) > 1.3 * rms[True]


# ----------------------------------------------------------------- the headline promise


@pytest.fixture(scope="module")
def fans_2030(history: pd.DataFrame, scenario_dir: Path) -> dict[str, pd.Series]:
    out = {}
    for path in sorted(scenario_dir.glob("*.yaml")):
        f = scenarios.project(path, history, n_draws=10_000, seed=2030)
        out[path.stem] = f[(f.region == "China") & (f.segment == "total")
                           & (f.year == 2030)].iloc[0]
    return out


def test_every_scenario_but_high_keeps_chinas_2030_p95_below_11_twh(fans_2030):
    for name, row in fans_2030.items():
        if name != "high":
            assert row["p95"] < 11_000, name


def test_variation_widens_the_assumptions_band_without_moving_the_median(
    fans_2030, history, scenario_dir
):
    prepared = prepare(scenarios.resolve_scenario("base", scenario_dir), history)
    alone = simulate(replace(prepared, noise=None), 10_000, seed=2030)[("China", "total")][:, -1]
    both = fans_2030["base"]
    lo, mid, hi = np.quantile(alone, [0.1, 0.5, 0.9])
    assert both["p10"] < lo and both["p90"] > hi
    assert both["p50"] == pytest.approx(mid, rel=0.03)


def test_noise_scale_zero_is_the_parameters_alone_and_noise_keeps_their_draws(history, scenario):
    quiet = prepare(scenario(noise={"scale": 0}), history)
    assert quiet.noise is None
    loud = prepare(scenario(uncertain={"segments.power.cagr": {"dist": "normal", "sd": 0.03}}),
                   history)
    assert loud.noise is not None and "reference class" in loud.noise.source
    # Parameters are drawn first, noise after, from one stream: the same seed gives the same
    # parameter draws with or without noise.
    rng = np.random.default_rng(3)
    params = draw_parameters(loud, 1_000, rng)
    noise = process_noise(loud.noise, loud.years - 2024, SEGMENTS, 1_000, rng)
    expected = evaluate(loud, params, noise)
    got = simulate(loud, 1_000, seed=3)
    np.testing.assert_array_equal(got[("China", "total")], expected[("China", "total")])
    np.testing.assert_array_equal(simulate(loud, 1_000, seed=3)[("World", "power")],
                                  got[("World", "power")])
    flat = simulate(quiet, 100, seed=3)[("China", "total")]
    assert np.ptp(flat, axis=0).max() == 0.0  # no uncertainty at all: one path


# ----------------------------------------------------------------- shape, years, correlation


def noise_model(correlation: float = 1.0) -> ProcessNoise:
    dev = np.random.default_rng(4).normal(0.0, 0.1, 20_001)
    return ProcessNoise.from_deviations(dev, NoiseSpec(correlation), WEIGHTS, "test")


def test_one_years_variation_is_the_deviations_around_their_median():
    dev = np.array([-0.2, -0.1, 0.0, 0.05, 0.4])
    noise = ProcessNoise.from_deviations(dev, NoiseSpec(), WEIGHTS, "test")
    assert noise.quantile(0.5) == pytest.approx(0.0, abs=1e-12)
    # np.quantile's linear rule: level 0.25 is the second value, 0.75 the fourth
    assert noise.quantile(0.25) == pytest.approx(-0.1, abs=1e-12)
    assert noise.quantile(0.75) == pytest.approx(0.05, abs=1e-12)
    draws = process_noise(noise_model(), np.array([1]), ("power",), 50_000,
                          np.random.default_rng(0))
    got = np.quantile(draws["power"][:, 0], [0.1, 0.5, 0.9])
    np.testing.assert_allclose(got, [-0.128, 0.0, 0.128], atol=0.01)


def test_variation_does_not_accumulate_and_years_are_independent():
    draws = process_noise(noise_model(), np.arange(1, 7), ("power",), 50_000,
                          np.random.default_rng(1))["power"]
    q = np.quantile(draws, [0.1, 0.9], axis=0)
    np.testing.assert_allclose(q[:, 5], q[:, 0], atol=0.01)
    assert abs(np.corrcoef(draws[:, 0], draws[:, 3])[0, 1]) < 0.02


@pytest.mark.parametrize("rho", [0.0, 0.6, 1.0])
def test_segment_correlation_is_visible_in_the_draws(rho):
    noise = noise_model(rho)
    draws = process_noise(noise, np.array([1, 2]), SEGMENTS, 40_000, np.random.default_rng(2))
    power = pd.Series(draws["power"][:, 0]).rank()
    storage = pd.Series(draws["storage"][:, 0]).rank()
    spearman = float(np.corrcoef(power, storage)[0, 1])
    # Spearman's rho of a Gaussian copula with correlation rho
    assert spearman == pytest.approx(6 / np.pi * np.arcsin(rho / 2), abs=0.02)
    if rho == 1.0:
        np.testing.assert_array_equal(draws["power"], draws["storage"])


def test_partly_independent_segments_vary_more_so_the_total_keeps_its_band():
    one = noise_model(1.0)
    part = noise_model(0.6)
    w = np.array(list(WEIGHTS.values())) / sum(WEIGHTS.values())
    assert part.scale == pytest.approx(1 / np.sqrt(0.6 + 0.4 * float(w @ w)))
    widths = {}
    for noise in (one, part):
        rng = np.random.default_rng(5)
        draws = process_noise(noise, np.array([1]), SEGMENTS, 40_000, rng)
        total = sum(WEIGHTS[s] * np.exp(draws[s][:, 0]) for s in SEGMENTS)
        widths[noise.correlation] = log_width(*np.quantile(total, [0.1, 0.9]))
    assert widths[0.6] == pytest.approx(widths[1.0], rel=0.08)


def test_one_demand_factor_moves_both_regions(history, scenario):
    sc = scenario()  # share held at 2024's 76%, noise one common factor
    paths = simulate(prepare(sc, history), 2_000, seed=6)
    ratio = paths[("World", "total")] / paths[("China", "total")]
    np.testing.assert_allclose(ratio, 1 / 0.76, rtol=1e-12)
    assert np.ptp(np.log(paths[("China", "total")][:, 0])) > 0.3


def test_equal_inputs_give_byte_identical_tables(history, scenario_dir):
    one = scenarios.project(scenario_dir / "base.yaml", history, n_draws=2_000, seed=9)
    two = scenarios.project(scenario_dir / "base.yaml", history, n_draws=2_000, seed=9)
    assert one.to_csv(index=False) == two.to_csv(index=False)


# ----------------------------------------------------------------- the file's entry


@pytest.mark.parametrize(
    ("noise", "match"),
    [
        ({"correlation": 1.5},
         r"key 'noise.correlation': 1.5 is out of range: must be in \[0, 1\]"),
        ({"correlation": "high"}, r"key 'noise.correlation': must be a number, got str 'high'"),
        ({"scale": -1}, r"key 'noise.scale': -1 is out of range: must be >= 0"),
        ({"corelation": 0.5}, r"key 'noise.corelation': unknown key"),
        ([0.6], r"key 'noise': must be a mapping with keys among correlation, .* \(got list\)"),
    ],
)
def test_a_bad_noise_entry_is_one_line_naming_the_key(noise, match, scenario):
    with pytest.raises(ScenarioError, match=match) as info:
        scenario(noise=noise)
    assert "\n" not in str(info.value)


def test_a_declared_correlation_is_parsed(scenario):
    sc = scenario(noise={"correlation": 0.6, "source": "power and storage share buyers"})
    assert (sc.noise.correlation, sc.noise.scale) == (0.6, 1.0)
    assert sc.noise.source == "power and storage share buyers"
    assert (scenario().noise.correlation, scenario().noise.scale) == (1.0, 1.0)
