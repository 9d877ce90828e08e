"""How :data:`forecast.models.conditional.HORIZON_SHRINK` was chosen: a sweep of the pseudo-count.

Each horizon group's error quantiles (h1-2, h3-4, h5-6) of a kind x size cell are shrunk toward
the cell's quantiles over all horizons by ``HORIZON_SHRINK`` pseudo-errors. For each value of a
grid this prints, leaving one series out on the shipped class: the conditional cells meeting
both targets (coverage80 0.70-0.90, |median log error| <= 0.10), the worst cell's median log
error, the mean CRPS and 80% interval score over horizons; and, on places the calibration did
not see (:func:`forecast.evaluation.calibration.place_halves`, 16 splits), the median number of
cells met. The shipped value lies in the middle of the range where every cell meets its targets;
proper scores and held-out places barely move across it.

Run: ``.venv/bin/python benchmarks/shrink_sweep.py [value ...]`` (about 10 s a value).
"""

from __future__ import annotations

import sys

import pandas as pd

from forecast.data.reference import default_reference_path, load_reference
from forecast.evaluation import calibration
from forecast.models import conditional

GRID = (0.0, 15.0, 20.0, 30.0, 50.0, 60.0, 120.0, 240.0)


def sweep(values: tuple[float, ...]) -> pd.DataFrame:
    path = default_reference_path()
    reference = load_reference(path)
    shipped, rows = conditional.HORIZON_SHRINK, []
    try:
        for value in values:
            conditional.HORIZON_SHRINK = value
            # One process: worker processes would import the module's own value.
            forecasts, summary = calibration.calibrate(path, methods=["default"], jobs=1)
            cells = calibration.conditional_table(forecasts, reference)
            halves = calibration.place_halves(path)
            halves = halves[halves["n"] > 0]
            worst = cells["median_log_error"].abs().idxmax()
            rows.append({
                "horizon_shrink": value,
                "cells_met": int(calibration.cells_met(cells).sum()),
                "worst_cell": f"{cells.at[worst, 'cell']} {cells.at[worst, 'horizon_group']}",
                "worst_median": cells.at[worst, "median_log_error"],
                "crps": summary["crps"].mean(),
                "interval_score80": summary["interval_score80"].mean(),
                "halves_cells_met": calibration.cells_met(halves).groupby(
                    halves["split"]).sum().median(),
            })
    finally:
        conditional.HORIZON_SHRINK = shipped
    return pd.DataFrame(rows)


if __name__ == "__main__":
    grid = tuple(float(v) for v in sys.argv[1:]) or GRID
    pd.set_option("display.width", 140)
    print(f"shipped HORIZON_SHRINK = {conditional.HORIZON_SHRINK:g}")
    print(sweep(grid).round(4).to_string(index=False))
