"""Many parameter sets of one scenario at once: sweeps and one-at-a-time sensitivities.

Both evaluate central values (no Monte Carlo draws) for columns of parameter values in one
call of :func:`forecast.scenarios.projection.evaluate`, without a Python loop over runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ScenarioError
from forecast.scenarios.catalog import prepare_scenario
from forecast.scenarios.preparation import Prepared
from forecast.scenarios.projection import evaluate
from forecast.scenarios.sampling import central_parameters, quantile
from forecast.scenarios.schema import PARAMETER_DOMAINS, Domain, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_SPREAD", "SENSITIVITY_QUANTILES", "sensitivity", "sweep"]

#: Relative change applied to parameters without a distribution in :func:`sensitivity`.
DEFAULT_SPREAD = 0.10
#: Probabilities of the low and high values of uncertain parameters in :func:`sensitivity`.
SENSITIVITY_QUANTILES = (0.10, 0.90)


def _check_override(prepared: Prepared, key: str, values: np.ndarray) -> None:
    file = prepared.scenario.path
    if key not in prepared.central:
        known = ", ".join(prepared.central)
        raise ScenarioError(file, key, f"not a numeric parameter of this scenario (known: {known})")
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    bad = ~np.vectorize(domain.contains, otypes=[bool])(values) if values.size else values
    if values.size and bad.any():
        first = float(values[np.argmax(bad)])
        raise ScenarioError(file, key, f"value {first:g} is out of range: must be {domain.what}")


def sweep(
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Sequence[float] | np.ndarray],
    history: pd.DataFrame | None = None,
    target_year: int | None = None,
    years: Iterable[int] | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Evaluate many parameter sets of one scenario at once (central values, no draws).

    Parameters
    ----------
    scenario : Scenario, str or Path
    overrides : mapping
        ``{dotted key: 1-D array}``, all arrays of one length ``n_runs``; run ``i`` uses
        element ``i`` of every array and the central value of every other parameter. For a
        grid, pass flattened :func:`numpy.meshgrid` arrays.
    history : DataFrame, optional
    target_year : int, optional
    years : iterable of int, optional
        Keep only these years (e.g. ``[2030]``) to keep large sweeps small.

    Returns
    -------
    DataFrame
        Columns ``run``, one column per override key, ``region, segment, year, unit,
        value``; ordered by run, then series, then year.
    """
    prepared = prepare_scenario(scenario, history, data_dir, target_year)
    arrays = _override_columns(prepared, overrides)
    n = next(iter(arrays.values())).shape[0] if arrays else 1
    values = central_parameters(prepared, n)
    values.update(arrays)
    return _long_table(prepared, evaluate(prepared, values), arrays, n, years)


def _override_columns(
    prepared: Prepared, overrides: Mapping[str, Sequence[float] | np.ndarray]
) -> dict[str, np.ndarray]:
    """The overrides as float columns of one length, each checked against its domain."""
    arrays = {k: np.atleast_1d(np.asarray(v, float)) for k, v in overrides.items()}
    lengths = {k: a.shape for k, a in arrays.items()}
    if any(len(s) != 1 for s in lengths.values()) or len({s[0] for s in lengths.values()}) > 1:
        raise ScenarioError(
            prepared.scenario.path,
            "sweep",
            f"override arrays must be 1-D and of equal length, got {lengths}",
        )
    for key, arr in arrays.items():
        _check_override(prepared, key, arr)
    return arrays


def _long_table(
    prepared: Prepared,
    paths: Mapping[tuple[str, str], np.ndarray],
    arrays: Mapping[str, np.ndarray],
    n: int,
    years: Iterable[int] | None,
) -> pd.DataFrame:
    """One row per run, series and kept year (see :func:`sweep`)."""
    import pandas as pd

    keep = np.ones(len(prepared.years), bool)
    if years is not None:
        keep = np.isin(prepared.years, list(years))
    yrs = prepared.years[keep]
    series = prepared.series
    # (n, series * years), run-major, so rows come out ordered by run, series, year.
    block = np.concatenate([paths[(r, s)][:, keep] for r, s, _ in series], axis=1)
    per_run = block.shape[1]
    frame = pd.DataFrame({"run": np.repeat(np.arange(n), per_run)})
    for key, arr in arrays.items():
        frame[key] = np.repeat(arr, per_run)
    k = len(yrs)
    frame["region"] = np.tile(np.repeat([r for r, _, _ in series], k), n)
    frame["segment"] = np.tile(np.repeat([s for _, s, _ in series], k), n)
    frame["year"] = np.tile(np.tile(yrs, len(series)), n).astype(int)
    frame["unit"] = np.tile(np.repeat([u for _, _, u in series], k), n)
    frame["value"] = block.reshape(-1)
    return frame


def sensitivity(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None = None,
    region: str = "China",
    target_year: int | None = None,
    spread: float = DEFAULT_SPREAD,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Tornado table: how the target-year total responds to each assumption, one at a time.

    Uncertain parameters move to the 10th and 90th percentiles of their distributions;
    parameters without a distribution move by ``-spread`` and ``+spread`` of their central
    value (clipped to their allowed range). All other parameters stay central.

    Parameters
    ----------
    scenario : Scenario, str or Path
    history : DataFrame, optional
    region : str
        ``"China"`` or ``"World"`` total.
    spread : float
        Relative change for parameters without a distribution [fraction].

    Returns
    -------
    DataFrame
        Columns ``parameter, central, low, high, total_at_low, total_at_high, swing,
        basis``; totals [GWh] in the target year; sorted by swing, largest first.
    """
    import pandas as pd

    if region not in ("China", "World"):
        raise ValueError(f"region must be 'China' or 'World', got {region!r}")
    prepared = prepare_scenario(scenario, history, data_dir, target_year)
    keys = list(prepared.central)
    ranges = [_tested_range(prepared, key, spread) for key in keys]
    # Run 2i sets parameter i low, run 2i + 1 high; the last run is the central case.
    values = central_parameters(prepared, 2 * len(keys) + 1)
    for i, (key, (low, high, _)) in enumerate(zip(keys, ranges, strict=True)):
        values[key][2 * i] = low
        values[key][2 * i + 1] = high
    totals = evaluate(prepared, values)[(region, "total")][:, -1]
    table = pd.DataFrame(
        {
            "parameter": keys,
            "central": [prepared.central[k] for k in keys],
            "low": [low for low, _, _ in ranges],
            "high": [high for _, high, _ in ranges],
            "total_at_low": totals[0:-1:2],
            "total_at_high": totals[1:-1:2],
        }
    )
    table["swing"] = (table["total_at_high"] - table["total_at_low"]).abs()
    table["basis"] = [basis for _, _, basis in ranges]
    table = table.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable")
    table.attrs["central_total"] = float(totals[-1])
    table.attrs["year"] = int(prepared.years[-1])
    table.attrs["region"] = region
    return table.reset_index(drop=True)


def _tested_range(prepared: Prepared, key: str, spread: float) -> tuple[float, float, str]:
    """Low and high value a sensitivity sets one parameter to, and how they were chosen."""
    dist = prepared.distributions.get(key)
    if dist is not None:
        lo, hi = quantile(key, dist, np.array(SENSITIVITY_QUANTILES), prepared.scenario.anchor)
        return float(lo), float(hi), f"p10/p90 of {dist.dist}"
    c = prepared.central[key]
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    lo, hi = c * (1 - spread), c * (1 + spread)
    lo, hi = _clip_to(domain, min(lo, hi)), _clip_to(domain, max(lo, hi))
    return float(lo), float(hi), f"central -/+{spread:.0%}"


def _clip_to(domain: Domain, value: float) -> float:
    if domain.low_open and value <= domain.low:
        return float(np.nextafter(domain.low, math.inf))
    return float(min(max(value, domain.low), domain.high))
