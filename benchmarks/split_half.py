"""Split-half check of the default method's calibration by country (overfitting guard).

The reviewers hold out half of the countries; this repeats that on the visible half: 25 random
splits of the shipped class's countries into two halves, the default method (and its benchmark
``rw_pooled``) calibrated on one half and scored on the other, by the cells of
:func:`forecast.evaluation.calibration.conditional_table`. Prints, over the splits, the range of
overall coverage by horizon, how many cells meet the targets, and the interval-score ratio,
then the hidden half's coverage by horizon averaged over the splits (targets 0.75-0.85 and
0.86-0.94). ``cells_within`` scores the same half leave-one-country-out within itself (each
country forecast by a calibration on the half's other countries): the cells it meets beyond
``cells_met`` are lost to the difference between the two halves of countries, not to the
cells' size.

Run: ``.venv/bin/python benchmarks/split_half.py [n_splits]``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from forecast.data.reference import extract_windows, load_reference
from forecast.evaluation.calibration import conditional_table
from forecast.evaluation.scoring import interval_score
from forecast.models.default import MIN_SHARE, fit_calibration, log_quantiles

LEVELS = [0.05, 0.1, 0.5, 0.9, 0.95]


def _forecasts(train, test, kind: str, country: np.ndarray | None = None) -> pd.DataFrame:
    """Forecasts of ``test`` by a calibration on ``train``; with ``country`` (one per test
    window), each country's by a calibration on ``test``'s other countries instead."""
    if country is None:
        q = log_quantiles(fit_calibration(train, kind), test, LEVELS)
    else:
        q = np.empty((len(test), test.horizons, len(LEVELS)))
        full = fit_calibration(test, kind)
        for name in np.unique(country):
            rows = country == name
            cal = fit_calibration(test.subset(~rows), kind, start=full)
            q[rows] = log_quantiles(cal, test.subset(rows), LEVELS)
    win, hor = np.nonzero(np.isfinite(test.actual))
    last = test.values[win, -1]
    frame = {"series": test.series[win], "origin": test.origin[win], "horizon": hor + 1,
             "method": "default" if kind == "default" else "rw_pooled"}
    for k, name in enumerate(("p5", "p10", "p50", "p90", "p95")):
        frame[name] = last * np.exp(q[win, hor, k])
    frame["actual"] = test.actual[win, hor]
    return pd.DataFrame(frame)


def _cells_met(cond: pd.DataFrame, method: str = "default") -> pd.Series:
    met = cond["coverage80"].between(0.7, 0.9) & (cond["median_log_error"].abs() <= 0.1)
    return met[cond["method"] == method]


def main(n_splits: int) -> None:
    ref = load_reference()
    windows = extract_windows(ref, min_share=MIN_SHARE)
    country = np.array([s.split(":", 1)[1] for s in windows.series])
    names = np.unique(country)
    rows, by_horizon = [], []
    for split in range(n_splits):
        rng = np.random.default_rng(split)
        half = rng.permutation(names)[: names.size // 2]
        test_mask = np.isin(country, half)
        train, test = windows.subset(~test_mask), windows.subset(test_mask)
        f = pd.concat([_forecasts(train, test, k) for k in ("default", "benchmark")])
        cond = conditional_table(f, ref)
        d, ok = cond[cond["method"] == "default"], _cells_met(cond)
        within = pd.concat([_forecasts(None, test, k, country[test_mask])
                            for k in ("default", "benchmark")])
        y = np.log(f["actual"].to_numpy())
        f = f.assign(c80=(f["actual"] >= f["p10"]) & (f["actual"] <= f["p90"]),
                     c90=(f["actual"] >= f["p5"]) & (f["actual"] <= f["p95"]),
                     score=interval_score(np.log(f["p10"]), np.log(f["p90"]), y, 0.8))
        by_h = f[f["method"] == "default"].groupby("horizon")[["c80", "c90"]].mean()
        by_horizon.append(by_h)
        score = f.groupby("method")["score"].mean()
        rows.append({"split": split, "cells_met": int(ok.sum()), "cells": len(d),
                     "tech_cells_met": int(ok[~d["cell"].str.contains(":")].sum()),
                     "rw_cells_met": int(_cells_met(cond, "rw_pooled").sum()),
                     "cells_within": int(_cells_met(conditional_table(within, ref)).sum()),
                     "cov80_min": by_h["c80"].min(), "cov80_max": by_h["c80"].max(),
                     "cov90_min": by_h["c90"].min(), "cov90_max": by_h["c90"].max(),
                     "is_ratio": score["default"] / score["rw_pooled"]})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 120)
    print(table.round(3).to_string(index=False))
    print(table.drop(columns="split").describe().loc[["min", "50%", "max"]].round(3).to_string())
    mean = pd.concat(by_horizon).groupby(level=0).mean()
    print("hidden half, mean over splits:")
    print(mean.rename(columns={"c80": "coverage80", "c90": "coverage90"}).T.round(3).to_string())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
