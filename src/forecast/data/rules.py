"""The rule table: what each row of each data file must satisfy, in the order it is checked.

A file's rules are a sequence of steps run on every row: a :class:`~forecast.data.schema.Column`
reads one field (types, vocabularies, references to the catalogues), a :class:`Rule` checks
fields against each other or against the catalogue (units, derivations, ranges), and a
:class:`Unique` refuses a second row with the same key (duplicates). The first step a row
breaks raises, so the order of a table is the order in which problems are reported. Rules on
the whole file (conflicting variants, gaps in a contiguous series) follow the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.data.schema import (
    KINDS,
    QUANTITIES,
    UNITS,
    Column,
    Key,
    Row,
    SeriesInfo,
    fail,
    label,
    read_table,
)

__all__ = [
    "HISTORY_RULES",
    "RANGES",
    "SERIES_RULES",
    "SOURCES_RULES",
    "VARIANTS_RULES",
    "Rule",
    "Unique",
    "check_conflicts",
    "check_contiguous",
    "read_rows",
]

#: The fields read so far in a row, by column.
Values = Mapping[str, Any]
#: The catalogue files a row may refer to, by file name (``series.csv`` -> its entries).
Catalogues = Mapping[str, Any]


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
    """A catalogue's names are unique: ``series 'x' is listed twice``."""
    return Unique(
        column, lambda v: v[column], lambda v, _: f"{column} '{v[column]}' is listed twice"
    )


Step = Column | Rule | Unique


def read_rows(
    path: Path, columns: Sequence[str], steps: Sequence[Step], catalogues: Catalogues
) -> list[tuple[int, dict[str, Any]]]:
    """Read a file and run its rule table on every row.

    Parameters
    ----------
    path : Path
        The CSV file.
    columns : sequence of str
        The columns its header must have.
    steps : sequence of Column, Rule or Unique
        The rule table, in the order the rules run.
    catalogues : mapping
        The catalogue files references are checked against, by file name.

    Returns
    -------
    list of (int, dict)
        Each row's line and its fields, parsed.

    Raises
    ------
    DataValidationError
        The first rule a row breaks.
    """
    first_line: dict[tuple[int, Hashable], int] = {}
    out: list[tuple[int, dict[str, Any]]] = []
    for line, rec in read_table(path, columns):
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


# ---------------------------------------------------------------------------- ranges


def _share_message(value: float) -> str:
    hint = " (shares are fractions: 0.76, not 76)" if value > 1 else ""
    return f"a share must be in [0, 1], got {value:g}{hint}"


#: Allowed values by quantity: (test, message given the series and the value).
RANGES: dict[str, tuple[Callable[[float], bool], Callable[[str, float], str]]] = {
    "amount": (lambda x: x >= 0, lambda series, x: f"{series} must be >= 0, got {x:g}"),
    "share": (lambda x: 0.0 <= x <= 1.0, lambda _, x: _share_message(x)),
    "growth": (
        lambda x: x > -1.0,
        lambda _, x: f"a growth rate must be above -100% (> -1), got {x:g}",
    ),
    "rate": (lambda x: x >= 0, lambda _, x: f"a rate must be >= 0, got {x:g}"),
}


def _out_of_range(v: Values, catalogues: Catalogues) -> str | None:
    info: SeriesInfo = catalogues["series.csv"][v["series"]]
    within, message = RANGES[info.quantity]
    return None if within(v["value"]) else message(info.series, v["value"])


def _unit_mismatch(v: Values, catalogues: Catalogues) -> str | None:
    unit = catalogues["series.csv"][v["series"]].unit
    return None if v["unit"] == unit else f"series '{v['series']}' is in {unit}, not {v['unit']}"


def _derivation_missing(v: Values, _: Catalogues) -> str | None:
    if v["kind"] == "derived" and not v["derivation"]:
        return "a derived value must state its derivation"
    return None


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


# ---------------------------------------------------------------------------- the tables

#: ``series.csv``; ``of`` is checked once the whole catalogue is read.
SERIES_RULES: tuple[Step, ...] = (
    Column("series"),
    _listed_once("series"),
    Column("unit", allowed=UNITS),
    Column("quantity", allowed=QUANTITIES),
    Column("contiguous", parse="yes-no", required=False, default=False),
    Column("sum_tolerance", parse="number", required=False, default=0.01),
    Column("of", required=False),
    Column("parts", required=False),
    Column("description", required=False),
)

#: ``sources.csv``.
SOURCES_RULES: tuple[Step, ...] = (
    Column("document"),
    Column("title"),
    _listed_once("document"),
)

#: ``variants.csv``.
VARIANTS_RULES: tuple[Step, ...] = (
    Column("variant"),
    Column("rank", parse="number"),
    Rule("rank", "rank", _whole_rank),
    Column("description"),
    _listed_once("variant"),
)

#: ``history.csv``: one observation per row, checked against the three catalogues.
HISTORY_RULES: tuple[Step, ...] = (
    Column("series", listed_in="series.csv"),
    Column("region"),
    Column("segment"),
    Column("year", parse="year"),
    Column("value", parse="number"),
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


# ---------------------------------------------------------------------------- whole-file rules


def check_conflicts(path: Path, rows: Sequence[Row], variants: Mapping[str, int]) -> None:
    """Every row of a conflict (same key, several values) names its variant, of distinct rank.

    Raises
    ------
    DataValidationError
        ``conflict-variant``: a row without a variant, or variants sharing a rank (no default).
    """
    groups: dict[Key, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.key, []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        for row in group:
            if not row.variant:
                msg = f"{label(row.key)} has {len(group)} values; each must name its variant"
                fail(path, row.line, "variant", "conflict-variant", msg)
        ranks = sorted(variants[r.variant] for r in group)
        if len(set(ranks)) != len(ranks):
            fail(
                path,
                group[-1].line,
                "variant",
                "conflict-variant",
                f"{label(group[0].key)}: variants {sorted(r.variant for r in group)} share a rank "
                "in variants.csv, so no default can be chosen",
            )


def check_contiguous(
    path: Path, res: Mapping[Key, Row], catalogue: Mapping[str, SeriesInfo]
) -> None:
    """A series marked contiguous has no gap between its first and last observed year.

    Raises
    ------
    DataValidationError
        ``missing-year``, on the row of the series' last year.
    """
    years: dict[tuple[str, str, str], list[Row]] = {}
    for row in res.values():
        if row.kind != "outlook" and catalogue[row.series].contiguous:
            years.setdefault((row.series, row.region, row.segment), []).append(row)
    for (series, region, segment), group in years.items():
        have = sorted(r.year for r in group)
        missing = sorted(set(range(have[0], have[-1] + 1)) - set(have))
        if missing:
            last = max(group, key=lambda r: r.year)
            fail(
                path,
                last.line,
                "year",
                "missing-year",
                f"{series} {region}/{segment} covers {have[0]}-{have[-1]} but has no value for "
                f"{', '.join(map(str, missing))}",
            )
