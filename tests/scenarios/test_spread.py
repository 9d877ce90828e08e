"""The spread decomposition: assumptions alone, variation alone, both."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import scenarios
from forecast.scenarios.noise import ProcessNoise
from forecast.scenarios.preparation import prepare
from forecast.scenarios.schema import Noise
from forecast.scenarios.spread import SPREAD_COLUMNS, spread_decomposition


def rows(frame: pd.DataFrame, region: str = "China") -> pd.DataFrame:
    return frame[frame["region"] == region].set_index("spread")


def test_both_is_the_fan_and_assumptions_is_the_fan_without_variation(history, scenario):
    uncertain = {"segments.power.cagr": {"dist": "normal", "sd": 0.03}}
    table = spread_decomposition([scenario(uncertain=uncertain)], history, n_draws=4_000,
                                 seed=7)
    assert tuple(table.columns) == SPREAD_COLUMNS
    assert list(table["spread"]) == ["assumptions", "variation", "both"] * 2
    fan = scenarios.project(scenario(uncertain=uncertain), history, n_draws=4_000, seed=7)
    quiet = scenarios.project(scenario(uncertain=uncertain, noise={"scale": 0}), history,
                              n_draws=4_000, seed=7)
    for region in ("China", "World"):
        got = rows(table, region)
        for frame, spread in ((fan, "both"), (quiet, "assumptions")):
            want = frame[(frame.region == region) & (frame.segment == "total")
                         & (frame.year == 2030)].iloc[0]
            for col in ("p5", "p10", "p50", "p90", "p95"):
                assert got.loc[spread, col] == want[col]


def test_without_uncertain_assumptions_the_variation_is_all_the_spread(history, scenario):
    table = rows(spread_decomposition([scenario()], history, n_draws=20_000, seed=3))
    prepared = prepare(scenario(), history)
    mix = {seg: v * (1 + g) ** 6 for (seg, v), g in
           zip(prepared.baseline.production.items(), (0.10, 0.0, 0.20), strict=True)}
    central = sum(mix.values())
    # assumptions alone: one path, the compound growth of 2024's segments
    np.testing.assert_allclose(table.loc["assumptions", ["p5", "p95"]], central, rtol=1e-12)
    pd.testing.assert_series_equal(table.loc["variation"], table.loc["both"], check_names=False)
    # one common factor: the total's quantiles are the path times one year's variation of
    # its segments at 2030's mix
    for col, q in (("p10", 0.1), ("p90", 0.9)):
        assert table.loc["variation", col] == pytest.approx(
            central * np.exp(ProcessNoise.estimated(Noise(), mix).quantile(q)), rel=0.02)


def test_the_decomposition_is_reproducible(history, scenario_dir):
    one = spread_decomposition(["base"], history, n_draws=2_000, scenario_dir=scenario_dir)
    two = spread_decomposition(["base"], history, n_draws=2_000, scenario_dir=scenario_dir)
    assert one.to_csv(index=False) == two.to_csv(index=False)
