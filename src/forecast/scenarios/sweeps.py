"""Many parameter sets of one scenario at once: sweeps and one-at-a-time sensitivities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from forecast.errors import ScenarioError
from forecast.scenarios.catalog import ScenarioLike, prepare_scenario
from forecast.scenarios.projection import evaluate, series_columns
from forecast.scenarios.sampling import central_parameters, quantile
from forecast.scenarios.schema import domain_of

__all__ = ["DEFAULT_SPREAD", "SENSITIVITY_QUANTILES", "sensitivity", "sweep"]

#: Relative change of parameters without a distribution in :func:`sensitivity`.
DEFAULT_SPREAD = 0.10
#: Probabilities of the low and high values of uncertain parameters in :func:`sensitivity`.
SENSITIVITY_QUANTILES = (0.10, 0.90)


def sweep(scenario: ScenarioLike, overrides: Mapping[str, Sequence[float] | np.ndarray],
          history: pd.DataFrame | None = None, years: Iterable[int] | None = None) -> pd.DataFrame:
    """Evaluate many parameter sets of one scenario at once (central values, no draws).

    ``overrides`` are ``{dotted key: 1-D array}`` of one length: run ``i`` sets element ``i``
    of each, every other parameter central (for a grid, pass flattened :func:`numpy.meshgrid`
    arrays); ``years`` [year] keeps only these.

    Returns
    -------
    DataFrame
        Columns ``run``, one per override key, ``region, segment, year, unit, value``; ordered
        by run, series and year.
    """
    prepared = prepare_scenario(scenario, history)
    file = prepared.scenario.path
    arrays = {k: np.atleast_1d(np.asarray(v, float)) for k, v in overrides.items()}
    shapes = {k: a.shape for k, a in arrays.items()}
    if any(len(s) != 1 for s in shapes.values()) or len({s[0] for s in shapes.values()}) > 1:
        raise ScenarioError(file, "sweep",
                            f"override arrays must be 1-D and of equal length, got {shapes}")
    for key, arr in arrays.items():
        if key not in prepared.central:
            raise ScenarioError(file, key, "not a numeric parameter of this scenario "
                                f"(known: {', '.join(prepared.central)})")
        bad = ~domain_of(key).contains(arr)
        if bad.any():
            raise ScenarioError(file, key, f"value {float(arr[np.argmax(bad)]):g} is out of "
                                f"range: must be {domain_of(key).what}")
    n = next(iter(arrays.values())).shape[0] if arrays else 1
    paths = evaluate(prepared, {**central_parameters(prepared, n), **arrays})
    keep = np.isin(prepared.years, prepared.years if years is None else list(years))
    # (n, series * years), run-major: rows come out ordered by run, series, year.
    block = np.concatenate([paths[(r, s)][:, keep] for r, s, _ in prepared.series], axis=1)
    per_run = block.shape[1]
    return pd.DataFrame({"run": np.repeat(np.arange(n), per_run),
                         **{key: np.repeat(arr, per_run) for key, arr in arrays.items()},
                         **series_columns(prepared.series, prepared.years[keep], n),
                         "value": block.reshape(-1)})


def sensitivity(scenario: ScenarioLike, history: pd.DataFrame | None = None,
                region: str = "China", target_year: int | None = None) -> pd.DataFrame:
    """Tornado table: how the target year's ``region`` total (``"China"`` or ``"World"``)
    responds to each assumption, one at a time.

    Uncertain parameters move to the 10th and 90th percentiles of their distributions, the
    others by -/+ :data:`DEFAULT_SPREAD` of their central value (clipped to their domain).
    ``target_year`` [year] overrides the scenario's.

    Returns
    -------
    DataFrame
        Columns ``parameter, central, low, high, total_at_low, total_at_high, swing, basis``;
        totals [GWh] in the target year; sorted by swing, largest first.
    """
    if region not in ("China", "World"):
        raise ValueError(f"region must be 'China' or 'World', got {region!r}")
    prepared = prepare_scenario(scenario, history, target_year=target_year)
    rows = []
    for key, c in prepared.central.items():
        dist, domain = prepared.distributions.get(key), domain_of(key)
        if dist is not None:
            lo, hi = quantile(key, dist, np.array(SENSITIVITY_QUANTILES), prepared.scenario.anchor)
            rows.append((key, c, float(lo), float(hi), f"p10/p90 of {dist.dist}"))
        else:
            lo, hi = sorted((c * (1 - DEFAULT_SPREAD), c * (1 + DEFAULT_SPREAD)))
            lo, hi = (float(min(max(v, domain.lowest), domain.high)) for v in (lo, hi))
            rows.append((key, c, lo, hi, f"central -/+{DEFAULT_SPREAD:.0%}"))
    table = pd.DataFrame(rows, columns=["parameter", "central", "low", "high", "basis"])
    # Run 2i sets parameter i low, run 2i + 1 high; the last run is the central case.
    values = central_parameters(prepared, 2 * len(rows) + 1)
    for i, (key, _, low, high, _) in enumerate(rows):
        values[key][2 * i:2 * i + 2] = low, high
    totals = evaluate(prepared, values)[(region, "total")][:, -1]
    table["total_at_low"], table["total_at_high"] = totals[0:-1:2], totals[1:-1:2]
    table["swing"] = (table["total_at_high"] - table["total_at_low"]).abs()
    table["basis"] = table.pop("basis")
    table = table.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable")
    table.attrs.update(central_total=float(totals[-1]), year=int(prepared.years[-1]),
                       region=region)
    return table.reset_index(drop=True)
