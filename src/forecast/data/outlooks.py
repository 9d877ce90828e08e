"""Published outlooks: what was said about 2030 before 2025 (outlooks, not history).

``data/reference/published_outlooks.csv`` (provenance in ``data/reference/SOURCE.md``) holds
outlooks of battery demand, cell manufacturing capacity and lithium demand, and one lithium
intensity, as stated up to December 2024. Nothing is fitted to them; they are shown beside the
fans (:mod:`forecast.scenarios.outlooks`).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.data.reference import read_csv, refuse_first
from forecast.data.schema import YEAR_RANGE, Column, parse_number, parse_year

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_START", "LAST_PUBLISHED", "OUTLOOKS_FILE", "OUTLOOK_COLUMNS", "load_outlooks"]

OUTLOOK_COLUMNS = ("publisher", "published", "quantity", "region", "year", "case", "value",
                   "unit", "bound", "where", "note")
#: Relative to the data folder.
OUTLOOKS_FILE = Path("reference") / "published_outlooks.csv"
#: Last year of publication allowed: the data stop at 2024, and an outlook published later
#: could know an outcome the history does not.
LAST_PUBLISHED = 2024
#: Every quantity the file may hold and its one unit. The intensity's label is the file's; its
#: value and note are kg LCE per kWh, as :mod:`forecast.scenarios.outlooks` reads it.
UNITS = {
    "battery demand": "GWh",
    "EV battery demand": "GWh",
    "EV battery installations": "GWh",
    "cell manufacturing capacity": "GWh",
    "lithium demand": "Mt LCE",
    "lithium intensity": "t LCE per GWh",
}
#: Words a figure may be bounded with ("" for a plain figure).
BOUNDS = ("", "more than", "about")

_DATE = re.compile(r"^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$")
#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT = ("publisher", "quantity", "region", "case", "bound", "where", "note")
_REQUIRED = ("publisher", "published", "quantity", "region", "value", "unit", "where")


def load_outlooks(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the published outlooks (default ``<data folder>/`` :data:`OUTLOOKS_FILE`).

    Returns
    -------
    pandas.DataFrame
        :data:`OUTLOOK_COLUMNS` in file order, text stripped; ``year`` as a nullable Int64
        [calendar year] (empty only for the lithium intensity), ``value`` as float64 [``unit``],
        ``published_year`` int64 added.

    Raises
    ------
    DataValidationError
        One line naming file, row (header = 1), column and rule: :func:`read_csv`'s, then
        ``required``, ``formula`` (a text cell a spreadsheet would run), ``type`` (a date not
        ``YYYY[-MM[-DD]]``), ``after-2024`` (published after :data:`LAST_PUBLISHED`),
        ``quantity``, ``unit``, ``bound``, a year or value as ``history.csv`` refuses it
        (:class:`~forecast.data.schema.Column`), ``range`` (a value not > 0; a year before
        publication) or ``duplicate``.
    """
    import pandas as pd

    from forecast.data.loader import default_data_dir

    path = Path(default_data_dir() / OUTLOOKS_FILE if path is None else path)
    raw = read_csv(path, OUTLOOK_COLUMNS, "outlooks")
    frame = raw[list(OUTLOOK_COLUMNS)].apply(lambda c: c.str.strip())

    # Rule by rule over every row, as the reference class is checked: the first row breaking
    # the first rule is named.
    refuse = partial(refuse_first, path)

    def cell(col: str, i: int) -> str:
        return frame[col].iloc[i]

    for col in _REQUIRED:
        refuse(frame[col] == "", "required", col, lambda _, c=col: f"{c} is empty")
    for col in _TEXT:
        refuse(frame[col].str[:1].isin(FORMULA_START), "formula", col, lambda i, c=col:
               f"{c} starts with {cell(c, i)[0]!r}: a spreadsheet would run it as a formula")
    refuse(~frame["published"].str.match(_DATE), "type", "published", lambda i: "published must "
           f"be YYYY, YYYY-MM or YYYY-MM-DD, got {cell('published', i)!r}")
    published = frame["published"].str[:4].astype(np.int64)
    refuse(published < YEAR_RANGE[0], "year-range", "published", lambda i: f"published "
           f"{cell('published', i)} is before {YEAR_RANGE[0]}")
    refuse(published > LAST_PUBLISHED, "after-2024", "published", lambda i: f"published "
           f"{cell('published', i)}: only outlooks published up to {LAST_PUBLISHED} go in "
           "(the data stop there)")
    unit = frame["quantity"].map(UNITS)
    refuse(unit.isna(), "quantity", "quantity", lambda i: f"unknown quantity "
           f"{cell('quantity', i)!r} (known: {', '.join(UNITS)})")
    refuse(frame["unit"] != unit, "unit", "unit", lambda i: f"{cell('quantity', i)} is "
           f"given in {unit.iloc[i]}, got {cell('unit', i)!r}")
    refuse(~frame["bound"].isin(BOUNDS), "bound", "bound", lambda i: "bound must be empty, "
           f"'more than' or 'about', got {cell('bound', i)!r}")
    years = Column("year", parse_year, required=False, default=np.nan).read_cells(
        path, frame["year"]).astype(float)
    refuse(years.isna() & (frame["quantity"] != "lithium intensity"), "required", "year",
           lambda i: f"year is empty: a {cell('quantity', i)} figure is for a year")
    refuse(years < published, "range", "year", lambda i: f"year {int(years.iloc[i])} is before "
           f"publication ({published.iloc[i]}): an outlook is for its own year or later")
    values = Column("value", parse_number).read_cells(path, frame["value"]).astype(float)
    refuse(~(values > 0), "range", "value",
           lambda i: f"value must be a finite number > 0, got {cell('value', i)!r}")
    key = ["publisher", "published", "quantity", "region", "year", "case"]
    out = frame.assign(year=pd.array(years, dtype="Int64"), value=values,
                       published_year=published)
    refuse(out.duplicated(key), "duplicate", "case", lambda _: "the same publisher, date, "
           "quantity, region, year and case appear twice")
    return out.reset_index(drop=True)
