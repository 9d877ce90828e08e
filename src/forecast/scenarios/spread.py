"""Where a scenario's spread comes from: its stated assumptions, year-to-year variation, both.

A scenario's fan (:func:`forecast.scenarios.project`) combines two sources of uncertainty: the
distributions of its ``uncertain:`` block (the *assumptions*) and the year-to-year variation
around its path (:mod:`forecast.scenarios.noise`). :func:`spread_decomposition` projects each
scenario three times with the same seed and reports the target year's quantiles of China's and
the world's total for

* ``assumptions``: the assumptions' draws alone (no year-to-year variation);
* ``variation``: every assumption at its stated value, the year-to-year variation alone;
* ``both``: the fan itself (the same numbers as the projection table).

The three share their random draws: ``assumptions`` uses the fan's parameter draws and
``variation`` its year-to-year draws, so the rows differ only by what is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.models import uncertainty
from forecast.scenarios.noise import process_noise
from forecast.scenarios.projection import DEFAULT_SEED, evaluate, simulate
from forecast.scenarios.sampling import central_parameters, draw_parameters
from forecast.scenarios.schema import SEGMENTS

if TYPE_CHECKING:
    import pandas as pd

    from forecast.scenarios.preparation import Prepared
    from forecast.scenarios.schema import Scenario

__all__ = ["SPREADS", "SPREAD_COLUMNS", "spread_decomposition", "spread_draws"]

#: What each row of the decomposition keeps, in table order.
SPREADS: tuple[str, ...] = ("assumptions", "variation", "both")

#: Columns of :func:`spread_decomposition`'s table (``tables/spread_decomposition.csv``).
SPREAD_COLUMNS: tuple[str, ...] = (
    "scenario", "region", "year", "unit", "spread", *uncertainty.QUANTILES,
)

_TOTALS = (("China", "total"), ("World", "total"))


def spread_draws(prepared: Prepared, n_draws: int,
                 seed: int = DEFAULT_SEED) -> dict[str, dict[tuple[str, str], np.ndarray]]:
    """Paths ``{spread: {(region, segment): (n_draws, n_years)}}`` for each of :data:`SPREADS`.

    ``seed`` is an integer: each spread starts its own generator from it, so ``both`` is
    exactly :func:`~forecast.scenarios.projection.simulate` with that seed.
    """
    both = simulate(prepared, n_draws, seed)
    alone = simulate(replace(prepared, noise=None), n_draws, seed)
    # The fan's own year-to-year draws: the parameters are drawn first from the same stream.
    rng = uncertainty.make_rng(seed)
    draw_parameters(prepared, n_draws, rng)
    noise = None
    if prepared.noise is not None:
        horizons = prepared.years - prepared.baseline.year
        noise = process_noise(prepared.noise, horizons, SEGMENTS, n_draws, rng)
    variation = evaluate(prepared, central_parameters(prepared, n_draws), noise)
    return {"assumptions": alone, "variation": variation, "both": both}


def spread_decomposition(scenarios: Iterable[Scenario | str | Path],
                         history: pd.DataFrame | None = None, n_draws: int = 10_000,
                         seed: int = DEFAULT_SEED, target_year: int | None = None,
                         scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """The target year's spread of each scenario, split by where it comes from.

    Parameters
    ----------
    scenarios : iterable
        Scenarios, names (looked up in ``scenario_dir``) or paths.
    history : DataFrame, optional
        From :func:`forecast.data.load_history` (default: the data folder's).
    n_draws : int
        Monte Carlo draws per spread.
    seed : int
        The projection's seed: ``both`` rows equal the projection table's.
    target_year : int, optional
        Overrides the scenarios' target year [year].

    Returns
    -------
    pandas.DataFrame
        :data:`SPREAD_COLUMNS`: per scenario, region (``China``, ``World``) and spread
        (:data:`SPREADS`), the total's quantiles ``p5 .. p95`` [GWh] in the target ``year``.
    """
    import pandas as pd

    from forecast.scenarios.catalog import prepare_scenario

    rows = []
    for sc in scenarios:
        prepared = prepare_scenario(sc, history, target_year=target_year,
                                    scenario_dir=scenario_dir)
        draws = spread_draws(prepared, n_draws, seed)
        for region, segment in _TOTALS:
            for spread in SPREADS:
                final = draws[spread][(region, segment)][:, -1]
                qs = np.quantile(final, list(uncertainty.QUANTILES.values()))
                rows.append((prepared.scenario.name, region, int(prepared.years[-1]), "GWh",
                             spread, *qs))
    return pd.DataFrame(rows, columns=list(SPREAD_COLUMNS))
