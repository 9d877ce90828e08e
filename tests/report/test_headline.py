"""The headline table keeps numbers in numeric columns; its display shows p50 beside its band."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from forecast.evaluation.frames import FLOAT_FORMAT
from forecast.report.headline import HEADLINE_COLUMNS, headline_display, headline_table


def _projections() -> pd.DataFrame:
    rows = []
    for scenario, china, spread in (("base", 3109.4, 0.2), ("published", 3809.4, 0.0)):
        for region, segment, p50 in (("China", "total", china), ("World", "total", china / 0.76),
                                     ("China", "world_share", 0.76)):
            for year in (2029, 2030):
                value = p50 * (0.9 if year == 2029 else 1.0)
                rows.append({"scenario": scenario, "region": region, "segment": segment,
                             "year": year, "p10": value * (1 - spread), "p50": value,
                             "p90": value * (1 + spread)})
    return pd.DataFrame(rows)


def test_headline_csv_has_numeric_columns_not_ranges(tmp_path):
    table = headline_table(_projections(), ["published", "base"], target_year=2030,
                           last_value=1170.0, last_year=2024)
    assert tuple(table.columns) == HEADLINE_COLUMNS
    assert list(table["scenario"]) == ["published", "base"]
    text = table.to_csv(index=False, float_format=FLOAT_FORMAT)
    back = pd.read_csv(io.StringIO(text)).set_index("scenario")
    numeric = [c for c in HEADLINE_COLUMNS if c != "scenario"]
    assert all(pd.api.types.is_numeric_dtype(back[c]) for c in numeric)
    assert back.loc["base", "china_p50"] == pytest.approx(3109.4)
    assert back.loc["base", "china_p10"] == pytest.approx(3109.4 * 0.8, rel=1e-5)
    # (3809.4 / 1170) ** (1 / 6) - 1 = 0.21743 (21.7 %/yr)
    assert back.loc["published", "china_cagr"] == pytest.approx(0.21743, abs=1e-5)
    assert back.loc["published", "china_share_p50"] == pytest.approx(0.76)


def test_headline_display_shows_median_beside_band_and_one_value_when_degenerate():
    table = headline_table(_projections(), ["base", "published"], target_year=2030,
                           last_value=1170.0, last_year=2024)
    shown = headline_display(table).set_index("Scenario")
    assert shown.loc["base", "China 2030 [GWh]"] == "3,109 (2,488 to 3,731)"
    assert shown.loc["published", "China 2030 [GWh]"] == "3,809"
    assert shown.loc["published", "China's share of world [%]"] == "76.0%"
    assert shown.loc["published", "China growth [%/yr]"] == "21.7%"


def test_headline_display_is_headed_as_the_index_page_with_the_years_of_growth():
    table = headline_table(_projections(), ["base"], target_year=2030, last_value=1170.0,
                           last_year=2024)
    assert list(headline_display(table, 2024).columns) == [
        "Scenario", "China 2030 [GWh]", "World 2030 [GWh]", "China's share of world [%]",
        "China growth 2024-2030 [%/yr]"]
