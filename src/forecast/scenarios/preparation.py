"""A scenario resolved against the history data: base values, ``data`` values, distributions.

Base values come from the history data (never from Python literals): China's production per
segment and its world share in the last observed year, and, where a scenario asks for them
with ``data``, published outlooks (CAGRs, EV sales, EV battery demand) and the reported
capacity. :func:`prepare` turns a :class:`~forecast.scenarios.schema.Scenario` into a
:class:`Prepared` scenario that :mod:`forecast.scenarios.sampling` draws from and
:mod:`forecast.scenarios.projection` evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import ModelError, ScenarioError
from forecast.scenarios.noise import ProcessNoise
from forecast.scenarios.schema import DATA, SEGMENTS, TREND, Distribution, FittedTrend, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from forecast.models import LogitShare

__all__ = [
    "CAPACITY",
    "EV_DEMAND",
    "EV_SALES",
    "MIN_SHARE",
    "OBSERVED",
    "PRODUCTION",
    "PRODUCTION_CAGR",
    "SHARE",
    "Baseline",
    "Prepared",
    "last_observed_year",
    "prepare",
]

#: History series the engine reads (names of data/series.csv).
PRODUCTION = "production"
SHARE = "production_share_of_world"
PRODUCTION_CAGR = "production_cagr"
EV_SALES = "ev_sales"
EV_DEMAND = "ev_battery_demand"
CAPACITY = "capacity"
OBSERVED = ("reported", "derived")
_OUTLOOK = ("outlook",)

#: Smallest share used where the world is derived from China (world = China / share).
MIN_SHARE = 1e-9


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
    noise : ProcessNoise or None
        Year-to-year variation the draws add (:mod:`forecast.scenarios.noise`); None when
        the file sets ``noise: {scale: 0}``.
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
            out += [
                ("World", "ev_sales", "million vehicles"),
                ("World", "kwh_per_vehicle", "kWh/vehicle"),
                ("World", "ev_demand", "GWh"),
            ]
        return out


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
    base_year = last_observed_year(history)
    scenario = scenario.with_target_year(None, base_year)
    if scenario.share.by is not None and scenario.share.by <= base_year:
        raise ScenarioError(
            scenario.path,
            "share.by",
            f"year {scenario.share.by} is not after the last observed year {base_year}",
        )
    lookup = _Lookup(history, scenario.path)
    baseline = _baseline(lookup, base_year)
    trend = _share_trend(scenario, history) if scenario.share.target == TREND else None
    central = {
        key: _central_value(scenario, key, raw, lookup, baseline, trend)
        for key, raw in scenario.parameters().items()
    }
    ev_base = _ev_base(scenario, lookup)
    capacity_year = None
    if scenario.capacity is not None:
        capacity_year = scenario.capacity.base_year
        if capacity_year is None:
            capacity_year = lookup.value("caps.capacity.base", CAPACITY, "China", "total")[0]
    distributions = {
        key: _centred(scenario, key, dist, central[key], trend)
        for key, dist in scenario.uncertain.items()
    }
    years = np.arange(base_year + 1, scenario.target_year + 1)
    noise = ProcessNoise.estimated(scenario.noise, baseline.production, scenario.path)
    return Prepared(
        scenario, baseline, years, central, distributions, ev_base, capacity_year, noise
    )


# --------------------------------------------------------------------------- data values


@dataclass(frozen=True)
class _Lookup:
    """Values of the history data; a missing one is an error naming the scenario's key."""

    history: pd.DataFrame
    file: str

    def value(
        self,
        key: str,
        series: str,
        region: str,
        segment: str,
        kinds: tuple[str, ...] = OBSERVED,
        year: int | None = None,
    ) -> tuple[int, float]:
        """``(year, value)`` of a series in ``year``, or in its last year when ``None``.

        ``key`` is the scenario key the value stands for (it names the error).
        """
        from forecast import data

        what = f"{'/'.join(kinds)} value of {series} {region}/{segment}"
        try:
            s = data.get_series(self.history, series, region, segment, kinds)
        except KeyError:
            raise ScenarioError(self.file, key, f"the data has no {what}") from None
        if year is None:
            return int(s.index[-1]), float(s.iloc[-1])
        if year not in s.index:
            raise ScenarioError(self.file, key, f"the data has no {what} for {year}")
        return year, float(s.loc[year])


def _baseline(lookup: _Lookup, base_year: int) -> Baseline:
    """China's production per segment [GWh] and world share [fraction] in the base year."""
    production = {}
    for seg in SEGMENTS:
        year, value = lookup.value(f"segments.{seg}", PRODUCTION, "China", seg)
        if year != base_year:
            raise ScenarioError(
                lookup.file,
                f"segments.{seg}",
                f"the data's last {seg} production is for {year}, not the base year {base_year}",
            )
        production[seg] = value
    _, share = lookup.value("share", SHARE, "China", "total", year=base_year)
    return Baseline(year=base_year, production=production, share=share)


def _central_value(
    scenario: Scenario,
    key: str,
    raw: float | str,
    lookup: _Lookup,
    baseline: Baseline,
    trend: LogitShare | None,
) -> float:
    """Central value of one parameter: the file's number, the trend's share or the data's."""
    if raw == TREND:
        assert trend is not None  # prepare fits the trend whenever the target is 'trend'
        return float(trend.predict([scenario.share_year])[0])
    if raw != DATA:
        return float(raw)
    if key == "share.target":
        return baseline.share
    if key == "caps.capacity.base":
        return lookup.value(key, CAPACITY, "China", "total")[1]
    _, seg, name = key.split(".")
    if name == "cagr":
        return lookup.value(key, PRODUCTION_CAGR, "China", seg, _OUTLOOK)[1]
    if name in ("sales_target", "kwh_target"):
        # EV targets are the published outlook for the year the segment's targets refer to.
        year = scenario.segments[seg].anchor_year
        sales = lookup.value(key, EV_SALES, "World", "total", _OUTLOOK, year)[1]
        if name == "sales_target":
            return sales
        return lookup.value(key, EV_DEMAND, "World", "total", _OUTLOOK, year)[1] / sales
    # The schema only allows 'data' for the keys above.
    raise ScenarioError(scenario.path, key, "no data source for this parameter")  # pragma: no cover


def _ev_base(scenario: Scenario, lookup: _Lookup) -> tuple[int, float, float] | None:
    """Last observed ``(year, EV sales [M vehicles], EV battery demand [GWh])`` of the world,
    when a segment is driven by EV demand."""
    ev_base = None
    for seg in SEGMENTS:
        spec = scenario.segments[seg]
        if spec.model != "ev_demand":
            continue
        year_s, sales0 = lookup.value(f"segments.{seg}", EV_SALES, "World", "total")
        year_d, demand0 = lookup.value(f"segments.{seg}", EV_DEMAND, "World", "total")
        if year_s != year_d:
            raise ScenarioError(
                lookup.file,
                f"segments.{seg}",
                f"EV sales ({year_s}) and EV battery demand ({year_d}) have "
                "different last observed years",
            )
        if spec.anchor_year <= year_s:
            raise ScenarioError(
                lookup.file,
                f"segments.{seg}.anchor_year",
                f"must be after the last EV observation ({year_s})",
            )
        ev_base = (year_s, sales0, demand0)
    return ev_base


# --------------------------------------------------------------------------- share trend


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


def _centred(
    scenario: Scenario, key: str, dist: Distribution, central: float, trend: LogitShare | None
) -> Distribution | FittedTrend:
    """A distribution with the parameter's central value filled in where the file left it
    out (a normal's ``mean``, a triangle's ``mode``), or the fitted trend's distribution."""
    if dist.dist == "fitted":
        assert trend is not None  # the schema ties 'fitted' to 'share.target: trend'
        return _fitted(scenario, key, dist, central, trend)
    if dist.dist == "normal" and dist.mean is None:
        return dist.model_copy(update={"mean": central})
    if dist.dist == "triangular" and dist.mode is None:
        if not dist.low <= central <= dist.high:  # type: ignore[operator]
            raise ScenarioError(
                scenario.path,
                f"uncertain.{key}",
                f"the central value {central:g} from the data lies outside "
                f"[{dist.low:g}, {dist.high:g}]",
            )
        return dist.model_copy(update={"mode": central})
    return dist


def _fitted(
    scenario: Scenario, key: str, dist: Distribution, central: float, trend: LogitShare
) -> FittedTrend:
    """The share trend's truncated logit-t distribution in the share year.

    Location and scale on the logit scale [logit units] and degrees of freedom come from the
    fit's prediction interval; the truncation defaults to [lowest observed share, cap]
    [fraction] (see :class:`~forecast.scenarios.schema.FittedTrend`).
    """
    z, scale, df = trend.predictive_logit([scenario.share_year])
    cap = float(trend.cap)
    low = max(float(trend.shares_.min()) if dist.low is None else dist.low, MIN_SHARE)
    high = cap if dist.high is None else min(dist.high, cap)
    if not low < central < high:
        raise ScenarioError(
            scenario.path,
            f"uncertain.{key}",
            f"the trend's share {central:.3f} in {scenario.share_year} "
            f"lies outside the truncation [{low:g}, {high:g}]",
        )
    return FittedTrend(
        mean=float(z[0]),
        sd=float(scale[0]),
        df=df,
        cap=cap,
        low=low,
        high=high,
        source=dist.source or "forecast.models.share.LogitShare fitted to China's shares",
    )
