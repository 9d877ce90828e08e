"""Where a scenario's spread comes from: the ``uncertain:`` block's assumptions, the
year-to-year variation around its path (:mod:`forecast.scenarios.noise`), or both."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.models import uncertainty
from forecast.scenarios.catalog import ScenarioLike, prepare_all
from forecast.scenarios.projection import DEFAULT_SEED, draw, evaluate
from forecast.scenarios.sampling import central_parameters

__all__ = ["SPREAD_COLUMNS", "spread_decomposition"]

#: Columns of :func:`spread_decomposition` (``tables/spread_decomposition.csv``).
SPREAD_COLUMNS: tuple[str, ...] = (
    "scenario", "region", "year", "unit", "spread", *uncertainty.QUANTILES,
)


def spread_decomposition(scenarios: Iterable[ScenarioLike], history: pd.DataFrame | None = None,
                         n_draws: int = 10_000, seed: int = DEFAULT_SEED,
                         target_year: int | None = None,
                         scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """The target year's spread of each scenario, split by where it comes from; arguments as
    for :func:`~forecast.scenarios.catalog.prepare_all`, ``n_draws`` and ``seed`` as for the
    projection (``both`` rows equal the projection table's).

    Returns
    -------
    pandas.DataFrame
        :data:`SPREAD_COLUMNS`: the total's quantiles [GWh] in the target ``year`` per scenario,
        region (``China``, ``World``) and spread (``assumptions``, ``variation``, ``both``).
    """
    rows = []
    for prepared in prepare_all(scenarios, history, target_year, scenario_dir):
        # The three share the fan's draws: parameters, then year-to-year variation.
        values, noise = draw(prepared, n_draws, seed)
        draws = {"assumptions": evaluate(prepared, values),
                 "variation": evaluate(prepared, central_parameters(prepared, n_draws), noise),
                 "both": evaluate(prepared, values, noise)}
        for region in ("China", "World"):
            for spread, paths in draws.items():
                qs = np.quantile(paths[(region, "total")][:, -1],
                                 list(uncertainty.QUANTILES.values()))
                rows.append((prepared.scenario.name, region, int(prepared.years[-1]), "GWh",
                             spread, *qs))
    return pd.DataFrame(rows, columns=list(SPREAD_COLUMNS))
