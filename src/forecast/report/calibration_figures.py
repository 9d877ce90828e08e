"""Figures and sentences of the calibration notebook (05), from the numbers of
:mod:`forecast.evaluation.calibration` and :mod:`forecast.data.reference`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from forecast.evaluation.calibration import BENCHMARK, CELL_COVERAGE80, CELL_MEDIAN, DEFAULT
from forecast.report import figures, labels
from forecast.report.formatting import gwh, percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

    from forecast.data.reference import ReferenceWindows

__all__ = ["coverage_caption", "coverage_chart", "halves_sentence", "large_share_sentence",
           "method_colors", "missed_cells_sentence", "pit_caption", "pit_histogram",
           "reference_caption", "reference_paths", "tail_caption"]

# Coverage the default method is calibrated to meet, by band: (nominal, lowest, highest) share.
_TARGETS = {"coverage80": (0.80, 0.75, 0.85), "coverage90": (0.90, 0.86, 0.94)}
# Colour of each reference technology: free of the default's orange-red and China's black.
_TECHNOLOGY_COLORS = {"ev_car_sales": "#029e73", "solar_electricity": "#de8f05",
                      "wind_electricity": "#0173b2"}


def method_colors(methods: Sequence[str]) -> dict[str, str]:
    """A colour per method; the default method is always the house's China orange."""
    others = figures.scenario_colors([m for m in methods if m != DEFAULT])
    return {m: figures.COLORS["China"] if m == DEFAULT else others[m] for m in methods}


def reference_paths(ax: Axes, windows: ReferenceWindows, highlight: pd.Series,
                    highlight_label: str) -> None:
    """Each window's log growth path since its first year (the window the methods see, then
    the actuals they are scored on), coloured by technology, ``highlight`` (by year) on top."""
    values = np.concatenate([windows.values, windows.actual], axis=1)
    paths = np.log(values / windows.values[:, :1])
    steps = np.arange(paths.shape[1])
    tech = windows.technology
    extra = figures.scenario_colors(sorted(set(tech) - set(_TECHNOLOGY_COLORS)))
    colors = {**_TECHNOLOGY_COLORS, **extra}
    for name in sorted(set(tech)):
        rows = paths[tech == name]
        # One Line2D per technology (NaN-separated), so thousands of windows draw quickly.
        xs = np.tile(np.append(steps, np.nan), len(rows))
        ys = np.column_stack([rows, np.full(len(rows), np.nan)]).ravel()
        ax.plot(xs, ys, color=colors[name], alpha=0.12, linewidth=0.7)
        ax.plot([], [], color=colors[name], label=f"{labels.in_words(name)} ({len(rows):,})")
    ax.axvspan(0, windows.window - 1, color="#949494", alpha=0.12, label="window fitted")
    years = highlight.index.to_numpy(float)
    ax.plot(years - years[0], np.log(highlight.to_numpy(float) / highlight.iloc[0]),
            color="black", marker="o", linewidth=2.2, label=highlight_label)


def reference_caption(windows: ReferenceWindows, highlight: pd.Series) -> str:
    """What the reference-class figure shows, with its counts and median growths."""
    tech = windows.technology
    step = np.diff(np.log(windows.values), axis=1).mean(axis=1)
    after = np.log(windows.actual[:, -1] / windows.values[:, -1]) / windows.horizons
    seen = np.isfinite(after)
    text = (
        f"{len(windows):,} windows of {windows.window} years from "
        f"{np.unique(windows.series).size} series ({', '.join(sorted(set(tech)))}), each "
        f"growing at least {percent(windows.min_growth, 0)}/yr. Inside the window their median "
        f"growth is {percent(np.expm1(np.median(step)))}/yr; over the {windows.horizons} years "
        f"after it (the {int(seen.sum()):,} windows followed that far), "
        f"{percent(np.expm1(np.median(after[seen])))}/yr: fast ramp-ups slow down, and the "
        "fan of paths widens with every year."
    )
    if len(highlight) > 1:
        v = highlight.to_numpy(float)
        g = np.expm1(np.log(v[-1] / v[0]) / (len(v) - 1))
        share = float(np.mean(step >= np.log1p(g)))
        text += (f" The black line is China's production: {percent(g)}/yr, faster than "
                 f"{percent(1 - share)} of the windows.")
    return text


def coverage_chart(axes: Sequence[Axes], summary: pd.DataFrame, methods: Sequence[str]) -> None:
    """Coverage by horizon per method on two axes (80% and 90% bands), target ranges shaded."""
    colors = method_colors(methods)
    for ax, (column, (nominal, low, high)) in zip(axes, _TARGETS.items(), strict=True):
        ax.axhspan(low, high, color="#949494", alpha=0.25, label="target range")
        ax.axhline(nominal, color="black", linewidth=1, linestyle="--")
        for method in methods:
            rows = summary[summary["method"] == method]
            ax.plot(rows["horizon"], rows[column], marker="o", color=colors[method],
                    linewidth=2.6 if method == DEFAULT else 1.3,
                    label=labels.model_label(method))
        ax.set_ylim(0, 1)
        figures.percent_axis(ax)
        ax.set_xticks(sorted(summary["horizon"].unique()))


def coverage_caption(summary: pd.DataFrame) -> str:
    """Sentences on coverage: the default's against the targets, the benchmark's, the curves'."""
    first, last = summary["horizon"].min(), summary["horizon"].max()
    mine = summary[summary["method"] == DEFAULT]
    parts = []
    for column, (nominal, low, high) in _TARGETS.items():
        lo, hi = mine[column].min(), mine[column].max()
        met = "within" if low <= lo and hi <= high else "outside"
        parts.append(f"{percent(nominal, 0)} band held the outcome in {percent(lo)}-"
                     f"{percent(hi)} of windows ({met} the target {percent(low, 0)}-"
                     f"{percent(high, 0)})")
    text = (f"Leave one series out, at every horizon {first}-{last} years ahead the default "
            f"method's {' and its '.join(parts)}.")
    bench = summary[summary["method"] == BENCHMARK]
    if len(bench):
        text += (f" Its benchmark, calibrated the same way, covers about as well "
                 f"({percent(bench['coverage80'].min())}-{percent(bench['coverage80'].max())} "
                 "in its 80% band) with wider bands (see the interval score).")
    others = summary[~summary["method"].isin([DEFAULT, BENCHMARK])].pivot(
        index="method", columns="horizon", values="coverage80")
    if len(others):
        drop = others[last].sort_values()
        text += (
            f" The curve models' 80% bands hold {percent(others[first].min())}-"
            f"{percent(others[first].max())} of outcomes one year ahead and "
            f"{percent(drop.iloc[0])} ({drop.index[0]}) to {percent(drop.iloc[-1])} "
            f"({drop.index[-1]}) {last} years ahead: bands that do not widen enough with the "
            "horizon around central paths that keep the window's growth miss the outcomes."
        )
    return text


def pit_histogram(ax: Axes, forecasts: pd.DataFrame, method: str = "default",
                  bins: int = 10) -> None:
    """Histogram of a method's PIT values (share of outcomes per tenth), flat when calibrated."""
    pit = forecasts.loc[forecasts["method"] == method, "pit"].to_numpy(float)
    pit = pit[np.isfinite(pit)]
    weights = np.full(pit.size, 1.0 / max(pit.size, 1))
    ax.hist(pit, bins=np.linspace(0, 1, bins + 1), weights=weights,
            color=method_colors([method])[method], alpha=0.8, edgecolor="white",
            label=f"{labels.model_label(method)} ({pit.size:,} forecasts, horizons pooled)")
    ax.axhline(1.0 / bins, color="black", linewidth=1, linestyle="--",
               label=f"perfect calibration ({percent(1 / bins, 0)} per bin)")
    figures.percent_axis(ax)


def pit_caption(forecasts: pd.DataFrame, method: str = "default", bins: int = 10) -> str:
    """The PIT histogram's range of bin shares, overall and by horizon."""
    rows = forecasts[(forecasts["method"] == method) & forecasts["pit"].notna()]
    edges = np.linspace(0, 1, bins + 1)

    def shares(pit: np.ndarray) -> np.ndarray:
        return np.histogram(pit, bins=edges)[0] / max(pit.size, 1)

    overall = shares(rows["pit"].to_numpy(float))
    by_h = np.array([shares(g["pit"].to_numpy(float)) for _, g in rows.groupby("horizon")])
    return (
        f"The PIT is where each outcome fell within its forecast distribution. Each tenth "
        f"holds {percent(overall.min())}-{percent(overall.max())} of the "
        f"{len(rows):,} outcomes ({percent(1 / bins, 0)} each if the forecasts are calibrated), "
        f"and {percent(by_h.min())}-{percent(by_h.max())} at any single horizon: no "
        "U shape (bands too narrow), no hump (too wide) and no slope (a biased centre)."
    )


def tail_caption(frame: pd.DataFrame, year: int, model: str = "default") -> str:
    """The default method's median and bands in ``year``, its upper tail's skew, and the range
    of the other models' medians (``frame``: their forecast frames)."""
    row = frame[(frame["model"] == model) & (frame["year"] == year)].iloc[0]
    others = frame[(frame["model"] != model) & (frame["year"] == year)].set_index("model")["p50"]
    tail = ""
    if len(others):
        tail = (f" The curve models' medians run from {gwh(others.min())} GWh "
                f"({others.idxmin()}) to {gwh(others.max())} GWh ({others.idxmax()}).")
    return (
        f"In {year} the default method's median is {gwh(row['p50'])} GWh, its 80% band "
        f"{gwh(row['p10'])}-{gwh(row['p90'])} GWh and its 90% band "
        f"{gwh(row['p5'])}-{gwh(row['p95'])} GWh: the p95 is "
        f"{row['p95'] / row['p50']:.1f} times the median, the p5 {row['p50'] / row['p5']:.1f} "
        "times below it." + tail
    )


def missed_cells_sentence(cells: int, missed: pd.DataFrame) -> str:
    """One sentence on the conditional cells that missed their targets (``missed``: their rows
    with the ranges of :func:`forecast.evaluation.calibration.cell_ranges`) of ``cells``;
    empty when none did."""
    if missed.empty:
        return ""
    reach = int((missed["median_low"].le(CELL_MEDIAN)
                 & missed["median_high"].ge(-CELL_MEDIAN)
                 & missed["coverage80_low"].le(CELL_COVERAGE80[1])
                 & missed["coverage80_high"].ge(CELL_COVERAGE80[0])).sum())
    n = len(missed)
    text = f"Of the {cells} cells of the conditional table, {n} missed the targets (listed above); "
    if n == 1:
        return text + ("over resampled series it reaches both somewhere in its range, so the miss "
                       "cannot be told from the luck of which series the reference class holds. "
                       if reach else "it misses whatever series are drawn: a fault of the "
                       "method. ")
    return text + (f"over resampled series, {reach} of them reach both somewhere in their "
                   "ranges, so " + ("the misses cannot be told from the luck of which series "
                                    "the reference class holds. " if reach == n else
                                    f"{n - reach} miss whatever series are drawn: a fault of "
                                    "the method. "))


def halves_sentence(loso_met: int, halves: pd.DataFrame, met: pd.Series, most: int = 3) -> str:
    """Cells met leaving one series out (``loso_met``) beside those met on held-out places
    (``halves`` from :func:`forecast.evaluation.calibration.place_halves`, ``met`` its rows'
    :func:`~forecast.evaluation.calibration.cells_met`): the 80% band's coverage of all
    held-out outcomes by horizon group, and the ``most`` cells whose median log error, median
    over the splits, lies furthest beyond :data:`~forecast.evaluation.calibration.CELL_MEDIAN`."""
    per_split = met.groupby(halves["split"]).sum()
    cells = int(halves.groupby("split").size().iloc[0])
    whole = halves[~halves["cell"].str.contains(":")]  # a technology's cell: all its windows
    held = (whole["coverage80"] * whole["n"]).groupby(whole["horizon_group"]).sum() \
        / whole["n"].groupby(whole["horizon_group"]).sum()
    coverage = ", ".join(f"{percent(v)} at {g.removeprefix('h')} years ahead"
                         for g, v in held.items())
    low, high = _TARGETS["coverage80"][1:]
    verdict = ("the band holds on new places" if held.between(low, high).all() else
               f"on new places the band misses the {low:.0%}-{high:.0%} aimed at")
    error = halves.groupby(["cell", "horizon_group"], sort=False)["median_log_error"].median()
    off = error[error.abs() > CELL_MEDIAN]
    text = (
        f"Leaving one series out, {loso_met} of {cells} cells meet both targets; calibrated on "
        f"half the places and scored on the other half, a median {per_split.median():g} do "
        f"({int(per_split.min())} to {int(per_split.max())} over {len(per_split)} splits). "
        f"Over all held-out outcomes the 80% band held {coverage}: {verdict}. "
    )
    if off.empty:
        return text + (f"Within cells, the median log error over the splits stays within "
                       f"±{CELL_MEDIAN:.2f} everywhere.")
    worst = off.reindex(off.abs().sort_values(ascending=False).index)[:most]
    listed = "; ".join(f"{labels.in_words(cell)} at {group.removeprefix('h')} years ahead "
                       f"{value:+.2f} ({'too low' if value > 0 else 'too high'})"
                       for (cell, group), value in worst.items())
    return text + (
        f"Within cells it errs more: over the splits, the median log error of {len(off)} of "
        f"the {cells} cells lies beyond ±{CELL_MEDIAN:.2f}, most of all {listed}. On a place "
        "the reference class does not hold, one technology and size may be forecast too high "
        "or too low by that much."
    )


def large_share_sentence(table: pd.DataFrame, min_share: float = 0.15) -> str:
    """One sentence on :func:`forecast.evaluation.calibration.large_share_table`'s table;
    empty when it has no rows."""
    if table.empty:
        return ""
    parts = "; ".join(
        f"{r.median_log_error:+.2f} at {r.horizon_group.removeprefix('h')} years ahead (the "
        f"80% band held {percent(r.coverage80)} of {r.n} outcomes)" for r in table.itertuples())
    last = float(table["median_log_error"].iloc[-1])
    centre = ("it forecast them too low" if last > CELL_MEDIAN else
              "it forecast them too high at the longest horizons" if last < -CELL_MEDIAN else
              f"its median was within ±{CELL_MEDIAN:.2f} of the outcomes at the longest "
              "horizons")
    high = _TARGETS["coverage80"][2]
    width = (f"its 80% band held more than {high:.0%} of them at some horizons, so it may be too "
             "wide at China's scale" if table["coverage80"].max() > high else
             f"its 80% band never held more than {high:.0%} of them, so the class gives no "
             "evidence for a narrower band at China's scale")
    return (
        f"On the reference series closest to China's case, those holding at least "
        f"{min_share:.0%} of their world market at the origin (up to "
        f"{int(table['series'].max())} series), the method's median log error was {parts}: "
        f"{centre}, and {width}."
    )
