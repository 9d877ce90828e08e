"""What the data files hold: their columns, vocabularies and records, and how a field is read.

Files are read with the :mod:`csv` module, not pandas, so that each problem is reported as one
line naming its file, row, column and rule (:class:`forecast.errors.DataValidationError`)
rather than as a traceback. :class:`Column` declares how one field is parsed; the rules that
combine fields, and the order in which everything runs, are in :mod:`forecast.data.rules`.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

from forecast.errors import DataValidationError, quote
from forecast.inputs import MAX_DATA_FILE_BYTES, read_text

__all__ = [
    "HISTORY_COLUMNS",
    "KINDS",
    "MAX_MAGNITUDE",
    "QUANTITIES",
    "SERIES_COLUMNS",
    "SOURCES_COLUMNS",
    "UNITS",
    "VARIANTS_COLUMNS",
    "YEAR_RANGE",
    "Column",
    "Key",
    "Row",
    "SeriesInfo",
    "fail",
    "label",
    "read_table",
]

HISTORY_COLUMNS = (
    "series",
    "region",
    "segment",
    "year",
    "value",
    "unit",
    "kind",
    "variant",
    "source",
    "quote",
    "derivation",
    "note",
)
SERIES_COLUMNS = (
    "series",
    "unit",
    "quantity",
    "of",
    "parts",
    "sum_tolerance",
    "contiguous",
    "description",
)
SOURCES_COLUMNS = ("document", "title", "publisher", "published", "description")
VARIANTS_COLUMNS = ("variant", "rank", "description")

#: Units a value may carry. Shares and growth rates are fractions (0.76, not 76).
UNITS = frozenset(
    {"GWh", "GW", "fraction", "billion CNY", "billion USD", "million vehicles", "billion cells"}
)
KINDS = frozenset({"reported", "derived", "outlook"})
QUANTITIES = frozenset({"amount", "share", "growth", "rate"})
YEAR_RANGE = (1990, 2100)
#: Largest magnitude of a number in a data file; a non-zero number is also at least its
#: inverse (1e-12). Beyond it a projection's growth, sums and divisions overflow a float or
#: lose it to zero, and no quantity in these files comes near it.
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


def label(key: Key) -> str:
    """How an observation is named in messages: ``production China/total 2023``."""
    series, region, segment, year = key
    return f"{series} {region}/{segment} {year}"


def fail(path: Path, row: int | None, column: str | None, rule: str, message: str) -> NoReturn:
    """Raise the one-line error of a broken rule.

    Parameters
    ----------
    path : Path
        The offending file.
    row : int or None
        Its line (the header is line 1), if one row is at fault.
    column : str or None
        The column at fault, if one is.
    rule, message : str
        The rule's short name (``"range"``) and what is wrong, in words.
    """
    # Raised inside ``except`` blocks too: the data editor needs this line, not the chain.
    raise DataValidationError(path, rule, message, row=row, column=column) from None


# ---------------------------------------------------------------------------- reading


def read_table(path: Path, columns: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV file into ``(line, row)`` pairs after checking its header.

    Parameters
    ----------
    path : Path
        The CSV file.
    columns : iterable of str
        The exact set of columns the file must have (order free).

    Raises
    ------
    DataValidationError
        Missing file, not a regular file or above :data:`forecast.inputs.MAX_DATA_FILE_BYTES`
        (refused unread), empty file, unreadable text, missing or unknown columns, or a row
        with the wrong number of fields.
    """
    columns = tuple(columns)
    text = read_text(path, MAX_DATA_FILE_BYTES,
                     lambda rule, message: DataValidationError(path, rule, message),
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
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            fail(
                path,
                line,
                None,
                "field-count",
                f"expected {len(header)} comma-separated fields, found {len(fields)} "
                "(a value with a comma must be quoted)",
            )
        rows.append((line, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    if not rows:
        fail(path, None, None, "empty-file", "the file has a header but no rows")
    return rows


# ---------------------------------------------------------------------------- one field


@dataclass(frozen=True)
class Column:
    """How one field is read: its type, whether it may be empty, and what it may hold.

    A failure names the column and one of the rules ``empty-value``, ``not-a-number``,
    ``not-a-year``, ``year-range``, ``not-yes-no`` or ``unknown-<name>`` (a value outside
    ``allowed``, or not listed in the catalogue file ``listed_in``).

    Parameters
    ----------
    name : str
        The column.
    parse : {"text", "number", "year", "yes-no"}
        ``number``: a finite float, 0 or of magnitude within :data:`MAX_MAGNITUDE` (rule
        ``magnitude``); ``year``: a four-digit year within :data:`YEAR_RANGE`;
        ``yes-no``: ``yes`` or ``no``, read as a bool.
    required : bool
        Refuse an empty field; otherwise an empty field takes ``default`` unparsed.
    default : object
        The value of an empty optional field.
    allowed : frozenset of str, optional
        The vocabulary the value must belong to (e.g. :data:`UNITS`).
    listed_in : str, optional
        The catalogue file (``series.csv``, ``sources.csv``, ``variants.csv``) that must
        list the value.
    """

    name: str
    parse: Literal["text", "number", "year", "yes-no"] = "text"
    required: bool = True
    default: Any = ""
    allowed: frozenset[str] | None = None
    listed_in: str = ""

    def read(
        self, path: Path, line: int, rec: Mapping[str, str], catalogues: Mapping[str, Any]
    ) -> Any:
        """The field's value in row ``line``, or the error of the first rule it breaks."""
        text = rec[self.name]
        if text == "":
            if self.required:
                fail(path, line, self.name, "empty-value", "a value is required")
            return self.default
        value = _PARSERS[self.parse](path, line, self.name, text)
        if self.allowed is not None and value not in self.allowed:
            msg = f"{quote(value)} is not one of {sorted(self.allowed)}"
            fail(path, line, self.name, f"unknown-{self.name}", msg)
        if self.listed_in and value not in catalogues[self.listed_in]:
            msg = f"{quote(value)} is not in {self.listed_in}"
            fail(path, line, self.name, f"unknown-{self.name}", msg)
        return value


def _text(path: Path, line: int, column: str, text: str) -> str:
    return text


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        number = float(text.replace("_", "x"))  # "1_000" is not a number in a data file
    except ValueError:
        fail(path, line, column, "not-a-number", f"{quote(text)} is not a number")
    if not math.isfinite(number):
        fail(path, line, column, "not-a-number", f"{quote(text)} is not a finite number")
    if number != 0 and not 1 / MAX_MAGNITUDE <= abs(number) <= MAX_MAGNITUDE:
        fail(path, line, column, "magnitude", f"{quote(text)} is outside the magnitudes a "
             f"projection can carry ({1 / MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g}, or 0)")
    return number


def _year(path: Path, line: int, column: str, text: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        fail(path, line, column, "not-a-year", f"{quote(text)} is not a four-digit year")
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        msg = f"{year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}"
        fail(path, line, column, "year-range", msg)
    return year


def _yes_no(path: Path, line: int, column: str, text: str) -> bool:
    if text not in ("yes", "no"):
        fail(path, line, column, "not-yes-no", f"{quote(text)} must be yes or no")
    return text == "yes"


_PARSERS = {"text": _text, "number": _number, "year": _year, "yes-no": _yes_no}
