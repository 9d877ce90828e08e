"""The four data files: their columns, vocabularies, and the table of rules each row must meet.

Files are read with the :mod:`csv` module, not pandas, so that each problem is one line naming
its file, row, column and rule (:class:`forecast.errors.DataValidationError`). The rules stay a
table, not a pydantic model: each step names the rule it reports, and the order of a table is
the order in which problems are found, so an error always names the most basic problem (steps:
:class:`Column`, :class:`Rule`, :class:`Unique`). Rules on the whole history follow in
:mod:`forecast.data.consistency`.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from forecast.errors import DataValidationError, quote
from forecast.inputs import MAX_DATA_FILE_BYTES, read_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HISTORY_COLUMNS", "KINDS", "UNITS", "YEAR_RANGE", "Column", "Key", "Row", "Rule",
    "SeriesInfo", "Unique", "fail", "label", "parse_history", "parse_number", "parse_series",
    "parse_sources", "parse_variants", "parse_year",
]  # fmt: skip

#: Units a value may carry. Shares and growth rates are fractions (0.76, not 76).
UNITS = frozenset(
    {"GWh", "GW", "fraction", "billion CNY", "billion USD", "million vehicles", "billion cells"}
)
KINDS = frozenset({"reported", "derived", "outlook"})
QUANTITIES = frozenset({"amount", "share", "growth", "rate"})
#: Years a data or scenario file may name [year]; outside them a value is a typo, not a plan.
YEAR_RANGE = (1990, 2100)
#: Largest magnitude of a number in a data file; a non-zero number is also at least its
#: inverse. Beyond it a projection's growth, sums and divisions overflow a float or lose it
#: to zero, and no quantity in these files comes near it.
MAX_MAGNITUDE = 1e12

#: One observation's identity: (series, region, segment, year).
Key = tuple[str, str, str, int]


@dataclass(frozen=True)
class Row:
    """One validated observation of ``history.csv`` with the line it came from."""

    line: int
    series: str
    region: str
    segment: str
    year: int
    value: float
    unit: str
    kind: str
    variant: str
    source: str
    quote: str
    derivation: str
    note: str

    @property
    def key(self) -> Key:
        return (self.series, self.region, self.segment, self.year)


@dataclass(frozen=True)
class SeriesInfo:
    """A series' entry in the catalogue ``series.csv``."""

    series: str
    unit: str
    quantity: str
    of: str
    parts: tuple[str, ...]
    sum_tolerance: float
    contiguous: bool
    description: str


#: The columns of each file, in order.
HISTORY_COLUMNS = tuple(f.name for f in fields(Row) if f.name != "line")
SERIES_COLUMNS = tuple(f.name for f in fields(SeriesInfo))
SOURCES_COLUMNS = ("document", "title", "publisher", "published", "description")
VARIANTS_COLUMNS = ("variant", "rank", "description")


def label(key: Key) -> str:
    """How an observation is named in messages: ``production China/total 2023``."""
    series, region, segment, year = key
    return f"{series} {region}/{segment} {year}"


def fail(path: Path, row: int | None, column: str | None, rule: str, message: str) -> NoReturn:
    """Raise the one-line error of a broken ``rule`` at ``row`` (header = 1) and ``column``."""
    # Raised inside ``except`` blocks too: the data editor needs this line, not the chain.
    raise DataValidationError(path, rule, message, row=row, column=column) from None


def _read_table(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """A CSV file's ``(line, row)`` pairs once its size, text, header and field counts pass."""
    text = read_text(path, MAX_DATA_FILE_BYTES, partial(DataValidationError, path),
                     encoding="utf-8-sig")
    if not text.strip():
        fail(path, None, None, "empty-file", "the file is empty (expected a header row)")
    reader = csv.reader(text.splitlines())
    header = [h.strip() for h in next(reader)]
    for col in columns:
        if col not in header:
            have = ", ".join(header)
            fail(path, 1, col, "missing-column", f"required column is missing (have: {have})")
    for col in header:
        if col not in columns:
            fail(path, 1, col or "(blank)", "unknown-column", "column is not part of the schema")
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            fail(path, line, None, "field-count", f"expected {len(header)} comma-separated "
                 f"fields, found {len(cells)} (a value with a comma must be quoted)")
        rows.append((line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    if not rows:
        fail(path, None, None, "empty-file", "the file has a header but no rows")
    return rows


#: The fields read so far in a row, by column.
Values = Mapping[str, Any]
#: The catalogue files a row may refer to, by file name (``series.csv`` -> its entries).
Catalogues = Mapping[str, Any]


# Field parsers of every data file: the value, or the (rule, message) it breaks.
def parse_number(text: str) -> tuple[str, str] | float:
    try:
        # float() also reads "1_000" and digits of other scripts; a data file's numbers do not.
        number = float(text.replace("_", "x")) if text.isascii() else float("x")
    except ValueError:
        return "not-a-number", f"{quote(text)} is not a number"
    if not math.isfinite(number):
        return "not-a-number", f"{quote(text)} is not a finite number"
    if number != 0 and not 1 / MAX_MAGNITUDE <= abs(number) <= MAX_MAGNITUDE:
        return "magnitude", (f"{quote(text)} is outside the magnitudes a projection can carry "
                             f"({1 / MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g}, or 0)")
    return number


def parse_year(text: str, years: tuple[int, int] | None = None) -> tuple[str, str] | int:
    # 2030.0 is how pandas and spreadsheets write a whole year of a column with a blank.
    digits = re.fullmatch(r"([0-9]{4})(?:\.0+)?", text)
    low, high = years or YEAR_RANGE
    if not digits:
        return "not-a-year", f"{quote(text)} is not a four-digit year"
    if not low <= int(digits[1]) <= high:
        return "year-range", f"{text} is outside {low}-{high}"
    return int(digits[1])


def _yes_no(text: str) -> tuple[str, str] | bool:
    if text not in ("yes", "no"):
        return "not-yes-no", f"{quote(text)} must be yes or no"
    return text == "yes"


@dataclass(frozen=True)
class Column:
    """How one field is read: its type, whether it may be empty, and what it may hold.

    Parameters
    ----------
    name : str
        The column.
    parse : callable
        The text as is (default), or :func:`parse_number`: a finite float, 0 or of magnitude
        within :data:`MAX_MAGNITUDE` (rules ``not-a-number``, ``magnitude``); :func:`parse_year`:
        four digits (``.0`` after them allowed) within :data:`YEAR_RANGE` (``not-a-year``,
        ``year-range``); :func:`_yes_no`: a bool (``not-yes-no``).
    required, default
        Refuse an empty field (``empty-value``), else give it ``default``.
    allowed, listed_in
        A vocabulary, and a catalogue file, that must hold the value (``unknown-<name>``).
    """

    name: str
    parse: Callable[[str], Any] = str
    required: bool = True
    default: Any = ""
    allowed: frozenset[str] | None = None
    listed_in: str = ""

    def read(self, path: Path, line: int, rec: Mapping[str, str], catalogues: Catalogues) -> Any:
        """The field's value in row ``line``, or the error of the first rule it breaks."""
        text = rec[self.name]
        if text == "":
            if self.required:
                fail(path, line, self.name, "empty-value", "a value is required")
            return self.default
        value = self.parse(text)
        if isinstance(value, tuple):
            fail(path, line, self.name, *value)
        if self.allowed is not None and value not in self.allowed:
            msg = f"{quote(value)} is not one of {sorted(self.allowed)}"
            fail(path, line, self.name, f"unknown-{self.name}", msg)
        if self.listed_in and value not in catalogues[self.listed_in]:
            fail(path, line, self.name, f"unknown-{self.name}",
                 f"{quote(value)} is not in {self.listed_in}")
        return value

    def read_cells(self, path: Path, cells: pd.Series) -> pd.Series:
        """:meth:`read` of each of ``cells``, this column of a file pandas read (stripped text
        indexed by row), indexed alike."""
        import pandas as pd

        return pd.Series([self.read(path, row, {self.name: text}, {})
                          for row, text in cells.items()], cells.index)


@dataclass(frozen=True)
class Rule:
    """A check on the fields read so far; ``test`` returns the error message, or None."""

    column: str | None
    rule: str
    test: Callable[[Values, Catalogues], str | None]


@dataclass(frozen=True)
class Unique:
    """No two rows of a file share ``key``; ``message`` is given the earlier row's line."""

    column: str | None
    key: Callable[[Values], Hashable]
    message: Callable[[Values, int], str]


def _listed_once(column: str) -> Unique:
    return Unique(column, lambda v: v[column],
                  lambda v, _: f"{column} '{v[column]}' is listed twice")


def _out_of_range(v: Values, catalogues: Catalogues) -> str | None:
    x, quantity = v["value"], catalogues["series.csv"][v["series"]].quantity
    if quantity == "share" and not 0.0 <= x <= 1.0:
        hint = " (shares are fractions: 0.76, not 76)" if x > 1 else ""
        return f"a share must be in [0, 1], got {x:g}{hint}"
    if quantity == "growth" and not x > -1.0:
        return f"a growth rate must be above -100% (> -1), got {x:g}"
    if quantity in ("amount", "rate") and not x >= 0:
        return f"{v['series'] if quantity == 'amount' else 'a rate'} must be >= 0, got {x:g}"
    return None


def _unit_mismatch(v: Values, catalogues: Catalogues) -> str | None:
    unit = catalogues["series.csv"][v["series"]].unit
    return None if v["unit"] == unit else f"series '{v['series']}' is in {unit}, not {v['unit']}"


def _derivation_missing(v: Values, _: Catalogues) -> str | None:
    missing = v["kind"] == "derived" and not v["derivation"]
    return "a derived value must state its derivation" if missing else None


def _derivation_unexpected(v: Values, _: Catalogues) -> str | None:
    if v["kind"] != "derived" and v["derivation"]:
        return f"only derived values carry a derivation (kind is {v['kind']})"
    return None


def _whole_rank(v: Values, _: Catalogues) -> str | None:
    rank = v["rank"]
    return None if rank == int(rank) and rank >= 1 else "rank must be a whole number >= 1"


def _already_given(v: Values, first: int) -> str:
    key = (v["series"], v["region"], v["segment"], v["year"])
    return f"{label(key)} (variant '{v['variant'] or '-'}') already given on row {first}"


Step = Column | Rule | Unique

SERIES_RULES: tuple[Step, ...] = (
    Column("series"),
    _listed_once("series"),
    Column("unit", allowed=UNITS),
    Column("quantity", allowed=QUANTITIES),
    Column("contiguous", parse=_yes_no, required=False, default=False),
    Column("sum_tolerance", parse=parse_number, required=False, default=0.01),
    Column("of", required=False),
    Column("parts", required=False),
    Column("description", required=False),
)
SOURCES_RULES: tuple[Step, ...] = (Column("document"), Column("title"), _listed_once("document"))
VARIANTS_RULES: tuple[Step, ...] = (
    Column("variant"),
    Column("rank", parse=parse_number),
    Rule("rank", "rank", _whole_rank),
    Column("description"),
    _listed_once("variant"),
)
#: ``history.csv``: one observation per row, checked against the three catalogues.
HISTORY_RULES: tuple[Step, ...] = (
    Column("series", listed_in="series.csv"),
    Column("region"),
    Column("segment"),
    Column("year", parse=parse_year),
    Column("value", parse=parse_number),
    Column("unit", allowed=UNITS),
    Rule("unit", "unit-mismatch", _unit_mismatch),
    Column("kind", allowed=KINDS),
    Column("source", listed_in="sources.csv"),
    Column("quote"),
    Column("derivation", required=False),
    Rule("derivation", "derivation-missing", _derivation_missing),
    Rule("derivation", "derivation-unexpected", _derivation_unexpected),
    Column("variant", required=False, listed_in="variants.csv"),
    Rule("value", "range", _out_of_range),
    Unique(None, lambda v: (v["series"], v["region"], v["segment"], v["year"], v["variant"]),
           _already_given),
    Column("note", required=False),
)  # fmt: skip


def _read_rows(path: Path, columns: Sequence[str], steps: Sequence[Step],
               catalogues: Catalogues) -> list[tuple[int, dict[str, Any]]]:
    """Each row's line and parsed fields, once every row passes the rule table ``steps``."""
    first_line: dict[tuple[int, Hashable], int] = {}
    out: list[tuple[int, dict[str, Any]]] = []
    for line, rec in _read_table(path, columns):
        values: dict[str, Any] = {}
        for i, step in enumerate(steps):
            if isinstance(step, Column):
                values[step.name] = step.read(path, line, rec, catalogues)
            elif isinstance(step, Rule):
                message = step.test(values, catalogues)
                if message is not None:
                    fail(path, line, step.column, step.rule, message)
            else:
                key = (i, step.key(values))
                if key in first_line:
                    message = step.message(values, first_line[key])
                    fail(path, line, step.column, "duplicate", message)
                first_line[key] = line
        out.append((line, values))
    return out


def parse_series(path: Path) -> dict[str, SeriesInfo]:
    """Read and check the series catalogue (``series.csv``): series name -> its entry."""
    records = _read_rows(path, SERIES_COLUMNS, SERIES_RULES, {})
    out = {v["series"]: SeriesInfo(**{**v, "parts": tuple(p for p in v["parts"].split("|") if p)})
           for _, v in records}
    # 'of' may name a series listed further down, so it is checked once all are read.
    for line, v in records:
        if v["of"] and v["of"] not in out:
            fail(path, line, "of", "unknown-series",
                 f"{quote(v['of'])} is not a series of the catalogue")
    return out


def parse_sources(path: Path) -> set[str]:
    """Read the source catalogue (``sources.csv``); returns the document names."""
    return {v["document"] for _, v in _read_rows(path, SOURCES_COLUMNS, SOURCES_RULES, {})}


def parse_variants(path: Path) -> dict[str, int]:
    """Read the variant catalogue (``variants.csv``); returns variant -> rank (1 = default)."""
    return {v["variant"]: int(v["rank"])
            for _, v in _read_rows(path, VARIANTS_COLUMNS, VARIANTS_RULES, {})}


def parse_history(path: Path, catalogue: Mapping[str, SeriesInfo], sources: set[str],
                  variants: Mapping[str, int]) -> list[Row]:
    """Read ``history.csv``, check every rule of :data:`HISTORY_RULES`, and the variants of
    every conflict (same series, region, segment and year): each named, of distinct rank."""
    catalogues = {"series.csv": catalogue, "sources.csv": sources, "variants.csv": variants}
    rows = [Row(line, **{c: v[c] for c in HISTORY_COLUMNS})
            for line, v in _read_rows(path, HISTORY_COLUMNS, HISTORY_RULES, catalogues)]
    groups: dict[Key, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.key, []).append(row)
    for group in (g for g in groups.values() if len(g) > 1):
        for row in group:
            if not row.variant:
                fail(path, row.line, "variant", "conflict-variant",
                     f"{label(row.key)} has {len(group)} values; each must name its variant")
        ranks = [variants[r.variant] for r in group]
        if len(set(ranks)) != len(ranks):
            fail(path, group[-1].line, "variant", "conflict-variant",
                 f"{label(group[0].key)}: variants {sorted(r.variant for r in group)} share a "
                 "rank in variants.csv, so no default can be chosen")
    return rows

