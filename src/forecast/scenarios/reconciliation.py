"""Each scenario beside the published outlooks in the data, with the main cause of the gap.

:func:`reconcile` compares China's production (total and each segment) and world EV
battery demand with the outlooks of the history data (kind ``outlook``), in the outlooks'
years, and says in words what makes the scenario differ.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.models import uncertainty
from forecast.scenarios.catalog import default_scenario_dir, resolve_scenario
from forecast.scenarios.preparation import EV_DEMAND, EV_SALES, PRODUCTION, Prepared, prepare
from forecast.scenarios.projection import DEFAULT_SEED, evaluate, simulate
from forecast.scenarios.sampling import central_parameters
from forecast.scenarios.schema import SEGMENTS, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RECONCILE_COLUMNS", "reconcile"]

#: Columns of :func:`reconcile`, in order.
RECONCILE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "region",
    "segment",
    "year",
    "unit",
    "published",
    "projected",
    "central",
    "p5",
    "p95",
    "difference",
    "difference_pct",
    "main_cause",
)

# Differences below this are read as "matches the outlook" [GWh].
_MATCH_GWH = 0.5


def reconcile(
    scenarios: Iterable[Scenario | str | Path],
    history: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Each scenario's figures beside the published outlooks in the data.

    Compares China's production (total and each segment) with the published outlook
    (``production``, kind ``outlook``) and world EV battery demand with the published
    ``ev_battery_demand`` outlook, in the outlook's year. The difference is taken from the
    Monte Carlo median: the draws carry year-to-year variation with a long right tail
    (:mod:`forecast.scenarios.noise`), which lifts their mean far above any typical path.
    Medians do not add up, so segment differences need not sum to the total's. The central
    case (every uncertain assumption at its stated value, no year-to-year variation) and the
    5-95% band are shown beside it; the main cause is read from the central case, so it names
    the assumptions that make the scenario differ, not the luck of the draws.

    Parameters
    ----------
    scenarios : iterable
        Scenarios, names (looked up in ``scenario_dir``) or paths.
    history : DataFrame, optional
        From :func:`forecast.data.load_history` (default: loaded from ``data_dir``).
    n_draws, seed : int
        Monte Carlo settings of each projection.
    scenario_dir : str or Path, optional
        Default ``<data_dir>/scenarios``.

    Returns
    -------
    DataFrame
        Columns :data:`RECONCILE_COLUMNS`: values [GWh]; ``projected`` is the Monte Carlo
        median, ``central`` the path at the stated assumptions, ``p5``/``p95`` the 5th and 95th
        percentiles of the draws; ``difference`` = projected - published [GWh],
        ``difference_pct`` = difference / published [fraction]. For the total, the main
        cause is the segment that contributes most to the difference (and a binding capacity
        cap, if any); for a segment, its implied growth rate against the outlook's; for EV
        demand, whether EV sales or kWh per vehicle moves it more, and whether the central
        case matches the outlook. A scenario that does not model EV demand gets empty values
        and says so.
    """
    import pandas as pd

    from forecast import data

    if history is None:
        history = data.load_history(data_dir)
    folder = scenario_dir if scenario_dir is not None else default_scenario_dir(data_dir)
    rows = []
    for item in scenarios:
        prepared = prepare(resolve_scenario(item, folder), history)
        outcome = _Outcome(prepared, simulate(prepared, n_draws, seed))
        published = _published_production(history, prepared.years)
        rows.extend(_production_rows(outcome, published))
        for year in sorted({y for (_, y) in published} or {int(prepared.years[-1])}):
            row = _ev_demand_row(outcome, history, year)
            if row is not None:
                rows.append(row)
    return pd.DataFrame(rows, columns=list(RECONCILE_COLUMNS))


@dataclass
class _Outcome:
    """A scenario's Monte Carlo paths and its central case, read in single years."""

    prepared: Prepared
    paths: Mapping[tuple[str, str], np.ndarray]
    centre: dict[tuple[str, str], np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.centre = evaluate(self.prepared, central_parameters(self.prepared))

    def column(self, year: int) -> int:
        """Index of ``year`` in the projected years."""
        return int(np.searchsorted(self.prepared.years, year))

    def median(self, key: tuple[str, str], year: int) -> float:
        """Monte Carlo median of a series in ``year``."""
        return float(np.median(self.paths[key][:, self.column(year)]))

    def central(self, key: tuple[str, str], year: int) -> float:
        """Value of a series in ``year`` with every parameter at its central value."""
        return float(self.centre[key][0, self.column(year)])

    def band(self, key: tuple[str, str], year: int) -> dict[str, float]:
        """Central value and 5th/95th percentiles of a series in ``year``."""
        p5, p95 = uncertainty.central_interval(self.paths[key][:, self.column(year)], 0.9)
        return {"central": self.central(key, year), "p5": float(p5), "p95": float(p95)}

    def cap_cut(self, year: int) -> float:
        """Production the capacity cap removes from China's central total in ``year`` [GWh]."""
        return self.central(("China", "uncapped_total"), year) - self.central(
            ("China", "total"), year)

    def cap_binds(self, year: int) -> bool:
        """Whether a capacity cap lowers China's central total in ``year``."""
        if self.prepared.capacity_year is None:
            return False
        uncapped = self.central(("China", "uncapped_total"), year)
        return bool(self.cap_cut(year) > 1e-6 * max(uncapped, 1.0))


def _published_production(history: pd.DataFrame, years: np.ndarray) -> dict[tuple[str, int], float]:
    """China's published production outlooks ``{(segment, year): value [GWh]}`` within the
    projected years."""
    from forecast import data

    published = {}
    for seg in (*SEGMENTS, "total"):
        try:
            s = data.get_series(history, PRODUCTION, "China", seg, ("outlook",))
        except KeyError:
            continue
        for year, value in s.items():
            if int(year) in years:
                published[(seg, int(year))] = float(value)
    return published


def _production_rows(
    outcome: _Outcome, published: Mapping[tuple[str, int], float]
) -> list[dict[str, object]]:
    """One row per published production outlook, ordered by year, then segment."""
    prepared = outcome.prepared
    base = prepared.baseline
    # Causes come from the central case (the stated assumptions), differences from medians.
    diffs = {key: outcome.central(("China", key[0]), key[1]) - pub
             for key, pub in published.items()}
    rows = []
    for (seg, year), pub in sorted(
        published.items(), key=lambda kv: (kv[0][1], _seg_order(kv[0][0]))
    ):
        proj = outcome.median(("China", seg), year)
        if seg == "total":
            seg_diffs = {s: diffs[(s, year)] for s in SEGMENTS if (s, year) in diffs}
            cause = _total_cause(outcome, seg_diffs, diffs[(seg, year)], year)
        else:
            horizon = year - base.year
            implied = _implied_cagr(base.production[seg], pub + diffs[(seg, year)], horizon)
            pub_rate = _implied_cagr(base.production[seg], pub, horizon)
            cause = (
                f"{seg} grows {implied:.1%}/yr from {base.production[seg]:,.0f} GWh in "
                f"{base.year} in the central case vs {pub_rate:.1%}/yr in the outlook "
                f"({_segment_words(prepared, seg)})"
            )
            if outcome.cap_binds(year):
                cause += "; scaled down by the capacity cap"
        band = outcome.band(("China", seg), year)
        rows.append(_row(prepared, "China", seg, year, pub, proj, cause, **band))
    return rows


def _ev_demand_row(outcome: _Outcome, history: pd.DataFrame, year: int) -> dict[str, object] | None:
    """World EV battery demand beside its outlook in ``year``; ``None`` without an outlook."""
    pub = _outlook(history, EV_DEMAND, year)
    if pub is None:
        return None
    key = ("World", "ev_demand")
    if key not in outcome.paths:
        cause = "not modelled: this scenario projects production top-down, without EV demand"
        return _row(outcome.prepared, *key, year, pub, math.nan, cause)
    proj = outcome.median(key, year)
    band = outcome.band(key, year)
    cause = _ev_cause(outcome, year, pub, proj, band["central"], _outlook(history, EV_SALES, year))
    return _row(outcome.prepared, *key, year, pub, proj, cause, **band)


def _ev_cause(
    outcome: _Outcome, year: int, pub: float, proj: float, central: float, pub_sales: float | None
) -> str:
    """Words for what moves EV battery demand [GWh] away from its outlook, or that it matches."""
    sales = outcome.median(("World", "ev_sales"), year)
    kwh = outcome.median(("World", "kwh_per_vehicle"), year)
    if pub_sales is None:
        return f"{sales:.1f} M EVs x {kwh:.1f} kWh/vehicle"
    pub_kwh = pub / pub_sales
    d_sales, d_kwh = math.log(sales / pub_sales), math.log(kwh / pub_kwh)
    if abs(proj - pub) >= _MATCH_GWH and abs(central - pub) < _MATCH_GWH:
        # The stated assumptions reproduce the outlook; only their spread moves the median.
        driver = "EV sales" if abs(d_sales) >= abs(d_kwh) else "kWh per vehicle"
        c_sales = outcome.central(("World", "ev_sales"), year)
        c_kwh = outcome.central(("World", "kwh_per_vehicle"), year)
        return (
            f"the central case matches the outlook ({c_sales:.1f} M EVs x "
            f"{c_kwh:.1f} kWh/vehicle); the median differs because the {driver} "
            f"distribution is skewed (median {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle)"
        )
    if abs(proj - pub) < _MATCH_GWH:
        return (
            f"matches the outlook: {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle "
            f"(outlook {pub_sales:.1f} M x {pub_kwh:.1f})"
        )
    if abs(d_sales) >= abs(d_kwh):
        return (
            f"EV sales: {sales:.1f} M vs {pub_sales:.1f} M in the outlook "
            f"(kWh/vehicle {kwh:.1f} vs {pub_kwh:.1f})"
        )
    return (
        f"kWh per vehicle: {kwh:.1f} vs {pub_kwh:.1f} in the outlook "
        f"(EV sales {sales:.1f} M vs {pub_sales:.1f} M)"
    )


def _total_cause(
    outcome: _Outcome, seg_diffs: Mapping[str, float], total_diff: float, year: int
) -> str:
    """Words for the segments (and binding capacity cap) behind the total's difference in the
    central case. A share of the difference is given only when every segment moves the same
    way as the total; when segments pull both ways, each one's difference is listed instead
    (a share would exceed 100%)."""
    if not seg_diffs:
        return "no segment outlooks in the data to attribute the difference"
    seg = max(seg_diffs, key=lambda s: (abs(seg_diffs[s]), -_seg_order(s)))
    d = seg_diffs[seg]
    same_way = abs(total_diff) > 1e-9 and all(
        v * total_diff >= 0 or abs(v) < _MATCH_GWH for v in seg_diffs.values())
    if same_way:
        words = (f"{seg} contributes most in the central case: {d:+,.0f} GWh, "
                 f"{d / total_diff:.0%} of its {total_diff:+,.0f} GWh difference")
    else:
        parts = ", ".join(f"{s} {v:+,.0f}" for s, v in seg_diffs.items())
        words = (f"segments pull both ways in the central case ({parts} GWh, net "
                 f"{total_diff:+,.0f} GWh); {seg} moves most")
    words += f" ({_segment_words(outcome.prepared, seg)})"
    if outcome.cap_binds(year):
        cut = outcome.cap_cut(year)
        cap_words = f"the capacity cap removes {cut:,.0f} GWh in the central case"
        # When the cap accounts for most of the gap it is the cause; segments only share it.
        if cut >= 0.5 * abs(total_diff):
            return (f"{cap_words}, whose difference from the outlook is {total_diff:+,.0f} GWh; "
                    f"{words}")
        words += f"; {cap_words}"
    return words


def _outlook(history: pd.DataFrame, series: str, year: int) -> float | None:
    """The world's published outlook of ``series`` in ``year``, if the data has one."""
    from forecast import data

    try:
        s = data.get_series(history, series, "World", "total", ("outlook",))
    except KeyError:
        return None
    return float(s.loc[year]) if year in s.index else None


def _implied_cagr(base: float, value: float, years: int) -> float:
    """Constant growth rate from ``base`` to ``value`` over ``years`` [1/yr]."""
    return (value / base) ** (1.0 / years) - 1.0 if base > 0 and value > 0 else math.nan


def _segment_words(prepared: Prepared, seg: str) -> str:
    """A segment's growth model and central parameters in words."""
    spec = prepared.scenario.segments[seg]
    c = prepared.central
    p = f"segments.{seg}."
    if spec.model == "compound":
        return f"compound growth {c[p + 'cagr']:.1%}/yr"
    if spec.model == "damped":
        return f"damped growth from {c[p + 'cagr']:.1%}/yr, damping {c[p + 'damping']:g}"
    if spec.model == "logistic":
        return f"logistic towards {c[p + 'saturation']:,.0f} GWh"
    return (
        f"EV demand: {c[p + 'sales_target']:.1f} M EVs x {c[p + 'kwh_target']:.1f} kWh "
        f"in {spec.anchor_year}"
    )


def _seg_order(seg: str) -> int:
    order = (*SEGMENTS, "total")
    return order.index(seg) if seg in order else len(order)


def _row(
    prepared: Prepared,
    region: str,
    segment: str,
    year: int,
    published: float,
    projected: float,
    cause: str,
    central: float = math.nan,
    p5: float = math.nan,
    p95: float = math.nan,
) -> dict[str, object]:
    """One row of :data:`RECONCILE_COLUMNS` (values [GWh])."""
    diff = projected - published
    return {
        "scenario": prepared.scenario.name,
        "region": region,
        "segment": segment,
        "year": year,
        "unit": "GWh",
        "published": published,
        "projected": projected,
        "central": central,
        "p5": p5,
        "p95": p95,
        "difference": diff,
        "difference_pct": diff / published if published else math.nan,
        "main_cause": cause,
    }
