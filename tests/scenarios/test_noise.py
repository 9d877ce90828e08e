"""Process noise of scenario fans: calibrated year-to-year variation, correlated draws."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecast import data, scenarios
from forecast.errors import ScenarioError
from forecast.models import DefaultMethod
from forecast.scenarios.noise import LEVELS, NoiseSpec, ProcessNoise, process_noise
from forecast.scenarios.preparation import prepare
from forecast.scenarios.projection import evaluate, simulate
from forecast.scenarios.sampling import draw_parameters
from forecast.scenarios.schema import SEGMENTS, parse_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIO_DIR = REPO / "data" / "scenarios"
WEIGHTS = {"power": 823.0, "consumer": 94.0, "storage": 254.0}  # China 2024 [GWh]


@cache
def history() -> pd.DataFrame:
    return data.load_history()


def scenario(**top: Any) -> Any:
    doc: dict[str, Any] = {
        "name": "synthetic",
        "description": "Known curves.",
        "target_year": 2030,
        "segments": {
            "power": {"model": "compound", "cagr": 0.10},
            "consumer": {"model": "compound", "cagr": 0.0},
            "storage": {"model": "compound", "cagr": 0.20},
        },
        **top,
    }
    return parse_scenario(copy.deepcopy(doc), "synthetic.yaml")


def china_default_quantiles(year: int, levels: list[float]) -> np.ndarray:
    production = data.get_series(history(), "production")
    model = DefaultMethod().fit(production.index.to_numpy(float), production.to_numpy(float))
    return model.predict_quantiles([year], levels)[0]


def log_width(lo: float, hi: float) -> float:
    return float(np.log(hi / lo))


# ----------------------------------------------------------------- the headline promise


def test_base_one_year_band_is_at_least_as_wide_as_the_default_methods():
    frame = scenarios.project(SCENARIO_DIR / "base.yaml", history(), n_draws=40_000, seed=1)
    row = frame[(frame.region == "China") & (frame.segment == "total") & (frame.year == 2025)]
    p5, p10, p90, p95 = (float(row[c].iloc[0]) for c in ("p5", "p10", "p90", "p95"))
    d5, d10, d90, d95 = china_default_quantiles(2025, [0.05, 0.1, 0.9, 0.95])
    assert log_width(p10, p90) >= log_width(d10, d90)
    # The 90% band: the default's own 1-year band plus the parameters' small spread, so equal
    # up to the Monte Carlo error of a 5% quantile (about 0.5% of the width with 40,000 draws).
    assert log_width(p5, p95) >= 0.98 * log_width(d5, d95)
    # and far wider than the +-3.5% the parameters alone gave (1,387-1,485 GWh)
    assert log_width(p10, p90) > 3 * np.log(1485 / 1387)


def test_noise_scale_zero_is_the_parameters_alone_and_noise_keeps_their_draws():
    quiet = prepare(scenario(noise={"scale": 0}), history())
    assert quiet.noise is None
    loud = prepare(scenario(uncertain={"segments.power.cagr": {"dist": "normal", "sd": 0.03}}),
                   history())
    assert loud.noise is not None and "default method" in loud.noise.source
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


# ----------------------------------------------------------------- shape and accumulation


def noise_model(correlation: float = 1.0) -> ProcessNoise:
    q = china_default_quantiles(2025, list(LEVELS))
    return ProcessNoise.from_quantiles(LEVELS, q, NoiseSpec(correlation), WEIGHTS, "test")


def test_one_years_variation_is_the_default_methods_around_its_median():
    noise = noise_model()
    q10, q50, q90 = china_default_quantiles(2025, [0.1, 0.5, 0.9])
    assert noise.quantile(0.5) == pytest.approx(0.0, abs=1e-12)
    assert noise.quantile(0.1) == pytest.approx(np.log(q10 / q50), abs=1e-9)
    assert noise.quantile(0.9) == pytest.approx(np.log(q90 / q50), abs=1e-9)
    draws = process_noise(noise, np.array([1]), ("power",), 50_000, np.random.default_rng(0))
    got = np.quantile(draws["power"][:, 0], [0.1, 0.5, 0.9])
    np.testing.assert_allclose(got, [noise.quantile(0.1), 0.0, noise.quantile(0.9)], atol=0.01)


def test_variation_accumulates_like_a_random_walk():
    noise = noise_model()
    draws = process_noise(noise, np.arange(1, 7), ("power",), 50_000,
                          np.random.default_rng(1))["power"]
    q = np.quantile(draws, [0.1, 0.5, 0.9], axis=0)
    np.testing.assert_allclose(q[1], 0.0, atol=0.02)  # median path kept
    np.testing.assert_allclose(q[2, 3] / q[2, 0], 2.0, rtol=0.05)  # sqrt(4)
    np.testing.assert_allclose(q[0, 5] / q[0, 0], np.sqrt(6), rtol=0.05)
    # a random walk: years apart correlate as sqrt(h / h')
    rank = pd.DataFrame(draws).rank().to_numpy()
    r = np.corrcoef(rank[:, 0], rank[:, 3])[0, 1]
    assert r == pytest.approx(6 / np.pi * np.arcsin(np.sqrt(1 / 4) / 2), abs=0.02)


# ----------------------------------------------------------------- correlation


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


def test_one_demand_factor_moves_both_regions():
    sc = scenario()  # share held at 2024's 76%, noise one common factor
    paths = simulate(prepare(sc, history()), 2_000, seed=6)
    ratio = paths[("World", "total")] / paths[("China", "total")]
    np.testing.assert_allclose(ratio, 1 / 0.76, rtol=1e-12)
    assert np.ptp(np.log(paths[("China", "total")][:, 0])) > 0.5


# ----------------------------------------------------------------- the file's entry


@pytest.mark.parametrize(
    ("noise", "match"),
    [
        ({"correlation": 1.5},
         r"key 'noise.correlation': 1.5 is out of range: must be in \[0, 1\]"),
        ({"correlation": "high"}, r"key 'noise.correlation': must be a number, got str 'high'"),
        ({"scale": -1}, r"key 'noise.scale': -1 is out of range: must be >= 0"),
        ({"corelation": 0.5}, r"key 'noise.corelation': unknown key"),
        ([0.6], r"key 'noise': must be a mapping, e.g. \{correlation: 0.6\} \(got list\)"),
    ],
)
def test_a_bad_noise_entry_is_one_line_naming_the_key(noise, match):
    with pytest.raises(ScenarioError, match=match) as info:
        scenario(noise=noise)
    assert "\n" not in str(info.value)


def test_a_declared_correlation_is_parsed():
    sc = scenario(noise={"correlation": 0.6, "source": "power and storage share buyers"})
    assert sc.noise == NoiseSpec(0.6, 1.0, "power and storage share buyers")
    assert scenario().noise == NoiseSpec()
