"""The shipped scenarios reconciled with the published outlooks of the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forecast import scenarios
from forecast.scenarios.noise import ProcessNoise
from forecast.scenarios.schema import Noise

REPO = Path(__file__).resolve().parents[2]


def test_reconcile_against_the_published_outlooks(history, scenario_dir, published) -> None:
    table = scenarios.reconcile(
        ["published", "demand_led", "capacity_limited"],
        history,
        n_draws=2000,
        scenario_dir=scenario_dir,
    )
    assert list(table.columns) == [
        "scenario",
        "region",
        "segment",
        "year",
        "unit",
        "published",
        "projected",
        "central",
        "p5",
        "p95",
        "difference",
        "difference_pct",
        "main_cause",
    ]
    rows = table.set_index(["scenario", "region", "segment"])
    total = rows.loc[("published", "China", "total")]
    assert total["published"] == 3800
    # projected is the median of the draws, which vary around the outlook's path from year to
    # year: near 3,809 GWh, and the difference is measured from it
    assert total["projected"] == pytest.approx(published["total"], rel=0.06)
    assert total["difference"] == pytest.approx(total["projected"] - 3800)
    # The cause is read from the central case: 2,457.5 - 2,450 = +7.5 of the +9.4 GWh.
    assert total["main_cause"].startswith(
        "power contributes most in the central case: +7 GWh, 79% of its +9 GWh difference")
    # demand_led's segments pull both ways: power above its outlook, storage below. A share
    # of the net difference would exceed 100%, so each segment's difference is listed instead.
    led = rows.loc[("demand_led", "China", "total")]["main_cause"]
    assert led.startswith("segments pull both ways in the central case (power +")
    assert "storage -" in led and "%" not in led.split("(compound")[0]
    ev = rows.loc[("published", "World", "ev_demand")]
    assert ev["published"] == 2772 and np.isnan(ev["projected"])
    assert ev["main_cause"].startswith("not modelled")
    demand = rows.loc[("demand_led", "World", "ev_demand")]
    # The stated inputs (42 M EVs x 66 kWh) reproduce the outlook; the triangular 30-70 M
    # sales distribution (median 46.3 M) lifts the Monte Carlo median above it.
    assert demand["central"] == pytest.approx(2772.0)
    assert demand["projected"] > 2772.0
    assert demand["p5"] < demand["central"] < demand["p95"]
    assert demand["main_cause"].startswith("the central case matches the outlook (42.0 M EVs")
    assert "EV sales distribution is skewed (median" in demand["main_cause"]
    # The central case has no year-to-year variation; the draws do, so the band is one
    # year's variation around it (the published scenario has no uncertain assumptions).
    assert total["central"] == pytest.approx(published["total"])
    mix = {seg: published[seg] for seg in ("power", "consumer", "storage")}
    noise = ProcessNoise.estimated(Noise(), mix)
    for q, col in ((0.05, "p5"), (0.95, "p95")):
        assert total[col] == pytest.approx(
            published["total"] * np.exp(noise.quantile(q)), rel=0.02)
    capped = rows.loc[("capacity_limited", "China", "total")]
    assert capped["difference"] < 0
    assert capped["main_cause"].startswith("the capacity cap removes")
    assert "in the central case" in capped["main_cause"]
