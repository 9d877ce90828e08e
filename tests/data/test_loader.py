"""The shipped history against values worked out by hand from the source documents."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

from forecast import data
from forecast.data import loader, schema
from forecast.errors import DataValidationError
from tests.conftest import DATA, SEEDS

# Read off document 002 by hand (not from the CSV). Key: (series, region, segment, year).
REPORTED = {
    ("production", "China", "total", 2021): 324,
    ("production", "China", "total", 2022): 738,
    ("production", "China", "total", 2023): 910,
    ("production", "China", "total", 2024): 1170,
    ("production_share_of_world", "China", "total", 2021): 0.57,
    ("production_share_of_world", "China", "total", 2022): 0.683,
    ("production_share_of_world", "China", "total", 2023): 0.71,
    ("production_share_of_world", "China", "total", 2024): 0.76,
    ("production", "China", "power", 2023): 664.3,
    ("production", "China", "power", 2024): 823,
    ("production", "China", "consumer", 2023): 91,
    ("production", "China", "consumer", 2024): 94,
    ("production", "China", "storage", 2023): 154.7,
    ("production", "China", "storage", 2024): 254,
    ("production_growth", "China", "total", 2024): 0.286,
    ("power_installations", "China", "total", 2024): 548.4,
    ("power_installations", "China", "lfp", 2024): 409.0,
    ("power_installations", "China", "ternary", 2024): 139.0,
    ("power_installations", "China", "top3", 2024): 417.5,
    ("power_installations", "China", "top5", 2024): 461.2,
    ("power_installations", "China", "top10", 2024): 524.1,
    ("power_installations_share", "China", "top10", 2024): 0.956,
    ("power_installations", "World", "total", 2024): 894.4,
    ("power_installations_share", "World", "chinese_makers", 2024): 0.671,
    ("power_installations_share", "World", "korean_makers", 2024): 0.184,
    ("power_installations_share", "World", "panasonic", 2024): 0.039,
    ("ess_shipments", "World", "total", 2024): 314.7,
    ("ess_shipments", "World", "utility", 2024): 283.0,
    ("ess_shipments", "World", "behind_the_meter", 2024): 31.7,
    ("sales_revenue", "China", "total", 2023): 790,
    ("sales_revenue", "China", "total", 2024): 700,
    ("export_value_cny", "China", "total", 2023): 457.364,
    ("export_value_cny", "China", "total", 2024): 434.874,
    ("export_value_usd", "China", "total", 2023): 65.007,
    ("export_value_usd", "China", "total", 2024): 61.121,
    ("battery_exports", "China", "total", 2024): 197.1,
    ("battery_sales", "China", "total", 2024): 1039.5,
    ("ev_sales", "World", "total", 2024): 17.79,
    ("ev_battery_demand", "World", "total", 2024): 870,
    ("capacity", "China", "total", 2025): 2000,
    ("tariff_rate", "US", "power", 2025): 0.824,
    ("tariff_rate", "EU", "ev", 2024): 0.453,
}
# Derived by hand: 2023 = 2024 / (1 + stated growth), or a stated change in points.
DERIVED = {
    ("power_installations", "China", "total", 2023): 548.4 / 1.415,
    ("power_installations", "China", "lfp", 2023): 409.0 / 1.567,
    ("power_installations", "China", "ternary", 2023): 139.0 / 1.102,
    ("power_installations", "World", "total", 2023): 894.4 / 1.272,
    ("power_installations_share", "World", "chinese_makers", 2023): 0.671 - 0.037,
    ("power_installations_share", "World", "korean_makers", 2023): 0.184 + 0.047,
    ("ess_shipments", "World", "total", 2023): 314.7 / 1.60,
    ("ess_shipments", "World", "utility", 2023): 283.0 / 1.68,
    ("ess_shipments", "World", "behind_the_meter", 2023): 31.7 / 1.124,
    ("battery_sales", "China", "total", 2023): 1039.5 / 1.424,
    ("battery_exports", "China", "power", 2023): 133.7 / 1.05,
}
OUTLOOK = {
    ("production", "China", "total", 2030): 3800,
    ("production", "China", "power", 2030): 2450,
    ("production", "China", "consumer", 2030): 126,
    ("production", "China", "storage", 2030): 1226,
    ("production_cagr", "China", "power", 2030): 0.20,
    ("production_cagr", "China", "consumer", 2030): 0.05,
    ("production_cagr", "China", "storage", 2030): 0.30,
    ("ev_sales", "World", "total", 2030): 42,
    ("ev_battery_demand", "World", "total", 2030): 2772,
    ("production_share_of_world", "Europe", "total", 2030): 0.30,
}


def _value(history: pd.DataFrame, key: tuple[str, str, str, int]) -> pd.Series:
    series, region, segment, year = key
    row = history[
        (history.series == series)
        & (history.region == region)
        & (history.segment == segment)
        & (history.year == year)
    ]
    assert len(row) == 1, key
    return row.iloc[0]


@pytest.mark.parametrize("key", list(REPORTED), ids=lambda k: "-".join(map(str, k)))
def test_reported_values(history, key):
    row = _value(history, key)
    assert row["value"] == pytest.approx(REPORTED[key])
    assert row["kind"] == "reported"


@pytest.mark.parametrize("key", list(DERIVED), ids=lambda k: "-".join(map(str, k)))
def test_derived_values(history, key):
    row = _value(history, key)
    assert row["kind"] == "derived"
    assert row["value"] == pytest.approx(DERIVED[key], abs=0.006)
    assert row["derivation"]


@pytest.mark.parametrize("key", list(OUTLOOK), ids=lambda k: "-".join(map(str, k)))
def test_outlook_values(history, key):
    row = _value(history, key)
    assert row["kind"] == "outlook"
    assert row["value"] == pytest.approx(OUTLOOK[key])


def test_tidy_frame_columns_and_types(history):
    assert list(history.columns) == list(schema.HISTORY_COLUMNS)
    assert history["year"].dtype == "int64"
    assert history["value"].dtype == "float64"
    assert not history.duplicated(["series", "region", "segment", "year"]).any()
    assert (history["quote"].str.len() > 0).all()


def test_conflict_default_and_alternative():
    default = data.load_history(DATA)
    alt = data.load_history(DATA, prefer="yoy_base")
    assert data.get_series(default, "production").loc[2023] == 910
    assert data.get_series(alt, "production").loc[2023] == 940
    assert data.get_series(default, "production_growth").loc[2024] == pytest.approx(0.286)
    assert data.get_series(alt, "production_growth").loc[2024] == pytest.approx(0.24)
    # Values without a conflict are the same under both.
    assert data.get_series(alt, "production").loc[2024] == 1170


def test_unknown_preference_is_a_clear_error():
    with pytest.raises(DataValidationError, match=r"variants\.csv.*prefer='nope'"):
        data.load_history(DATA, prefer="nope")


def test_conflicts_are_listed_side_by_side():
    conf = data.conflicts(DATA)
    prod = conf[(conf.series == "production") & (conf.year == 2023)]
    assert sorted(prod["value"]) == [910, 940]
    assert prod.loc[prod["default"], "value"].item() == 910
    keys = set(zip(conf.series, conf.year, strict=True))
    assert ("production_growth", 2024) in keys
    assert ("ev_sales", 2030) in keys


def test_consistency_report_names_the_940_conflict():
    report = data.consistency_report(DATA)
    failed = report[~report["ok"]]
    row = failed[(failed.series == "production") & (failed.year == 2023)].iloc[0]
    assert row["variant"] == "yoy_base"
    assert row["stated"] == 940
    assert row["computed"] == pytest.approx(910.0)
    # Everything under the default resolution passes.
    assert report[report["variant"] == ""]["ok"].all()


def test_get_series(history):
    prod = data.get_series(history, "production")
    assert list(prod.index) == [2021, 2022, 2023, 2024]
    assert list(prod) == [324, 738, 910, 1170]
    assert prod.attrs["unit"] == "GWh"
    assert list(data.get_series(history, "production", kinds=("outlook",))) == [3800]
    with pytest.raises(KeyError, match="no reported/derived values"):
        data.get_series(history, "production", segment="nope")


def test_implied_world_production(history):
    world = data.implied_world_production(history)
    expected = [324 / 0.57, 738 / 0.683, 910 / 0.71, 1170 / 0.76]  # 568.4, 1080.5, 1281.7, 1539.5
    np.testing.assert_allclose(world["world"], expected)
    assert world["world"].iloc[-1] == pytest.approx(1539.47, abs=0.01)
    np.testing.assert_allclose(world["rest_of_world"], np.array(expected) - [324, 738, 910, 1170])


def test_segment_shares_sum_to_one(history):
    shares = data.segment_shares(history)
    assert list(shares.columns) == ["power", "consumer", "storage"]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares.loc[2024, "power"] == pytest.approx(823 / 1171)
    assert shares.loc[2023, "storage"] == pytest.approx(154.7 / 910)


def test_yoy_growth_and_cagr(history):
    prod = data.get_series(history, "production")
    growth = data.yoy_growth(prod)
    assert growth.loc[2024] == pytest.approx(1170 / 910 - 1)  # 28.57%
    assert growth.loc[2022] == pytest.approx(738 / 324 - 1)  # 127.8%
    assert data.cagr(prod, 2021, 2024) == pytest.approx(0.534, abs=5e-4)
    assert data.cagr(prod, 2021, 2024) == pytest.approx((1170 / 324) ** (1 / 3) - 1)
    gappy = pd.Series([1.0, 2.0, 4.0], index=[2016, 2023, 2024])
    assert list(data.yoy_growth(gappy).index) == [2024]
    with pytest.raises(ValueError, match="after start"):
        data.cagr(prod, 2024, 2021)
    with pytest.raises(KeyError, match="2020"):
        data.cagr(prod, 2020, 2024)


def test_default_data_dir_finds_the_checkout(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORECAST_DATA_DIR", raising=False)
    assert data.default_data_dir() == DATA
    monkeypatch.setenv("FORECAST_DATA_DIR", str(tmp_path))
    assert data.default_data_dir() == tmp_path


def _rows() -> list[dict[str, str]]:
    with open(DATA / "history.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="source documents (../shared/seeds) not present")
def test_every_quote_occurs_in_its_document():
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    missing = [
        (r["series"], r["year"], r["quote"])
        for r in _rows()
        if r["quote"] not in texts.get(r["source"], "")
    ]
    assert not missing


def _spellings(value: float, unit: str) -> set[str]:
    value = abs(value)  # "down 11.4%" states -0.114
    if unit == "fraction":
        pct = value * 100
        return {f"{pct:.2f}%", f"{pct:.1f}%", f"{pct:.0f}%"} | {f"{pct:g}%"}
    return {f"{value:,.0f}", f"{value:,.1f}", f"{value:g}", f"{value:,.2f}", f"{value:,.3f}"}


def test_reported_values_appear_in_their_quotes():
    """A reported or outlook value must be written, as a number, in its own quote."""
    bad = []
    for r in _rows():
        if r["kind"] == "derived":
            continue
        numbers = {m.replace(",", "") for m in re.findall(r"\d[\d,]*\.?\d*%?", r["quote"])}
        forms = {s.replace(",", "") for s in _spellings(float(r["value"]), r["unit"])}
        if not numbers & forms:
            bad.append((r["series"], r["segment"], r["year"], r["value"], r["quote"]))
    assert not bad


def test_derived_rows_state_how():
    for r in _rows():
        assert (r["kind"] == "derived") == bool(r["derivation"]), r


def test_load_is_cached_until_a_file_changes(tmp_path):
    import shutil

    shutil.copytree(DATA, tmp_path / "d")
    first = data.load_dataset(tmp_path / "d")
    assert data.load_dataset(tmp_path / "d") is first
    path = tmp_path / "d" / "history.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data.load_dataset(tmp_path / "d") is not first


def test_summary_of_a_data_folder_without_conflicts(tmp_path):
    # A user's own data folder may hold no alternative figures at all: its conflicts table is
    # empty but keeps its columns, and the summary reports no conflict.
    folder = tmp_path / "data"
    folder.mkdir()
    for name in loader.DATA_FILES:
        text = (DATA / name).read_text(encoding="utf-8")
        if name == loader.HISTORY_FILE:
            rows = list(csv.DictReader(text.splitlines()))
            kept = [r for r in rows if r["variant"] not in {"yoy_base", "iea"}]
            assert len(kept) < len(rows)
            with (folder / name).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(kept)
        else:
            (folder / name).write_text(text, encoding="utf-8")
    assert data.conflicts(folder).empty
    assert list(data.conflicts(folder).columns) == list(loader.CONFLICT_COLUMNS)
    text = data.summary_text(data.load_history(folder))
    assert "conflicts: 0" in text
