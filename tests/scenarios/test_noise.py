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
    NOISE_MIN_SHARE,
    ProcessNoise,
    process_noise,
    reference_noise,
    trend_deviations,
)
from forecast.scenarios.preparation import prepare
from forecast.scenarios.projection import evaluate, simulate
from forecast.scenarios.sampling import draw_parameters
from forecast.scenarios.schema import SEGMENTS, Kinds, Noise

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
    assert (dev["share"] >= NOISE_MIN_SHARE).all()
    assert dev["series"].nunique() >= 10 and len(dev) >= 100
    # China's solar and wind are in it, tiny early years of any series are not
    assert {"solar_electricity:CHN", "wind_electricity:CHN"} <= set(dev["series"])
    rms = float(np.sqrt(np.mean(dev["deviation"] ** 2)))
    assert 0.05 < rms < 0.25


def test_small_series_vary_more_than_established_ones():
    from forecast.data import reference

    dev = trend_deviations(reference.world_share(reference.load_reference()))
    rms = {k: float(np.sqrt(np.mean(g**2))) for k, g in
           dev.groupby(dev["share"] >= NOISE_MIN_SHARE)["deviation"]}
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


def test_variation_widens_the_assumptions_band_and_barely_moves_the_median(
    fans_2030, history, scenario_dir
):
    prepared = prepare(scenarios.resolve_scenario("base", scenario_dir), history)
    alone = simulate(replace(prepared, noise=None), 10_000, seed=2030)[("China", "total")][:, -1]
    both = fans_2030["base"]
    lo, mid, hi = np.quantile(alone, [0.1, 0.5, 0.9])
    assert both["p10"] < lo and both["p90"] > hi
    # The power segment's variation (EV sales': booms larger than busts) lifts it a little.
    assert mid < both["p50"] < 1.05 * mid


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
    noise = process_noise(loud.noise, len(loud.years), SEGMENTS, 1_000, rng)
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
    return ProcessNoise.from_deviations(dict.fromkeys(WEIGHTS, dev), Noise(correlation=correlation),
                                        WEIGHTS, "test")


def test_one_years_variation_is_the_deviations_around_their_median():
    dev = np.array([-0.2, -0.1, 0.0, 0.05, 0.4])
    noise = ProcessNoise.from_deviations(dict.fromkeys(WEIGHTS, dev), Noise(), WEIGHTS, "test")
    assert noise.quantile(0.5) == pytest.approx(0.0, abs=1e-12)
    # np.quantile's linear rule: level 0.25 is the second value, 0.75 the fourth
    assert noise.quantile(0.25) == pytest.approx(-0.1, abs=1e-12)
    assert noise.quantile(0.75) == pytest.approx(0.05, abs=1e-12)
    draws = process_noise(noise_model(), 1, ("power",), 50_000,
                          np.random.default_rng(0))
    got = np.quantile(draws["power"][:, 0], [0.1, 0.5, 0.9])
    np.testing.assert_allclose(got, [-0.128, 0.0, 0.128], atol=0.01)


def test_variation_does_not_accumulate_and_years_are_independent():
    draws = process_noise(noise_model(), 6, ("power",), 50_000,
                          np.random.default_rng(1))["power"]
    q = np.quantile(draws, [0.1, 0.9], axis=0)
    np.testing.assert_allclose(q[:, 5], q[:, 0], atol=0.01)
    assert abs(np.corrcoef(draws[:, 0], draws[:, 3])[0, 1]) < 0.02


@pytest.mark.parametrize("rho", [0.0, 0.6, 1.0])
def test_segment_correlation_is_visible_in_the_draws(rho):
    noise = noise_model(rho)
    draws = process_noise(noise, 2, SEGMENTS, 40_000, np.random.default_rng(2))
    power = pd.Series(draws["power"][:, 0]).rank()
    storage = pd.Series(draws["storage"][:, 0]).rank()
    spearman = float(np.corrcoef(power, storage)[0, 1])
    # Spearman's rho of a Gaussian copula with correlation rho
    assert spearman == pytest.approx(6 / np.pi * np.arcsin(rho / 2), abs=0.02)
    if rho == 1.0:
        np.testing.assert_array_equal(draws["power"], draws["storage"])


def kinds_model(correlation: float = 1.0) -> ProcessNoise:
    """Power varies like a loud kind (sd 0.2), storage and consumer like a quiet one (0.05),
    each law estimated from deviations of synthetic ramp-ups with that noise."""
    rng = np.random.default_rng(12)
    years = np.arange(2000, 2020)
    laws = {}
    for seg, sigma in (("power", 0.2), ("storage", 0.05), ("consumer", 0.05)):
        parts = [frame(f"{seg}{i}", years, -np.log1p(np.exp(-0.45 * (years - 2010)))
                       + rng.normal(0, sigma, years.size)) for i in range(200)]
        laws[seg] = trend_deviations(pd.concat(parts))["deviation"].to_numpy()
    return ProcessNoise.from_deviations(laws, Noise(correlation=correlation), WEIGHTS, "test")


def test_each_segment_varies_like_its_kind_and_the_total_like_their_mix():
    noise = kinds_model()
    draws = process_noise(noise, 1, SEGMENTS, 40_000, np.random.default_rng(7))
    for seg, sigma in (("power", 0.2), ("storage", 0.05), ("consumer", 0.05)):
        got = np.quantile(draws[seg][:, 0], 0.9) - np.median(draws[seg][:, 0])
        assert got == pytest.approx(1.2816 * sigma, rel=0.06), seg
    # One common factor: every segment sits at the same score z, so the total's 90% level is
    # log(sum w exp(1.2816 sigma_s)) = log(0.7028 e^0.2563 + 0.2972 e^0.0641) = 0.2029.
    w = np.array(list(WEIGHTS.values())) / sum(WEIGHTS.values())
    hand = np.log(w @ np.exp(1.2816 * np.array([0.2, 0.05, 0.05])))
    assert hand == pytest.approx(0.2029, abs=5e-4)
    assert noise.quantile(0.9) == pytest.approx(hand, abs=0.012)
    total = sum(w[i] * np.exp(draws[s][:, 0]) for i, s in enumerate(SEGMENTS))
    assert np.log(np.quantile(total, 0.9)) == pytest.approx(hand, abs=0.012)


def test_partly_independent_kinds_scale_by_their_share_of_the_spread():
    part = kinds_model(0.6)
    # Shares of the total's standard deviation: w_s sigma_s / sum(w sigma), by hand
    # 0.703 * 0.2 / (0.703 * 0.2 + 0.297 * 0.05) = 0.9045 for power.
    a = np.sqrt(np.mean(part.offsets**2, axis=1)) * part.weights
    a /= a.sum()
    assert a[0] == pytest.approx(0.9045, abs=0.01)
    assert part.scale == pytest.approx(1 / np.sqrt(0.6 + 0.4 * float(a @ a)))
    widths = {}
    for noise in (kinds_model(1.0), part):
        draws = process_noise(noise, 1, SEGMENTS, 40_000, np.random.default_rng(5))
        total = sum(WEIGHTS[s] * np.exp(draws[s][:, 0]) for s in SEGMENTS)
        widths[noise.correlation] = log_width(*np.quantile(total, [0.1, 0.9]))
    assert widths[0.6] == pytest.approx(widths[1.0], rel=0.08)


def test_partly_independent_segments_vary_more_so_the_total_keeps_its_band():
    one = noise_model(1.0)
    part = noise_model(0.6)
    w = np.array(list(WEIGHTS.values())) / sum(WEIGHTS.values())
    assert part.scale == pytest.approx(1 / np.sqrt(0.6 + 0.4 * float(w @ w)))
    widths = {}
    for noise in (one, part):
        rng = np.random.default_rng(5)
        draws = process_noise(noise, 1, SEGMENTS, 40_000, rng)
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
        ({"kinds": {"ev": "ev_car_sales"}}, r"key 'noise.kinds.ev': unknown key"),
        ({"kinds": {"power": [1]}}, r"key 'noise.kinds.power': must be a technology or a list"),
        ({"kinds": "ev"}, r"key 'noise.kinds': must map segments to technologies"),
    ],
)
def test_a_bad_noise_entry_is_one_line_naming_the_key(noise, match, scenario):
    with pytest.raises(ScenarioError, match=match) as info:
        scenario(noise=noise)
    assert "\n" not in str(info.value)


def test_kinds_follow_the_stated_mapping_and_a_file_can_change_it(history, scenario):
    dev = reference_noise()
    assert set(Kinds.model_fields) == set(SEGMENTS)
    noise = prepare(scenario(), history).noise
    ev = dev.loc[dev["technology"] == "ev_car_sales", "deviation"]
    power = noise.offsets[noise.segments.index("power")]
    assert power[-1] == pytest.approx(np.quantile(ev, 0.995) - ev.median())
    assert "power like ev_car_sales (17 deviations of 5 series" in noise.source
    pooled = prepare(scenario(noise={"kinds": {"power": "all"}}), history).noise
    assert pooled.offsets[pooled.segments.index("power")][-1] == pytest.approx(
        np.quantile(dev["deviation"], 0.995) - dev["deviation"].median())
    sc = scenario(noise={"kinds": {"storage": ["solar_electricity"], "power": "all"}})
    kinds = sc.noise.kinds
    assert (kinds.storage, kinds.power) == (("solar_electricity",), ("all",))
    assert kinds.consumer == Kinds().consumer


def test_every_kind_covers_its_held_out_series_about_as_stated():
    # Leave one series out: its deviations against the others' 80% band of its segment's kind
    # (EV sales alone; solar and wind together, as storage uses them).
    dev = reference_noise()
    kind = {"ev_car_sales": ("ev_car_sales",),
            **dict.fromkeys(("solar_electricity", "wind_electricity"),
                            Kinds().storage)}
    inside = []
    for name, own in dev.groupby("series"):
        rest = dev[(dev["series"] != name) & dev["technology"].isin(kind[own["technology"].iat[0]])]
        lo, hi = np.quantile(rest["deviation"], [0.1, 0.9])
        inside.append(own.assign(inside=own["deviation"].between(lo, hi)))
    cover = pd.concat(inside).groupby("technology")["inside"].mean()
    assert cover.min() > 0.7 and cover.max() < 0.9


def test_a_technology_outside_the_reference_class_is_one_line(history, scenario):
    sc = scenario(noise={"kinds": {"power": ["ev_car_sales", "ev_bus_sales"]}})
    with pytest.raises(ScenarioError, match=r"key 'noise.kinds.power': 'ev_bus_sales' has no "
                       r"established series in the reference class \(ev_car_sales, solar"):
        prepare(sc, history)


def test_a_declared_correlation_is_parsed(scenario):
    sc = scenario(noise={"correlation": 0.6, "source": "power and storage share buyers"})
    assert (sc.noise.correlation, sc.noise.scale) == (0.6, 1.0)
    assert sc.noise.source == "power and storage share buyers"
    assert (scenario().noise.correlation, scenario().noise.scale) == (1.0, 1.0)
