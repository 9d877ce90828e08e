"""Conflicting values and cross-checks: which row each key resolves to, and whether rows agree.

Stated growth rates are re-computed from the levels they grow, stated shares from the part
and its total, and segments are summed against their total. Each row is checked under its
own variant, so a documented conflict (940 GWh with the +24% built on it) passes its own
checks; the same checks under the *other* variants are reported, not raised: they are the
conflicts the data keeps on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from forecast.data.derivations import check_derivation
from forecast.data.rules import check_contiguous
from forecast.data.schema import Key, Row, SeriesInfo, fail

__all__ = [
    "GROWTH_TOLERANCE",
    "SHARE_TOLERANCE",
    "Check",
    "check_dataset",
    "resolve",
]

#: Tolerances of the cross-checks. Documents round growth rates and shares to 0.1 point
#: (sometimes to whole points), so half a point absorbs rounding but not a real conflict.
GROWTH_TOLERANCE = 0.005
SHARE_TOLERANCE = 0.005


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

    @classmethod
    def of_row(cls, check: str, row: Row, computed: float, tolerance: float, detail: str) -> Check:
        """The check of one stated row (its value is the ``stated`` side)."""
        return cls(
            check, row.series, row.region, row.segment, row.year, row.variant, row.value,
            computed, tolerance, detail,
        )  # fmt: skip


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
    check_contiguous(path, default, catalogue)

    for row in rows:
        res = resolved(row.variant)
        if row.derivation:
            check_derivation(path, row, res)
        info = catalogue[row.series]
        cross_check = _CROSS_CHECKS.get(info.quantity)
        if cross_check is None or not info.of:
            continue
        check = cross_check(row, res)
        if check is None:
            continue
        checks.append(check)
        if not check.ok:
            fail(
                path,
                row.line,
                "value",
                f"{check.check}-check",
                f"stated {check.check} {row.value:.1%} but {check.detail} "
                f"(tolerance {check.tolerance:.1%})",
            )

    for check, anchor in _parts_checks(default, catalogue, ""):
        if not check.ok:
            fail(
                path,
                anchor.line,
                "value",
                "segments-sum",
                f"{check.detail}; differs by {abs(check.stated - check.computed):.4g} "
                f"(tolerance {check.tolerance:.4g})",
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


def _growth_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    cur = res.get((row.series[: -len("_growth")], row.region, row.segment, row.year))
    prev = res.get((row.series[: -len("_growth")], row.region, row.segment, row.year - 1))
    if cur is None or prev is None or prev.value <= 0 or row.line in (cur.line, prev.line):
        return None
    if prev.derivation and row.series in prev.derivation:
        return None  # the base was derived from this very rate: checking it proves nothing
    computed = cur.value / prev.value - 1.0
    detail = f"{cur.value:g} / {prev.value:g} - 1 = {computed:.2%}"
    return Check.of_row("growth", row, computed, GROWTH_TOLERANCE, detail)


def _share_check(row: Row, res: Mapping[Key, Row]) -> Check | None:
    base = row.series[: -len("_share")]
    part = res.get((base, row.region, row.segment, row.year))
    total = res.get((base, row.region, "total", row.year))
    if part is None or total is None or total.value <= 0:
        return None
    computed = part.value / total.value
    detail = f"{part.value:g} / {total.value:g} = {computed:.2%}"
    return Check.of_row("share", row, computed, SHARE_TOLERANCE, detail)


#: The cross-check of a row by its series' quantity (when the catalogue says what it is of).
_CROSS_CHECKS: dict[str, Callable[[Row, Mapping[Key, Row]], Check | None]] = {
    "growth": _growth_check,
    "share": _share_check,
}


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
