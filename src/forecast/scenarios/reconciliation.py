"""Each scenario beside the published outlooks in the data (kind ``outlook``): China's
production (total and each segment) and world EV battery demand, with the main cause of the
gap in words."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import data
from forecast.models import uncertainty
from forecast.models.trend import cagr
from forecast.scenarios.catalog import ScenarioLike, prepare_all
from forecast.scenarios.preparation import (
    EV_DEMAND,
    EV_SALES,
    OUTLOOK,
    PRODUCTION,
    Prepared,
    find_series,
)
from forecast.scenarios.projection import DEFAULT_SEED, evaluate, simulate
from forecast.scenarios.sampling import central_parameters
from forecast.scenarios.schema import SEGMENTS

__all__ = ["RECONCILE_COLUMNS", "reconcile"]

#: Columns of :func:`reconcile`, in order.
RECONCILE_COLUMNS: tuple[str, ...] = (
    "scenario", "region", "segment", "year", "unit", "published", "projected", "central",
    "p5", "p95", "difference", "difference_pct", "main_cause",
)

# Differences below this are read as "matches the outlook" [GWh].
_MATCH_GWH = 0.5
_ORDER = (*SEGMENTS, "total")


def reconcile(scenarios: Iterable[ScenarioLike], history: pd.DataFrame | None = None,
              n_draws: int = 10_000, seed: int = DEFAULT_SEED,
              scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """Each scenario's figures beside the published outlooks in the data.

    Arguments as for :func:`~forecast.scenarios.catalog.prepare_all`. The difference is taken
    from the Monte Carlo median: year-to-year variation gives the draws a long right tail that
    lifts their mean above any typical path (medians do not add up, so segment differences need
    not sum to the total's). The main cause is read from the central case (every assumption at
    its stated value, no variation), so it names the assumptions, not the luck of the draws.

    Returns
    -------
    DataFrame
        :data:`RECONCILE_COLUMNS` [GWh]: ``projected`` the median, ``central`` the central
        case, ``p5``/``p95`` percentiles of the draws, ``difference`` = projected - published
        [GWh] and ``difference_pct`` = difference / published [fraction]; ``main_cause`` for
        the total the segment contributing most (and a binding capacity cap), for a segment
        its implied growth rate against the outlook's, for EV demand whether sales or kWh per
        vehicle moves it more. A scenario without EV demand gets empty values and says so.
    """
    history = data.load_history() if history is None else history
    outlooks = {seg: find_series(history, PRODUCTION, "China", seg, OUTLOOK) for seg in _ORDER}
    rows = []
    for prepared in prepare_all(scenarios, history, None, scenario_dir):
        outcome = _Outcome(prepared, simulate(prepared, n_draws, seed))
        published = {(seg, int(y)): float(v) for seg, s in outlooks.items() if s is not None
                     for y, v in s.items() if int(y) in prepared.years}
        rows.extend(_production_rows(outcome, published))
        for year in sorted({y for (_, y) in published} or {int(prepared.years[-1])}):
            pub = _outlook(history, EV_DEMAND, year)
            if pub is not None:
                rows.append(_ev_demand_row(outcome, history, year, pub))
    return pd.DataFrame(rows, columns=list(RECONCILE_COLUMNS))


class _Outcome:
    """A scenario's Monte Carlo paths and its central case, read in single years."""

    def __init__(self, prepared: Prepared, paths: Mapping[tuple[str, str], np.ndarray]):
        self.prepared, self.paths = prepared, paths
        self.centre = evaluate(prepared, central_parameters(prepared))

    def _at(self, year: int) -> int:
        return int(np.searchsorted(self.prepared.years, year))

    def median(self, key: tuple[str, str], year: int) -> float:
        return float(np.median(self.paths[key][:, self._at(year)]))

    def central(self, key: tuple[str, str], year: int) -> float:
        """A series in ``year`` with every parameter at its central value."""
        return float(self.centre[key][0, self._at(year)])

    def band(self, key: tuple[str, str], year: int) -> dict[str, float]:
        """Central value and 5th/95th percentiles of a series in ``year``."""
        p5, p95 = uncertainty.central_interval(self.paths[key][:, self._at(year)], 0.9)
        return {"central": self.central(key, year), "p5": float(p5), "p95": float(p95)}

    def cap_cut(self, year: int) -> float:
        """What a binding capacity cap removes from China's central total [GWh], else 0."""
        uncapped = self.central(("China", "uncapped_total"), year)
        cut = uncapped - self.central(("China", "total"), year)
        return cut if cut > 1e-6 * max(uncapped, 1.0) else 0.0


def _production_rows(outcome: _Outcome, published: Mapping[tuple[str, int], float]
                     ) -> list[dict[str, object]]:
    """One row per published production outlook, ordered by year, then segment."""
    prepared, base = outcome.prepared, outcome.prepared.baseline
    diffs = {key: outcome.central(("China", key[0]), key[1]) - pub
             for key, pub in published.items()}
    rows = []
    for (seg, year), pub in sorted(published.items(),
                                   key=lambda kv: (kv[0][1], _ORDER.index(kv[0][0]))):
        if seg == "total":
            seg_diffs = {s: diffs[(s, year)] for s in SEGMENTS if (s, year) in diffs}
            cause = _total_cause(outcome, seg_diffs, diffs[(seg, year)], year)
        else:
            base_value, horizon = base.production[seg], year - base.year
            implied = cagr(base_value, pub + diffs[(seg, year)], horizon)
            cause = (f"{seg} grows {implied:.1%}/yr from {base_value:,.0f} GWh in {base.year} "
                     f"in the central case vs {cagr(base_value, pub, horizon):.1%}/yr "
                     f"in the outlook ({_segment_words(prepared, seg)})")
            if outcome.cap_cut(year):
                cause += "; scaled down by the capacity cap"
        rows.append(_row(prepared, "China", seg, year, pub, outcome.median(("China", seg), year),
                         cause, **outcome.band(("China", seg), year)))
    return rows


def _ev_demand_row(outcome: _Outcome, history: pd.DataFrame, year: int, pub: float
                   ) -> dict[str, object]:
    """World EV battery demand beside its outlook ``pub`` [GWh] in ``year``."""
    key = ("World", "ev_demand")
    if key not in outcome.paths:
        cause = "not modelled: this scenario projects production top-down, without EV demand"
        return _row(outcome.prepared, *key, year, pub, math.nan, cause)
    proj, band = outcome.median(key, year), outcome.band(key, year)
    sales = outcome.median(("World", "ev_sales"), year)
    kwh = outcome.median(("World", "kwh_per_vehicle"), year)
    pub_sales = _outlook(history, EV_SALES, year)
    if pub_sales is None:
        cause = f"{sales:.1f} M EVs x {kwh:.1f} kWh/vehicle"
        return _row(outcome.prepared, *key, year, pub, proj, cause, **band)
    pub_kwh = pub / pub_sales
    sales_moves = abs(math.log(sales / pub_sales)) >= abs(math.log(kwh / pub_kwh))
    if abs(proj - pub) >= _MATCH_GWH and abs(band["central"] - pub) < _MATCH_GWH:
        # The stated assumptions reproduce the outlook; only their spread moves the median.
        c_sales = outcome.central(("World", "ev_sales"), year)
        c_kwh = outcome.central(("World", "kwh_per_vehicle"), year)
        cause = (f"the central case matches the outlook ({c_sales:.1f} M EVs x {c_kwh:.1f} "
                 f"kWh/vehicle); the median differs because the "
                 f"{'EV sales' if sales_moves else 'kWh per vehicle'} distribution is skewed "
                 f"(median {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle)")
    elif abs(proj - pub) < _MATCH_GWH:
        cause = (f"matches the outlook: {sales:.1f} M EVs x {kwh:.1f} kWh/vehicle "
                 f"(outlook {pub_sales:.1f} M x {pub_kwh:.1f})")
    elif sales_moves:
        cause = (f"EV sales: {sales:.1f} M vs {pub_sales:.1f} M in the outlook "
                 f"(kWh/vehicle {kwh:.1f} vs {pub_kwh:.1f})")
    else:
        cause = (f"kWh per vehicle: {kwh:.1f} vs {pub_kwh:.1f} in the outlook "
                 f"(EV sales {sales:.1f} M vs {pub_sales:.1f} M)")
    return _row(outcome.prepared, *key, year, pub, proj, cause, **band)


def _total_cause(outcome: _Outcome, seg_diffs: Mapping[str, float], total_diff: float,
                 year: int) -> str:
    """The segments (and binding capacity cap) behind the total's central difference; a
    share of it only when every segment moves the total's way (else it could exceed 100%)."""
    if not seg_diffs:
        return "no segment outlooks in the data to attribute the difference"
    seg = max(seg_diffs, key=lambda s: (abs(seg_diffs[s]), -_ORDER.index(s)))
    d = seg_diffs[seg]
    if abs(total_diff) > 1e-9 and all(v * total_diff >= 0 or abs(v) < _MATCH_GWH
                                      for v in seg_diffs.values()):
        words = (f"{seg} contributes most in the central case: {d:+,.0f} GWh, "
                 f"{d / total_diff:.0%} of its {total_diff:+,.0f} GWh difference")
    else:
        parts = ", ".join(f"{s} {v:+,.0f}" for s, v in seg_diffs.items())
        words = (f"segments pull both ways in the central case ({parts} GWh, net "
                 f"{total_diff:+,.0f} GWh); {seg} moves most")
    words += f" ({_segment_words(outcome.prepared, seg)})"
    cut = outcome.cap_cut(year)
    if cut:
        cap_words = f"the capacity cap removes {cut:,.0f} GWh in the central case"
        # When the cap accounts for most of the gap it is the cause; segments only share it.
        if cut >= 0.5 * abs(total_diff):
            return (f"{cap_words}, whose difference from the outlook is {total_diff:+,.0f} GWh; "
                    f"{words}")
        words += f"; {cap_words}"
    return words


def _outlook(history: pd.DataFrame, series: str, year: int) -> float | None:
    """The world's published outlook of ``series`` in ``year``, if the data has one."""
    s = find_series(history, series, "World", "total", OUTLOOK)
    return float(s.loc[year]) if s is not None and year in s.index else None


def _segment_words(prepared: Prepared, seg: str) -> str:
    """A segment's growth model and central parameters in words."""
    spec = prepared.scenario.segments[seg]
    c = {k.rsplit(".", 1)[-1]: v for k, v in prepared.central.items()
         if k.startswith(f"segments.{seg}.")}
    if spec.model == "compound":
        return f"compound growth {c['cagr']:.1%}/yr"
    if spec.model == "damped":
        return f"damped growth from {c['cagr']:.1%}/yr, damping {c['damping']:g}"
    if spec.model == "logistic":
        return f"logistic towards {c['saturation']:,.0f} GWh"
    return (f"EV demand: {c['sales_target']:.1f} M EVs x {c['kwh_target']:.1f} kWh "
            f"in {spec.anchor_year}")


def _row(prepared: Prepared, region: str, segment: str, year: int, published: float,
         projected: float, cause: str, central: float = math.nan, p5: float = math.nan,
         p95: float = math.nan) -> dict[str, object]:
    """One row of :data:`RECONCILE_COLUMNS` (values [GWh])."""
    diff = projected - published
    return {"scenario": prepared.scenario.name, "region": region, "segment": segment,
            "year": year, "unit": "GWh", "published": published, "projected": projected,
            "central": central, "p5": p5, "p95": p95, "difference": diff,
            "difference_pct": diff / published if published else math.nan, "main_cause": cause}
