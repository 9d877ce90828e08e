"""Vectorised Monte Carlo projection of a prepared scenario.

The engine works on *parameter columns*: every sampled parameter is an array of shape
``(n,)`` (one value per draw, or per sweep run; :mod:`forecast.scenarios.sampling`), and
every path is an array of shape ``(n, n_years)``. The same :func:`evaluate` therefore serves
Monte Carlo draws, batch sweeps and sensitivity tables without a Python loop over draws.

How a scenario becomes production paths
---------------------------------------
1. Base values come from the history data (:func:`forecast.scenarios.preparation.prepare`).
2. Each segment's growth model gives a path for China's production (``anchor: china``) or
   for world production (``anchor: world``; the base is China's value over China's share).
   In Monte Carlo draws each segment's path is multiplied by its year-to-year variation
   (:mod:`forecast.scenarios.noise`: one year's deviation from trend of established technology
   series, drawn anew each year, with one common demand factor), on top of the parameters'
   uncertainty.
3. China's share path splits the world into China and the rest of the world (ROW).
4. An optional capacity cap scales China's segments down proportionally so China's total
   stays below ``capacity * max_utilisation``; ROW production is unaffected, so the world
   total falls by what China cannot make and China's effective share falls with it.
5. Totals are sums of the segments, so segments add up to the total in every draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ScenarioError
from forecast.models import curves, uncertainty
from forecast.scenarios.noise import process_noise
from forecast.scenarios.preparation import MIN_SHARE, Prepared
from forecast.scenarios.sampling import draw_parameters
from forecast.scenarios.schema import SEGMENTS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_SEED", "PROJECTION_COLUMNS", "evaluate", "simulate", "summarise"]

#: Columns of every projection table, in order.
PROJECTION_COLUMNS: tuple[str, ...] = (
    "scenario",
    "region",
    "segment",
    "year",
    "unit",
    "mean",
    *uncertainty.QUANTILES,
)

#: Seed of a projection that is given none, so that repeated calls give the same numbers.
#: A random seed, not a year: it is the number the first version of the engine used (and the
#: CLI's ``--seed`` default), kept so that default projections keep their numbers.
DEFAULT_SEED = 2030


# --------------------------------------------------------------------------- evaluation


def evaluate(
    prepared: Prepared,
    values: Mapping[str, np.ndarray],
    noise: Mapping[str, np.ndarray] | None = None,
) -> dict[tuple[str, str], np.ndarray]:
    """Paths of every output series for columns of parameter values.

    Parameters
    ----------
    prepared : Prepared
    values : mapping
        ``{key: array of shape (n,)}`` for every key of ``prepared.central``.
    noise : mapping, optional
        ``{segment: array (n, n_years)}`` of log multipliers of the segments' paths in the
        anchor region (:func:`forecast.scenarios.noise.process_noise`); None for paths at
        the parameters alone (sweeps, sensitivities, the central case).

    Returns
    -------
    dict
        ``{(region, segment): array (n, n_years)}`` in the units of :attr:`Prepared.series`;
        also ``("China", "uncapped_total")`` [GWh] for reconciliation.
    """
    years = prepared.years.astype(float)
    n = len(next(iter(values.values())))
    share = _share_path(prepared, values, years - prepared.baseline.year, n)
    out: dict[tuple[str, str], np.ndarray] = {}
    anchored = {
        seg: np.broadcast_to(_segment_path(prepared, seg, values, years, out), (n, len(years)))
        for seg in SEGMENTS
    }
    if noise is not None:
        # One common factor is one array for every segment: exponentiate it once.
        factors = {id(x): x for x in noise.values()}
        factors = {key: np.exp(x) for key, x in factors.items()}
        anchored = {seg: path * factors[id(noise[seg])] for seg, path in anchored.items()}
    china, rest = _split_world(prepared.scenario.anchor, anchored, share)
    uncapped = sum(china.values())
    if prepared.scenario.capacity is not None:
        limit = _capacity_limit(prepared, values, years)
        factor = np.minimum(
            1.0, np.divide(limit, uncapped, out=np.ones_like(uncapped), where=uncapped > 0)
        )
        china = {seg: p * factor for seg, p in china.items()}
        out[("China", "capacity_limit")] = limit
    china_total = sum(china.values())
    world = {seg: china[seg] + rest[seg] for seg in SEGMENTS}
    world_total = sum(world.values())
    for seg in SEGMENTS:
        out[("China", seg)] = china[seg]
        out[("World", seg)] = world[seg]
    out[("China", "total")] = china_total
    out[("World", "total")] = world_total
    out[("China", "world_share")] = np.divide(
        china_total,
        world_total,
        out=np.broadcast_to(share, china_total.shape).copy(),
        where=world_total > 0,
    )
    out[("China", "uncapped_total")] = uncapped
    return out


def _column(values: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    """One parameter as a column of shape (n, 1), to broadcast against (n_years,) rows."""
    return np.asarray(values[key], float)[:, None]


def _segment_path(
    prepared: Prepared,
    seg: str,
    values: Mapping[str, np.ndarray],
    years: np.ndarray,
    out: dict[tuple[str, str], np.ndarray],
) -> np.ndarray:
    """Production path of one segment in the anchor region [GWh], shape (n or 1, n_years).

    An EV-demand segment also adds its drivers (EV sales, kWh per vehicle, EV demand) to
    ``out``.
    """
    sc, base = prepared.scenario, prepared.baseline
    spec = sc.segments[seg]
    level0 = base.production[seg] if sc.anchor == "china" else base.production[seg] / base.share
    h = years - base.year

    def col(name: str) -> np.ndarray:
        return _column(values, f"segments.{seg}.{name}")

    if spec.model == "compound":
        return curves.compound(level0, col("cagr"), h)
    if spec.model == "damped":
        return curves.damped_compound(level0, col("cagr"), col("damping"), h)
    if spec.model == "logistic":
        return _anchored_logistic(level0, col("saturation"), col("rate"), h)
    # ev_demand: sales and kWh per vehicle grow geometrically from the last EV observation
    # to their targets in the anchor year.
    ev_year, sales0, demand0 = prepared.ev_base  # type: ignore[misc]
    t = (years - ev_year) / (spec.anchor_year - ev_year)
    sales = curves.compound(sales0, (col("sales_target") / sales0) - 1.0, t)
    kwh0 = demand0 / sales0  # GWh per million vehicles = kWh per vehicle
    kwh = curves.compound(kwh0, (col("kwh_target") / kwh0) - 1.0, t)
    demand = sales * kwh
    out[("World", "ev_sales")] = sales
    out[("World", "kwh_per_vehicle")] = kwh
    out[("World", "ev_demand")] = demand
    # Production follows demand with the base year's production/demand ratio.
    return level0 * demand / demand0


def _split_world(
    anchor: str, anchored: Mapping[str, np.ndarray], share: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """China's and the rest of the world's production per segment [GWh] from the anchor
    region's paths and China's share [fraction]."""
    if anchor == "china":
        # Rest of the world per unit of China's production; shares are kept above 0.
        rest_ratio = (1.0 - share) / np.maximum(share, MIN_SHARE)
        return dict(anchored), {seg: p * rest_ratio for seg, p in anchored.items()}
    rest_share = 1.0 - share
    china = {seg: p * share for seg, p in anchored.items()}
    return china, {seg: p * rest_share for seg, p in anchored.items()}


def _capacity_limit(
    prepared: Prepared, values: Mapping[str, np.ndarray], years: np.ndarray
) -> np.ndarray:
    """China's production limit [GWh]: capacity grown from its base year times utilisation."""
    cap_h = years - prepared.capacity_year  # type: ignore[operator]
    limit = curves.compound(
        _column(values, "caps.capacity.base"), _column(values, "caps.capacity.growth"), cap_h
    )
    return limit * _column(values, "caps.capacity.max_utilisation")


def _share_path(
    prepared: Prepared, values: Mapping[str, np.ndarray], h: np.ndarray, n: int
) -> np.ndarray:
    """China's share of world production [fraction], shape (n, n_years)."""
    spec = prepared.scenario.share
    s0 = prepared.baseline.share
    if spec.model == "hold":
        # One row broadcasts against the (n, n_years) paths without allocating n rows.
        return np.full((1, len(h)), s0)
    by = prepared.scenario.share_year
    progress = np.minimum(h / max(by - prepared.baseline.year, 1), 1.0)
    target = np.asarray(values["share.target"], float)[:, None]
    if spec.model == "linear":
        return s0 + (target - s0) * progress
    # Logit-linear (Fisher-Pry) path: the share moves fastest mid-way and never leaves [0, 1].
    from scipy.special import expit, logit

    z0, z1 = logit(s0), logit(np.clip(target, MIN_SHARE, 1.0 - MIN_SHARE))
    return expit(z0 + (z1 - z0) * progress)


def _anchored_logistic(
    level0: float, saturation: np.ndarray, rate: np.ndarray, h: np.ndarray
) -> np.ndarray:
    """Logistic curve through ``level0`` at ``h = 0`` with asymptote ``saturation`` [GWh].

    Equal to :func:`forecast.models.curves.logistic` with midpoint ``log(K / level0 - 1) / rate``
    when ``K > level0``; written in this form it also covers ``K <= level0`` (a decline
    towards ``K``) without a NaN midpoint, so draws of ``K`` need no clipping.
    """
    ratio = saturation / level0 - 1.0
    return saturation / (1.0 + ratio * np.exp(-rate * h))


# --------------------------------------------------------------------------- summaries


def simulate(
    prepared: Prepared, n_draws: int = 10_000, seed: int | np.random.Generator | None = DEFAULT_SEED
) -> dict[tuple[str, str], np.ndarray]:
    """Monte Carlo paths ``{(region, segment): (n_draws, n_years)}`` of one scenario.

    Parameters are drawn first and the year-to-year variation after them from the same
    stream, so a seed gives the same parameter draws with or without process noise.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ScenarioError(
            prepared.scenario.path,
            "draws",
            f"the number of draws must be a whole number >= 1, got {n_draws!r}",
        )
    n = int(n_draws)
    rng = uncertainty.make_rng(seed)
    values = draw_parameters(prepared, n, rng)
    noise = None
    if prepared.noise is not None:
        horizons = prepared.years - prepared.baseline.year
        noise = process_noise(prepared.noise, horizons, SEGMENTS, n, rng)
    return evaluate(prepared, values, noise)


def summarise(prepared: Prepared, paths: Mapping[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Tidy projection table (:data:`PROJECTION_COLUMNS`) from simulated paths."""
    import pandas as pd

    series = prepared.series
    years = prepared.years
    n_years = len(years)
    levels = list(uncertainty.QUANTILES.values())
    stats = {name: np.empty(len(series) * n_years) for name in ("mean", *uncertainty.QUANTILES)}
    for k, (region, segment, _) in enumerate(series):
        path = paths[(region, segment)]
        rows = slice(k * n_years, (k + 1) * n_years)
        stats["mean"][rows] = path.mean(axis=0)
        # One series at a time, each year's draws copied contiguous and partitioned in place:
        # memory for one series' draws, not two copies of every series'.
        by_year = np.array(path.T, order="C")
        for name, q in zip(uncertainty.QUANTILES, np.quantile(by_year, levels, axis=1,
                                                              overwrite_input=True), strict=True):
            stats[name][rows] = q
    frame = pd.DataFrame(
        {
            "scenario": prepared.scenario.name,
            "region": np.repeat([r for r, _, _ in series], n_years),
            "segment": np.repeat([s for _, s, _ in series], n_years),
            "year": np.tile(years, len(series)).astype(int),
            "unit": np.repeat([u for _, _, u in series], n_years),
        }
    )
    for name in ("mean", *uncertainty.QUANTILES):
        # Quantiles of a constant are computed by interpolation and can differ from the mean
        # in the last bit; sorting them keeps p5 <= ... <= p95 exact.
        frame[name] = stats[name]
    qcols = list(uncertainty.QUANTILES)
    frame[qcols] = np.sort(frame[qcols].to_numpy(), axis=1)
    return frame
