"""Vectorised Monte Carlo projection of a :class:`~forecast.scenarios.schema.Scenario`.

The engine works on *parameter columns*: every sampled parameter is an array of shape
``(n,)`` (one value per draw, or per sweep run), and every path is an array of shape
``(n, n_years)``. The same :func:`evaluate` therefore serves Monte Carlo draws, batch
sweeps and sensitivity tables without a Python loop over draws.

How a scenario becomes production paths
---------------------------------------
1. Base values come from the history data (never from Python literals): China's production
   per segment and its world share in the last observed year, and, where a scenario asks
   for them with ``data``, published outlooks (CAGRs, EV sales, EV battery demand) and the
   reported capacity.
2. Each segment's growth model gives a path for China's production (``anchor: china``) or
   for world production (``anchor: world``; the base is China's value over China's share).
3. China's share path splits the world into China and the rest of the world (ROW).
4. An optional capacity cap scales China's segments down proportionally so China's total
   stays below ``capacity * max_utilisation``; ROW production is unaffected, so the world
   total falls by what China cannot make and China's effective share falls with it.
5. Totals are sums of the segments, so segments add up to the total in every draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ModelError, ScenarioError
from forecast.models import curves
from forecast.models.uncertainty import QUANTILES, make_rng, summarise_draws
from forecast.scenarios.schema import (
    DATA,
    PARAMETER_DOMAINS,
    SEGMENTS,
    TREND,
    Distribution,
    Scenario,
)

if TYPE_CHECKING:
    import pandas as pd

    from forecast.models import LogitShare

#: Columns of every projection table, in order.
PROJECTION_COLUMNS: tuple[str, ...] = (
    "scenario",
    "region",
    "segment",
    "year",
    "unit",
    "mean",
    *QUANTILES,
)

#: Decimals of every number written to CSV (output is byte-identical for identical inputs).
CSV_DECIMALS = 3

#: History series the engine reads (names of data/series.csv).
PRODUCTION = "production"
SHARE = "production_share_of_world"
PRODUCTION_CAGR = "production_cagr"
EV_SALES = "ev_sales"
EV_DEMAND = "ev_battery_demand"
CAPACITY = "capacity"
OBSERVED = ("reported", "derived")

# Smallest share used when the world is derived from China (world = China / share).
_MIN_SHARE = 1e-9


@dataclass(frozen=True)
class Baseline:
    """Observed values the projection starts from (all from the history data).

    Attributes
    ----------
    year : int
        Last observed year of China's total production [year].
    production : dict
        China's production per segment in ``year`` [GWh].
    share : float
        China's share of world production in ``year`` [fraction].
    """

    year: int
    production: dict[str, float]
    share: float


@dataclass(frozen=True)
class Prepared:
    """A scenario with every ``data`` value resolved, ready to evaluate.

    Attributes
    ----------
    scenario : Scenario
    baseline : Baseline
    years : ndarray
        Projected years, first year after the base to the target year [year].
    central : dict
        Central value of every parameter, by dotted key.
    distributions : dict
        Distributions of the uncertain parameters with ``mean``/``mode`` filled in.
    ev_base : tuple of (year, sales [M vehicles], demand [GWh]) or None
        Base of the EV-demand driver, when a segment uses it.
    capacity_year : int or None
        Year the capacity base refers to [year].
    """

    scenario: Scenario
    baseline: Baseline
    years: np.ndarray
    central: dict[str, float]
    distributions: dict[str, Distribution]
    ev_base: tuple[int, float, float] | None
    capacity_year: int | None

    @property
    def series(self) -> list[tuple[str, str, str]]:
        """Output series as ``(region, segment, unit)`` in table order."""
        out = [("China", seg, "GWh") for seg in (*SEGMENTS, "total")]
        if self.capacity_year is not None:
            out.append(("China", "capacity_limit", "GWh"))
        out.append(("China", "world_share", "fraction"))
        out += [("World", seg, "GWh") for seg in (*SEGMENTS, "total")]
        if self.ev_base is not None:
            out += [
                ("World", "ev_sales", "million vehicles"),
                ("World", "kwh_per_vehicle", "kWh/vehicle"),
                ("World", "ev_demand", "GWh"),
            ]
        return out


# --------------------------------------------------------------------------- preparation


def last_observed_year(history: pd.DataFrame) -> int:
    """Last year with an observed (reported or derived) China total production [year]."""
    from forecast import data

    return int(data.get_series(history, PRODUCTION, kinds=OBSERVED).index.max())


def prepare(scenario: Scenario, history: pd.DataFrame) -> Prepared:
    """Resolve a scenario against the history data.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    history : DataFrame
        From :func:`forecast.data.load_history`.

    Returns
    -------
    Prepared

    Raises
    ------
    ScenarioError
        The target year is not after the last observation, or a ``data`` value (or a base
        value the scenario needs) is missing from the history.
    """
    from forecast import data

    base_year = last_observed_year(history)
    scenario = scenario.with_target_year(None, base_year)
    file = scenario.path
    if scenario.share.by is not None and scenario.share.by <= base_year:
        raise ScenarioError(
            file,
            "share.by",
            f"year {scenario.share.by} is not after the last observed year {base_year}",
        )

    def value(
        key: str,
        series: str,
        region: str,
        segment: str,
        kinds: tuple[str, ...],
        year: int | None = None,
    ) -> tuple[int, float]:
        try:
            s = data.get_series(history, series, region, segment, kinds)
        except KeyError:
            raise ScenarioError(
                file, key, f"the data has no {'/'.join(kinds)} value of {series} {region}/{segment}"
            ) from None
        if year is None:
            return int(s.index[-1]), float(s.iloc[-1])
        if year not in s.index:
            raise ScenarioError(
                file,
                key,
                f"the data has no {'/'.join(kinds)} value of "
                f"{series} {region}/{segment} for {year}",
            )
        return year, float(s.loc[year])

    production = {}
    for seg in SEGMENTS:
        year, v = value(f"segments.{seg}", PRODUCTION, "China", seg, OBSERVED)
        if year != base_year:
            raise ScenarioError(
                file,
                f"segments.{seg}",
                f"the data's last {seg} production is for {year}, not the base year {base_year}",
            )
        production[seg] = v
    _, share0 = value("share", SHARE, "China", "total", OBSERVED, base_year)
    baseline = Baseline(year=base_year, production=production, share=share0)

    central: dict[str, float] = {}
    trend: LogitShare | None = None
    ev_base = None
    for key, raw in scenario.parameters().items():
        parts = key.split(".")
        if raw == TREND:
            trend = _share_trend(scenario, history)
            central[key] = float(trend.predict([_share_year(scenario)])[0])
        elif raw != DATA:
            central[key] = float(raw)
        elif parts[0] == "segments" and parts[2] == "cagr":
            central[key] = value(key, PRODUCTION_CAGR, "China", parts[1], ("outlook",))[1]
        elif parts[0] == "segments" and parts[2] in ("sales_target", "kwh_target"):
            year = scenario.segments[parts[1]].settings["anchor_year"]
            sales = value(key, EV_SALES, "World", "total", ("outlook",), year)[1]
            if parts[2] == "sales_target":
                central[key] = sales
            else:
                central[key] = (
                    value(key, EV_DEMAND, "World", "total", ("outlook",), year)[1] / sales
                )
        elif key == "share.target":
            central[key] = share0
        elif key == "caps.capacity.base":
            central[key] = value(key, CAPACITY, "China", "total", OBSERVED)[1]
        else:  # pragma: no cover - the schema only allows 'data' for the keys above
            raise ScenarioError(file, key, "no data source for this parameter")
    for seg, spec in scenario.segments.items():
        if spec.model == "ev_demand":
            year_s, sales0 = value(f"segments.{seg}", EV_SALES, "World", "total", OBSERVED)
            year_d, demand0 = value(f"segments.{seg}", EV_DEMAND, "World", "total", OBSERVED)
            if year_s != year_d:
                raise ScenarioError(
                    file,
                    f"segments.{seg}",
                    f"EV sales ({year_s}) and EV battery demand ({year_d}) have "
                    "different last observed years",
                )
            if spec.settings["anchor_year"] <= year_s:
                raise ScenarioError(
                    file,
                    f"segments.{seg}.anchor_year",
                    f"must be after the last EV observation ({year_s})",
                )
            ev_base = (year_s, sales0, demand0)

    capacity_year = None
    if scenario.capacity is not None:
        capacity_year = scenario.capacity.base_year
        if capacity_year is None:
            capacity_year = value("caps.capacity.base", CAPACITY, "China", "total", OBSERVED)[0]

    distributions = {}
    for key, dist in scenario.uncertain.items():
        c = central[key]
        if dist.dist == "fitted":
            assert trend is not None  # the schema ties 'fitted' to 'share.target: trend'
            z, scale, df = trend.predictive_logit([_share_year(scenario)])
            cap = float(trend.cap)
            low = max(float(trend.shares_.min()) if dist.low is None else dist.low, _MIN_SHARE)
            high = cap if dist.high is None else min(dist.high, cap)
            if not low < c < high:
                raise ScenarioError(
                    file,
                    f"uncertain.{key}",
                    f"the trend's share {c:.3f} in {_share_year(scenario)} "
                    f"lies outside the truncation [{low:g}, {high:g}]",
                )
            dist = Distribution(
                dist="fitted", mean=float(z[0]), sd=float(scale[0]), df=df, cap=cap, low=low,
                high=high,
                source=dist.source or "forecast.models.share.LogitShare fitted to China's shares",
            )
        if dist.dist == "normal" and dist.mean is None:
            dist = Distribution(**{**dist.__dict__, "mean": c})
        if dist.dist == "triangular" and dist.mode is None:
            if not dist.low <= c <= dist.high:  # type: ignore[operator]
                raise ScenarioError(
                    file,
                    f"uncertain.{key}",
                    f"the central value {c:g} from the data lies outside "
                    f"[{dist.low:g}, {dist.high:g}]",
                )
            dist = Distribution(**{**dist.__dict__, "mode": c})
        distributions[key] = dist

    years = np.arange(base_year + 1, scenario.target_year + 1)
    return Prepared(scenario, baseline, years, central, distributions, ev_base, capacity_year)


def _share_year(scenario: Scenario) -> int:
    """Year the share path reaches its target [year]: ``share.by``, else the target year."""
    return scenario.share.by if scenario.share.by is not None else scenario.target_year


def _share_trend(scenario: Scenario, history: pd.DataFrame) -> LogitShare:
    """China's observed shares of world production with their Fisher-Pry trend fitted.

    The trend is bounded by ``share.cap`` (default 1); it gives the central share target
    (:meth:`~forecast.models.share.LogitShare.predict`) and, for ``dist: fitted``, its distribution
    (:meth:`~forecast.models.share.LogitShare.predictive_logit`).
    """
    from forecast import data
    from forecast.models import LogitShare

    file = scenario.path
    try:
        observed = data.get_series(history, SHARE, "China", "total", OBSERVED)
    except KeyError:
        raise ScenarioError(
            file, "share.target", f"the data has no observed {SHARE} China/total to fit"
        ) from None
    cap = 1.0 if scenario.share.cap is None else float(scenario.share.cap)
    if observed.max() >= cap:
        raise ScenarioError(
            file,
            "share.cap",
            f"{cap:g} must be above every observed share (max {observed.max():g})",
        )
    try:
        return LogitShare(cap=cap).fit(observed.index.to_numpy(float), observed.to_numpy(float))
    except ModelError as exc:
        raise ScenarioError(
            file, "share.target", f"the share trend cannot be fitted: {exc}"
        ) from None


# --------------------------------------------------------------------------- distributions


def _truncated_ppf(q: np.ndarray, a: float, b: float, df: float = math.inf) -> np.ndarray:
    """Inverse CDF of a standard normal (``df = inf``) or Student t truncated to ``[a, b]``."""
    from scipy.special import ndtr, ndtri, stdtr, stdtrit

    normal = math.isinf(df)

    def cdf(u: float) -> float:
        return float(ndtr(u) if normal else stdtr(df, u))

    lo_p = cdf(a) if math.isfinite(a) else 0.0
    hi_p = cdf(b) if math.isfinite(b) else 1.0
    p = lo_p + q * (hi_p - lo_p)
    return ndtri(p) if normal else stdtrit(df, p)


def _fitted_quantile(dist: Distribution, q: np.ndarray) -> np.ndarray:
    """Inverse CDF of the share trend's truncated logit-t distribution [fraction]."""
    from scipy.special import expit, logit

    cap, loc, scale = float(dist.cap), float(dist.mean), float(dist.sd)  # type: ignore[arg-type]
    low, high = float(dist.low), float(dist.high)  # type: ignore[arg-type]
    a, b = ((float(logit(x / cap)) - loc) / scale for x in (low, high))
    u = _truncated_ppf(q, a, b, float(dist.df))  # type: ignore[arg-type]
    return np.clip(cap * expit(loc + scale * u), low, high)


def _bounds(key: str, dist: Distribution, anchor: str) -> tuple[float, float]:
    """Sampling interval: the distribution's bounds intersected with the parameter's domain."""
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    low, high = domain.low, domain.high
    if domain.low_open:
        low = np.nextafter(low, math.inf) if math.isfinite(low) else low
    if key == "share.target" and anchor == "china":
        low = max(low, _MIN_SHARE)
    if dist.low is not None:
        low = max(low, dist.low)
    if dist.high is not None:
        high = min(high, dist.high)
    return float(low), float(high)


def quantile(
    key: str, dist: Distribution, q: np.ndarray | float, anchor: str = "china"
) -> np.ndarray:
    """Inverse CDF of an uncertain parameter's distribution.

    Parameters
    ----------
    key : str
        Dotted parameter key (its domain truncates the distribution).
    dist : Distribution
        With ``mean``/``mode`` filled in (see :func:`prepare`).
    q : array_like
        Probabilities in [0, 1].

    Returns
    -------
    ndarray
        Parameter values [parameter's unit].
    """
    q = np.asarray(q, float)
    if dist.dist == "fitted":
        return _fitted_quantile(dist, q)
    low, high = _bounds(key, dist, anchor)
    if dist.dist == "uniform":
        return low + q * (high - low)
    if dist.dist == "triangular":
        mode = float(dist.mode)  # type: ignore[arg-type]
        width = high - low
        c = (mode - low) / width
        left = low + np.sqrt(q * width * (mode - low))
        right = high - np.sqrt((1.0 - q) * width * (high - mode))
        return np.where(q < c, left, right)
    mean, sd = float(dist.mean), float(dist.sd)  # type: ignore[arg-type]
    x = mean + sd * _truncated_ppf(q, (low - mean) / sd, (high - mean) / sd)
    # ndtri is exact to rounding; the clip only guards the truncation edges.
    return np.clip(x, low, high)


def draw_parameters(
    prepared: Prepared, n_draws: int, seed: int | np.random.Generator | None
) -> dict[str, np.ndarray]:
    """Seeded draws of every parameter: ``{key: array of shape (n_draws,)}``.

    Parameters without a distribution stay at their central value. Draws are taken in the
    fixed order of :meth:`Scenario.parameters`, so the same seed gives the same numbers.
    """
    rng = make_rng(seed)
    out = {}
    for key, c in prepared.central.items():
        dist = prepared.distributions.get(key)
        if dist is None:
            out[key] = np.full(n_draws, c)
        else:
            out[key] = quantile(key, dist, rng.random(n_draws), prepared.scenario.anchor)
    return out


def central_parameters(prepared: Prepared, n: int = 1) -> dict[str, np.ndarray]:
    """Every parameter at its central value, as columns of length ``n``."""
    return {key: np.full(n, c) for key, c in prepared.central.items()}


# --------------------------------------------------------------------------- evaluation


def evaluate(
    prepared: Prepared, values: Mapping[str, np.ndarray]
) -> dict[tuple[str, str], np.ndarray]:
    """Paths of every output series for columns of parameter values.

    Parameters
    ----------
    prepared : Prepared
    values : mapping
        ``{key: array of shape (n,)}`` for every key of ``prepared.central``.

    Returns
    -------
    dict
        ``{(region, segment): array (n, n_years)}`` in the units of :attr:`Prepared.series`;
        also ``("China", "uncapped_total")`` [GWh] for reconciliation.
    """
    sc = prepared.scenario
    base = prepared.baseline
    years = prepared.years.astype(float)
    h = years - base.year

    def col(key: str) -> np.ndarray:
        return np.asarray(values[key], float)[:, None]

    n = len(next(iter(values.values())))
    share = _share_path(prepared, values, h, n)
    out: dict[tuple[str, str], np.ndarray] = {}
    anchored: dict[str, np.ndarray] = {}
    for seg in SEGMENTS:
        spec = sc.segments[seg]
        level0 = base.production[seg] if sc.anchor == "china" else base.production[seg] / base.share
        prefix = f"segments.{seg}."
        if spec.model == "compound":
            path = curves.compound(level0, col(prefix + "cagr"), h)
        elif spec.model == "damped":
            path = curves.damped_compound(level0, col(prefix + "cagr"), col(prefix + "damping"), h)
        elif spec.model == "logistic":
            path = _anchored_logistic(level0, col(prefix + "saturation"), col(prefix + "rate"), h)
        else:  # ev_demand
            ev_year, sales0, demand0 = prepared.ev_base  # type: ignore[misc]
            horizon = spec.settings["anchor_year"] - ev_year
            t = (years - ev_year) / horizon
            sales = curves.compound(sales0, (col(prefix + "sales_target") / sales0) - 1.0, t)
            kwh0 = demand0 / sales0  # GWh per million vehicles = kWh per vehicle
            kwh = curves.compound(kwh0, (col(prefix + "kwh_target") / kwh0) - 1.0, t)
            demand = sales * kwh
            out[("World", "ev_sales")] = sales
            out[("World", "kwh_per_vehicle")] = kwh
            out[("World", "ev_demand")] = demand
            # Production follows demand with the base year's production/demand ratio.
            path = level0 * demand / demand0
        anchored[seg] = np.broadcast_to(path, (n, len(years)))

    if sc.anchor == "china":
        china = anchored
        # Rest of the world per unit of China's production; shares are kept above 0.
        rest_ratio = (1.0 - share) / np.maximum(share, _MIN_SHARE)
        rest = {seg: p * rest_ratio for seg, p in china.items()}
    else:
        china = {seg: p * share for seg, p in anchored.items()}
        rest_share = 1.0 - share
        rest = {seg: p * rest_share for seg, p in anchored.items()}

    uncapped = sum(china.values())
    if sc.capacity is not None:
        cap_h = years - prepared.capacity_year  # type: ignore[operator]
        limit = curves.compound(col("caps.capacity.base"), col("caps.capacity.growth"), cap_h)
        limit = limit * col("caps.capacity.max_utilisation")
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


def _share_path(
    prepared: Prepared, values: Mapping[str, np.ndarray], h: np.ndarray, n: int
) -> np.ndarray:
    """China's share of world production [fraction], shape (n, n_years)."""
    spec = prepared.scenario.share
    s0 = prepared.baseline.share
    if spec.model == "hold":
        # One row broadcasts against the (n, n_years) paths without allocating n rows.
        return np.full((1, len(h)), s0)
    by = _share_year(prepared.scenario)
    progress = np.minimum(h / max(by - prepared.baseline.year, 1), 1.0)
    target = np.asarray(values["share.target"], float)[:, None]
    if spec.model == "linear":
        return s0 + (target - s0) * progress
    # Logit-linear (Fisher-Pry) path: the share moves fastest mid-way and never leaves [0, 1].
    eps = _MIN_SHARE
    logit0 = math.log(s0 / (1.0 - s0))
    t = np.clip(target, eps, 1.0 - eps)
    logit1 = np.log(t / (1.0 - t))
    z = logit0 + (logit1 - logit0) * progress
    return 1.0 / (1.0 + np.exp(-z))


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
    prepared: Prepared, n_draws: int = 10_000, seed: int | np.random.Generator | None = 2030
) -> dict[tuple[str, str], np.ndarray]:
    """Monte Carlo paths ``{(region, segment): (n_draws, n_years)}`` of one scenario."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ScenarioError(
            prepared.scenario.path,
            "draws",
            f"the number of draws must be a whole number >= 1, got {n_draws!r}",
        )
    return evaluate(prepared, draw_parameters(prepared, int(n_draws), seed))


def summarise(prepared: Prepared, paths: Mapping[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Tidy projection table (:data:`PROJECTION_COLUMNS`) from simulated paths."""
    import pandas as pd

    series = prepared.series
    years = prepared.years
    # One contiguous row per (series, year): quantiles along the last axis partition
    # contiguous memory, the fastest layout for 100,000 draws.
    stacked = np.concatenate([paths[(r, s)].T for r, s, _ in series], axis=0)
    stats = summarise_draws(stacked, axis=1)
    n_years = len(years)
    frame = pd.DataFrame(
        {
            "scenario": prepared.scenario.name,
            "region": np.repeat([r for r, _, _ in series], n_years),
            "segment": np.repeat([s for _, s, _ in series], n_years),
            "year": np.tile(years, len(series)).astype(int),
            "unit": np.repeat([u for _, _, u in series], n_years),
        }
    )
    for name in ("mean", *QUANTILES):
        # Quantiles of a constant are computed by interpolation and can differ from the mean
        # in the last bit; sorting them keeps p5 <= ... <= p95 exact.
        frame[name] = stats[name]
    qcols = list(QUANTILES)
    frame[qcols] = np.sort(frame[qcols].to_numpy(), axis=1)
    return frame
