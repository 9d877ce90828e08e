"""Rules every data file must satisfy, checked row by row without pandas.

Files are read with the :mod:`csv` module so that each problem can be reported with its
file, line, column and rule in one line (:class:`forecast.errors.DataValidationError`),
never as a pandas traceback. The first violation found raises; rules run in the order
schema -> types -> ranges -> references -> duplicates -> completeness -> derivations ->
cross-checks, so an error always names the most basic problem.
"""

from __future__ import annotations

import ast
import csv
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from forecast.errors import DataValidationError

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

#: Tolerances of the cross-checks. Documents round growth rates and shares to 0.1 point
#: (sometimes to whole points), so half a point absorbs rounding but not a real conflict.
GROWTH_TOLERANCE = 0.005
SHARE_TOLERANCE = 0.005
#: Derived values are typed to two decimals; the check allows that rounding and no more.
DERIVATION_TOLERANCE = 0.0051

_REF = re.compile(r"\{([a-z0-9_]+):([A-Za-z0-9_]+):([a-z0-9_]+):(\d{4})\}")
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}

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


@dataclass
class Check:
    """The outcome of one cross-check, for the consistency report."""

    check: str
    series: str
    region: str
    segment: str
    year: int
    variant: str
    stated: float
    computed: float
    tolerance: float
    detail: str
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = abs(self.stated - self.computed) <= self.tolerance + 1e-12


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
        Missing file, empty file, unreadable text, missing or unknown columns, or a row
        with the wrong number of fields.
    """
    columns = tuple(columns)
    if not path.is_file():
        raise DataValidationError(path, "missing-file", "file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(path, "encoding", f"not UTF-8 text ({exc.reason})") from None
    if not text.strip():
        raise DataValidationError(path, "empty-file", "the file is empty (expected a header row)")
    reader = csv.reader(text.splitlines())
    header = [h.strip() for h in next(reader)]
    for col in columns:
        if col not in header:
            raise DataValidationError(
                path,
                "missing-column",
                f"required column is missing (have: {', '.join(header)})",
                row=1,
                column=col,
            )
    for col in header:
        if col not in columns:
            raise DataValidationError(
                path,
                "unknown-column",
                "column is not part of the schema",
                row=1,
                column=col or "(blank)",
            )
    rows: list[tuple[int, dict[str, str]]] = []
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise DataValidationError(
                path,
                "field-count",
                f"expected {len(header)} comma-separated fields, found {len(fields)} "
                "(a value with a comma must be quoted)",
                row=line,
            )
        rows.append((line, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    if not rows:
        raise DataValidationError(path, "empty-file", "the file has a header but no rows")
    return rows


def _require(path: Path, line: int, rec: Mapping[str, str], column: str) -> str:
    value = rec[column]
    if value == "":
        raise DataValidationError(
            path, "empty-value", "a value is required", row=line, column=column
        )
    return value


def _number(path: Path, line: int, rec: Mapping[str, str], column: str) -> float:
    text = _require(path, line, rec, column)
    try:
        number = float(text.replace("_", "x"))  # "1_000" is not a number in a data file
    except ValueError:
        raise DataValidationError(
            path, "not-a-number", f"'{text}' is not a number", row=line, column=column
        ) from None
    if not math.isfinite(number):
        raise DataValidationError(
            path, "not-a-number", f"'{text}' is not a finite number", row=line, column=column
        )
    return number


def _integer(path: Path, line: int, rec: Mapping[str, str], column: str) -> int:
    text = _require(path, line, rec, column)
    if not re.fullmatch(r"\d{4}", text):
        raise DataValidationError(
            path, "not-a-year", f"'{text}' is not a four-digit year", row=line, column=column
        )
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise DataValidationError(
            path,
            "year-range",
            f"{year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}",
            row=line,
            column=column,
        )
    return year


# ---------------------------------------------------------------------------- catalogue files


def parse_series(path: Path) -> dict[str, SeriesInfo]:
    """Read and check the series catalogue (``series.csv``)."""
    out: dict[str, SeriesInfo] = {}
    for line, rec in read_table(path, SERIES_COLUMNS):
        name = _require(path, line, rec, "series")
        if name in out:
            raise DataValidationError(
                path, "duplicate", f"series '{name}' is listed twice", row=line, column="series"
            )
        unit = _require(path, line, rec, "unit")
        if unit not in UNITS:
            raise DataValidationError(
                path,
                "unknown-unit",
                f"'{unit}' is not one of {sorted(UNITS)}",
                row=line,
                column="unit",
            )
        quantity = _require(path, line, rec, "quantity")
        if quantity not in QUANTITIES:
            raise DataValidationError(
                path,
                "unknown-quantity",
                f"'{quantity}' is not one of {sorted(QUANTITIES)}",
                row=line,
                column="quantity",
            )
        contiguous = rec["contiguous"] or "no"
        if contiguous not in ("yes", "no"):
            raise DataValidationError(
                path,
                "not-yes-no",
                f"'{contiguous}' must be yes or no",
                row=line,
                column="contiguous",
            )
        tol = _number(path, line, rec, "sum_tolerance") if rec["sum_tolerance"] else 0.01
        parts = tuple(p for p in rec["parts"].split("|") if p)
        out[name] = SeriesInfo(
            name, unit, quantity, rec["of"], parts, tol, contiguous == "yes", rec["description"]
        )
    for line, rec in read_table(path, SERIES_COLUMNS):
        if rec["of"] and rec["of"] not in out:
            raise DataValidationError(
                path,
                "unknown-series",
                f"'{rec['of']}' is not a series of the catalogue",
                row=line,
                column="of",
            )
    return out


def parse_sources(path: Path) -> set[str]:
    """Read the source catalogue (``sources.csv``); returns the document names."""
    names: set[str] = set()
    for line, rec in read_table(path, SOURCES_COLUMNS):
        name = _require(path, line, rec, "document")
        _require(path, line, rec, "title")
        if name in names:
            raise DataValidationError(
                path, "duplicate", f"document '{name}' is listed twice", row=line, column="document"
            )
        names.add(name)
    return names


def parse_variants(path: Path) -> dict[str, int]:
    """Read the variant catalogue (``variants.csv``); returns variant -> rank (1 = default)."""
    ranks: dict[str, int] = {}
    for line, rec in read_table(path, VARIANTS_COLUMNS):
        name = _require(path, line, rec, "variant")
        rank = _number(path, line, rec, "rank")
        if rank != int(rank) or rank < 1:
            raise DataValidationError(
                path, "rank", "rank must be a whole number >= 1", row=line, column="rank"
            )
        _require(path, line, rec, "description")
        if name in ranks:
            raise DataValidationError(
                path, "duplicate", f"variant '{name}' is listed twice", row=line, column="variant"
            )
        ranks[name] = int(rank)
    return ranks


# ---------------------------------------------------------------------------- observations


def parse_history(
    path: Path,
    catalogue: Mapping[str, SeriesInfo],
    sources: set[str],
    variants: Mapping[str, int],
) -> list[Row]:
    """Read ``history.csv`` and check every row-level rule.

    Rules: required values present; year a four-digit year; value a finite number; unit
    known and equal to the catalogue's; kind one of reported/derived/outlook; derivation
    present exactly for derived rows; source and variant listed in their catalogues;
    ranges by quantity (amounts >= 0, shares in [0, 1], growth rates > -100%, rates >= 0);
    no duplicate (series, region, segment, year, variant); every row of a conflict
    (same series, region, segment and year) names its variant.
    """
    rows: list[Row] = []
    seen: dict[tuple[Key, str], int] = {}
    for line, rec in read_table(path, HISTORY_COLUMNS):
        series = _require(path, line, rec, "series")
        info = catalogue.get(series)
        if info is None:
            raise DataValidationError(
                path,
                "unknown-series",
                f"'{series}' is not in series.csv",
                row=line,
                column="series",
            )
        region = _require(path, line, rec, "region")
        segment = _require(path, line, rec, "segment")
        year = _integer(path, line, rec, "year")
        value = _number(path, line, rec, "value")
        unit = _require(path, line, rec, "unit")
        if unit not in UNITS:
            raise DataValidationError(
                path,
                "unknown-unit",
                f"'{unit}' is not one of {sorted(UNITS)}",
                row=line,
                column="unit",
            )
        if unit != info.unit:
            raise DataValidationError(
                path,
                "unit-mismatch",
                f"series '{series}' is in {info.unit}, not {unit}",
                row=line,
                column="unit",
            )
        kind = _require(path, line, rec, "kind")
        if kind not in KINDS:
            raise DataValidationError(
                path,
                "unknown-kind",
                f"'{kind}' is not one of {sorted(KINDS)}",
                row=line,
                column="kind",
            )
        source = _require(path, line, rec, "source")
        if source not in sources:
            raise DataValidationError(
                path,
                "unknown-source",
                f"'{source}' is not in sources.csv",
                row=line,
                column="source",
            )
        _require(path, line, rec, "quote")
        derivation = rec["derivation"]
        if kind == "derived" and not derivation:
            raise DataValidationError(
                path,
                "derivation-missing",
                "a derived value must state its derivation",
                row=line,
                column="derivation",
            )
        if kind != "derived" and derivation:
            raise DataValidationError(
                path,
                "derivation-unexpected",
                f"only derived values carry a derivation (kind is {kind})",
                row=line,
                column="derivation",
            )
        variant = rec["variant"]
        if variant and variant not in variants:
            raise DataValidationError(
                path,
                "unknown-variant",
                f"'{variant}' is not in variants.csv",
                row=line,
                column="variant",
            )
        _check_range(path, line, info, value)
        row = Row(
            line,
            series,
            region,
            segment,
            year,
            value,
            unit,
            kind,
            variant,
            source,
            rec["quote"],
            derivation,
            rec["note"],
        )
        dup = (row.key, variant)
        if dup in seen:
            raise DataValidationError(
                path,
                "duplicate",
                f"{_label(row.key)} (variant '{variant or '-'}') already given on row {seen[dup]}",
                row=line,
            )
        seen[dup] = line
        rows.append(row)
    _check_conflicts(path, rows, variants)
    return rows


def _check_range(path: Path, line: int, info: SeriesInfo, value: float) -> None:
    if info.quantity == "amount" and value < 0:
        raise DataValidationError(
            path, "range", f"{info.series} must be >= 0, got {value:g}", row=line, column="value"
        )
    if info.quantity == "share" and not 0.0 <= value <= 1.0:
        hint = " (shares are fractions: 0.76, not 76)" if value > 1 else ""
        raise DataValidationError(
            path,
            "range",
            f"a share must be in [0, 1], got {value:g}{hint}",
            row=line,
            column="value",
        )
    if info.quantity == "growth" and value <= -1.0:
        raise DataValidationError(
            path,
            "range",
            f"a growth rate must be above -100% (> -1), got {value:g}",
            row=line,
            column="value",
        )
    if info.quantity == "rate" and value < 0:
        raise DataValidationError(
            path, "range", f"a rate must be >= 0, got {value:g}", row=line, column="value"
        )


def _check_conflicts(path: Path, rows: list[Row], variants: Mapping[str, int]) -> None:
    groups: dict[Key, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.key, []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        for row in group:
            if not row.variant:
                raise DataValidationError(
                    path,
                    "conflict-variant",
                    f"{_label(row.key)} has {len(group)} values; each must name its variant",
                    row=row.line,
                    column="variant",
                )
        ranks = sorted(variants[r.variant] for r in group)
        if len(set(ranks)) != len(ranks):
            raise DataValidationError(
                path,
                "conflict-variant",
                f"{_label(group[0].key)}: variants {sorted(r.variant for r in group)} share a rank "
                "in variants.csv, so no default can be chosen",
                row=group[-1].line,
                column="variant",
            )


def _label(key: Key) -> str:
    series, region, segment, year = key
    return f"{series} {region}/{segment} {year}"


# ---------------------------------------------------------------------------- resolution


def resolve(
    rows: Iterable[Row], variants: Mapping[str, int], prefer: Iterable[str] = ()
) -> dict[Key, Row]:
    """Pick one row per (series, region, segment, year).

    A row without a variant stands alone. Among conflicting rows the first variant named in
    ``prefer`` wins; otherwise the variant of lowest rank in ``variants.csv`` (the default).
    """
    order = {v: i for i, v in enumerate(prefer)}
    best: dict[Key, Row] = {}

    def score(row: Row) -> tuple[int, int]:
        return (order.get(row.variant, len(order)), variants.get(row.variant, 0))

    for row in rows:
        current = best.get(row.key)
        if current is None or score(row) < score(current):
            best[row.key] = row
    return best


# ---------------------------------------------------------------------------- derivations


def evaluate_derivation(expr: str, lookup: Callable[[Key], float | None]) -> float:
    """Evaluate a derivation such as ``{production:China:total:2024} / (1 + 0.24)``.

    References ``{series:region:segment:year}`` are replaced by values from ``lookup``;
    the rest may hold numbers, ``+ - * /`` and parentheses only (parsed with :mod:`ast`,
    never ``eval``).

    Raises
    ------
    KeyError
        A reference has no value.
    ValueError
        The expression is not plain arithmetic.
    """
    values: list[float] = []

    def substitute(match: re.Match[str]) -> str:
        key = (match[1], match[2], match[3], int(match[4]))
        value = lookup(key)
        if value is None:
            raise KeyError(_label(key))
        values.append(value)
        return f"_v{len(values) - 1}"

    text = _REF.sub(substitute, expr)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expr}") from None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id.startswith("_v"):
            return values[int(node.id[2:])]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"not an arithmetic expression: {expr}")

    return walk(tree)


# ---------------------------------------------------------------------------- dataset checks


def check_dataset(
    path: Path,
    rows: list[Row],
    catalogue: Mapping[str, SeriesInfo],
    variants: Mapping[str, int],
) -> list[Check]:
    """Run completeness, derivation and cross-checks; return every check's outcome.

    Each row is checked under its own variant (then the defaults), so a documented conflict
    such as 940 GWh with the +24% built on it passes its own checks. A failure under those
    terms raises :class:`DataValidationError`. Checks of the *other* variants (e.g. the 2023
    segment split against 940 GWh) are returned with ``ok=False`` for the consistency report
    instead of raising: they are the conflicts the data keeps on purpose.
    """
    checks: list[Check] = []
    resolutions: dict[str, dict[Key, Row]] = {"": resolve(rows, variants)}

    def resolved(variant: str) -> dict[Key, Row]:
        if variant not in resolutions:
            resolutions[variant] = resolve(rows, variants, prefer=[variant])
        return resolutions[variant]

    default = resolutions[""]
    _check_contiguous(path, default, catalogue)

    for row in rows:
        res = resolved(row.variant)
        if row.derivation:
            _check_derivation(path, row, res)
        info = catalogue[row.series]
        if info.quantity == "growth" and info.of:
            check = _growth_check(row, res)
            if check is not None:
                checks.append(check)
                if not check.ok:
                    raise DataValidationError(
                        path,
                        "growth-check",
                        f"stated growth {row.value:.1%} but {check.detail} "
                        f"(tolerance {GROWTH_TOLERANCE:.1%})",
                        row=row.line,
                        column="value",
                    )
        if info.quantity == "share" and info.of:
            check = _share_check(row, res)
            if check is not None:
                checks.append(check)
                if not check.ok:
                    raise DataValidationError(
                        path,
                        "share-check",
                        f"stated share {row.value:.1%} but {check.detail} "
                        f"(tolerance {SHARE_TOLERANCE:.1%})",
                        row=row.line,
                        column="value",
                    )

    for check, anchor in _parts_checks(default, catalogue, ""):
        if not check.ok:
            raise DataValidationError(
                path,
                "segments-sum",
                f"{check.detail}; differs by {abs(check.stated - check.computed):.4g} "
                f"(tolerance {check.tolerance:.4g})",
                row=anchor.line,
                column="value",
            )
        checks.append(check)
    # The same sums under each alternative variant, where it changes a value: these are
    # the documented conflicts, reported rather than raised.
    for variant in sorted({r.variant for r in rows if r.variant}):
        res = resolved(variant)
        for check, _ in _parts_checks(res, catalogue, variant):
            involved = _rows_of(check, res, catalogue)
            if any(r.variant == variant and default.get(r.key) is not r for r in involved):
                checks.append(check)
    return checks


def _rows_of(
    check: Check, res: Mapping[Key, Row], catalogue: Mapping[str, SeriesInfo]
) -> list[Row]:
    keys = [
        (check.series, check.region, s, check.year)
        for s in (*catalogue[check.series].parts, "total")
    ]
    return [res[k] for k in keys if k in res]


def _check_contiguous(
    path: Path, res: Mapping[Key, Row], catalogue: Mapping[str, SeriesInfo]
) -> None:
    years: dict[tuple[str, str, str], list[Row]] = {}
    for row in res.values():
        if row.kind != "outlook" and catalogue[row.series].contiguous:
            years.setdefault((row.series, row.region, row.segment), []).append(row)
    for (series, region, segment), group in years.items():
        have = sorted(r.year for r in group)
        missing = sorted(set(range(have[0], have[-1] + 1)) - set(have))
        if missing:
            last = max(group, key=lambda r: r.year)
            raise DataValidationError(
                path,
                "missing-year",
                f"{series} {region}/{segment} covers {have[0]}-{have[-1]} but has no value for "
                f"{', '.join(map(str, missing))}",
                row=last.line,
                column="year",
            )


def _check_derivation(path: Path, row: Row, res: Mapping[Key, Row]) -> None:
    def lookup(key: Key) -> float | None:
        ref = res.get(key)
        return None if ref is None else ref.value

    try:
        computed = evaluate_derivation(row.derivation, lookup)
    except KeyError as exc:
        raise DataValidationError(
            path,
            "derivation-reference",
            f"the derivation refers to {exc.args[0]}, which has no value",
            row=row.line,
            column="derivation",
        ) from None
    except (ValueError, ZeroDivisionError) as exc:
        raise DataValidationError(
            path, "derivation-syntax", str(exc), row=row.line, column="derivation"
        ) from None
    if abs(computed - row.value) > DERIVATION_TOLERANCE:
        raise DataValidationError(
            path,
            "derivation-check",
            f"value {row.value:g} but its derivation gives {computed:.4g}",
            row=row.line,
            column="value",
        )


def _growth_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    cur = res.get((row.series[: -len("_growth")], row.region, row.segment, row.year))
    prev = res.get((row.series[: -len("_growth")], row.region, row.segment, row.year - 1))
    if cur is None or prev is None or prev.value <= 0 or row.line in (cur.line, prev.line):
        return None
    if prev.derivation and row.series in prev.derivation:
        return None  # the base was derived from this very rate: checking it proves nothing
    computed = cur.value / prev.value - 1.0
    return Check(
        "growth",
        row.series,
        row.region,
        row.segment,
        row.year,
        row.variant,
        row.value,
        computed,
        GROWTH_TOLERANCE,
        f"{cur.value:g} / {prev.value:g} - 1 = {computed:.2%}",
    )


def _share_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    base = row.series[: -len("_share")]
    part = res.get((base, row.region, row.segment, row.year))
    total = res.get((base, row.region, "total", row.year))
    if part is None or total is None or total.value <= 0:
        return None
    computed = part.value / total.value
    return Check(
        "share",
        row.series,
        row.region,
        row.segment,
        row.year,
        row.variant,
        row.value,
        computed,
        SHARE_TOLERANCE,
        f"{part.value:g} / {total.value:g} = {computed:.2%}",
    )


def _parts_checks(
    res: Mapping[Key, Row], catalogue: Mapping[str, SeriesInfo], variant: str
) -> list[tuple[Check, Row]]:
    out: list[tuple[Check, Row]] = []
    groups: dict[tuple[str, str, int], dict[str, Row]] = {}
    for (series, region, segment, year), row in res.items():
        if catalogue[series].parts:
            groups.setdefault((series, region, year), {})[segment] = row
    for (series, region, year), segs in sorted(groups.items()):
        info = catalogue[series]
        if not all(p in segs for p in info.parts):
            continue
        parts_sum = sum(segs[p].value for p in info.parts)
        if info.quantity == "share":
            stated, target, label = 1.0, "1", "shares"
            anchor = segs[info.parts[-1]]
        elif "total" in segs:
            stated, target, label = (
                segs["total"].value,
                f"the total {segs['total'].value:g}",
                "segments",
            )
            anchor = segs["total"]
        else:
            continue
        tolerance = info.sum_tolerance * abs(stated)
        detail = (
            f"{series} {region} {year}: {label} {' + '.join(info.parts)} sum to "
            f"{parts_sum:.4g}, not {target}"
        )
        check = Check(
            "segments-sum",
            series,
            region,
            "total",
            year,
            variant,
            stated,
            parts_sum,
            tolerance,
            detail,
        )
        out.append((check, anchor))
    return out
