"""How the track record reads (notebook ``06_track_record``, ``forecast score``): the scores of
:mod:`forecast.evaluation.track_record` as text, and earlier runs' fans with the actuals that
arrived since."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from forecast.evaluation.track_record import SCORE_COLUMNS, RunRecord
from forecast.report.formatting import markdown_text, percent, signed_percent, value_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["overview_markdown", "scores_table", "scores_text", "summary_table", "vintage_figure"]

_LEFT = {"run", "scenario", "region", "segment"}


def _number(value: Any) -> str:
    # float(): a projections table of whole numbers reads back as integers.
    return "" if math.isnan(float(value)) else value_label(float(value))


# How each column of a score table is written; the others as str().
_CELLS: dict[str, Callable[[Any], str]] = {
    "covered80": lambda v: "yes" if bool(v) else "no",
    "error": lambda v: signed_percent(float(v)),
    **dict.fromkeys(("p10", "p50", "p90", "actual", "crps"), _number),
}


def scores_table(scores: pd.DataFrame) -> pd.DataFrame:
    """A score table (:data:`~forecast.evaluation.track_record.SCORE_COLUMNS`) as text cells."""
    return pd.DataFrame({c: [_CELLS.get(c, str)(v) for v in scores[c]] for c in SCORE_COLUMNS})


def scores_text(scores: pd.DataFrame) -> str:
    """The cells of :func:`scores_table` as aligned text (the header alone when empty)."""
    table = scores_table(scores)
    header, rows = list(table.columns), table.to_numpy().tolist()
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if h in _LEFT else c.rjust(w)
                         for c, w, h in zip(cells, widths, header, strict=True)).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary of :func:`~forecast.evaluation.track_record.scores_by_run` as text cells:
    coverage and mean |error| in percent, mean CRPS in whole GWh."""
    return pd.DataFrame({
        "run": [str(v) for v in summary["run"]],
        "scenario": [str(v) for v in summary["scenario"]],
        "scored": [str(int(v)) for v in summary["scored"]],
        "covered80": [percent(float(v), 0) for v in summary["covered80"]],
        "mean |error|": [percent(float(v)) for v in summary["mean_abs_error"]],
        "mean CRPS [GWh]": [_number(v) for v in summary["mean_crps_gwh"]],
    })


def overview_markdown(records: Sequence[RunRecord], scores: pd.DataFrame,
                      refused: Sequence[str] = ()) -> str:
    """One paragraph: which earlier runs are scored, how many values now have actuals, and
    which folders could not be read (``refused``)."""
    skipped = "".join(f"\n\nNot scored: {markdown_text(line)}" for line in refused)
    if not records:
        return ("No earlier runs to score (`earlier_runs` is empty or none could be read)."
                + skipped)
    runs = ", ".join(f"{markdown_text(r.run_id)} (data to {r.last_observed_year})"
                     for r in records)
    if scores.empty:
        first = min(int(r.projections["year"].min()) for r in records)
        return (f"Earlier runs: {runs}. None of their projected values has an actual yet: "
                f"the first projected year is {first}, and the data folder has no observed "
                "value for it." + skipped)
    years = sorted({int(y) for y in scores["year"]})
    return (f"Earlier runs: {runs}. {len(scores):,} projected values now have an actual "
            f"(years {', '.join(map(str, years))}); "
            f"{percent(float(scores['covered80'].mean()), 0)} of them lie inside their run's "
            "80% interval." + skipped)


def vintage_figure(records: Sequence[RunRecord], observed: pd.DataFrame, *, region: str,
                   segment: str, source: str, max_panels: int = 6) -> Figure:
    """One panel per earlier run (the latest ``max_panels``, oldest first): each scenario's
    median and 80% interval of the ``region``'s ``segment``, the history the run knew (black)
    and the actuals of ``observed`` that arrived after it (red)."""
    # Here, not at the top: `forecast score` prints tables only and need not import seaborn.
    from forecast.report import figures

    records = list(records)[-max_panels:]
    series = observed[(observed["region"] == region) & (observed["segment"] == segment)]
    values = series.set_index("year")["actual"].sort_index()
    unit = str(series["unit"].iloc[0]) if len(series) else "GWh"
    n = len(records)
    fig, axes = figures.panel_grid(n, ncols=min(n, 2), panel_width=6.0, panel_height=4.0,
                                   sharey=True)
    for ax, record in zip(axes, records, strict=True):
        proj = record.projections
        proj = proj[(proj["region"] == region) & (proj["segment"] == segment)]
        names = list(dict.fromkeys(proj["scenario"]))
        colors = figures.scenario_colors(names)
        known = values[values.index <= record.last_observed_year]
        for name in names:
            figures.fan_chart(ax, proj[proj["scenario"] == name], color=colors[name], label=name,
                              history=known, history_label="known to the run",
                              bands=[("p10", "p90", 0.15)])
        # fan_chart draws the history (for anchoring) and labels the band of every scenario;
        # the legend keeps each scenario's median and the history once.
        seen: set[str] = set()
        for artist in [*ax.collections, *ax.lines]:
            if artist in ax.collections or artist.get_label() in seen:
                artist.set_label("_nolegend_")
            seen.add(artist.get_label())
        arrived = values[values.index > record.last_observed_year]
        if len(arrived):
            ax.plot(arrived.index.to_numpy(dtype=float), arrived.to_numpy(dtype=float),
                    linestyle="none", marker="D", color="#c0392b", markersize=7, zorder=6,
                    label="actual since the run")
        if unit == "GWh":
            figures.gwh_axis(ax)
        figures.finish(ax, title=f"Run {record.run_id} (data to {record.last_observed_year})",
                       xlabel="Year", ylabel=f"{region} {segment} [{unit}]", source=source,
                       legend=ax is axes[0])
    return fig
