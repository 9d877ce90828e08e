"""The sentences under each figure, computed from the numbers drawn (one function per figure
type) so the text cannot drift from the figure; Markdown, numbers as
:mod:`forecast.report.formatting` writes them. ``what`` names what a figure shows (e.g.
``"China's production"``); values are in GWh unless ``unit`` is ``"fraction"`` (a share,
written as percentages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from forecast.models.trend import cagr
from forecast.report.figures import band_name
from forecast.report.formatting import gwh, gwh_band, percent, percent_band, signed_percent
from forecast.report.labels import parameter_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["band_caption", "composition_caption", "growth_caption", "interval_caption",
           "mix_caption", "ranking_caption", "reconciliation_sentences",
           "scenario_lines_caption", "tornado_caption"]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _points(change: float, sign: bool = True) -> str:
    """A change of share [fraction] in percentage points: ``"+1.2 percentage points"``."""
    return f"{'+' if sign and change > 0 else ''}{100 * change:.1f} percentage points"


def growth_caption(series: pd.Series, *, what: str, unit: str = "GWh") -> str:
    """History of ``series`` (by year [``unit``]): where it started and ended, how fast it grew."""
    first, last = int(series.index[0]), int(series.index[-1])
    a, b = float(series.iloc[0]), float(series.iloc[-1])
    if unit == "fraction":
        direction = "rose" if b > a else "fell" if b < a else "stayed"
        return (f"{what} {direction} from {percent(a)} in {first} to {percent(b)} in {last} "
                f"({_points(b - a)}).")
    return (f"{what} went from {gwh(a)} {unit} in {first} to {gwh(b)} {unit} in {last}, "
            f"{signed_percent(cagr(a, b, last - first))} a year compounded.")


def band_caption(fan: pd.DataFrame, *, what: str, start: tuple[int, float] | None = None,
                 unit: str = "GWh") -> str:
    """A fan chart (``fan``: ``year, p10, p50, p90`` [``unit``]): the last year's median and
    80% band, the growth to it from ``start`` (last observed ``(year, value)``), and the
    band's width."""
    last = fan.sort_values("year").iloc[-1]
    year = int(last["year"])
    p10, p50, p90 = float(last["p10"]), float(last["p50"]), float(last["p90"])
    if unit == "fraction":
        text = f"{what} reaches a median of {percent_band(p50, p10, p90)} in {year}"
        if start is not None:
            text += f", from {percent(start[1])} in {start[0]}"
        if p90 - p10 < 5e-4:
            return text + "; the path has no uncertainty."
        return text + (f". The 80% band is {_points(p90 - p10, sign=False)} wide, "
                       "conditional on the trend continuing.")
    text = f"{what} reaches a median of {gwh_band(p50, p10, p90, ' ' + unit)} in {year}"
    if start is not None and start[0] < year:
        text += (f", {signed_percent(cagr(start[1], p50, year - start[0]))} a year from "
                 f"{gwh(start[1])} {unit} in {start[0]}")
    if gwh(p10) == gwh(p90):
        return text + "; the path has no uncertainty (every assumption is fixed)."
    width = (p90 - p10) / p50 if p50 else float("nan")
    return text + (f". The 80% band spans {percent(width, 0)} of the median, so read the "
                   "median as the centre of a range, not as a forecast.")


def scenario_lines_caption(final: Mapping[str, float], *, what: str, year: int,
                           reference: tuple[str, float] | None = None, unit: str = "GWh") -> str:
    """Scenarios' medians in ``year`` (``final``, by name [``unit``]): their range, and where a
    named ``reference`` value (e.g. the published outlook) falls."""
    if not final:
        return ""
    low = min(final, key=final.__getitem__)
    high = max(final, key=final.__getitem__)
    text = (f"{what} in {year}: medians run from {gwh(final[low])} {unit} ({low}) to "
            f"{gwh(final[high])} {unit} ({high})")
    if final[low] > 0:
        text += f", a factor of {final[high] / final[low]:.1f}"
    text += "."
    if reference is not None:
        name, value = reference
        above = sorted(n for n, v in final.items() if v > value)
        text += (f" {len(above)} of {len(final)} scenario medians lie above the {name} "
                 f"({gwh(value)} {unit})" + (f": {', '.join(above)}." if above else "."))
    return text + (" The spread between scenarios is the better guide to uncertainty than any "
                   "one band.")


def interval_caption(frame: pd.DataFrame, *, label: str, what: str, year: int,
                     low: str = "p10", high: str = "p90",
                     reference: tuple[str, float] | None = None,
                     names: Callable[[str], str] = str) -> str:
    """Point-and-interval rows (``frame``: the ``label`` column naming them, ``p50``, ``low``
    and ``high`` [GWh]): the extremes, and which bands hold the named ``reference`` value."""
    rows = frame.dropna(subset=["p50"])
    medians = {names(str(r[label])): float(r["p50"]) for _, r in rows.iterrows()}
    text = scenario_lines_caption(medians, what=what, year=year).rsplit(" The spread", 1)[0]
    if reference is not None:
        name, value = reference
        inside = [names(str(r[label])) for _, r in rows.iterrows()
                  if float(r[low]) <= value <= float(r[high])]
        text += (f" The {name} ({gwh(value)} GWh) lies inside the {band_name(low, high)} of "
                 f"{len(inside)} of the {len(rows)}"
                 + (f": {', '.join(inside)}." if inside else "."))
    return text


def mix_caption(mix: pd.DataFrame, *, what: str) -> str:
    """Stacked parts by year (``mix``: index years, columns parts, values >= 0): each part's
    share in the last year, and which gained most."""
    shares = mix.div(mix.sum(axis=1), axis=0)
    first, last = shares.index[0], shares.index[-1]
    change = shares.loc[last] - shares.loc[first]
    gainer = str(change.idxmax())
    parts = ", ".join(f"{c} {percent(float(shares.loc[last, c]))}" for c in shares.columns)
    return (f"{what} in {int(last)}: {parts}. {_capital(gainer)} gains most, from "
            f"{percent(float(shares.loc[first, gainer]))} in {int(first)} "
            f"({_points(float(change[gainer]))}).")


def composition_caption(wide: pd.DataFrame, *, what: str) -> str:
    """Stacked bars (``wide``: index scenarios, columns parts [GWh]): each part's share across
    the bars, and which part differs most between them."""
    shares = wide.div(wide.sum(axis=1), axis=0)
    spread = shares.max() - shares.min()
    parts = "; ".join(f"{c} {percent_band(*(float(v) for v in shares[c].agg(stats)))}"
                      for c in shares.columns for stats in [["median", "min", "max"]])
    widest = str(spread.idxmax())
    return (f"Share of {what} by part, median across the {len(shares)} bars (lowest to highest): "
            f"{parts}. {_capital(widest)} differs most between them "
            f"({_points(float(spread[widest]), sign=False)}), so the scenarios disagree "
            f"most about {widest}.")


def ranking_caption(values: Mapping[str, float], *, what: str,
                    benchmarks: Sequence[str] = ()) -> str:
    """Bars ranking items by ``values`` (the ``what`` of each [fraction], lower is better): the
    lowest item, and the best of the ``benchmarks`` beside it."""
    candidates = {k: v for k, v in values.items() if k not in benchmarks}
    marks = {k: v for k, v in values.items() if k in benchmarks}
    if not candidates:
        return ""
    top = min(candidates, key=candidates.__getitem__)
    text = f"The lowest {what} is {top}'s, {percent(candidates[top])}"
    if marks:
        bench = min(marks, key=marks.__getitem__)
        text += (f"; the best benchmark ({bench}) scores {percent(marks[bench])}, so the best "
                 f"model {'beats' if candidates[top] < marks[bench] else 'does not beat'} a "
                 "naive rule on this history")
    return text + "."


def tornado_caption(sens: pd.DataFrame, *, year: int, base: float,
                    tolerance: float = 0.5) -> str:
    """A tornado of :func:`forecast.scenarios.sensitivity`'s table [GWh]: the assumption that
    moves the ``year``'s result most from ``base`` [GWh], and those whose swing is below
    ``tolerance`` [GWh]."""
    top = sens.iloc[0]
    inert = [parameter_label(p) for p in sens.loc[sens["swing"] < tolerance, "parameter"]]
    text = (f"{parameter_label(top['parameter'])} moves China's {year} production most: from "
            f"{gwh(top['total_at_low'])} to {gwh(top['total_at_high'])} GWh around "
            f"{gwh(base)} GWh with every assumption central")
    if len(sens) > 1 and sens.iloc[1]["swing"] >= tolerance:
        second = sens.iloc[1]
        text += (f", then {parameter_label(second['parameter'])} "
                 f"({gwh(second['swing'])} GWh of swing)")
    text += "."
    if inert:
        one = len(inert) == 1
        text += (f" {', '.join(inert)} leave{'s' if one else ''} China's total unchanged "
                 f"({'it moves' if one else 'they move'} only the world figures).")
    return text


def _signed_gwh(value: float) -> str:
    text = gwh(value)
    return text if text.startswith("-") or text == "0" else "+" + text


def reconciliation_sentences(recon: pd.DataFrame) -> list[str]:
    """One Markdown paragraph per scenario of :func:`forecast.scenarios.reconcile`'s table:
    medians of parts do not add up to the median of the whole, and it says by how much."""
    out = []
    for name, rows in recon.groupby("scenario", sort=False):
        china = rows[rows["region"] == "China"]
        for year, group in china.groupby("year", sort=True):
            total = group[group["segment"] == "total"]
            if total.empty:
                continue
            row = total.iloc[0]
            diff = float(row["difference"])
            if gwh(diff) == "0":
                where = f"matches the published outlook of {gwh(row['published'])} GWh"
            else:
                where = (f"{gwh(abs(diff))} GWh ({percent(abs(row['difference_pct']))}) "
                         f"{'below' if diff < 0 else 'above'} the published outlook of "
                         f"{gwh(row['published'])} GWh")
            text = (f"**{name}**: China's median {int(year)} production is "
                    f"{gwh(row['projected'])} GWh, {where}.")
            parts = group[group["segment"] != "total"]
            if len(parts):
                listed = [f"{_signed_gwh(d)} ({seg})" for seg, d in
                          zip(parts["segment"], parts["difference"], strict=True)]
                listed[-1] = listed[-1].replace(" (", " GWh (", 1)
                total_parts = float(parts["difference"].sum())
                joined = " and ".join(filter(None, [", ".join(listed[:-1]), listed[-1]]))
                text += f" The segments' medians differ from their outlooks by {joined}"
                if gwh(total_parts) == gwh(diff):
                    text += ", which add up to the total's difference."
                else:
                    text += (f"; these sum to {_signed_gwh(total_parts)} GWh, not "
                             f"{_signed_gwh(diff)} GWh, because medians of parts do not add "
                             "up to the median of the total.")
            text += f" Main cause: {row['main_cause']}."
            out.append(text)
        ev = rows[(rows["segment"] == "ev_demand") & rows["projected"].notna()]
        for _, row in ev.iterrows():
            out.append(f"**{name}**: world EV battery demand in {int(row['year'])} has a median "
                       f"of {gwh(row['projected'])} GWh against the outlook's "
                       f"{gwh(row['published'])} GWh ({signed_percent(row['difference_pct'])}); "
                       f"{row['main_cause']}.")
    return out
