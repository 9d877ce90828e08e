"""A scenario resolved against the history data: base values, ``data`` values, distributions.

Base values come from the history data, never from Python literals: China's production per
segment and its world share in the last observed year and, where a scenario says ``data``,
the published outlooks (CAGRs, EV sales, EV battery demand) and the reported capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import data
from forecast.data.loader import OBSERVED_KINDS as OBSERVED
from forecast.errors import ModelError, ScenarioError
from forecast.models import LogitShare
from forecast.scenarios.noise import ProcessNoise
from forecast.scenarios.schema import DATA, SEGMENTS, TREND, Distribution, Scenario

__all__ = [
    "CAPACITY", "EV_DEMAND", "EV_SALES", "OUTLOOK", "PRODUCTION", "PRODUCTION_CAGR",
    "SHARE", "SHARE_FLOOR", "Baseline", "FittedTrend", "Prepared", "find_series", "prepare",
]

#: History series the engine reads (names of data/series.csv).
PRODUCTION = "production"
SHARE = "production_share_of_world"
PRODUCTION_CAGR = "production_cagr"
EV_SALES = "ev_sales"
EV_DEMAND = "ev_battery_demand"
CAPACITY = "capacity"
#: Kinds of the published outlooks' rows.
OUTLOOK = ("outlook",)

#: Smallest share used where the world is derived from China (world = China / share).
SHARE_FLOOR = 1e-9


@dataclass(frozen=True)
class Baseline:
    """Observed values the projection starts from: the last ``year`` of China's total
    production [year], China's ``production`` per segment then [GWh] and its world ``share``
    [fraction]."""

    year: int
    production: dict[str, float]
    share: float


@dataclass(frozen=True)
class FittedTrend:
    """``dist: fitted`` resolved against the data: a Student-t on the logit scale.

    ``mean``/``sd`` [logit units] and ``df`` from the fit, ``cap`` its ceiling [fraction],
    truncated to ``low``/``high`` [fraction] (by default the lowest observed share and the cap:
    with 2 df the lower tail reaches shares near 0, where world = China / share is unbounded).
    """

    mean: float
    sd: float
    df: float
    cap: float
    low: float
    high: float
    dist: str = "fitted"


@dataclass(frozen=True)
class Prepared:
    """A scenario with every ``data`` value resolved, ready to evaluate.

    ``years`` are projected, the first after the base year to the target year [year];
    ``central`` holds every parameter's central value by dotted key, ``distributions`` the
    uncertain ones' with ``mean``/``mode`` filled in; ``ev_base`` is the EV driver's base
    ``(year, sales [M vehicles], demand [GWh])``, ``capacity_year`` the year of the capacity
    base [year], ``noise`` the draws' year-to-year variation (None with ``scale: 0``).
    """

    scenario: Scenario
    baseline: Baseline
    years: np.ndarray
    central: dict[str, float]
    distributions: dict[str, Distribution | FittedTrend]
    ev_base: tuple[int, float, float] | None
    capacity_year: int | None
    noise: ProcessNoise | None = None

    @property
    def series(self) -> list[tuple[str, str, str]]:
        """Output series as ``(region, segment, unit)`` in table order."""
        out = [("China", seg, "GWh") for seg in (*SEGMENTS, "total")]
        if self.capacity_year is not None:
            out.append(("China", "capacity_limit", "GWh"))
        out.append(("China", "world_share", "fraction"))
        out += [("World", seg, "GWh") for seg in (*SEGMENTS, "total")]
        if self.ev_base is not None:
            out += [("World", "ev_sales", "million vehicles"),
                    ("World", "kwh_per_vehicle", "kWh/vehicle"), ("World", "ev_demand", "GWh")]
        return out


def find_series(history: pd.DataFrame, series: str, region: str = "China",
                segment: str = "total", kinds: tuple[str, ...] = OBSERVED) -> pd.Series | None:
    """:func:`forecast.data.get_series`, or None when the data has no such series."""
    try:
        return data.get_series(history, series, region, segment, kinds)
    except KeyError:
        return None


def prepare(scenario: Scenario, history: pd.DataFrame) -> Prepared:
    """Resolve a scenario against the history (:func:`forecast.data.load_history`).

    Raises
    ------
    ScenarioError
        The target year is not after the last observation, or a ``data`` value (or a base
        value the scenario needs) is missing from the history.
    """
    base_year = int(data.get_series(history, PRODUCTION, kinds=OBSERVED).index.max())
    file = scenario.path
    for key, what, year in (("target_year", "target year", scenario.target_year),
                            ("share.by", "year", scenario.share.by)):
        if year is not None and year <= base_year:
            raise ScenarioError(file, key, f"{what} {year} is not after the last observed year "
                                f"{base_year}")

    def value(key: str, series: str, region: str = "China", segment: str = "total",
              kinds: tuple[str, ...] = OBSERVED, year: int | None = None) -> tuple[int, float]:
        # (year, value) of a series in ``year`` or its last year; ``key`` names the error.
        s = find_series(history, series, region, segment, kinds)
        what = f"{'/'.join(kinds)} value of {series} {region}/{segment}"
        if s is None:
            raise ScenarioError(file, key, f"the data has no {what}")
        if year is None:
            return int(s.index[-1]), float(s.iloc[-1])
        if year not in s.index:
            raise ScenarioError(file, key, f"the data has no {what} for {year}")
        return year, float(s.loc[year])

    production = {}
    for seg in SEGMENTS:
        year, production[seg] = value(f"segments.{seg}", PRODUCTION, segment=seg)
        if year != base_year:
            raise ScenarioError(file, f"segments.{seg}", f"the data's last {seg} production is "
                                f"for {year}, not the base year {base_year}")
    baseline = Baseline(base_year, production, value("share", SHARE, year=base_year)[1])
    trend = _share_trend(scenario, history) if scenario.share.target == TREND else None

    def central(key: str, raw: float | str) -> float:
        if raw == TREND:
            return float(trend.predict([scenario.share_year])[0])
        if raw != DATA:
            return float(raw)
        if key == "share.target":
            return baseline.share
        if key == "caps.capacity.base":
            return value(key, CAPACITY)[1]
        _, seg, name = key.split(".")
        if name == "cagr":
            return value(key, PRODUCTION_CAGR, segment=seg, kinds=OUTLOOK)[1]
        # EV targets: the published outlook for the year the segment's targets refer to.
        year = scenario.segments[seg].anchor_year
        sales = value(key, EV_SALES, "World", kinds=OUTLOOK, year=year)[1]
        if name == "sales_target":
            return sales
        return value(key, EV_DEMAND, "World", kinds=OUTLOOK, year=year)[1] / sales

    centrals = {key: central(key, raw) for key, raw in scenario.parameters().items()}
    ev_base = None
    if scenario.segments.power.model == "ev_demand":
        year_s, sales0 = value("segments.power", EV_SALES, "World")
        year_d, demand0 = value("segments.power", EV_DEMAND, "World")
        if year_s != year_d:
            raise ScenarioError(file, "segments.power", f"EV sales ({year_s}) and EV battery "
                                f"demand ({year_d}) have different last observed years")
        if scenario.segments.power.anchor_year <= year_s:
            raise ScenarioError(file, "segments.power.anchor_year",
                                f"must be after the last EV observation ({year_s})")
        ev_base = (year_s, sales0, demand0)
    capacity_year = None
    if scenario.capacity is not None:  # a base year is a whole year, never 0
        capacity_year = scenario.capacity.base_year or value("caps.capacity.base", CAPACITY)[0]
    distributions = {key: _centred(scenario, key, dist, centrals[key], trend)
                     for key, dist in scenario.uncertain.items()}
    years = np.arange(base_year + 1, scenario.target_year + 1)
    noise = ProcessNoise.estimated(scenario.noise, baseline.production, file)
    return Prepared(scenario, baseline, years, centrals, distributions, ev_base, capacity_year,
                    noise)


def _share_trend(scenario: Scenario, history: pd.DataFrame) -> LogitShare:
    """The Fisher-Pry trend of China's observed shares (which :func:`prepare` has found for the
    baseline), capped by ``share.cap`` (default 1)."""
    file = scenario.path
    observed = data.get_series(history, SHARE)
    cap = 1.0 if scenario.share.cap is None else float(scenario.share.cap)
    if observed.max() >= cap:
        raise ScenarioError(file, "share.cap", f"{cap:g} must be above every observed share "
                            f"(max {observed.max():g})")
    try:
        return LogitShare(cap=cap).fit(observed.index.to_numpy(float), observed.to_numpy(float))
    except ModelError as exc:
        raise ScenarioError(file, "share.target",
                            f"the share trend cannot be fitted: {exc}") from None


def _centred(scenario: Scenario, key: str, dist: Distribution, central: float,
             trend: LogitShare | None) -> Distribution | FittedTrend:
    """``dist`` with the central value filled in where the file left it out (a normal's
    ``mean``, a triangle's ``mode``), or the fitted trend's truncated logit-t."""
    where = f"uncertain.{key}"
    if dist.dist == "normal" and dist.mean is None:
        return dist.model_copy(update={"mean": central})
    if dist.dist == "triangular" and dist.mode is None:
        if not dist.low <= central <= dist.high:
            raise ScenarioError(scenario.path, where, f"the central value {central:g} from the "
                                f"data lies outside [{dist.low:g}, {dist.high:g}]")
        return dist.model_copy(update={"mode": central})
    if dist.dist != "fitted":
        return dist
    z, scale, df = trend.predictive_logit([scenario.share_year])
    cap = float(trend.cap)
    low = max(float(trend.shares_.min()) if dist.low is None else dist.low, SHARE_FLOOR)
    high = cap if dist.high is None else min(dist.high, cap)
    if not low < central < high:
        raise ScenarioError(scenario.path, where, f"the trend's share {central:.3f} in "
                            f"{scenario.share_year} lies outside the truncation "
                            f"[{low:g}, {high:g}]")
    return FittedTrend(float(z[0]), float(scale[0]), df, cap, low, high)
