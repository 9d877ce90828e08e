"""The project's seaborn house style and the figure types the notebooks use, each finished by
:func:`finish`, in colours fixed by name (:data:`COLORS`, :data:`SCENARIO_COLORS`)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns

from forecast.report.formatting import gwh, value_label
from forecast.report.tables import write_file

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["COLORS", "FAN_BANDS", "HOUSE_RC", "SCENARIO_COLORS", "band_name", "color_for",
           "fan_chart", "figure_legend", "finish", "gwh_axis", "history_lines",
           "interval_chart", "intervals", "new_figure", "panel_grid", "percent_axis",
           "row_labels", "save_figure", "scenario_colors", "set_house_style", "show",
           "stacked_bars", "tornado"]

#: Fixed colours by entity name (from seaborn's colour-blind-safe "colorblind" palette).
COLORS: dict[str, str] = {
    "China": "#d55e00", "World": "#0173b2", "Rest of world": "#949494", "power": "#0173b2",
    "storage": "#029e73", "consumer": "#de8f05", "total": "#333333", "lfp": "#029e73",
    "ternary": "#cc78bc", "reported": "#000000", "derived": "#949494", "outlook": "#ca9161",
}

#: One colour per known scenario, the same in every figure; no two share a colour.
SCENARIO_COLORS: dict[str, str] = {
    "base": "#0173b2", "high": "#d55e00", "low": "#56b4e9", "published": "#de8f05",
    "demand_led": "#029e73", "regionalisation": "#cc78bc", "capacity_limited": "#ca9161",
}

#: Matplotlib settings of the house style, on top of seaborn's "whitegrid" theme.
HOUSE_RC: dict[str, Any] = {
    "figure.figsize": (8.0, 4.5), "figure.dpi": 100, "savefig.dpi": 150,
    "savefig.bbox": "tight", "axes.titlesize": 13, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 11, "axes.spines.top": False,
    "axes.spines.right": False, "legend.frameon": False, "legend.fontsize": 9, "font.size": 10,
    # Fixed hash salt and no date metadata: the same figure gives the same bytes.
    "svg.hashsalt": "forecast", "pdf.compression": 6,
}

#: Shading of the central intervals in fan charts: (lower, upper, alpha).
FAN_BANDS: tuple[tuple[str, str, float], ...] = (("p5", "p95", 0.15), ("p10", "p90", 0.30))


def set_house_style() -> None:
    """Apply the house style (seaborn whitegrid + :data:`HOUSE_RC`) to matplotlib globally."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind", rc=HOUSE_RC)


def color_for(name: str) -> str:
    """Colour of a region, segment or chemistry (case-insensitive), else grey."""
    return {k.lower(): v for k, v in COLORS.items()}.get(str(name).lower(), "#555555")


def scenario_colors(names: Sequence[str]) -> dict[str, str]:
    """``{name: hex colour}``: :data:`SCENARIO_COLORS` for known names; other names take, in
    alphabetical order, the palette's colours no known scenario uses, then the others."""
    out = {n: SCENARIO_COLORS[n] for n in names if n in SCENARIO_COLORS}
    palette = sns.color_palette("colorblind").as_hex()
    free = sorted((c for c in palette if c not in out.values()),
                  key=lambda c: c in SCENARIO_COLORS.values()) or palette
    for i, name in enumerate(sorted(n for n in set(names) if n not in out)):
        out[name] = free[i % len(free)]
    return {n: out[n] for n in names}


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 8.0, height: float = 4.5,
               **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes, ``width`` x ``height`` [inch], in the house style; ``kwargs`` go
    to :func:`matplotlib.pyplot.subplots`."""
    set_house_style()
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def panel_grid(n: int, *, panel_width: float = 4.0, panel_height: float = 3.4,
               ncols: int | None = None, **kwargs: Any) -> tuple[Figure, list[Axes]]:
    """A figure and its ``n`` panels of ``panel_width`` x ``panel_height`` [inch] in rows of
    ``ncols`` (default three or four, whichever leaves fewer places empty); empty places are
    hidden, and :func:`figure_legend` puts the legend in the first of them."""
    if ncols is None:
        ncols = n if n <= 3 else min((3, 4), key=lambda c: (-(-n // c) * c - n, c))
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols, width=panel_width * ncols,
                           height=panel_height * nrows, squeeze=False, **kwargs)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    fig._forecast_spare_axes = flat[n:]  # type: ignore[attr-defined]
    return fig, flat[:n]


def finish(ax: Axes, *, title: str, xlabel: str, ylabel: str, source: str,
           legend: bool | str | None = None) -> Figure:
    """Title, axis labels, source note and legend: the last call for every figure (for
    several axes call it on each; the note is written once). An x label starting with "Year"
    gives integer year ticks.

    Parameters
    ----------
    title, xlabel, ylabel : str
        What the figure shows, and axis labels, at least one with the unit in brackets.
    source : str
        Where the numbers come from, shown under the figure as "Source: ...".
    legend : bool or "outside", optional
        Draw a legend right of the axes (default: when any artist has a label).

    Raises
    ------
    ValueError
        Empty title or source, or no unit in either axis label.
    """
    if not str(title).strip():
        raise ValueError("every figure needs a title")
    if not str(source).strip():
        raise ValueError("every figure needs a source note")
    if not any(re.search(r"\[[^\]]+\]", str(text)) for text in (xlabel, ylabel)):
        raise ValueError(f"axis labels {xlabel!r} / {ylabel!r} name no unit; write it in "
                         "brackets, e.g. 'Production [GWh]'")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if str(xlabel).lower().startswith("year"):
        lo, hi = ax.get_xlim()
        width_in = ax.get_position().width * ax.figure.get_figwidth()
        # Every year while its label has room (~0.55 in); small multiples thin out.
        ax.xaxis.set_major_locator(mticker.MultipleLocator(1) if width_in / max(hi - lo, 1.0)
                                   >= 0.55 else mticker.MaxNLocator(nbins="auto", integer=True))
        ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%d"))
    if (legend or legend is None) and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig = ax.figure
    note = f"Source: {source.strip()}"
    existing = getattr(fig, "_forecast_source_note", None)
    if existing is None:
        # Just below the figure; the tight bounding box grows to include it.
        fig._forecast_source_note = fig.text(  # type: ignore[attr-defined]
            0.01, -0.01, note, ha="left", va="top", fontsize=8, color="0.35", wrap=True)
    elif note not in existing.get_text():
        existing.set_text(existing.get_text() + "\n" + note)
    fig.tight_layout()
    return fig


def gwh_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on a GWh axis (1,170, not 1170); at most five ticks across."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.FuncFormatter(lambda x, _pos: gwh(x)))
    if axis != "y" and ax.get_xscale() == "linear":
        target.set_major_locator(mticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))


def percent_axis(ax: Axes) -> None:
    """Show fractions as whole percentages on the y axis (label it ``[%]``)."""
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(xmax=1.0, decimals=0))


def figure_legend(fig: Figure, ax: Axes, *, ncol: int = 5) -> None:
    """One legend for a grid of panels, from the artists of ``ax`` without the panel's name
    before ``": "`` (``"base: 80% band"`` -> ``"80% band"``): in the grid's empty place
    (:func:`panel_grid`), else below the panels in ``ncol`` columns."""
    handles, labels = ax.get_legend_handles_labels()
    labels = [lab.split(": ", 1)[-1] for lab in labels]
    spare = getattr(fig, "_forecast_spare_axes", None)
    if spare:
        spare[0].set_visible(True)
        spare[0].axis("off")
        spare[0].legend(handles, labels, loc="center", frameon=False)
        return
    legend = fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                        ncol=min(ncol, max(len(labels), 1)), frameon=False)
    note = getattr(fig, "_forecast_source_note", None)
    if note is not None:
        # The source note goes under the legend.
        box = legend.get_window_extent().transformed(fig.transFigure.inverted())
        note.set_y(box.y0 - 0.01)


def history_lines(ax: Axes, series: Mapping[str, pd.Series], *, annotate: bool = False,
                  label_offset: tuple[float, float] = (0.0, 6.0),
                  fmt: Callable[[float], str] = value_label) -> None:
    """Observed series (``{label: values by year}`` [axis unit]) as lines with markers,
    coloured by :func:`color_for`; ``annotate`` writes each value, as ``fmt`` writes it,
    ``label_offset`` [points] from its marker (negative y: below)."""
    for label, s in series.items():
        color = color_for(label)
        x, y = np.asarray(s.index, dtype=float), np.asarray(s.to_numpy(), dtype=float)
        ax.plot(x, y, marker="o", color=color, label=label, linewidth=2)
        for xi, yi in zip(x, y, strict=True) if annotate else ():
            ax.annotate(fmt(yi), (xi, yi), textcoords="offset points", xytext=label_offset,
                        ha="center", va="bottom" if label_offset[1] >= 0 else "top",
                        fontsize=8, color=color)


def band_name(low: str, high: str) -> str:
    """Name of the interval between two quantile columns: ``("p10", "p90")`` -> ``"80% band"``,
    ``("lo95", "hi95")`` -> ``"95% band"``; others ``"low-high"``."""
    lo, hi = re.fullmatch(r"p(\d+(?:\.\d+)?)", low), re.fullmatch(r"p(\d+(?:\.\d+)?)", high)
    if lo and hi:
        return f"{round(float(hi[1]) - float(lo[1]))}% band"
    lo, hi = re.fullmatch(r"lo(\d+)", low), re.fullmatch(r"hi(\d+)", high)
    return f"{lo[1]}% band" if lo and hi and lo[1] == hi[1] else f"{low}-{high}"


def fan_chart(ax: Axes, projection: pd.DataFrame, *, color: str | tuple[float, ...] = "#0173b2",
              label: str = "projection", history: pd.Series | None = None,
              history_label: str = "reported",
              bands: Sequence[tuple[str, str, float]] = FAN_BANDS) -> None:
    """Median line with shaded central intervals, optionally after the observed history.

    Parameters
    ----------
    projection : pandas.DataFrame
        One row per year with ``year``, ``p50`` and the columns named in ``bands`` [axis unit];
        ValueError if one is missing.
    label : str
        Legend label: ``"<label>: median"``, ``"<label>: 80% band"``.
    history : pandas.Series, optional
        Observed values indexed by year, drawn as black markers labelled ``history_label``; a
        projection that begins after it starts at its last value, so the fan grows out of it.
    bands : sequence of (lower column, upper column, alpha)
        Intervals to shade, outermost first.
    """
    need = {"year", "p50"} | {c for lo, hi, _ in bands for c in (lo, hi)}
    missing = need - set(projection.columns)
    if missing:
        raise ValueError(f"fan_chart needs columns {sorted(missing)} in the projection")
    frame = projection.sort_values("year")
    if history is not None and len(history):
        last_year = float(max(history.index))
        if frame["year"].min() > last_year:
            start = {c: float(history[max(history.index)]) for c in need - {"year"}}
            frame = pd.concat([pd.DataFrame([{"year": last_year, **start}]), frame[sorted(need)]],
                              ignore_index=True)
    years = frame["year"].to_numpy(dtype=float)
    for lo, hi, alpha in bands:
        ax.fill_between(years, frame[lo].to_numpy(dtype=float), frame[hi].to_numpy(dtype=float),
                        color=color, alpha=alpha, linewidth=0,
                        label=f"{label}: {band_name(lo, hi)}")
    ax.plot(years, frame["p50"].to_numpy(dtype=float), color=color, linewidth=2,
            label=f"{label}: median")
    if history is not None and len(history):
        ax.plot(np.asarray(history.index, dtype=float), history.to_numpy(dtype=float),
                color=COLORS["reported"], marker="o", linestyle="-", linewidth=1.2,
                label=history_label, zorder=5)


def stacked_bars(ax: Axes, wide: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
                 width: float = 0.7) -> None:
    """Stacked bars: one bar per index value (years) of ``width`` [x units], one layer per
    column (values >= 0 [axis unit]), coloured by ``colors`` or :func:`color_for`."""
    x = np.asarray(wide.index, dtype=float)
    bottom = np.zeros(len(wide))
    for column in wide.columns:
        values = np.nan_to_num(wide[column].to_numpy(dtype=float))
        ax.bar(x, values, width=width, bottom=bottom, label=str(column),
               color=(colors or {}).get(column) or color_for(str(column)), edgecolor="white",
               linewidth=0.5)
        bottom = bottom + values


def row_labels(ax: Axes, y: np.ndarray, names: Sequence[object]) -> None:
    """Name horizontal rows at heights ``y`` and drop the grid lines between them."""
    ax.set_yticks(y, [str(v) for v in names])
    ax.grid(axis="y", visible=False)


def intervals(ax: Axes, y: np.ndarray, rows: pd.DataFrame, *, color: str,
              inner: tuple[str, str] = ("p10", "p90"), outer: tuple[str, str] | None = None,
              widths: tuple[float, float] = (4.5, 1.2), alphas: tuple[float, float] = (0.8, 0.6),
              label: str | None = None, median: str | None = "median",
              size: float = 5.0) -> None:
    """Rows of a thick ``inner`` and thin ``outer`` interval at heights ``y`` with a black
    point at ``p50`` [axis unit]; the intervals are labelled ``label`` (default: their band
    names) and the point ``median``."""
    if outer is not None:
        ax.hlines(y, rows[outer[0]].to_numpy(dtype=float), rows[outer[1]].to_numpy(dtype=float),
                  color=color, linewidth=widths[1], alpha=alphas[1],
                  label=band_name(*outer) if label is None else None)
    ax.hlines(y, rows[inner[0]].to_numpy(dtype=float), rows[inner[1]].to_numpy(dtype=float),
              color=color, linewidth=widths[0], alpha=alphas[0],
              label=band_name(*inner) if label is None else label)
    ax.plot(rows["p50"].to_numpy(dtype=float), y, "o", color="black", markersize=size,
            label=median, zorder=5)


def interval_chart(ax: Axes, frame: pd.DataFrame, *, label: str,
                   inner: tuple[str, str] = ("p10", "p90"),
                   outer: tuple[str, str] | None = ("p5", "p95"), color: str = "#0173b2",
                   markers: Mapping[str, float] | None = None) -> None:
    """Horizontal point-and-interval rows (model comparison, scenario reconciliation): per
    row of ``frame``, named by its ``label`` column, the median and the ``inner`` (thick)
    and ``outer`` (thin, None to skip) intervals [axis unit]; ``markers`` (``{name:
    value}``) are drawn as labelled vertical dashed lines."""
    rows = frame.reset_index(drop=True)
    y = np.arange(len(rows), dtype=float)[::-1]
    intervals(ax, y, rows, color=color, inner=inner, outer=outer)
    row_labels(ax, y, rows[label])
    palette = sns.color_palette("dark", n_colors=max(len(markers or {}), 1))
    for i, (name, x) in enumerate((markers or {}).items()):
        ax.axvline(float(x), color=palette[i], linestyle="--", linewidth=1.2, label=name)


def tornado(ax: Axes, frame: pd.DataFrame, *, base: float, label: str = "parameter",
            low: str = "low", high: str = "high",
            labels: tuple[str, str] = ("low setting", "high setting")) -> None:
    """Tornado chart: per row of ``frame`` (an input, named in ``label``), the output at its
    ``low`` and ``high`` setting [axis unit] as bars from ``base`` (the output with every input
    central), blue and orange with legend ``labels``, widest on top."""
    rows = frame.assign(_swing=(frame[high] - frame[low]).abs()).sort_values("_swing")
    y = np.arange(len(rows), dtype=float)
    for column, color, words in zip((low, high), ("#0173b2", "#d55e00"), labels, strict=True):
        ax.barh(y, rows[column].to_numpy(dtype=float) - base, left=base, color=color,
                label=words, height=0.6)
    ax.axvline(base, color="black", linewidth=1)
    row_labels(ax, y, rows[label])


# The PNG a figure was saved as, so that show() displays those bytes instead of drawing the
# figure a second time (drawing is most of a notebook's time in a run).
_SAVED: weakref.WeakKeyDictionary[Figure, bytes] = weakref.WeakKeyDictionary()


def show(fig: Figure, caption: str = "") -> None:
    """Display a figure, then its Markdown ``caption``, and close it (so the inline backend
    does not show it again). A figure saved by :func:`save_figure` is shown as the saved PNG,
    at the size the inline backend would draw it."""
    from IPython.display import Image, Markdown, display

    png = _SAVED.pop(fig, None)
    if png is None:
        display(fig)
    else:
        pixels = int.from_bytes(png[16:20], "big")  # the width field of the PNG's IHDR chunk
        scale = mpl.rcParams["figure.dpi"] / mpl.rcParams["savefig.dpi"]
        display(Image(data=png, format="png", width=round(pixels * scale)))
    if caption.strip():
        display(Markdown(caption))
    plt.close(fig)


def save_figure(fig: Figure, output_dir: str | Path | None, name: str) -> Path | None:
    """Write ``<output_dir>/figures/<name>.png`` (e.g. ``"04_fan_total"``, the notebook's
    number first) as :func:`forecast.report.tables.write_file` does."""
    # No "Software" metadata: keeps bytes independent of the matplotlib patch version.
    path = write_file(output_dir, "figures", name, ".png", lambda path: fig.savefig(
        path, dpi=mpl.rcParams["savefig.dpi"], bbox_inches="tight", metadata={"Software": None}))
    if path is not None:
        _SAVED[fig] = path.read_bytes()
    return path
