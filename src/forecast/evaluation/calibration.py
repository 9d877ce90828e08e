"""Rolling-window calibration of every method on a reference class (``forecast calibrate``).

Every growth model of the registry, the calibrated default method and its benchmark are fitted
on each window of a reference CSV (:func:`forecast.data.reference.extract_windows`) and
forecast 1..H years ahead; each forecast with an actual is scored on the log scale, so that
series of different size (TWh, vehicles, GWh) weigh alike.

The default method and the benchmark borrow pooled quantities from the project's reference
class (the package's ``technology_ramps.csv``). A window of a series of that class is
forecast with a calibration fitted without that series (leave one series out, matched by
name), so no method is scored on data it was tuned on; other series use the whole class's.
The CRPS is taken from a growth model's draws, and from the 199 calibrated quantiles of the
default and the benchmark.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecast.data.reference import (
    ReferenceWindows,
    extract_windows,
    load_reference,
    series_technology,
)
from forecast.errors import ModelError, ParameterError
from forecast.evaluation.frames import cell_stream, csv_text
from forecast.evaluation.scoring import crps_draws, crps_quantiles, interval_score, pit_quantiles
from forecast.files import check_folder, write_all_atomic, write_error
from forecast.models import GROWTH_MODELS, make_model
from forecast.models.default import (
    LEVEL_GRID,
    MIN_SHARE,
    Calibration,
    fit_calibration,
    log_quantiles,
)
from forecast.models.uncertainty import QUANTILES

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = ["BENCHMARK", "CELL_COVERAGE80", "CELL_MEDIAN", "CONDITIONAL_COLUMNS", "DEFAULT",
           "FAST_METHODS", "FORECAST_COLUMNS", "LOG_FLOOR", "SUMMARY_COLUMNS", "calibrate",
           "cell_ranges", "cells_met", "conditional_table", "large_share_table", "place_halves",
           "scores_by_horizon", "summary_text", "usable_cpus", "write_calibration"]

#: Methods whose fits are closed-form or one-dimensional: all but the nonlinear least-squares
#: curves (logistic, Gompertz, Bass); notebook 05 runs these.
FAST_METHODS = ("default", "rw_pooled", "cagr_endpoint", "cagr_ls", "linear", "exponential",
                "damped")

#: Method names of the calibrated default and of its benchmark (a log random walk with the
#: window's drift whose per-horizon error quantiles are pooled from the other series).
DEFAULT = "default"
BENCHMARK = "rw_pooled"

#: Columns of the forecasts table (quantiles and actual in the series' own unit).
FORECAST_COLUMNS = ["series", "origin", "horizon", "method", "p5", "p10", "p50", "p90", "p95",
                    "actual"]
#: Columns of the summary table (scores on the log scale).
SUMMARY_COLUMNS = ["method", "horizon", "n", "coverage80", "coverage90", "mean_abs_log_error",
                   "interval_score80", "crps"]

#: Columns of the conditional table: scores by cell (size third within a technology, or a
#: technology) and horizon group.
CONDITIONAL_COLUMNS = ["method", "cell", "horizon_group", "n", "coverage80", "coverage90",
                       "median_log_error"]

#: A cell of the conditional table meets its targets when its 80% band holds a share of
#: outcomes within this range [fraction] and its median log error is at most
#: :data:`CELL_MEDIAN` from zero [log].
CELL_COVERAGE80 = (0.70, 0.90)
CELL_MEDIAN = 0.10

#: Forecast values at or below zero (a linear trend can give one) are scored as this fraction
#: of the window's last value.
LOG_FLOOR = 1e-6

_LEVELS = np.array(list(QUANTILES.values()))


def _calibrated_forecasts(windows: ReferenceWindows, class_windows: ReferenceWindows,
                          full: Calibration
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`_growth_forecasts` for a calibrated method, a series of ``class_windows``
    left out of its own calibration (warm-started from ``full``, the one on all of them)."""
    in_class = set(class_windows.series.tolist())
    q5 = np.empty((len(windows), windows.horizons, _LEVELS.size))
    grid = np.empty((len(windows), windows.horizons, LEVEL_GRID.size))
    for name in np.unique(windows.series):
        rows = windows.series == name
        cal = full
        if name in in_class:
            cal = fit_calibration(class_windows.subset(class_windows.series != name), full.kind,
                                  start=full)
        both = log_quantiles(cal, windows.subset(rows), np.r_[_LEVELS, LEVEL_GRID])
        q5[rows], grid[rows] = both[..., :_LEVELS.size], both[..., _LEVELS.size:]
    last = windows.values[:, -1:, None]
    log_actual, log_grid = np.log(windows.actual), grid + np.log(last)
    with np.errstate(invalid="ignore"):
        crps = crps_quantiles(log_actual, log_grid, LEVEL_GRID)
        pit = pit_quantiles(log_actual, log_grid, LEVEL_GRID)
    return last * np.exp(q5), crps, np.ones(len(windows), bool), pit


def _growth_forecasts(windows: ReferenceWindows, name: str, index: int, n_draws: int,
                      seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quantiles [value unit] (n, H, 5), log-scale CRPS (n, H), fitted mask (n,), PIT (n, H);
    only the cells of a fitted window with an actual are read (:func:`_long_frame`)."""
    n, n_h, w = len(windows), windows.horizons, windows.window
    q = np.full((n, n_h, _LEVELS.size), np.nan)
    crps = np.full((n, n_h), np.nan)
    pit = np.full((n, n_h), np.nan)
    ok = np.zeros(n, bool)
    years = windows.origin[:, None].astype(float) + np.arange(1 - w, 1)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        # All windows in one call: the nonlinear curves solve them in one vectorised pass.
        models = type(make_model(name)).fit_windows(years, windows.values)
    # Draws of about a hundred windows at a time, scored together (memory stays bounded).
    for rows in np.array_split(np.arange(n), max(1, n // 100)):
        # (window, horizon, draw): each forecast's draws contiguous, for the sorts below.
        draws = np.full((rows.size, n_h, n_draws), np.nan)
        for j, i in enumerate(rows):
            if models[i] is None:
                continue
            origin = int(windows.origin[i])
            # One stream per (method, series, origin): independent of the order of the windows.
            stream = cell_stream(seed, index, str(windows.series[i]), origin)
            draws[j] = models[i].sample(np.arange(origin + 1, origin + n_h + 1.0),
                                        n_draws=n_draws, seed=stream).T
            ok[i] = True
        # Sorted once for both: quantiles and CRPS depend on the draws' values, not order.
        draws.sort(axis=-1)
        q[rows] = np.moveaxis(np.quantile(draws, _LEVELS, axis=-1), 0, -1)
        actual = windows.actual[rows]
        logs = np.log(np.maximum(draws, LOG_FLOOR * windows.values[rows, -1, None, None]))
        with np.errstate(invalid="ignore"):
            crps[rows] = crps_draws(np.log(actual), logs, sorted_draws=True)
            pit[rows] = np.mean(draws <= actual[..., None], axis=-1)
    return q, crps, ok, pit


#: Fewest windows per worker process: fewer run in this process (see :func:`calibrate`).
_WINDOWS_PER_JOB = 50


def _forecast_part(windows: ReferenceWindows, method: str, index: int, n_draws: int, seed: int,
                   class_windows: ReferenceWindows | None, full: Calibration | None
                   ) -> pd.DataFrame:
    """One method on some windows (in a worker process): their rows of :func:`_long_frame`; a
    calibrated method is given its calibration on the whole class ``full``."""
    if full is None:
        return _long_frame(windows, method, *_growth_forecasts(windows, method, index, n_draws,
                                                                seed))
    try:
        return _long_frame(windows, method, *_calibrated_forecasts(windows, class_windows, full))
    except ModelError as exc:
        raise ParameterError(f"{method}: {exc}") from None


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity mask where the OS keeps one (a container or
    ``taskset`` may allow fewer than the machine has), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start_workers(jobs: int) -> BaseContext | None:
    """The process context of :func:`_run_parts`, its fork server already starting.

    forkserver (else spawn), not fork: the caller may be a notebook kernel with threads
    running. The server imports this module and scipy.stats once (a worker then starts in
    ~10 ms with nothing left to import), while this process goes on to fit the calibrations.
    """
    if jobs == 1:
        return None
    import multiprocessing
    from multiprocessing import forkserver

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "scipy.stats", "threadpoolctl"])
    forkserver.ensure_running()
    return context


def _run_parts(args: list[tuple], context: BaseContext | None, jobs: int
               ) -> list[pd.DataFrame]:
    """:func:`_forecast_part` of each argument tuple, in order, on ``jobs`` processes."""
    if context is None or len(args) == 1:
        return [_forecast_part(*a) for a in args]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import active_children

    # The pool's workers are the children started after this (the executor keeps its own list
    # private).
    others = set(active_children())
    # One BLAS thread per worker: the workers already fill the CPUs.
    with ProcessPoolExecutor(max_workers=min(jobs, len(args)), mp_context=context,
                             initializer=threadpool_limits, initargs=(1,)) as pool:
        # Longest first, so no worker is left with a slow part at the end.
        order = sorted(range(len(args)), key=lambda k: _COST.get(args[k][1], 1.0) *
                       len(args[k][0]), reverse=True)
        futures = {k: pool.submit(_forecast_part, *args[k]) for k in order}
        try:
            return [futures[k].result() for k in range(len(args))]
        except BaseException:
            # Interrupted (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the CLI) or
            # failed: end the workers now; leaving the block would wait for their parts.
            workers = [p for p in active_children() if p not in others]
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()
            raise


#: CPU time per window of each method's forecasts relative to a closed-form growth model's
#: (measured; only orders the work).
_COST = {DEFAULT: 15.0, "bass": 5.0, "damped": 4.0, BENCHMARK: 2.0, "gompertz": 2.0,
         "logistic": 1.5}


def calibrate(reference: str | Path, window: int = 4, horizons: int = 6, min_growth: float = 0.15,
              methods: list[str] | None = None, n_draws: int = 1_000, seed: int = 2030,
              reference_class: str | Path | None = None, jobs: int | None = 1,
              pit: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-window forecasts and scores of every method on a reference CSV.

    Parameters
    ----------
    reference : str or Path
        CSV with columns ``series, year, value`` (:func:`forecast.data.reference.load_reference`).
    window, horizons, min_growth
        The windows scored, as in :func:`forecast.data.reference.extract_windows` with
        ``min_share`` :data:`MIN_SHARE`: points fitted (>= 2), years ahead (>= 1) and smallest
        end-point growth [fraction/yr].
    methods : list of str, optional
        Growth-model registry names, ``"default"``, ``"rw_pooled"``; default all of them.
    n_draws, seed : int
        Draws per growth-model forecast; base seed (the same inputs give identical tables).
    reference_class : str or Path, optional
        The class the default method is calibrated on; default the shipped one.
    jobs : int or None
        Worker processes; None uses every CPU this process may run on (:func:`usable_cpus`),
        1 runs in this process; at most one per 50 windows. Each forecast draws from its own
        seeded stream, so the tables are identical for every number of jobs.
    pit : bool
        Add a column ``pit`` to ``forecasts``: the forecast CDF at the actual [fraction] (the
        share of draws at or below it, or from the 199 calibrated quantiles, 0 or 1 beyond).

    Returns
    -------
    (forecasts, summary) : tuple of pandas.DataFrame
        ``forecasts`` has :data:`FORECAST_COLUMNS` (one row per window, horizon with an
        actual, and method; values in the series' unit; a method's rows do not depend on
        which other methods run), ``summary`` has :data:`SUMMARY_COLUMNS`.

    Raises
    ------
    DataValidationError
        A reference file breaks a rule (one line naming file, row, column and rule).
    ParameterError
        A bad window definition, an unknown method, a bad ``jobs``, or no window to score.
    """
    if jobs is None:
        jobs = usable_cpus()
    elif isinstance(jobs, bool) or not isinstance(jobs, int | np.integer) or jobs < 1:
        raise ParameterError(f"jobs must be an integer >= 1; got {jobs!r}")
    windows = extract_windows(load_reference(reference), window, horizons, min_growth,
                              min_share=MIN_SHARE)
    if len(windows) == 0:
        raise ParameterError(
            f"{reference}: no series has {window} consecutive years growing at least "
            f"{min_growth:g}/yr, at least {MIN_SHARE:g} of its technology's world total, with "
            "an actual after them: nothing to calibrate"
        )
    # default is a registered growth model too; it is listed once, first.
    known = [DEFAULT, BENCHMARK, *(m for m in GROWTH_MODELS if m != DEFAULT)]
    chosen = known if methods is None else list(methods)
    unknown = [m for m in chosen if m not in known]
    if unknown:
        raise ParameterError(f"unknown method {unknown[0]!r}; choose from: {', '.join(known)}")
    # A worker costs what every method takes on ~40 windows (the fork server's imports).
    jobs = min(int(jobs), max(1, len(windows) // _WINDOWS_PER_JOB))
    context = _start_workers(jobs)
    class_windows, full = None, {}
    if DEFAULT in chosen or BENCHMARK in chosen:
        class_windows = extract_windows(load_reference(reference_class), window, horizons,
                                        min_growth, min_share=MIN_SHARE)
        for method in {DEFAULT, BENCHMARK} & set(chosen):
            try:
                full[method] = fit_calibration(class_windows, "default" if method == DEFAULT
                                               else "benchmark")
            except ModelError as exc:
                raise ParameterError(f"{method}: {exc}") from None

    # Groups of whole series: each leave-one-series-out calibration is fitted once.
    names = np.unique(windows.series)
    parts = np.array_split(names, min(1 if jobs == 1 else 3 * jobs, names.size))
    # The stream index is the method's place among all methods, so a method's forecasts are
    # the same whichever methods run beside it.
    args = [(windows.subset(np.isin(windows.series, part)), method, known.index(method), n_draws,
             seed, class_windows, full.get(method)) for method in chosen for part in parts]
    long = pd.concat(_run_parts(args, context, jobs), ignore_index=True)
    order = {m: k for k, m in enumerate(chosen)}
    long = long.sort_values(["series", "origin", "horizon", "method"],
                            key=lambda c: c.map(order) if c.name == "method" else c,
                            kind="stable").reset_index(drop=True)
    forecasts = long[FORECAST_COLUMNS + (["pit"] if pit else [])].copy()
    return forecasts, scores_by_horizon(long, chosen)


def _long_frame(windows: ReferenceWindows, method: str, q: np.ndarray, crps: np.ndarray,
                ok: np.ndarray, pit: np.ndarray) -> pd.DataFrame:
    win, hor = np.nonzero(np.isfinite(windows.actual) & ok[:, None])
    return pd.DataFrame({
        "series": windows.series[win], "origin": windows.origin[win], "horizon": hor + 1,
        "method": method, **{key: q[win, hor, k] for k, key in enumerate(QUANTILES)},
        "actual": windows.actual[win, hor], "last": windows.values[win, -1],
        "crps": crps[win, hor], "pit": pit[win, hor],
    })


def scores_by_horizon(long: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    """:data:`SUMMARY_COLUMNS` per method (in the order of ``methods``) and horizon of
    forecast rows with :data:`FORECAST_COLUMNS`, ``last`` (the window's last value) and
    ``crps`` (of log values): n, coverage of the 80% and 90% bands [fraction], mean absolute
    log error of p50, mean 80% interval score and mean CRPS of log values (a quantile at or
    below zero scored at :data:`LOG_FLOOR`)."""
    floor = LOG_FLOOR * long["last"].to_numpy(float)

    def log(col: str) -> np.ndarray:
        return np.log(np.maximum(long[col].to_numpy(float), floor))

    y = np.log(long["actual"].to_numpy(float))
    scored = _judged(long).assign(mean_abs_log_error=np.abs(y - log("p50")),
                                  interval_score80=interval_score(log("p10"), log("p90"), y, 0.8))
    out = scored.groupby(["method", "horizon"], sort=False).agg(
        n=("inside80", "size"), coverage80=("inside80", "mean"),
        coverage90=("inside90", "mean"), mean_abs_log_error=("mean_abs_log_error", "mean"),
        interval_score80=("interval_score80", "mean"), crps=("crps", "mean")).reset_index()
    order = {m: k for k, m in enumerate(methods)}
    out = out.sort_values(["method", "horizon"], kind="stable",
                          key=lambda c: c.map(order) if c.name == "method" else c)
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def _judged(f: pd.DataFrame, h_max: int | None = None) -> pd.DataFrame:
    """Forecast rows ``f`` with their horizon ``group`` (0, 1, ...) named ``horizon_group``
    (``h1-2``, ``h3-4``, ... up to ``h_max``, default the rows' own), whether the actual is
    ``inside80`` and ``inside90`` the bands, and ``log_error`` = log(actual / p50), ``+inf``
    for a p50 at or below zero: the lowest a forecast can be, as the summary's floor scores it,
    not an outcome left out."""
    act, group = f["actual"], (f["horizon"] - 1) // 2
    h_max = f["horizon"].to_numpy().max(initial=0) if h_max is None else h_max
    return f.assign(group=group, horizon_group=[f"h{2 * g + 1}-{min(2 * g + 2, h_max)}"
                                                for g in group],
                    inside80=act.between(f["p10"], f["p90"]),
                    inside90=act.between(f["p5"], f["p95"]),
                    log_error=np.log(act / f["p50"].clip(lower=0.0)))


def _group_scores(f: pd.DataFrame, keys: list[str], h_max: int | None = None) -> pd.DataFrame:
    """``n``, ``series`` (distinct), ``coverage80``, ``coverage90`` and ``median_log_error`` of
    forecast rows ``f`` by ``keys`` and horizon group (:func:`_judged`)."""
    return _judged(f, h_max).groupby([*keys, "group", "horizon_group"], sort=True).agg(
        n=("inside80", "size"), series=("series", "nunique"), coverage80=("inside80", "mean"),
        coverage90=("inside90", "mean"), median_log_error=("log_error", "median"),
    ).reset_index()


def _with_cells(forecasts: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """``forecasts`` with each window's ``technology`` and ``size`` third (small, mid, large:
    thirds of the method's windows of that technology by level at the origin)."""
    window = ["method", "series", "origin"]
    level = pd.DataFrame({"series": reference["series"].to_numpy(str),
                          "origin": reference["year"].to_numpy(np.int64),
                          "technology": series_technology(reference),
                          "level": reference["value"].to_numpy(float)})
    f = forecasts.merge(level, on=["series", "origin"], how="left", validate="many_to_one")
    # Thirds of a technology's windows (one rank per window, not per horizon).
    win = f.drop_duplicates(window)
    pct = win.groupby(["method", "technology"])["level"].rank(method="first", pct=True)
    win = win.assign(size=np.select([pct <= 1 / 3, pct <= 2 / 3], ["small", "mid"], "large"))
    return f.merge(win[[*window, "size"]], on=window, how="left")


def conditional_table(forecasts: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Coverage and bias of every method by cell and horizon group, of ``forecasts``
    (:data:`FORECAST_COLUMNS`) made on the reference class ``reference``
    (:func:`~forecast.data.reference.load_reference`), which gives each window's level at the
    origin and its technology (:func:`~forecast.data.reference.series_technology`).

    Returns
    -------
    pandas.DataFrame
        :data:`CONDITIONAL_COLUMNS`. Cells: ``<technology>:small|mid|large`` (thirds of its
        windows by level at the origin) and ``<technology>``; horizon groups ``h1-2``,
        ``h3-4``, ...; coverage [fraction]; ``median_log_error`` of ``log(actual / p50)``
        (positive: forecast too low).
    """
    f = _with_cells(forecasts, reference)
    by_size = _group_scores(f, ["method", "technology", "size"])
    by_technology = _group_scores(f, ["method", "technology"])
    out = pd.concat([by_size.assign(cell=by_size["technology"] + ":" + by_size["size"]),
                     by_technology.assign(cell=by_technology["technology"])], ignore_index=True)
    out["order"] = out["size"].map({"small": 0, "mid": 1, "large": 2}).fillna(3)
    methods = {m: k for k, m in enumerate(dict.fromkeys(forecasts["method"]))}
    out = out.sort_values(["method", "technology", "order", "group"], kind="stable",
                          key=lambda c: c.map(methods) if c.name == "method" else c)
    return out[CONDITIONAL_COLUMNS].reset_index(drop=True)


def cells_met(conditional: pd.DataFrame) -> pd.Series:
    """Whether each row of a :func:`conditional_table` meets both cell targets
    (:data:`CELL_COVERAGE80`, :data:`CELL_MEDIAN`)."""
    return (conditional["coverage80"].between(*CELL_COVERAGE80)
            & (conditional["median_log_error"].abs() <= CELL_MEDIAN))


def place_halves(reference: str | Path, n_splits: int = 16, seed: int = 2030) -> pd.DataFrame:
    """The default method on places it was not calibrated on: ``n_splits`` times, calibrated
    on a random half of the reference CSV's places (the part of a series name after ``:``,
    every technology of a place on the same side) and scored on the other half.

    Leaving one series out keeps a place's other technologies in the calibration; a forecast
    of a new place has none of them, and this scores that.

    Returns
    -------
    pandas.DataFrame
        ``split`` and :data:`CONDITIONAL_COLUMNS`: :func:`conditional_table` of the default
        method on each split's held-out half (cells by that half's own size thirds).
    """
    ref = load_reference(reference)
    windows = extract_windows(ref, min_share=MIN_SHARE)
    place = np.array([name.split(":", 1)[-1] for name in windows.series])
    names, rng = np.unique(place), np.random.default_rng(seed)
    tables = []
    for split in range(n_splits):
        held = np.isin(place, rng.permutation(names)[: names.size // 2])
        test = windows.subset(held)
        q = log_quantiles(fit_calibration(windows.subset(~held), "default"), test, _LEVELS)
        blank = np.full(test.actual.shape, np.nan)
        f = _long_frame(test, DEFAULT, test.values[:, -1:, None] * np.exp(q), blank,
                        np.ones(len(test), bool), blank)
        tables.append(conditional_table(f, ref).assign(split=split))
    return pd.concat(tables, ignore_index=True)[["split", *CONDITIONAL_COLUMNS]]


def cell_ranges(forecasts: pd.DataFrame, reference: pd.DataFrame, method: str = DEFAULT,
                n_boot: int = 1000, seed: int = 0, level: float = 0.9) -> pd.DataFrame:
    """How much the conditional table's cells of ``method`` rest on which series were there.

    Windows of one series overlap and share its fortunes, so a cell's errors are far from
    independent: its series are resampled with replacement (``n_boot`` times, seeded) and
    the cell's coverage of the 80% band and median log error recomputed (the lower median of
    the pooled errors, each weighted by how often its series was drawn).

    Returns
    -------
    pandas.DataFrame
        ``cell, horizon_group, series`` (series in the cell) and the equal-tailed ``level``
        ranges ``coverage80_low, coverage80_high`` [fraction] and ``median_low, median_high``
        [log], in the order of :func:`conditional_table`.
    """
    own = forecasts[forecasts["method"] == method]
    f = _judged(_with_cells(own, reference))
    rng = np.random.default_rng(seed)
    tails = [(1 - level) / 2, (1 + level) / 2]
    rows = []
    for cell, sub in (*f.groupby(["technology", "size", "horizon_group"], sort=False),
                      *f.groupby(["technology", "horizon_group"], sort=False)):
        sub = sub.sort_values("log_error", kind="stable")
        names, idx = np.unique(sub["series"].to_numpy(str), return_inverse=True)
        counts = rng.multinomial(names.size, np.full(names.size, 1 / names.size), n_boot)
        weight = counts[:, idx]
        cum = np.cumsum(weight, axis=1)
        median = sub["log_error"].to_numpy()[np.argmax(2 * cum >= cum[:, -1:], axis=1)]
        coverage = (weight @ sub["inside80"].to_numpy(float)) / cum[:, -1]
        cov, med = np.quantile(coverage, tails), np.quantile(median, tails)
        rows.append({"cell": ":".join(map(str, cell[:-1])), "horizon_group": cell[-1],
                     "series": names.size, "coverage80_low": cov[0], "coverage80_high": cov[1],
                     "median_low": med[0], "median_high": med[1]})
    table = conditional_table(own, reference)[["cell", "horizon_group"]]
    return table.merge(pd.DataFrame(rows), on=["cell", "horizon_group"], how="left")


def large_share_table(forecasts: pd.DataFrame, windows: ReferenceWindows,
                      min_share: float = 0.15, method: str = DEFAULT) -> pd.DataFrame:
    """How ``method`` did on the windows closest to China's case: series holding at least
    ``min_share`` [fraction] of their world market at the origin (``windows.share``; the
    ``forecasts``, :data:`FORECAST_COLUMNS`, were made from these ``windows``).

    Returns
    -------
    pandas.DataFrame
        ``horizon_group, n, series, coverage80, coverage90, median_log_error`` as in
        :func:`conditional_table`; ``series`` counts the series per horizon group.
    """
    share = pd.DataFrame({"series": windows.series, "origin": windows.origin,
                          "share": windows.share}).drop_duplicates(["series", "origin"])
    f = forecasts[(forecasts["method"] == method) & forecasts["actual"].notna()].merge(
        share, on=["series", "origin"], how="inner")
    f = f[f["share"] >= min_share]
    out = _group_scores(f, [], forecasts["horizon"].to_numpy().max(initial=0))
    return out[["horizon_group", "n", "series", "coverage80", "coverage90",
                "median_log_error"]]


def summary_text(summary: pd.DataFrame) -> str:
    """The summary as an aligned text table (scores of log values; lower is better)."""
    head = (f"{'method':<15}{'h':>3}{'n':>6}{'cov80':>8}{'cov90':>8}{'MALE':>8}"
            f"{'IS80':>9}{'CRPS':>8}")
    lines = ["scores of log values (coverage: share inside the band; MALE, IS80 and CRPS: "
             "lower is better)", head]
    for row in summary.itertuples(index=False):
        lines.append(
            f"{row.method:<15}{row.horizon:>3}{row.n:>6}{row.coverage80:>8.3f}"
            f"{row.coverage90:>8.3f}{row.mean_abs_log_error:>8.3f}"
            f"{row.interval_score80:>9.3f}{row.crps:>8.3f}"
        )
    return "\n".join(lines)


def write_calibration(forecasts: pd.DataFrame, summary: pd.DataFrame,
                      directory: str | Path, conditional: pd.DataFrame | None = None
                      ) -> tuple[Path, ...]:
    """Write ``forecasts.csv``, ``summary.csv`` (and ``conditional.csv``) into ``directory``
    together atomically (:func:`forecast.files.write_all_atomic`: a full disk leaves the folder
    as it was), floats with 10 significant digits; returns their paths, in that order.

    Raises
    ------
    ParameterError
        ``directory`` cannot be created.
    ForecastError
        ``directory`` or a parent is a file (:func:`forecast.files.check_folder`), or a table
        cannot be written; :class:`~forecast.errors.RunError` (exit 4) when the disk or quota
        is full (:func:`forecast.files.write_error`).
    """
    out = Path(directory)
    check_folder(out, "--output")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"--output {out}: cannot create the folder ({exc.strerror})") from None
    tables = [("forecasts.csv", forecasts), ("summary.csv", summary)]
    if conditional is not None:
        tables.append(("conditional.csv", conditional))
    try:
        # Series names come from the reference CSV: no spreadsheet formulas.
        return tuple(write_all_atomic({out / name: csv_text(table, "%.10g")
                                       for name, table in tables}))
    except OSError as exc:
        raise write_error(f"--output {out}: cannot write", exc) from None
