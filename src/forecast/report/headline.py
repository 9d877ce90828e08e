"""The headline table: each scenario's target-year numbers, kept as numbers.

:func:`headline_table` is what ``tables/headline.csv`` holds: one row per scenario, one numeric
column per quantity (``china_p10``, ``china_p50``, ``china_p90``, ...), never a range written
as text, so a reader (the index page, the change report, a spreadsheet) can compute with it.
:func:`headline_display` formats it for people with :mod:`forecast.report.formatting`: the
median beside its 80% band, one value where the band is degenerate (the published outlook has
no uncertainty: "3,809", not "3,809-3,809").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forecast.report.formatting import gwh_band, percent, percent_band

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["HEADLINE_COLUMNS", "HEADLINE_UNITS", "headline_display", "headline_table"]

#: Columns of ``tables/headline.csv``, in order.
HEADLINE_COLUMNS: tuple[str, ...] = (
    "scenario", "year",
    "china_p10", "china_p50", "china_p90",
    "world_p10", "world_p50", "world_p90",
    "china_share_p10", "china_share_p50", "china_share_p90",
    "china_cagr",
)

#: Unit of each numeric headline column (``china_cagr`` runs from the last observed year).
HEADLINE_UNITS: dict[str, str] = {
    "year": "year",
    **{f"{r}_{q}": "GWh" for r in ("china", "world") for q in ("p10", "p50", "p90")},
    **{f"china_share_{q}": "fraction" for q in ("p10", "p50", "p90")},
    "china_cagr": "fraction/yr",
}

_QUANTILES = ("p10", "p50", "p90")


def headline_table(projections: pd.DataFrame, names: Sequence[str], *, target_year: int,
                   last_value: float, last_year: int) -> pd.DataFrame:
    """One row per scenario with its target-year numbers (:data:`HEADLINE_COLUMNS`).

    Parameters
    ----------
    projections : pandas.DataFrame
        Scenario projections (:data:`forecast.scenarios.PROJECTION_COLUMNS`).
    names : sequence of str
        Scenarios, in the order of the rows.
    target_year : int
        Year reported [year].
    last_value : float
        China's production in ``last_year`` [GWh], the start of ``china_cagr``.
    last_year : int
        Last observed year [year].

    Returns
    -------
    pandas.DataFrame
        China's and the world's production [GWh] and China's world share [fraction] at p10,
        p50 and p90, and the compound growth rate from ``last_value`` to China's median
        [fraction/yr].
    """
    import pandas as pd

    final = projections[projections["year"] == int(target_year)].set_index(
        ["scenario", "region", "segment"])
    rows = []
    for name in names:
        china = final.loc[(name, "China", "total")]
        world = final.loc[(name, "World", "total")]
        share = final.loc[(name, "China", "world_share")]
        row: dict[str, object] = {"scenario": name, "year": int(target_year)}
        for prefix, values in (("china", china), ("world", world), ("china_share", share)):
            row |= {f"{prefix}_{q}": float(values[q]) for q in _QUANTILES}
        years = int(target_year) - int(last_year)
        row["china_cagr"] = (float(china["p50"]) / float(last_value)) ** (1 / years) - 1
        rows.append(row)
    return pd.DataFrame(rows, columns=list(HEADLINE_COLUMNS))


def headline_display(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table in words for a page: medians beside their 80% bands.

    Parameters
    ----------
    headline : pandas.DataFrame
        From :func:`headline_table` (or ``tables/headline.csv`` read back).

    Returns
    -------
    pandas.DataFrame
        Text columns ``Scenario``, ``China <year> [GWh]``, ``World <year> [GWh]``, ``China's
        share of world [%]`` (each "median (p10-p90)") and ``China growth [%/yr]``.
    """
    import pandas as pd

    def band(row: pd.Series, prefix: str) -> str:
        return gwh_band(row[f"{prefix}_p50"], row[f"{prefix}_p10"], row[f"{prefix}_p90"])

    year = int(headline["year"].iloc[0]) if len(headline) else ""
    return pd.DataFrame({
        "Scenario": headline["scenario"],
        f"China {year} [GWh]": [band(r, "china") for _, r in headline.iterrows()],
        f"World {year} [GWh]": [band(r, "world") for _, r in headline.iterrows()],
        "China's share of world [%]": [
            percent_band(r["china_share_p50"], r["china_share_p10"], r["china_share_p90"])
            for _, r in headline.iterrows()],
        "China growth [%/yr]": [percent(v) for v in headline["china_cagr"]],
    })
