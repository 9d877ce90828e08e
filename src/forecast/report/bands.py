"""What a scenario band holds, in words read from the run's own tables: the spread
decomposition (:func:`forecast.scenarios.spread.spread_decomposition`) and the comparison with
published outlooks (:func:`forecast.scenarios.outlooks.compare_outlooks`). Rows may be dicts of
text (a CSV read with :mod:`csv`, as the index page does) or of numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from forecast.report.formatting import gwh, span

__all__ = ["BANDS_DEFINITION", "SPREAD_TABLE", "bands_sentence", "number", "outlooks_sentence"]

#: File name of the decomposition table in a run's ``tables/`` folder.
SPREAD_TABLE = "spread_decomposition.csv"

#: What every band is, whatever the run's figures.
BANDS_DEFINITION = (
    "A scenario's band comes from its Monte Carlo draws, which combine the uncertainty the "
    "scenario states for its assumptions (its uncertain: block) "
    "with year-to-year variation around its path, each segment's as large as that of its own "
    "market's series with at least 10% of their world market around their trend (power like "
    "EV car sales, storage like solar and wind output). A band says how far the outcome "
    "may fall from the scenario's path if its story is the right one; it does not say how "
    "likely the story is, nor include the other scenarios."
)


def number(value: object) -> float | None:
    """A table cell (text from :mod:`csv`, or a number) as a finite float; None if it is none."""
    try:
        cell = float(str(value))
    except ValueError:
        return None
    return cell if math.isfinite(cell) else None


def bands_sentence(rows: Iterable[Mapping[str, object]] | None) -> str:
    """:data:`BANDS_DEFINITION` and, when the decomposition table's ``rows`` (``scenario,
    region, year, spread, p10, p90`` [GWh]) have them, China's figures in the ``base``
    scenario (else the first), as plain text (escape it for HTML)."""
    region = "China"
    rows = [r for r in rows or () if str(r.get("region", "")) == region]
    names = list(dict.fromkeys(str(r.get("scenario", "")) for r in rows))
    if not names:
        return BANDS_DEFINITION
    name = "base" if "base" in names else names[0]
    spreads = {str(r.get("spread")): r for r in rows if str(r.get("scenario")) == name}
    ends = {k: (number(r.get("p10")), number(r.get("p90"))) for k, r in spreads.items()}
    bands = {k: span(gwh(low), gwh(high)) for k, (low, high) in ends.items()
             if low is not None and high is not None}
    if not all(k in bands for k in ("both", "assumptions", "variation")):
        return BANDS_DEFINITION
    year = str(spreads["both"].get("year", "")).strip()
    return (
        f"{BANDS_DEFINITION} In the {name} scenario {region}'s {year} 80% band (p10 to p90) is "
        f"{bands['both']} GWh; its assumptions alone would give {bands['assumptions']} GWh "
        f"and year-to-year variation alone {bands['variation']} GWh."
    )


def outlooks_sentence(rows: Iterable[Mapping[str, object]], scenario: str, region: str) -> str:
    """How many published figures of ``region`` (``rows`` of the comparison table) the
    ``scenario`` fan is likely above or below, as plain text; empty when there are none."""
    mine = [r for r in rows if str(r.get("scenario")) == scenario
            and str(r.get("region")) == region and number(r.get("p_above")) is not None]
    if not mine:
        return ""
    p = [number(r.get("p_above")) or 0.0 for r in mine]
    above, below = sum(x >= 0.9 for x in p), sum(x <= 0.1 for x in p)
    top = max(mine, key=lambda r: number(r.get("gwh")) or 0.0)
    return (
        f"Of the {len(mine)} figures for {region} published before 2025, the {scenario} fan "
        f"puts production above {above} with a probability of 90% or more, below {below} "
        f"with 90% or more, and {len(mine) - above - below} lie within its 80% band. "
        f"The highest, {top.get('publisher')}'s {gwh(number(top.get('gwh')) or 0.0)} GWh "
        f"({top.get('published')}, {top.get('quantity')}), has a "
        f"{number(top.get('p_above')) or 0.0:.0%} chance of being exceeded in "
        f"{top.get('fan_year')}."
    )
