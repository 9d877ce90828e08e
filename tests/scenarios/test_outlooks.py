"""The fans beside published figures: GWh arithmetic and probabilities above each."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.data.outlooks import load_outlooks
from forecast.scenarios.outlooks import COMPARISON_COLUMNS, compare_outlooks, outlook_gwh
from forecast.scenarios.preparation import prepare
from forecast.scenarios.projection import simulate


def test_lithium_figures_are_converted_by_the_files_intensity_by_hand():
    table = outlook_gwh(load_outlooks()).set_index(["publisher", "quantity"])
    # 2.4 Mt LCE at 0.8 kg LCE per kWh: 2.4e9 kg / 0.8 kg/kWh = 3e9 kWh = 3,000 GWh;
    # the note's 0.6-1.3 kg per kWh give 1,846-4,000 GWh.
    bmi = table.loc[("Benchmark Mineral Intelligence", "lithium demand")]
    assert (bmi["gwh"], bmi["gwh_low"], bmi["gwh_high"]) == pytest.approx(
        (3000.0, 2400 / 1.3, 4000.0))
    assert "0.8 kg LCE per kWh (IHS Markit / Allkem 2022)" in bmi["arithmetic"]
    # The supply in McKinsey's note: 1.64 Mt LCE -> 2,050 GWh.
    assert table.loc[("McKinsey", "lithium supply"), "gwh"] == pytest.approx(2050.0)
    # GWh figures stay as published; the intensity itself is not a figure for a year.
    assert table.loc[("BloombergNEF", "battery demand"), "gwh"].tolist() == [1851.0, 2700.0]
    assert "lithium intensity" not in table.index.get_level_values("quantity")


def test_probability_above_is_the_share_of_the_fans_draws_in_the_figures_year(history, scenario):
    outlooks = load_outlooks()
    sc = scenario(uncertain={"segments.power.cagr": {"dist": "normal", "sd": 0.05}})
    got = compare_outlooks([sc], history, outlooks, n_draws=3_000, seed=4)
    assert tuple(got.columns) == COMPARISON_COLUMNS
    assert len(got) == 23  # 22 figures with a year, plus the supply in a note
    paths = simulate(prepare(sc, history), 3_000, seed=4)
    world_2030 = paths[("World", "total")][:, -1]
    china_2025 = paths[("China", "total")][:, 0]
    row = got[(got["publisher"] == "McKinsey") & (got["case"] == "low")].iloc[0]
    assert row["fan_year"] == 2030 and row["p_above"] == np.mean(world_2030 > 4000.0)
    cabia = got[got["year"] == 2025].iloc[0]  # China's capacity in 2025: the 2025 fan
    assert cabia["fan_year"] == 2025 and cabia["p_above"] == np.mean(china_2025 > 3000.0)
    built = got[got["year"] == 2024].iloc[0]  # capacity built by 2024: the target year
    assert built["fan_year"] == 2030
    assert built["p_above"] == np.mean(world_2030 > 3100.0)
    assert got["published"].is_monotonic_increasing
