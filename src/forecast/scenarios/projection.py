"""Vectorised Monte Carlo projection of a prepared scenario.

Every sampled parameter is a column of shape ``(n,)`` (a draw or a sweep run each) and every
path an array ``(n, n_years)``, so one :func:`evaluate` serves draws, sweeps and sensitivities
without a loop over draws. A scenario becomes paths in five steps:

1. base values come from the history data (:func:`forecast.scenarios.preparation.prepare`);
2. each segment's growth model gives China's (``anchor: china``) or the world's path (base:
   China's value over its share); draws multiply it by one year's variation
   (:mod:`forecast.scenarios.noise`), on top of the parameters' uncertainty;
3. China's share path splits the world into China and the rest of the world;
4. a capacity cap scales China's segments down so its total stays below ``capacity *
   max_utilisation``; the rest of the world is unaffected, so China's share falls with it;
5. totals are sums of the segments in every draw.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from forecast.errors import ScenarioError
from forecast.models import curves, uncertainty
from forecast.scenarios.noise import process_noise
from forecast.scenarios.preparation import SHARE_FLOOR, Prepared
from forecast.scenarios.sampling import draw_parameters
from forecast.scenarios.schema import SEGMENTS

__all__ = [
    "DEFAULT_SEED", "PROJECTION_COLUMNS", "draw", "evaluate", "series_columns", "simulate",
    "summarise",
]

#: Columns of every projection table, in order.
PROJECTION_COLUMNS: tuple[str, ...] = (
    "scenario", "region", "segment", "year", "unit", "mean", *uncertainty.QUANTILES,
)

#: Seed of a projection given none (also the CLI's ``--seed`` default), so that repeated calls
#: give the same numbers; a random seed, not a year.
DEFAULT_SEED = 2030

Paths = dict[tuple[str, str], np.ndarray]


def evaluate(prepared: Prepared, values: Mapping[str, np.ndarray],
             noise: Mapping[str, np.ndarray] | None = None) -> Paths:
    """Paths ``{(region, segment): (n, n_years)}`` of every output series (units of
    :attr:`Prepared.series`, and ``("China", "uncapped_total")`` [GWh]) for parameter values
    ``{key: (n,)}`` (every key of ``prepared.central``) and ``noise``, the log multipliers
    ``{segment: (n, n_years)}`` of the segments' paths in the anchor region
    (:func:`forecast.scenarios.noise.process_noise`; None for paths at the parameters alone).
    """
    sc, base = prepared.scenario, prepared.baseline
    years = prepared.years.astype(float)
    h = years - base.year
    n = len(next(iter(values.values())))
    out: Paths = {}
    col = {key: np.asarray(v, float)[:, None] for key, v in values.items()}  # (n, 1) each
    share = np.full((1, len(h)), base.share)
    if sc.share.model != "hold":
        progress = np.minimum(h / max(sc.share_year - base.year, 1), 1.0)
        target = col["share.target"]
        if sc.share.model == "linear":
            share = base.share + (target - base.share) * progress
        else:  # Fisher-Pry: fastest mid-way, never leaves [0, 1].
            z0, z1 = logit(base.share), logit(np.clip(target, SHARE_FLOOR, 1.0 - SHARE_FLOOR))
            share = expit(z0 + (z1 - z0) * progress)
    anchored = {seg: np.broadcast_to(_segment_path(prepared, seg, col, years, out),
                                     (n, len(years))) for seg in SEGMENTS}
    if noise is not None:
        anchored = {seg: p * np.exp(noise[seg]) for seg, p in anchored.items()}
    if sc.anchor == "china":
        rest_ratio = (1.0 - share) / np.maximum(share, SHARE_FLOOR)
        china, rest = dict(anchored), {seg: p * rest_ratio for seg, p in anchored.items()}
    else:
        china = {seg: p * share for seg, p in anchored.items()}
        rest = {seg: p * (1.0 - share) for seg, p in anchored.items()}
    uncapped = sum(china.values())
    if sc.capacity is not None:
        limit = curves.compound(col["caps.capacity.base"], col["caps.capacity.growth"],
                                years - prepared.capacity_year)
        limit = limit * col["caps.capacity.max_utilisation"]
        factor = np.minimum(1.0, np.divide(limit, uncapped, out=np.ones_like(uncapped),
                                           where=uncapped > 0))
        china = {seg: p * factor for seg, p in china.items()}
        out[("China", "capacity_limit")] = limit
    for seg in SEGMENTS:
        out[("China", seg)] = china[seg]
        out[("World", seg)] = np.add(rest[seg], china[seg], out=rest[seg])
    china_total = sum(china.values())
    world_total = sum(out[("World", seg)] for seg in SEGMENTS)
    out[("China", "total")] = china_total
    out[("World", "total")] = world_total
    out[("China", "world_share")] = np.divide(
        china_total, world_total, out=np.broadcast_to(share, china_total.shape).copy(),
        where=world_total > 0)
    out[("China", "uncapped_total")] = uncapped
    return out


def _segment_path(prepared: Prepared, seg: str, columns: Mapping[str, np.ndarray],
                  years: np.ndarray, out: Paths) -> np.ndarray:
    """One segment's path in the anchor region [GWh], (n or 1, n_years), from the parameters'
    ``columns`` (n, 1); an EV-demand segment also adds its drivers to ``out``."""
    sc, base = prepared.scenario, prepared.baseline
    spec = sc.segments[seg]
    level0 = base.production[seg] if sc.anchor == "china" else base.production[seg] / base.share
    h = years - base.year
    col = {k.rsplit(".", 1)[-1]: c for k, c in columns.items() if k.startswith(f"segments.{seg}.")}
    if spec.model == "compound":
        return curves.compound(level0, col["cagr"], h)
    if spec.model == "damped":
        return curves.damped_compound(level0, col["cagr"], col["damping"], h)
    if spec.model == "logistic":
        # curves.logistic through level0 at h = 0, written so that a saturation at or below
        # level0 (a decline towards it) needs no NaN midpoint.
        saturation = col["saturation"]
        return saturation / (1.0 + (saturation / level0 - 1.0) * np.exp(-col["rate"] * h))
    # Sales and kWh per vehicle grow geometrically from the last EV observation to their
    # targets in the anchor year; production follows demand at the base year's ratio.
    ev_year, sales0, demand0 = prepared.ev_base  # type: ignore[misc]
    t = (years - ev_year) / (spec.anchor_year - ev_year)
    sales = curves.compound(sales0, (col["sales_target"] / sales0) - 1.0, t)
    kwh0 = demand0 / sales0  # GWh per million vehicles = kWh per vehicle
    kwh = curves.compound(kwh0, (col["kwh_target"] / kwh0) - 1.0, t)
    demand = sales * kwh
    out.update({("World", "ev_sales"): sales, ("World", "kwh_per_vehicle"): kwh,
                ("World", "ev_demand"): demand})
    return level0 * demand / demand0


def draw(prepared: Prepared, n_draws: int, seed: int | np.random.Generator | None
         ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """``n_draws`` (>= 1) parameter draws ``{key: (n_draws,)}``, then from the same stream the
    year-to-year variation ``{segment: (n_draws, n_years)}`` [log] (None without it), so a
    seed gives the same parameter draws with or without variation."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ScenarioError(prepared.scenario.path, "draws",
                            f"the number of draws must be a whole number >= 1, got {n_draws!r}")
    rng = np.random.default_rng(seed)
    values = draw_parameters(prepared, n_draws, rng)
    if prepared.noise is None:
        return values, None
    return values, process_noise(prepared.noise, len(prepared.years), SEGMENTS, n_draws, rng)


def simulate(prepared: Prepared, n_draws: int = 10_000,
             seed: int | np.random.Generator | None = DEFAULT_SEED) -> Paths:
    """Monte Carlo paths ``{(region, segment): (n_draws, n_years)}`` of one scenario
    (draws of :func:`draw`)."""
    return evaluate(prepared, *draw(prepared, n_draws, seed))


def series_columns(series: list[tuple[str, str, str]], years: np.ndarray,
                   n_runs: int = 1) -> dict[str, np.ndarray]:
    """Columns ``region, segment, year, unit`` of ``n_runs`` blocks of rows, each block every
    year of every series of :attr:`Prepared.series` in turn."""
    region, segment, unit = (np.tile(np.repeat(column, len(years)), n_runs)
                             for column in zip(*series, strict=True))
    return {"region": region, "segment": segment,
            "year": np.tile(years, len(series) * n_runs).astype(int), "unit": unit}


def summarise(prepared: Prepared, paths: Mapping[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Tidy projection table (:data:`PROJECTION_COLUMNS`) from simulated paths."""
    means, quantiles = [], []
    for region, segment, _ in prepared.series:
        path = paths[(region, segment)]
        means.append(path.mean(axis=0))
        # One series at a time, in place: memory for one series' draws only. Sorting first
        # is exact and 2-3 times faster: numpy's sort is vectorised, its partition at the
        # ten indices of five quantiles is not.
        by_year = np.array(path.T, order="C")
        by_year.sort(axis=1)
        quantiles.append(np.quantile(by_year, list(uncertainty.QUANTILES.values()), axis=1,
                                     overwrite_input=True))
    # Interpolated quantiles of a constant can differ in the last bit: sorting keeps
    # p5 <= ... <= p95 exact.
    qs = np.sort(np.concatenate(quantiles, axis=1), axis=0)
    return pd.DataFrame({"scenario": prepared.scenario.name,
                         **series_columns(prepared.series, prepared.years),
                         "mean": np.concatenate(means),
                         **dict(zip(uncertainty.QUANTILES, qs, strict=True))})
