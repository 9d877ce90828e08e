"""Rules on the whole history: conflicts resolved, derivations re-computed, cross-checks.

Derivations are evaluated on the other rows, stated growth rates re-computed from the levels
they grow, stated shares from the part and its total, and segments summed against their total.
Each row is checked under its own variant, so a documented conflict (940 GWh with the +24%
built on it) passes its own checks; the same checks under the *other* variants are reported,
not raised: they are the conflicts the data keeps on purpose.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from forecast.data.schema import Key, Row, SeriesInfo, fail, label

__all__ = ["Check", "check_dataset", "evaluate_derivation", "resolve"]

#: Tolerances of the cross-checks. Documents round growth rates and shares to 0.1 point
#: (sometimes to whole points), so half a point absorbs rounding but not a real conflict.
GROWTH_TOLERANCE = 0.005
SHARE_TOLERANCE = 0.005
#: Derived values are typed to two decimals; the check allows that rounding and no more.
DERIVATION_TOLERANCE = 0.0051

_REF = re.compile(r"\{([a-z0-9_]+):([A-Za-z0-9_]+):([a-z0-9_]+):(\d{4})\}")
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}


def evaluate_derivation(expr: str, lookup: Callable[[Key], float | None]) -> float:
    """Evaluate a derivation such as ``{production:China:total:2024} / (1 + 0.24)``.

    References ``{series:region:segment:year}`` take their values from ``lookup`` (a KeyError
    where it has none); the rest may hold numbers, ``+ - * /`` and parentheses only, parsed with
    :mod:`ast`, never ``eval`` (a ValueError otherwise).
    """

    def substitute(match: re.Match[str]) -> str:
        key = (match[1], match[2], match[3], int(match[4]))
        value = lookup(key)
        if value is None:
            raise KeyError(label(key))
        return f"({float(value)!r})"  # repr gives the float back exactly

    try:
        tree = ast.parse(_REF.sub(substitute, expr), mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expr}") from None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"not an arithmetic expression: {expr}")

    return walk(tree.body)


def _check_derivation(path: Path, row: Row, res: Mapping[Key, Row]) -> None:
    """Refuse a derived row its derivation does not give (or cannot compute)."""
    try:
        computed = evaluate_derivation(row.derivation,
                                       lambda key: res[key].value if key in res else None)
    except KeyError as exc:
        fail(path, row.line, "derivation", "derivation-reference",
             f"the derivation refers to {exc.args[0]}, which has no value")
    except (ValueError, ZeroDivisionError) as exc:
        fail(path, row.line, "derivation", "derivation-syntax", str(exc))
    if abs(computed - row.value) > DERIVATION_TOLERANCE:
        fail(path, row.line, "value", "derivation-check",
             f"value {row.value:g} but its derivation gives {computed:.4g}")


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


def resolve(
    rows: Iterable[Row], variants: Mapping[str, int], prefer: Iterable[str] = ()
) -> dict[Key, Row]:
    """One row per (series, region, segment, year): among conflicting rows the first variant
    named in ``prefer``, else the one of lowest rank in ``variants.csv`` (the default)."""
    order = {v: i for i, v in enumerate(prefer)}

    def score(row: Row) -> tuple[int, int]:
        return (order.get(row.variant, len(order)), variants.get(row.variant, 0))

    best: dict[Key, Row] = {}
    for row in rows:  # min keeps the earlier row of two that score alike
        best[row.key] = min(best.get(row.key, row), row, key=score)
    return best


def _check_contiguous(path: Path, res: Mapping[Key, Row],
                      catalogue: Mapping[str, SeriesInfo]) -> None:
    """Refuse a gap in a series marked contiguous (rule ``missing-year``, on its last row)."""
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for row in res.values():
        if row.kind != "outlook" and catalogue[row.series].contiguous:
            groups.setdefault(row.key[:3], []).append(row)
    for (series, region, segment), group in groups.items():
        have = sorted(r.year for r in group)
        missing = sorted(set(range(have[0], have[-1] + 1)) - set(have))
        if missing:
            fail(path, max(group, key=lambda r: r.year).line, "year", "missing-year",
                 f"{series} {region}/{segment} covers {have[0]}-{have[-1]} but has no value for "
                 f"{', '.join(map(str, missing))}")


def check_dataset(
    path: Path, rows: list[Row], catalogue: Mapping[str, SeriesInfo], variants: Mapping[str, int]
) -> list[Check]:
    """Every check's outcome; a row that fails under its own variant (then the defaults)
    raises :class:`~forecast.errors.DataValidationError`, a segment sum under another variant
    (the 2023 split against 940 GWh) is returned with ``ok=False``."""
    checks: list[Check] = []

    @cache
    def resolved(variant: str) -> dict[Key, Row]:
        return resolve(rows, variants, [variant] if variant else [])

    default = resolved("")
    _check_contiguous(path, default, catalogue)
    for row in rows:
        res = resolved(row.variant)
        if row.derivation:
            _check_derivation(path, row, res)
        info = catalogue[row.series]
        cross_check = {"growth": _growth_check, "share": _share_check}.get(info.quantity)
        check = cross_check(row, res) if cross_check and info.of else None
        if check is None:
            continue
        checks.append(check)
        if not check.ok:
            fail(path, row.line, "value", f"{check.check}-check",
                 f"stated {check.check} {row.value:.1%} but {check.detail} "
                 f"(tolerance {check.tolerance:.1%})")
    for check, anchor in _parts_checks(default, catalogue, ""):
        if not check.ok:
            fail(path, anchor.line, "value", "segments-sum",
                 f"{check.detail}; differs by {abs(check.stated - check.computed):.4g} "
                 f"(tolerance {check.tolerance:.4g})")
        checks.append(check)
    # The same sums under each variant that changes one of their values: documented conflicts.
    for variant in sorted({r.variant for r in rows if r.variant}):
        res = resolved(variant)
        for check, _ in _parts_checks(res, catalogue, variant):
            keys = [(check.series, check.region, s, check.year)
                    for s in (*catalogue[check.series].parts, "total")]
            if any(res[k].variant == variant and default.get(k) is not res[k]
                   for k in keys if k in res):
                checks.append(check)
    return checks


def _growth_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    base = row.series[: -len("_growth")]
    cur = res.get((base, row.region, row.segment, row.year))
    prev = res.get((base, row.region, row.segment, row.year - 1))
    if cur is None or prev is None or prev.value <= 0 or row.line in (cur.line, prev.line):
        return None
    if prev.derivation and row.series in prev.derivation:
        return None  # the base was derived from this very rate: checking it proves nothing
    computed = cur.value / prev.value - 1.0
    detail = f"{cur.value:g} / {prev.value:g} - 1 = {computed:.2%}"
    return Check("growth", *row.key, row.variant, row.value, computed, GROWTH_TOLERANCE, detail)


def _share_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    base = row.series[: -len("_share")]
    part = res.get((base, row.region, row.segment, row.year))
    total = res.get((base, row.region, "total", row.year))
    if part is None or total is None or total.value <= 0:
        return None
    computed = part.value / total.value
    detail = f"{part.value:g} / {total.value:g} = {computed:.2%}"
    return Check("share", *row.key, row.variant, row.value, computed, SHARE_TOLERANCE, detail)


def _parts_checks(
    res: Mapping[Key, Row], catalogue: Mapping[str, SeriesInfo], variant: str
) -> list[tuple[Check, Row]]:
    """Each sum of segments against its total (or of shares against 1), with its anchor row."""
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
            stated, target, what, anchor = 1.0, "1", "shares", segs[info.parts[-1]]
        elif "total" in segs:
            anchor = segs["total"]
            stated, target, what = anchor.value, f"the total {anchor.value:g}", "segments"
        else:
            continue
        detail = (f"{series} {region} {year}: {what} {' + '.join(info.parts)} sum to "
                  f"{parts_sum:.4g}, not {target}")
        out.append((Check("segments-sum", series, region, "total", year, variant, stated,
                          parts_sum, info.sum_tolerance * abs(stated), detail), anchor))
    return out
