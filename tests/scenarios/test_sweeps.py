"""Sweeps and one-at-a-time sensitivities of the shipped scenarios, against hand computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forecast import scenarios
from forecast.errors import ScenarioError

REPO = Path(__file__).resolve().parents[2]

# Document 002, by hand: 823 * 1.2**6, 94 * 1.05**6, 254 * 1.3**6 and their sum [GWh].


def test_sweep_of_a_thousand_growth_rates(history, scenario_dir, published) -> None:
    rates = np.linspace(0.0, 0.4, 1000)
    frame = scenarios.sweep(
        scenario_dir / "published.yaml", {"segments.power.cagr": rates}, history, years=[2030]
    )
    power = frame[(frame.region == "China") & (frame.segment == "power")]
    assert list(power["run"]) == list(range(1000))
    np.testing.assert_allclose(power["value"], 823 * (1 + rates) ** 6)
    np.testing.assert_allclose(power["segments.power.cagr"], rates)
    total = frame[(frame.region == "China") & (frame.segment == "total")]["value"].to_numpy()
    np.testing.assert_allclose(
        total, 823 * (1 + rates) ** 6 + published["consumer"] + published["storage"]
    )


def test_sweep_validates_its_overrides(history, scenario_dir) -> None:
    path = scenario_dir / "published.yaml"
    with pytest.raises(ScenarioError, match=r"key 'segments.power.speed': not a numeric"):
        scenarios.sweep(path, {"segments.power.speed": [0.1]}, history)
    with pytest.raises(ScenarioError, match=r"key 'segments.power.cagr': value -1.5 is out of"):
        scenarios.sweep(path, {"segments.power.cagr": [0.1, -1.5]}, history)
    with pytest.raises(ScenarioError, match=r"key 'sweep': override arrays must be 1-D"):
        scenarios.sweep(
            path, {"segments.power.cagr": [0.1, 0.2], "segments.storage.cagr": [0.3]}, history
        )


def test_sensitivity_of_published_by_hand(history, scenario_dir, published) -> None:
    table = scenarios.sensitivity(scenario_dir / "published.yaml", history)
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
    rest = published["consumer"] + published["storage"]
    assert top["total_at_low"] == pytest.approx(823 * 1.18**6 + rest)
    assert top["total_at_high"] == pytest.approx(823 * 1.22**6 + rest)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert table.attrs["central_total"] == pytest.approx(published["total"])


def test_sensitivity_uses_distribution_percentiles(history, scenario_dir) -> None:
    table = scenarios.sensitivity(scenario_dir / "base.yaml", history).set_index("parameter")
    # China's total does not depend on the share path when growth is anchored on China.
    assert table.loc["share.target", "swing"] == pytest.approx(0.0)
    assert table.loc["segments.power.cagr", "basis"] == "p10/p90 of normal"
    # Normal(0.22, 0.04) truncated to [0.05, 0.40] is almost symmetric: p10 ~ 0.22 - 1.2816*0.04.
    assert table.loc["segments.power.cagr", "low"] == pytest.approx(0.22 - 1.2816 * 0.04, abs=1e-3)
    world = scenarios.sensitivity(scenario_dir / "base.yaml", history, region="World")
    assert world.set_index("parameter").loc["share.target", "swing"] > 0
