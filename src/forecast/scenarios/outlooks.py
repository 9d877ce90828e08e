"""The fans beside what was published before 2025: the probability they put above each figure.

:func:`outlook_gwh` puts every published figure (:func:`forecast.data.outlooks.load_outlooks`)
in GWh of batteries a year. Lithium figures go through the file's one lithium intensity (IHS
Markit / Allkem, 2022: 0.8, "other estimates 0.6-1.3 kg LCE per kWh"). The file labels it
``t LCE per GWh``, but its value and note are kg LCE per kWh (0.8 t per GWh would make 2.4 Mt
of lithium 3 million GWh), so ``GWh = lithium [Mt LCE] * 1000 / intensity [kg LCE per kWh]``,
all of the lithium counted as batteries (an upper bound). A supply stated in a note
("base-case supply 1.64 Mt LCE") is converted the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.outlooks import load_outlooks
from forecast.errors import DataValidationError
from forecast.scenarios.catalog import ScenarioLike, prepare_all
from forecast.scenarios.projection import DEFAULT_SEED, simulate

__all__ = ["COMPARISON_COLUMNS", "GWH_COLUMNS", "compare_outlooks", "outlook_gwh"]

#: Columns of :func:`outlook_gwh`.
GWH_COLUMNS: tuple[str, ...] = (
    "publisher", "published", "quantity", "region", "year", "case", "bound", "value", "unit",
    "gwh", "gwh_low", "gwh_high", "arithmetic",
)
#: Columns of :func:`compare_outlooks` (``tables/outlooks_vs_fans.csv``).
COMPARISON_COLUMNS: tuple[str, ...] = (
    *GWH_COLUMNS[:-1], "scenario", "fan_year", "p_above", "arithmetic",
)

_INTENSITY = "lithium intensity"
_LITHIUM = "lithium demand"
_SUPPLY = re.compile(r"supply (\d+(?:\.\d+)?) Mt LCE")
_RANGE = re.compile(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?) kg LCE per kWh")


def outlook_gwh(outlooks: pd.DataFrame) -> pd.DataFrame:
    """Every figure of ``outlooks`` (:func:`forecast.data.outlooks.load_outlooks`) in GWh a
    year, ordered by publication date.

    Returns
    -------
    pandas.DataFrame
        :data:`GWH_COLUMNS`: ``gwh`` [GWh], ``gwh_low``/``gwh_high`` [GWh] over the
        intensity's range and ``arithmetic``, the conversion in words ("" for GWh figures).

    Raises
    ------
    DataValidationError
        Lithium figures but no single lithium intensity to convert them with.
    """
    rows = outlooks[outlooks["quantity"] != _INTENSITY]
    lithium = rows["quantity"] == _LITHIUM
    out = rows.assign(gwh=rows["value"].astype(float), gwh_low=rows["value"].astype(float),
                      gwh_high=rows["value"].astype(float), arithmetic="")
    if lithium.any():
        found = outlooks[outlooks["quantity"] == _INTENSITY]
        if len(found) != 1:
            raise DataValidationError("published outlooks", "intensity", f"{len(found)} "
                                      "lithium intensity rows: lithium figures need exactly one")
        intensity = found.iloc[0]
        per_gwh = float(intensity["value"])
        span = _RANGE.search(str(intensity["note"]))
        low, high = (float(span.group(1)), float(span.group(2))) if span else (per_gwh, per_gwh)
        stated = rows.loc[lithium, "note"].astype(str).str.extract(_SUPPLY)[0].dropna()
        supply = rows.loc[stated.index].assign(quantity="lithium supply", value=stated.astype(
            float), case="base-case supply (its note)")
        lith = pd.concat([rows[lithium], supply], ignore_index=True)
        # Mt LCE over kg LCE per kWh: 1e9 kg / (kg per kWh) = 1e9 kWh = 1,000 GWh per unit.
        kgwh = lith["value"].to_numpy(float) * 1000.0
        source = f"{intensity['publisher']} {intensity['published']}"
        words = [f"{v:g} Mt LCE / {per_gwh:g} kg LCE per kWh ({source}) = {k / per_gwh:,.0f} "
                 f"GWh; {low:g}-{high:g} kg per kWh give {k / high:,.0f}-{k / low:,.0f} GWh; "
                 "all of the lithium counted as batteries"
                 for v, k in zip(lith["value"], kgwh, strict=True)]
        lith = lith.assign(gwh=kgwh / per_gwh, gwh_low=kgwh / high, gwh_high=kgwh / low,
                           arithmetic=words)
        out = pd.concat([out[~lithium.to_numpy()], lith], ignore_index=True)
    out = out.sort_values("published", kind="stable").reset_index(drop=True)
    return out[list(GWH_COLUMNS)]


def compare_outlooks(scenarios: Iterable[ScenarioLike],
                     history: pd.DataFrame | None = None, outlooks: pd.DataFrame | None = None,
                     n_draws: int = 10_000, seed: int = DEFAULT_SEED,
                     target_year: int | None = None,
                     scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """The probability each scenario's fan puts production above each published figure.

    Arguments as for :func:`~forecast.scenarios.spread.spread_decomposition`; ``outlooks``
    from :func:`forecast.data.outlooks.load_outlooks` (default: the shipped file).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`: one row per figure of region China or World and scenario;
        ``fan_year`` the year compared and ``p_above`` the share of draws whose total
        production of the figure's region exceeds ``gwh`` [fraction].
    """
    figures = outlook_gwh(load_outlooks() if outlooks is None else outlooks)
    figures = figures[figures["region"].isin(["China", "World"])].reset_index(drop=True)
    parts = []
    for prepared in prepare_all(scenarios, history, target_year, scenario_dir):
        paths = simulate(prepared, n_draws, seed)
        years = prepared.years
        fan_year = [int(y) if y in years else int(years[-1]) for y in figures["year"]]
        cols = np.searchsorted(years, fan_year)
        p_above = [float(np.mean(paths[(r, "total")][:, c] > g))
                   for r, c, g in zip(figures["region"], cols, figures["gwh"], strict=True)]
        parts.append(figures.assign(scenario=prepared.scenario.name, fan_year=fan_year,
                                    p_above=p_above))
    if not parts:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(COMPARISON_COLUMNS)]
