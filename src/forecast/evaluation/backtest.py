"""Rolling-origin backtests, the 910-vs-940 sensitivity and the model-comparison table.

Everything takes and returns tidy :class:`pandas.DataFrame` objects (one row per model,
origin and year, in the style of prophet's ``cross_validation`` / ``performance_metrics``)
so notebooks can plot them and :func:`to_csv` can write them reproducibly.

Four annual points (2021-2024) allow at most three origins (fit on 2021..t, forecast
t+1..2024), and a model that cannot be fitted on that few points is not dropped silently:
its rows carry ``status = "skipped"`` and the reason. Naive benchmarks sit beside the
models: the last value, the last growth rate, and the average (end-point) growth rate of
the training window, each compounded from the last training value. They are point
forecasts, so their interval columns and coverage are NaN.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models import (
    BassDiffusion,
    DampedTrend,
    EndpointCAGR,
    ExponentialTrend,
    GompertzCurve,
    GrowthModel,
    LeastSquaresCAGR,
    LinearTrend,
    LogisticCurve,
)
from forecast.models.uncertainty import LEVELS, central_interval

__all__ = [
    "BACKTEST_COLUMNS",
    "BASS_COLUMNS",
    "COMPARISON_COLUMNS",
    "NAIVE_MODELS",
    "PERFORMANCE_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "bass_market_sensitivity",
    "compare_models",
    "default_models",
    "naive_forecasts",
    "performance",
    "rolling_origin",
    "sensitivity_2023",
    "to_csv",
    "value_sensitivity",
]

#: Names of the naive benchmarks, in table order.
NAIVE_MODELS: tuple[str, ...] = ("naive_last", "naive_last_growth", "naive_mean_growth")


def _stream(seed: int, *keys: int | str) -> np.random.Generator:
    """A random stream for one (origin, model) cell, derived from the seed and the names."""
    words = [int(seed)] + [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys]
    return np.random.default_rng(words)


def _band_cols(level: float) -> tuple[str, str]:
    pct = round(level * 100)
    return f"lo{pct}", f"hi{pct}"


_BAND_COLS = [c for level in LEVELS for c in _band_cols(level)]
_COVER_COLS = [f"in{round(level * 100)}" for level in LEVELS]

#: Columns of :func:`rolling_origin`.
BACKTEST_COLUMNS: list[str] = [
    "model", "kind", "origin", "year", "horizon", "n_train", "actual", "forecast",
    *_BAND_COLS, "error", "abs_error", "pct_error", "abs_pct_error", *_COVER_COLS,
    "status", "reason",
]  # fmt: skip

#: Columns of :func:`performance`.
PERFORMANCE_COLUMNS: list[str] = [
    "model", "kind", "n_forecasts", "n_skipped", "mae", "mape", "rmse",
    *[f"coverage{round(level * 100)}" for level in LEVELS],
]  # fmt: skip

#: Columns of :func:`value_sensitivity` after the two value columns are named.
SENSITIVITY_COLUMNS: list[str] = ["model", "value_a", "value_b", "difference", "difference_pct"]

#: Columns of :func:`compare_models`.
COMPARISON_COLUMNS: list[str] = [
    "model", "method", "parameters", "n_obs", "n_params", "df_resid", "rmse_log", "rmse_level",
    "aic", "mape_backtest", "target_year", "central", "p50", *_BAND_COLS, "caveat",
]  # fmt: skip


def _arrays(years: ArrayLike, values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(years, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if t.size != v.size:
        raise ModelError(f"years and values differ in length ({t.size} vs {v.size})")
    if np.isnan(v).any() or np.isnan(t).any():
        raise ModelError("years and values must not contain NaN")
    order = np.argsort(t, kind="stable")
    return t[order], v[order]


def default_models(
    saturation: float | None = None,
    saturation_bounds: tuple[float, float] | None = None,
    damping: float | None = None,
    market: float | None = None,
    include_free_saturation: bool = True,
) -> dict[str, GrowthModel]:
    """The models that backtests and comparisons run by default (unfitted).

    Parameters
    ----------
    saturation : float, optional
        Saturation level K [value unit] for the logistic and Gompertz curves. Four points
        cannot pin K down, so it is an explicit assumption (e.g. the published 3,800 GWh
        outlook for China in 2030, or the ~2,000 GWh capacity); without it those two
        fixed-K curves are left out.
    saturation_bounds : (float, float), optional
        Bounds for the free-K logistic (default: see :class:`forecast.models.growth.LogisticCurve`).
    damping : float, optional
        Fixed damping factor for the damped trend; None profiles it.
    market : float, optional
        Market potential (cumulative) [value unit * yr]; when given, a Bass model with that
        potential is added as ``bass``. A Bass model with a free potential is left out: on
        China's four points it puts the peak of annual output in 2024 and projects a
        collapse, which is a statement about identifiability, not a forecast (notebook 02
        shows it separately).
    include_free_saturation : bool
        Add ``logistic_free_k`` and ``gompertz_free_k``, whose saturation level K is
        estimated within bounds: 3 parameters, so 1 df on 4 points. They show what the
        history alone says about saturation (little: K lands near the last value).

    Returns
    -------
    dict
        Name -> unfitted estimator, in table order.
    """
    models: dict[str, GrowthModel] = {
        "cagr_endpoint": EndpointCAGR(),
        "cagr_ls": LeastSquaresCAGR(),
        "linear": LinearTrend(),
        "exponential": ExponentialTrend(),
        "damped": DampedTrend(damping=damping),
    }
    if saturation is not None:
        models["logistic"] = LogisticCurve(saturation=saturation)
        models["gompertz"] = GompertzCurve(saturation=saturation)
    if include_free_saturation:
        models["logistic_free_k"] = LogisticCurve(saturation_bounds=saturation_bounds)
        models["gompertz_free_k"] = GompertzCurve(saturation_bounds=saturation_bounds)
    if market is not None:
        models["bass"] = BassDiffusion(market=market)
    return models


def naive_forecasts(
    years: ArrayLike, values: ArrayLike, forecast_years: ArrayLike
) -> dict[str, np.ndarray]:
    """Point forecasts of the naive benchmarks from a training window.

    Parameters
    ----------
    years, values : array_like
        Training years [year] and values [value unit].
    forecast_years : array_like
        Years to forecast [year].

    Returns
    -------
    dict
        ``naive_last`` (last value held flat), ``naive_last_growth`` (the last year's growth
        rate compounded), ``naive_mean_growth`` (end-point CAGR of the window compounded);
        the growth benchmarks are NaN with a single training point.
    """
    t, v = _arrays(years, values)
    h = np.asarray(forecast_years, dtype=float).ravel() - t[-1]
    out = {"naive_last": np.full(h.shape, v[-1])}
    if t.size >= 2 and np.all(v > 0):
        last_rate = (v[-1] / v[-2]) ** (1.0 / (t[-1] - t[-2])) - 1.0
        mean_rate = (v[-1] / v[0]) ** (1.0 / (t[-1] - t[0])) - 1.0
        out["naive_last_growth"] = v[-1] * (1.0 + last_rate) ** h
        out["naive_mean_growth"] = v[-1] * (1.0 + mean_rate) ** h
    else:
        out["naive_last_growth"] = np.full(h.shape, np.nan)
        out["naive_mean_growth"] = np.full(h.shape, np.nan)
    return out


def _rows(
    name: str,
    kind: str,
    origin: float,
    n_train: int,
    test_t: np.ndarray,
    actual: np.ndarray,
    forecast: np.ndarray,
    bands: dict[float, tuple[np.ndarray, np.ndarray]],
    status: str = "ok",
    reason: str = "",
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "model": name,
            "kind": kind,
            "origin": round(origin),
            "year": np.rint(test_t).astype(int),
            "horizon": np.rint(test_t - origin).astype(int),
            "n_train": n_train,
            "actual": actual,
            "forecast": forecast,
        }
    )
    for level in LEVELS:
        lo_col, hi_col = _band_cols(level)
        lo, hi = bands.get(level, (np.full(test_t.shape, np.nan), np.full(test_t.shape, np.nan)))
        frame[lo_col] = lo
        frame[hi_col] = hi
    frame["error"] = frame["forecast"] - frame["actual"]
    frame["abs_error"] = frame["error"].abs()
    frame["pct_error"] = 100.0 * frame["error"] / frame["actual"]
    frame["abs_pct_error"] = frame["pct_error"].abs()
    for level, col in zip(LEVELS, _COVER_COLS, strict=True):
        lo_col, hi_col = _band_cols(level)
        inside = (frame["actual"] >= frame[lo_col]) & (frame["actual"] <= frame[hi_col])
        frame[col] = np.where(frame[lo_col].isna(), np.nan, inside.astype(float))
    frame["status"] = status
    frame["reason"] = reason
    return frame[BACKTEST_COLUMNS]


def rolling_origin(
    years: ArrayLike,
    values: ArrayLike,
    models: Mapping[str, GrowthModel] | None = None,
    min_train: int = 2,
    n_draws: int = 4_000,
    seed: int = 2030,
    naive: bool = True,
) -> pd.DataFrame:
    """Rolling-origin backtest: fit on the first years, forecast every later year.

    For each origin ``t`` from the ``min_train``-th year to the second-to-last, every model
    is fitted (a clone, so the passed estimators stay unfitted) on the years up to ``t``
    and forecasts each later observed year, with its 80% and 95% bands.

    Parameters
    ----------
    years, values : array_like
        The observed series: years [year] and values [value unit].
    models : mapping, optional
        Name -> estimator; default :func:`default_models` (without fixed-K curves).
    min_train : int
        Fewest training points of an origin (default 2).
    n_draws : int
        Draws per fit for the bands.
    seed : int
        Base seed; each (origin, model) pair draws from its own stream derived from the seed
        and the model's name, so the result does not depend on the order of the models.
    naive : bool
        Add the naive benchmarks (:data:`NAIVE_MODELS`).

    Returns
    -------
    pandas.DataFrame
        One row per model, origin and forecast year, columns :data:`BACKTEST_COLUMNS`:
        forecast and bands [value unit], ``error = forecast - actual``, ``pct_error`` [%],
        ``in80`` / ``in95`` (1 if the actual lies in the band, NaN without a band),
        ``status`` ("ok" or "skipped") and the ``reason`` for a skip.
    """
    from sklearn.base import clone

    t, v = _arrays(years, values)
    if min_train < 1:
        raise ModelError(f"min_train must be >= 1, got {min_train}")
    if t.size <= min_train:
        raise ModelError(
            f"a backtest needs more than min_train={min_train} points, got {t.size}"
        )
    models = default_models() if models is None else dict(models)
    frames: list[pd.DataFrame] = []
    for i_origin, end in enumerate(range(min_train, t.size)):
        train_t, train_v = t[:end], v[:end]
        test_t, actual = t[end:], v[end:]
        origin = train_t[-1]
        for name, template in models.items():
            model = clone(template)
            try:
                model.fit(train_t, train_v)
                draws = model.sample(
                    test_t, n_draws=n_draws, seed=_stream(seed, i_origin, name)
                )
                point = model.predict(test_t)
            except ModelError as exc:
                nan = np.full(test_t.shape, np.nan)
                frames.append(_rows(name, "model", origin, end, test_t, actual, nan, {},
                                    status="skipped", reason=str(exc)))
                continue
            bands = {level: central_interval(draws, level, axis=0) for level in LEVELS}
            frames.append(_rows(name, "model", origin, end, test_t, actual, point, bands))
        if naive:
            for name, point in naive_forecasts(train_t, train_v, test_t).items():
                status, reason = "ok", ""
                if np.isnan(point).all():
                    status, reason = "skipped", f"{name} needs at least 2 training points"
                frames.append(_rows(name, "naive", origin, end, test_t, actual, point, {},
                                    status=status, reason=reason))
    return pd.concat(frames, ignore_index=True)


def performance(backtest: pd.DataFrame) -> pd.DataFrame:
    """Error metrics per model from a :func:`rolling_origin` table.

    Parameters
    ----------
    backtest : pandas.DataFrame
        Output of :func:`rolling_origin`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PERFORMANCE_COLUMNS`: number of forecasts and of skipped ones, mean
        absolute error [value unit], mean absolute percentage error [%], root mean squared
        error [value unit], and the share of actuals inside the 80% / 95% bands [fraction]
        (NaN for point forecasts), in the order the models first appear.
    """
    rows = []
    for (name, kind), grp in backtest.groupby(["model", "kind"], sort=False):
        ok = grp[grp["status"] == "ok"]
        row: dict[str, Any] = {
            "model": name,
            "kind": kind,
            "n_forecasts": len(ok),
            "n_skipped": int((grp["status"] != "ok").sum()),
            "mae": ok["abs_error"].mean() if len(ok) else np.nan,
            "mape": ok["abs_pct_error"].mean() if len(ok) else np.nan,
            "rmse": float(np.sqrt((ok["error"] ** 2).mean())) if len(ok) else np.nan,
        }
        for level, col in zip(LEVELS, _COVER_COLS, strict=True):
            covered = ok[col].dropna()
            row[f"coverage{round(level * 100)}"] = covered.mean() if len(covered) else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=PERFORMANCE_COLUMNS)


def _label(x: float) -> str:
    return f"value_{x:.0f}" if float(x).is_integer() else f"value_{x:g}"


def value_sensitivity(
    years: ArrayLike,
    values: ArrayLike,
    alt_values: ArrayLike,
    models: Mapping[str, GrowthModel] | None = None,
    target_year: int = 2030,
    labels: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Refit every model under two versions of the data and compare the target-year value.

    Parameters
    ----------
    years : array_like
        Years [year].
    values, alt_values : array_like
        The default and the alternative series [value unit] (e.g. China 2023 production of
        910 vs 940 GWh).
    models : mapping, optional
        Name -> estimator; default :func:`default_models`.
    target_year : int
        Year whose central value is compared.
    labels : (str, str), optional
        Names of the two value columns; by default ``value_<x>`` from the single point in
        which the series differ (``value_910``, ``value_940``), else ``value_a``/``value_b``.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, <label a>, <label b>, difference, difference_pct``: central values
        in ``target_year`` [value unit], ``difference = b - a`` [value unit] and
        ``difference_pct = 100 * difference / a`` [%]. Models that cannot be fitted give NaN.
    """
    from sklearn.base import clone

    t, v = _arrays(years, values)
    _, v_alt = _arrays(years, alt_values)
    if labels is None:
        diff = np.flatnonzero(v != v_alt)
        labels = (_label(v[diff[0]]), _label(v_alt[diff[0]])) if diff.size == 1 else (
            "value_a", "value_b")
    models = default_models() if models is None else dict(models)
    rows = []
    target = np.array([float(target_year)])
    for name, template in models.items():
        out = []
        for series in (v, v_alt):
            try:
                out.append(float(clone(template).fit(t, series).predict(target)[0]))
            except ModelError:
                out.append(np.nan)
        rows.append((name, out[0], out[1]))
    frame = pd.DataFrame(rows, columns=["model", labels[0], labels[1]])
    frame["difference"] = frame[labels[1]] - frame[labels[0]]
    frame["difference_pct"] = 100.0 * frame["difference"] / frame[labels[0]]
    return frame


def sensitivity_2023(
    models: Mapping[str, GrowthModel] | None = None,
    data_dir: str | Path | None = None,
    target_year: int = 2030,
    series: str = "production",
    alternative: str = "yoy_base",
) -> pd.DataFrame:
    """China production: refit every model with the default and the alternative 2023 value.

    The history data hold two conflicting 2023 values (910 GWh by default, 940 GWh in the
    ``yoy_base`` variant); this loads both versions with :func:`forecast.data.load_history`
    and calls :func:`value_sensitivity`.

    Returns
    -------
    pandas.DataFrame
        ``model, value_910, value_940, difference, difference_pct`` (labels follow the data).
    """
    from forecast import data

    base = data.get_series(data.load_history(data_dir), series)
    alt = data.get_series(data.load_history(data_dir, prefer=alternative), series)
    if not base.index.equals(alt.index):
        raise ModelError(f"the two versions of '{series}' cover different years")
    return value_sensitivity(base.index, base.to_numpy(), alt.to_numpy(), models, target_year)


#: Columns of :func:`bass_market_sensitivity`.
BASS_COLUMNS: list[str] = [
    "market", "market_basis", "cumulative_multiple", "p", "q", "peak_year", "df_resid",
    "rmse_level", "target_year", "central", "p50", "lo80", "hi80",
]


def bass_market_sensitivity(
    years: ArrayLike,
    values: ArrayLike,
    multiples: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0),
    target_year: int = 2030,
    n_draws: int = 4_000,
    seed: int = 2030,
) -> pd.DataFrame:
    """Bass diffusion under an estimated and under assumed market potentials.

    A Bass curve needs a market potential m (cumulative output at saturation). On a short
    series the least-squares m is not identified from the data: it lands just above what
    has already been produced, putting the peak of annual output inside the sample. This
    table shows that estimate beside fits with m *assumed* at multiples of the cumulative
    output observed so far, so a reader sees how the target-year value follows the
    assumption rather than the data.

    Parameters
    ----------
    years, values : array_like
        The observed annual series [year], [value unit per year], all values > 0.
    multiples : tuple of float
        Assumed m as multiples of the observed cumulative output (each > 1).
    target_year : int
        Year of the central value and 80% band.
    n_draws, seed : int
        Draws for the band; each row has its own seeded stream.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BASS_COLUMNS`: ``market`` [value unit * yr], ``market_basis``
        (``estimated`` or ``assumed``), ``cumulative_multiple`` (m over observed cumulative
        output), ``p`` and ``q`` [1/yr], ``peak_year`` of the adoption rate [year],
        ``df_resid``, in-sample ``rmse_level`` [value unit], and the ``target_year``
        central value, median and 80% band [value unit].
    """
    t, v = _arrays(years, values)
    cumulative = float(v.sum())
    bad = [m for m in multiples if not (np.isfinite(m) and m > 1.0)]
    if bad:
        raise ModelError(f"Bass market multiples must exceed 1 (the observed output), got {bad}")
    target = np.array([float(target_year)])
    rows = []
    for basis, multiple in [("estimated", None), *(("assumed", float(m)) for m in multiples)]:
        market = None if multiple is None else multiple * cumulative
        model = BassDiffusion(market=market).fit(t, v)
        key = "free" if multiple is None else f"m{multiple:g}"
        draws = model.sample(target, n_draws=n_draws, seed=_stream(seed, "bass", key))[:, 0]
        lo, hi = central_interval(draws, 0.8)
        m = model.params_["market"]
        rows.append({
            "market": m, "market_basis": basis, "cumulative_multiple": m / cumulative,
            "p": model.params_["p"], "q": model.params_["q"], "peak_year": model.peak_year_,
            "df_resid": model.df_resid_, "rmse_level": model.rmse_level_,
            "target_year": int(target_year), "central": float(model.predict(target)[0]),
            "p50": float(np.median(draws)), "lo80": float(lo), "hi80": float(hi),
        })
    return pd.DataFrame(rows, columns=BASS_COLUMNS)


def compare_models(
    years: ArrayLike,
    values: ArrayLike,
    models: Mapping[str, GrowthModel] | None = None,
    target_year: int = 2030,
    n_draws: int = 10_000,
    seed: int = 2030,
    backtest: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A model-comparison table a reviewer can read.

    Parameters
    ----------
    years, values : array_like
        The observed series [year], [value unit].
    models : mapping, optional
        Name -> estimator; default :func:`default_models`, which includes the fixed-K
        logistic and Gompertz curves only when given a saturation level, e.g.
        ``default_models(saturation=3800.0)`` (the published 2030 outlook for China).
    target_year : int
        Year of the projected central value and bands.
    n_draws : int
        Draws for the bands.
    seed : int
        Base seed; each model draws from its own stream derived from the seed and its name.
    backtest : pandas.DataFrame, optional
        A :func:`rolling_origin` table for the MAPE column; computed with the same models
        when omitted (NaN when the series has fewer than 3 points).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`: formatted parameters, residual df, in-sample
        RMSE on log values and on levels [value unit], AIC (log-scale least-squares models
        only), backtest MAPE [%], the ``target_year`` central value, median and 80%/95%
        bands [value unit], and one line of caveat. A model that cannot be fitted keeps its
        row with the reason as caveat.
    """
    from sklearn.base import clone

    t, v = _arrays(years, values)
    models = default_models() if models is None else dict(models)
    if backtest is None and t.size > 2:
        backtest = rolling_origin(t, v, models, n_draws=min(n_draws, 4_000), seed=seed,
                                  naive=False)
    # With two points there is no origin to backtest from: MAPE stays NaN.
    mape = (pd.Series(dtype=float) if backtest is None
            else performance(backtest).set_index("model")["mape"])
    target = np.array([float(target_year)])
    rows = []
    for name, template in models.items():
        row: dict[str, Any] = {"model": name, "target_year": int(target_year),
                               "mape_backtest": float(mape.get(name, np.nan))}
        try:
            model = clone(template).fit(t, v)
            draws = model.sample(target, n_draws=n_draws, seed=_stream(seed, name))
        except ModelError as exc:
            row.update({"method": "", "parameters": "", "caveat": f"not fitted: {exc}"})
            rows.append(row)
            continue
        row.update(
            {
                "method": model.method_,
                "parameters": model.format_params(),
                "n_obs": model.n_obs_,
                "n_params": model.n_params_,
                "df_resid": model.df_resid_,
                "rmse_log": model.rmse_log_,
                "rmse_level": model.rmse_level_,
                "aic": model.aic_,
                "central": float(model.predict(target)[0]),
                "p50": float(np.median(draws[:, 0])),
                "caveat": model.caveat_,
            }
        )
        for level in LEVELS:
            lo, hi = central_interval(draws[:, 0], level)
            lo_col, hi_col = _band_cols(level)
            row[lo_col], row[hi_col] = float(lo), float(hi)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    return frame.astype({"n_obs": "Int64", "n_params": "Int64", "df_resid": "Int64"})


def to_csv(frame: pd.DataFrame, path: str | Path, decimals: int = 6) -> Path:
    """Write a table reproducibly: floats rounded to ``decimals``, no index, ``\\n`` endings.

    Two runs with the same inputs give byte-identical files.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any tidy table of this module.
    path : str or Path
        Destination; parent folders are created.
    decimals : int
        Decimal places kept for float columns.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.copy()
    floats = out.select_dtypes(include="float").columns
    out[floats] = out[floats].round(decimals)
    # Rounding leaves -0.0 for tiny negatives; write it as 0 so signs do not flicker.
    out[floats] = out[floats].mask(out[floats] == 0, 0.0)
    out.to_csv(path, index=False, lineterminator="\n", float_format=f"%.{decimals}f")
    return path
