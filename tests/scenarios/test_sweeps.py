"""Sweeps and one-at-a-time sensitivities of the shipped scenarios, against hand computation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast import data, scenarios
from forecast.errors import ScenarioError

REPO = Path(__file__).resolve().parents[2]
SCENARIO_DIR = REPO / "data" / "scenarios"

# Document 002, by hand: 823 * 1.2**6, 94 * 1.05**6, 254 * 1.3**6 and their sum [GWh].
PUBLISHED_POWER = 823 * 1.2**6  # 2457.46
PUBLISHED_CONSUMER = 94 * 1.05**6  # 125.97
PUBLISHED_STORAGE = 254 * 1.3**6  # 1226.01
PUBLISHED_TOTAL = PUBLISHED_POWER + PUBLISHED_CONSUMER + PUBLISHED_STORAGE  # 3809.44


@cache
def history() -> pd.DataFrame:
    return data.load_history()


def test_sweep_of_a_thousand_growth_rates() -> None:
    rates = np.linspace(0.0, 0.4, 1000)
    frame = scenarios.sweep(
        SCENARIO_DIR / "published.yaml", {"segments.power.cagr": rates}, history(), years=[2030]
    )
    power = frame[(frame.region == "China") & (frame.segment == "power")]
    assert list(power["run"]) == list(range(1000))
    np.testing.assert_allclose(power["value"], 823 * (1 + rates) ** 6)
    np.testing.assert_allclose(power["segments.power.cagr"], rates)
    total = frame[(frame.region == "China") & (frame.segment == "total")]["value"].to_numpy()
    np.testing.assert_allclose(
        total, 823 * (1 + rates) ** 6 + PUBLISHED_CONSUMER + PUBLISHED_STORAGE
    )


def test_sweep_validates_its_overrides() -> None:
    path = SCENARIO_DIR / "published.yaml"
    with pytest.raises(ScenarioError, match=r"key 'segments.power.speed': not a numeric"):
        scenarios.sweep(path, {"segments.power.speed": [0.1]}, history())
    with pytest.raises(ScenarioError, match=r"key 'segments.power.cagr': value -1.5 is out of"):
        scenarios.sweep(path, {"segments.power.cagr": [0.1, -1.5]}, history())
    with pytest.raises(ScenarioError, match=r"key 'sweep': override arrays must be 1-D"):
        scenarios.sweep(
            path, {"segments.power.cagr": [0.1, 0.2], "segments.storage.cagr": [0.3]}, history()
        )


def test_sensitivity_of_published_by_hand() -> None:
    table = scenarios.sensitivity(SCENARIO_DIR / "published.yaml", history())
    assert list(table.columns) == [
        "parameter",
        "central",
        "low",
        "high",
        "total_at_low",
        "total_at_high",
        "swing",
        "basis",
    ]
    top = table.iloc[0]
    # Power dominates: its CAGR moves 20% -> 18% / 22% (+/-10% of the central value).
    assert top["parameter"] == "segments.power.cagr"
    rest = PUBLISHED_CONSUMER + PUBLISHED_STORAGE
    assert top["total_at_low"] == pytest.approx(823 * 1.18**6 + rest)
    assert top["total_at_high"] == pytest.approx(823 * 1.22**6 + rest)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert table.attrs["central_total"] == pytest.approx(PUBLISHED_TOTAL)


def test_sensitivity_uses_distribution_percentiles() -> None:
    table = scenarios.sensitivity(SCENARIO_DIR / "base.yaml", history()).set_index("parameter")
    # China's total does not depend on the share path when growth is anchored on China.
    assert table.loc["share.target", "swing"] == pytest.approx(0.0)
    assert table.loc["segments.power.cagr", "basis"] == "p10/p90 of normal"
    # Normal(0.22, 0.04) truncated to [0.05, 0.40] is almost symmetric: p10 ~ 0.22 - 1.2816*0.04.
    assert table.loc["segments.power.cagr", "low"] == pytest.approx(0.22 - 1.2816 * 0.04, abs=1e-3)
    world = scenarios.sensitivity(SCENARIO_DIR / "base.yaml", history(), region="World")
    assert world.set_index("parameter").loc["share.target", "swing"] > 0
