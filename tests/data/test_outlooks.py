"""Published outlooks: a validated file of what was said before 2025."""

from __future__ import annotations

import shutil

import pytest

from forecast.data.outlooks import LAST_PUBLISHED, OUTLOOK_COLUMNS, load_outlooks
from forecast.errors import DataValidationError
from tests.conftest import DATA, SHARED

SHIPPED = DATA / "reference" / "published_outlooks.csv"
SHARED_COPY = SHARED / "reference" / "published_outlooks.csv"
HEADER = ",".join(OUTLOOK_COLUMNS)
GOOD = "IEA,2024-04,EV battery demand,World,2030,STEPS,3400,GWh,about,iea.org,note"


def test_the_shipped_file_loads_with_23_figures_none_published_after_2024():
    frame = load_outlooks(SHIPPED)
    assert len(frame) == 23 and frame["published_year"].max() <= LAST_PUBLISHED == 2024
    assert frame["year"].isna().sum() == 1  # the lithium intensity alone has no year
    row = frame.iloc[0]
    assert (row["publisher"], row["published"], row["year"], row["value"]) == (
        "BloombergNEF", "2019-12", 2030, 1851.0)


@pytest.mark.skipif(not SHARED_COPY.is_file(), reason="../shared/ is absent")
def test_the_shipped_file_is_a_verbatim_copy():
    assert SHIPPED.read_bytes() == SHARED_COPY.read_bytes()


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("IEA,2025-01,EV battery demand,World,2030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'published': \[after-2024\] published 2025-01"),
        ("IEA,0024-04,EV battery demand,World,2030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'published': \[year-range\] published 0024-04 is before 1990"),
        ("IEA,April 2024,EV battery demand,World,2030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'published': \[type\]"),
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,3400,TWh,,iea.org,",
         r"row 2, column 'unit': \[unit\] EV battery demand is given in GWh"),
        ("IEA,2024-04,battery sales,World,2030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'quantity': \[quantity\] unknown quantity 'battery sales'"),
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,-1,GWh,,iea.org,",
         r"row 2, column 'value': \[range\]"),
        ("IEA,2024-04,EV battery demand,World,2023,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'year': \[range\] year 2023 is before publication"),
        # Numbers and years by history.csv's rules.
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,3_400,GWh,,iea.org,",
         r"row 2, column 'value': \[not-a-number\] '3_400' is not a number"),
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,inf,GWh,,iea.org,",
         r"row 2, column 'value': \[not-a-number\]"),
        ("IEA,2024-04,EV battery demand,World,2030.5,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'year': \[not-a-year\] '2030.5' is not a four-digit year"),
        ("IEA,2024-04,EV battery demand,World,2_030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'year': \[not-a-year\]"),
        ("IEA,2024-04,EV battery demand,World,2101,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'year': \[year-range\] 2101 is outside 1990-2100"),
        ("IEA,2024-04,EV battery demand,World,,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'year': \[required\]"),
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,3400,GWh,at most,iea.org,",
         r"row 2, column 'bound': \[bound\]"),
        ("IEA,2024-04,EV battery demand,World,2030,STEPS,3400,GWh,,,",
         r"row 2, column 'where': \[required\] where is empty"),
        ("=HYPERLINK(1),2024-04,EV battery demand,World,2030,STEPS,3400,GWh,,iea.org,",
         r"row 2, column 'publisher': \[formula\]"),
        (f"{GOOD}\n{GOOD}", r"row 3, column 'case': \[duplicate\]"),
        (f"{GOOD}\n\n{GOOD}", r"row 4, column 'case': \[duplicate\]"),
    ],
)
def test_a_bad_row_is_one_line_naming_file_row_column_and_rule(tmp_path, line, match):
    path = tmp_path / "outlooks.csv"
    path.write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=match) as info:
        load_outlooks(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_a_whole_year_may_be_written_as_a_float_column_writes_it(tmp_path):
    # pandas writes the year column, blank for the lithium intensity, as 2030.0.
    path = tmp_path / "outlooks.csv"
    path.write_text(f"{HEADER}\n{GOOD.replace('2030', '2030.0')}\n", encoding="utf-8")
    assert load_outlooks(path)["year"].tolist() == [2030]


def test_rules_are_checked_one_at_a_time_over_every_row(tmp_path):
    # Row 2 breaks a later rule (bound) than row 3 (publisher required): the earlier rule wins.
    path = tmp_path / "outlooks.csv"
    path.write_text(f"{HEADER}\n{GOOD.replace('about', 'at most')}\n"
                    f"{GOOD.replace('IEA', '').replace('2030', '2031')}\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"row 3, column 'publisher': \[required\]"):
        load_outlooks(path)


def test_a_missing_column_or_file_is_named(tmp_path):
    path = tmp_path / "outlooks.csv"
    shutil.copy(SHIPPED, path)
    text = path.read_text(encoding="utf-8").replace(",bound,", ",bounds,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'bound': \[columns\]"):
        load_outlooks(path)
    with pytest.raises(DataValidationError, match=r"\[missing-file\]"):
        load_outlooks(tmp_path / "none.csv")
