"""Figures of where a band comes from and of the fans beside published figures (notebook 04):
:func:`spread_chart` draws :func:`forecast.scenarios.spread.spread_decomposition`'s table,
:func:`outlook_chart` :func:`forecast.scenarios.outlooks.compare_outlooks`'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from forecast.report.figures import band_name, intervals, row_labels
from forecast.report.formatting import percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["SPREAD_COLORS", "outlook_chart", "spread_chart"]

#: Colour and words of each spread (colour-blind safe, as the house palette).
SPREAD_COLORS: dict[str, tuple[str, str]] = {
    "assumptions": ("#0173b2", "assumptions alone"),
    "variation": ("#de8f05", "year-to-year variation alone"),
    "both": ("#029e73", "both (the fan)"),
}

_MARKERS = {"battery demand": "o", "EV battery demand": "s", "EV battery installations": "D",
            "cell manufacturing capacity": "^", "lithium demand": "P", "lithium supply": "X"}


def spread_chart(ax: Axes, table: pd.DataFrame, *, region: str = "China") -> None:
    """Per scenario of ``table`` [GWh], the ``region``'s target-year bands (80% thick, 90% thin)
    from its assumptions alone, from year-to-year variation alone and from both."""
    rows = table[table["region"] == region]
    names = list(dict.fromkeys(rows["scenario"]))
    centre = np.arange(len(names), dtype=float)[::-1]
    for k, (spread, (color, words)) in enumerate(SPREAD_COLORS.items()):
        sub = rows[rows["spread"] == spread].set_index("scenario").reindex(names)
        intervals(ax, centre + 0.25 * (1 - k), sub, color=color, outer=("p5", "p95"),
                  widths=(5, 1.2), alphas=(0.85, 0.7), label=words, size=3.5,
                  median="median" if k == 2 else None)
    row_labels(ax, centre, names)


def outlook_chart(ax: Axes, comparison: pd.DataFrame, fan: pd.Series, *, scenario: str,
                  region: str, year: int) -> None:
    """The published figures of ``region`` in ``comparison`` [GWh], oldest on top, over the
    ``scenario``'s ``fan`` in ``year`` (quantiles [GWh]), each with the probability the fan
    lies above it (in its ``fan_year``, named when it is not ``year``)."""
    rows = comparison[(comparison["scenario"] == scenario) & (comparison["region"] == region)]
    rows = rows.reset_index(drop=True)
    for low, high, alpha in (("p5", "p95", 0.12), ("p10", "p90", 0.25)):
        ax.axvspan(fan[low], fan[high], color="#029e73", alpha=alpha,
                   label=f"{scenario}: {band_name(low, high)} ({low}-{high})")
    ax.axvline(fan["p50"], color="#029e73", linewidth=1.5, label=f"{scenario}: median")
    y = np.arange(len(rows), dtype=float)[::-1]
    for quantity, marker in _MARKERS.items():
        sub = rows["quantity"] == quantity
        if sub.any():
            ax.plot(rows.loc[sub, "gwh"], y[sub.to_numpy()], marker, color="black",
                    markersize=5, linestyle="none", label=quantity, zorder=5)
    lith = rows["gwh_low"] < rows["gwh_high"]
    ax.hlines(y[lith.to_numpy()], rows.loc[lith, "gwh_low"], rows.loc[lith, "gwh_high"],
              color="black", linewidth=0.8)
    labels = []
    for yy, (_, r) in zip(y, rows.iterrows(), strict=True):
        when = "" if r["year"] == year else f", for {r['year']}"
        name, case = f"{r['publisher']} {r['published']}", f"({r['case']}{when})"
        # A long name breaks before its case, leaving the panel's title and fan the width.
        labels.append(f"{name}\n{case}" if len(name) + len(case) > 40 else f"{name} {case}")
        # The probability sits right of the axes, on its row; a figure for a year the fan
        # reaches is compared with that year's fan, which the axes do not show: say which.
        when = f" in {r['fan_year']}" if int(r["fan_year"]) != year else ""
        ax.annotate(percent(r["p_above"], 0) + when, (1.0, yy),
                    xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.annotate("fan\nabove", (1.0, 0.0), xycoords="axes fraction", xytext=(6, -6),
                textcoords="offset points", va="top", fontsize=8)
    row_labels(ax, y, labels)
    ax.set_title("", wrap=True)  # the title finish() writes: a long one wraps at the figure edge
    ax.tick_params(axis="y", labelsize=8)
    ax.set_ylim(-0.7, len(rows) - 0.3)
