"""Read and validate the four data files, in the order their rules build on each other.

The catalogues come first (``series.csv``, ``sources.csv``, ``variants.csv``), then
``history.csv`` row by row against them (:mod:`forecast.data.rules`), then the whole
history: conflicts, completeness, derivations and cross-checks
(:func:`forecast.data.consistency.check_dataset`). Rules run in the order schema -> types ->
ranges -> references -> duplicates -> completeness -> derivations -> cross-checks, and the
first violation raises :class:`forecast.errors.DataValidationError`, so an error always
names the most basic problem, in one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from forecast.data.rules import (
    HISTORY_RULES,
    SERIES_RULES,
    SOURCES_RULES,
    VARIANTS_RULES,
    check_conflicts,
    read_rows,
)
from forecast.data.schema import (
    HISTORY_COLUMNS,
    SERIES_COLUMNS,
    SOURCES_COLUMNS,
    VARIANTS_COLUMNS,
    Row,
    SeriesInfo,
    fail,
)
from forecast.errors import quote

__all__ = ["parse_history", "parse_series", "parse_sources", "parse_variants"]


def parse_series(path: Path) -> dict[str, SeriesInfo]:
    """Read and check the series catalogue (``series.csv``).

    Returns
    -------
    dict
        Series name -> :class:`~forecast.data.schema.SeriesInfo`.
    """
    records = read_rows(path, SERIES_COLUMNS, SERIES_RULES, {})
    out = {
        v["series"]: SeriesInfo(
            v["series"],
            v["unit"],
            v["quantity"],
            v["of"],
            tuple(p for p in v["parts"].split("|") if p),
            v["sum_tolerance"],
            v["contiguous"],
            v["description"],
        )
        for _, v in records
    }
    # 'of' may name a series listed further down, so it is checked once all are read.
    for line, v in records:
        if v["of"] and v["of"] not in out:
            msg = f"{quote(v['of'])} is not a series of the catalogue"
            fail(path, line, "of", "unknown-series", msg)
    return out


def parse_sources(path: Path) -> set[str]:
    """Read the source catalogue (``sources.csv``); returns the document names."""
    return {v["document"] for _, v in read_rows(path, SOURCES_COLUMNS, SOURCES_RULES, {})}


def parse_variants(path: Path) -> dict[str, int]:
    """Read the variant catalogue (``variants.csv``); returns variant -> rank (1 = default)."""
    records = read_rows(path, VARIANTS_COLUMNS, VARIANTS_RULES, {})
    return {v["variant"]: int(v["rank"]) for _, v in records}


def parse_history(
    path: Path,
    catalogue: Mapping[str, SeriesInfo],
    sources: set[str],
    variants: Mapping[str, int],
) -> list[Row]:
    """Read ``history.csv`` and check every row-level rule.

    Rules (:data:`forecast.data.rules.HISTORY_RULES`): required values present; year a
    four-digit year; value a finite number; unit known and equal to the catalogue's; kind one
    of reported/derived/outlook; derivation present exactly for derived rows; source and
    variant listed in their catalogues; ranges by quantity (amounts >= 0, shares in [0, 1],
    growth rates > -100%, rates >= 0); no duplicate (series, region, segment, year, variant);
    every row of a conflict (same series, region, segment and year) names its variant.
    """
    catalogues = {"series.csv": catalogue, "sources.csv": sources, "variants.csv": variants}
    records = read_rows(path, HISTORY_COLUMNS, HISTORY_RULES, catalogues)
    rows = [Row(line, **{c: v[c] for c in HISTORY_COLUMNS}) for line, v in records]
    check_conflicts(path, rows, variants)
    return rows
