"""The reference class: loading, one-line validation errors, and rolling windows by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data.reference import (
    check_window_options,
    default_reference_path,
    extract_windows,
    load_reference,
    load_world_totals,
    world_share,
)
from forecast.errors import DataValidationError, ParameterError
from tests.conftest import REFERENCE_CLASS, SHARED

SHIPPED = REFERENCE_CLASS / "technology_ramps.csv"
WORLD = REFERENCE_CLASS / "world_totals.csv"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ref.csv"
    path.write_text(text)
    return path


def test_shipped_file_loads_with_its_provenance():
    frame = load_reference(SHIPPED)
    assert len(frame) == 2760
    assert frame["series"].nunique() == 185
    assert set(frame["technology"]) == {"solar_electricity", "wind_electricity", "ev_car_sales"}
    assert frame["year"].dtype == np.int64 and (frame["value"] > 0).all()
    assert default_reference_path().resolve() == SHIPPED.resolve()
    source = (SHIPPED.parent / "SOURCE.md").read_text()
    assert "CC BY 4.0" in source and "held out" in source and "half of the countries" in source


@pytest.mark.parametrize("shipped", [SHIPPED, WORLD], ids=lambda p: p.name)
def test_shipped_file_is_a_verbatim_copy_of_the_shared_one(shipped):
    shared = SHARED / "reference" / shipped.name
    if not shared.is_file():
        pytest.skip("../shared/reference is absent")
    assert shipped.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize(
    ("load", "text", "row", "column", "rule"),
    [
        (load_reference, "series,year\na,2000\n", None, "value", "columns"),
        (load_reference, "series,year,value\na,2000,1\na,2001.5,2\n", 3, "year", "not-a-year"),
        (load_reference, "series,year,value\na,2000,1\na,1e20,2\n", 3, "year", "not-a-year"),
        (load_reference, "series,year,value\na,1799,1\n", 2, "year", "year-range"),
        (load_reference, "series,year,value\na,2000,1\na,,2\n", 3, "year", "empty-value"),
        (load_reference, "series,year,value\na,2000,1\na,2001,x\n", 3, "value", "not-a-number"),
        (load_reference, "series,year,value\na,2000,1_000\n", 2, "value", "not-a-number"),
        (load_reference, "series,year,value\na,2000,\u0663\n", 2, "value", "not-a-number"),
        (load_reference, "series,year,value\na,\u0662\u0660\u0660\u0660,1\n", 2, "year",
         "not-a-year"),
        (load_reference, "series,year,value\na,2000,1e13\n", 2, "value", "magnitude"),
        (load_reference, "series,year,value\na,2000,1\na,2001,0\n", 3, "value", "range"),
        (load_reference, "series,year,value\na,2000,1\na,2001,-4\n", 3, "value", "range"),
        (load_reference, "series,year,value\na,2000,inf\n", 2, "value", "not-a-number"),
        (load_reference, "series,year,value\na,2000,1\nb,2000,1\na,2000,2\n", 4, "year",
         "duplicate"),
        (load_reference, "series,year,value\na,2000,1\n,2001,2\n", 3, "series", "required"),
        # Rows are numbered as a spreadsheet shows them: blank ones count, and are skipped.
        (load_reference, "series,year,value\na,2000,1\n\n,,\na,2001,-4\n", 5, "value",
         "range"),
        (load_reference, "series,year,value\n\n,,\n", None, None, "empty"),
        (load_reference, "series,year,value\na,2000,1\n\t,\t,\t\na,2001,-4\n", 4, "value",
         "range"),
        (load_world_totals, "region,year,value\nWorld,2000,1\n", None, "technology",
         "columns"),
        (load_world_totals, "technology,year,value\nsolar,2000,0\n", 2, "value", "range"),
        (load_world_totals, "technology,year,value\nsolar,2000,1\nsolar,2000,2\n", 3, "year",
         "duplicate"),
        (load_world_totals, "technology,year,value\n,2000,1\n", 2, "technology", "required"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_a_bad_file_gets_one_line_naming_file_row_column_and_rule(
    tmp_path, load, text, row, column, rule
):
    path = _write(tmp_path, text)
    with pytest.raises(DataValidationError) as info:
        load(path)
    err = info.value
    assert (err.row, err.column, err.rule) == (row, column, rule)
    line = str(err)
    assert "\n" not in line and str(path) in line and f"[{rule}]" in line
    if row is not None:
        assert f"row {row}" in line


def test_a_whole_year_may_be_written_as_a_float_column_writes_it(tmp_path):
    # As history.csv and the outlooks read it: a spreadsheet or pandas writes 2001.0.
    frame = load_reference(_write(tmp_path, "series,year,value\na,2000.0,1\na,2001,2\n"))
    assert frame["year"].tolist() == [2000, 2001] and frame["year"].dtype == np.int64


def test_a_missing_or_unreadable_file_is_named(tmp_path):
    with pytest.raises(DataValidationError, match=r"nope\.csv: \[missing-file\]"):
        load_reference(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'series,year,value\n"a,2000,1\n')
    with pytest.raises(DataValidationError, match=r"\[csv\]"):
        load_reference(bad)


def test_windows_worked_out_by_hand():
    # Series a: 1, 2, 4, 8 (2000-2003), gap, 10, 11, 12, 13 (2005-2008).
    # Series b: 100, 110, 121, 133.1, 146.41 (10%/yr: below 15%, never a window).
    frame = pd.DataFrame({
        "series": ["a"] * 8 + ["b"] * 5,
        "year": [2000, 2001, 2002, 2003, 2005, 2006, 2007, 2008, 2000, 2001, 2002, 2003, 2004],
        "value": [1, 2, 4, 8, 10, 11, 12, 13, 100, 110, 121, 133.1, 146.41],
    })
    w = extract_windows(frame, window=3, horizons=3, min_growth=0.15)
    # Window 2000-2002 grows 100%/yr: actuals 8 (2003), none in 2004, 10 (2005).
    # Window 2001-2003 grows 100%/yr: actuals 2004 none, 10, 11.
    # Windows 2005-2007 (9.5%/yr) and 2006-2008 (8.7%/yr) are too slow; windows with 2004 in
    # them are incomplete; b is too slow everywhere.
    assert w.series.tolist() == ["a", "a"]
    assert w.origin.tolist() == [2002, 2003]
    np.testing.assert_array_equal(w.values, [[1, 2, 4], [2, 4, 8]])
    np.testing.assert_array_equal(w.actual, [[8, np.nan, 10], [np.nan, 10, 11]])
    # At 5%/yr b qualifies: its 2000-2002 window grows exactly 10%/yr.
    slow = extract_windows(frame, window=3, horizons=1, min_growth=0.05)
    assert ("b", 2002) in set(zip(slow.series.tolist(), slow.origin.tolist(), strict=True))
    assert len(w.subset(w.origin == 2003)) == 1


def test_shipped_windows_at_the_default_definition():
    w = extract_windows(load_reference(SHIPPED))
    assert len(w) == 1248
    assert np.isfinite(w.actual).sum(axis=0).tolist() == [1246, 1154, 1059, 967, 878, 794]
    growth = (w.values[:, -1] / w.values[:, 0]) ** (1 / 3) - 1
    assert growth.min() >= 0.15 - 1e-12


@pytest.mark.parametrize(
    ("window", "horizons", "min_growth", "match"),
    [(1, 6, 0.15, "window must be an integer >= 2"), (4, 0, 0.15, "horizons must be"),
     (4.5, 6, 0.15, "window"), (4, 6, float("nan"), "min_growth"), (4, 6, -1.0, "min_growth")],
)
def test_window_options_are_checked(window, horizons, min_growth, match):
    with pytest.raises(ParameterError, match=match):
        check_window_options(window, horizons, min_growth)


def test_world_totals_load_with_their_provenance():
    totals = load_world_totals(WORLD)
    assert len(totals) == 103
    assert set(totals["technology"]) == {"solar_electricity", "wind_electricity", "ev_car_sales"}
    assert load_world_totals().equals(totals)
    source = (WORLD.parent / "SOURCE.md").read_text()
    assert "world_totals.csv" in source and "ev_car_sales | vehicles | 2010-2023" in source


def test_world_share_by_hand_from_the_technology_prefix():
    frame = pd.DataFrame({"series": ["solar:A", "solar:A", "wind:B", "wind:B"],
                          "year": [2000, 2001, 2000, 2002], "value": [1.0, 3.0, 2.0, 5.0]})
    totals = pd.DataFrame({"technology": ["solar", "solar", "wind"], "year": [2000, 2001, 2000],
                           "value": [10.0, 12.0, 8.0]})
    out = world_share(frame, totals)
    assert out["technology"].tolist() == ["solar", "solar", "wind", "wind"]
    np.testing.assert_allclose(out["share"], [0.1, 0.25, 0.25, np.nan])
    # A technology column wins over the prefix.
    tech = frame.assign(technology=["wind", "wind", "wind", "wind"])
    np.testing.assert_allclose(world_share(tech, totals)["share"], [0.125, np.nan, 0.25, np.nan])


def test_shipped_shares_china_ev_sales_2023():
    # IEA: China 8.1 million of the world's 13.8 million electric cars in 2023.
    out = world_share(load_reference(SHIPPED), load_world_totals(WORLD))
    row = out[(out["series"] == "ev_car_sales:China") & (out["year"] == 2023)]
    assert row["share"].item() == pytest.approx(8.1 / 13.8)
    assert out["share"].notna().all()
