"""Published outlooks: what was said about 2030 before 2025 (outlooks, not history).

``data/reference/published_outlooks.csv`` (provenance in ``data/reference/SOURCE.md``) holds
outlooks of battery demand, cell manufacturing capacity and lithium demand, and one lithium
intensity, as stated up to December 2024. Nothing is fitted to them; they are shown beside the
fans (:mod:`forecast.scenarios.outlooks`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.data.reference import read_csv, refuse_first
from forecast.data.schema import fail

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

_DATE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
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
        ``YYYY[-MM[-DD]]``, a year not an integer), ``after-2024`` (published after
        :data:`LAST_PUBLISHED`), ``quantity``, ``unit``, ``bound``, ``range`` (a value not a
        finite number > 0; a year before publication) or ``duplicate``.
    """
    import pandas as pd

    from forecast.data.loader import default_data_dir

    path = Path(default_data_dir() / OUTLOOKS_FILE if path is None else path)
    raw = read_csv(path, OUTLOOK_COLUMNS, "outlooks")
    frame = raw[list(OUTLOOK_COLUMNS)].apply(lambda c: c.str.strip())
    published, years, values = [], [], []
    for line, rec in enumerate(frame.to_dict("records"), start=2):
        for col in _REQUIRED:
            if not rec[col]:
                fail(path, line, col, "required", f"{col} is empty")
        for col in _TEXT:
            if rec[col][:1] in FORMULA_START:
                fail(path, line, col, "formula", f"{col} starts with {rec[col][0]!r}: a "
                     "spreadsheet would run it as a formula")
        date = _DATE.match(rec["published"])
        if date is None:
            fail(path, line, "published", "type", "published must be YYYY, YYYY-MM or "
                 f"YYYY-MM-DD, got {rec['published']!r}")
        pub_year = int(date.group(1))
        if pub_year > LAST_PUBLISHED:
            fail(path, line, "published", "after-2024", f"published {rec['published']}: only "
                 f"outlooks published up to {LAST_PUBLISHED} go in (the data stop there)")
        unit = UNITS.get(rec["quantity"])
        if unit is None:
            fail(path, line, "quantity", "quantity", f"unknown quantity {rec['quantity']!r} "
                 f"(known: {', '.join(UNITS)})")
        if rec["unit"] != unit:
            fail(path, line, "unit", "unit",
                 f"{rec['quantity']} is given in {unit}, got {rec['unit']!r}")
        if rec["bound"] not in BOUNDS:
            fail(path, line, "bound", "bound",
                 f"bound must be empty, 'more than' or 'about', got {rec['bound']!r}")
        year = _parse(rec["year"], int)
        if rec["year"] and year is None:
            fail(path, line, "year", "type", f"year must be an integer, got {rec['year']!r}")
        if year is None and rec["quantity"] != "lithium intensity":
            fail(path, line, "year", "required",
                 f"year is empty: a {rec['quantity']} figure is for a year")
        if year is not None and year < pub_year:
            fail(path, line, "year", "range", f"year {year} is before publication "
                 f"({pub_year}): an outlook is for its own year or later")
        value = _parse(rec["value"], float)
        if value is None or not value > 0:
            fail(path, line, "value", "range",
                 f"value must be a finite number > 0, got {rec['value']!r}")
        published.append(pub_year)
        years.append(year)
        values.append(value)
    key = ["publisher", "published", "quantity", "region", "year", "case"]
    out = frame.assign(year=pd.array(years, dtype="Int64"), value=np.array(values, float),
                       published_year=np.array(published, np.int64))
    refuse_first(path, out.duplicated(key).to_numpy(), "duplicate", "case", lambda _: "the same "
                 "publisher, date, quantity, region, year and case appear twice")
    return out


def _parse(text: str, kind: type[int] | type[float]) -> float | None:
    """``kind(text)``; None when it is not one or not finite."""
    try:
        x = kind(text)
    except ValueError:
        return None
    return x if np.isfinite(x) else None
