"""The headline table (``tables/headline.csv``): each scenario's target-year numbers, one
numeric column per quantity, never a range as text, and its display for people."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from forecast.models.trend import cagr
from forecast.report.formatting import gwh_band, percent, percent_band

__all__ = ["HEADLINE_COLUMNS", "QUANTILES", "headline_display", "headline_table"]

#: The quantiles of each quantity's band.
QUANTILES = ("p10", "p50", "p90")
_PARTS = (("china", "China", "total"), ("world", "World", "total"),
          ("china_share", "China", "world_share"))
#: Columns of ``tables/headline.csv``, in order.
HEADLINE_COLUMNS: tuple[str, ...] = (
    "scenario", "year", *(f"{p}_{q}" for p, _, _ in _PARTS for q in QUANTILES), "china_cagr")


def headline_table(projections: pd.DataFrame, names: Sequence[str], *, target_year: int,
                   last_value: float, last_year: int) -> pd.DataFrame:
    """One row per scenario of ``names`` with its ``target_year`` numbers
    (:data:`HEADLINE_COLUMNS`): China's and the world's production [GWh] and China's world
    share [fraction] at p10, p50 and p90 from ``projections``
    (:data:`forecast.scenarios.PROJECTION_COLUMNS`), and the compound growth rate [fraction/yr]
    from ``last_value``, China's production in ``last_year`` [GWh], to China's median."""
    final = projections[projections["year"] == int(target_year)].set_index(
        ["scenario", "region", "segment"])
    rows = []
    for name in names:
        row: dict[str, object] = {"scenario": name, "year": int(target_year)}
        for prefix, region, segment in _PARTS:
            values = final.loc[(name, region, segment)]
            row |= {f"{prefix}_{q}": float(values[q]) for q in QUANTILES}
        row["china_cagr"] = cagr(float(last_value), row["china_p50"],
                                 int(target_year) - int(last_year))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(HEADLINE_COLUMNS))


def headline_display(headline: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """The headline table (from :func:`headline_table` or read back) as text, headed as on the
    run's index page: bands as "median (p10 to p90)", growth from ``last_year`` if given."""
    def bands(prefix: str, fmt: Callable[..., str]) -> list[str]:
        return [fmt(*(r[f"{prefix}_{q}"] for q in ("p50", "p10", "p90")))
                for _, r in headline.iterrows()]

    year = int(headline["year"].iloc[0]) if len(headline) else ""
    return pd.DataFrame({
        "Scenario": headline["scenario"],
        f"China {year} [GWh]": bands("china", gwh_band),
        f"World {year} [GWh]": bands("world", gwh_band),
        "China's share of world [%]": bands("china_share", percent_band),
        f"China growth {f'{last_year}-{year} ' if last_year and year else ''}[%/yr]": [
            percent(v) for v in headline["china_cagr"]],
    })
