"""Rolling-origin backtests with naive benchmarks, their error metrics, and the default models.

One row per model, origin and year (like prophet's ``cross_validation``). A model that cannot
be fitted on the few points before an origin keeps its rows with ``status = "skipped"`` and
the reason. No look-ahead: a forecast sees only the years up to its origin, and a model
holding an absolute level from outside the series (a saturation level or market potential) is
skipped; a ceiling stated as ``saturation_multiple`` of the origin's value is used. The naive
benchmarks are point forecasts: their band and coverage columns are NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.evaluation.frames import (
    BAND_COLUMNS,
    COVERAGE_COLUMNS,
    band_columns,
    cell_stream,
    observed_series,
)
from forecast.models import BaseModel, GrowthModel, make_model, uncertainty
from forecast.models.trend import cagr
from forecast.models.uncertainty import LEVELS

__all__ = ["BACKTEST_COLUMNS", "NAIVE_MODELS", "PERFORMANCE_COLUMNS", "default_models",
           "naive_forecasts", "performance", "rolling_origin"]

#: Names of the naive benchmarks, in table order.
NAIVE_MODELS: tuple[str, ...] = ("naive_last", "naive_last_growth", "naive_mean_growth")

#: Columns of :func:`rolling_origin`.
BACKTEST_COLUMNS: list[str] = [
    "model", "kind", "origin", "year", "horizon", "n_train", "actual", "forecast",
    *BAND_COLUMNS, "error", "abs_error", "pct_error", "abs_pct_error", *COVERAGE_COLUMNS,
    "status", "reason",
]  # fmt: skip

#: Columns of :func:`performance`.
PERFORMANCE_COLUMNS: list[str] = [
    "model", "kind", "n_forecasts", "n_skipped", "mae", "mape", "rmse",
    *[f"coverage{round(level * 100)}" for level in LEVELS],
]  # fmt: skip


def default_models(saturation: float | None = None, saturation_multiple: float | None = None,
                   market: float | None = None) -> dict[str, BaseModel]:
    """The models that backtests and comparisons run by default: name -> unfitted estimator,
    in table order, the free-K curves (``logistic_free_k``, ``gompertz_free_k``: K estimated
    within the curves' default bounds) and the calibrated ``default`` method among them.

    Parameters
    ----------
    saturation : float, optional
        Assumed saturation level K [value unit] of fixed-K logistic and Gompertz curves
        (skipped by :func:`rolling_origin`).
    saturation_multiple : float, optional
        K as a multiple of the last training value [-] instead, which backtests use. Give at
        most one of the two; without either the fixed-K curves are left out.
    market : float, optional
        Market potential (cumulative) [value unit * yr] of an added ``bass`` model.
    """
    if saturation is not None and saturation_multiple is not None:
        raise ModelError("give saturation or saturation_multiple, not both")
    # Keys are registry names (make_model), but for the free-K curves.
    models = {name: make_model(name) for name in ("cagr_endpoint", "cagr_ls", "linear",
                                                  "exponential", "damped")}
    if saturation is not None or saturation_multiple is not None:
        for name in ("logistic", "gompertz"):
            models[name] = make_model(name, saturation=saturation,
                                      saturation_multiple=saturation_multiple)
    for name in ("logistic", "gompertz"):
        models[f"{name}_free_k"] = make_model(name)
    if market is not None:
        models["bass"] = make_model("bass", market=market)
    models["default"] = make_model("default")
    return models


def naive_forecasts(years: ArrayLike, values: ArrayLike, forecast_years: ArrayLike
                    ) -> dict[str, np.ndarray]:
    """Point forecasts of the naive benchmarks from training ``years`` [year] and ``values``
    [value unit] for ``forecast_years`` [year].

    Returns
    -------
    dict
        ``naive_last`` (last value held flat), ``naive_last_growth`` (the last year's growth
        rate compounded), ``naive_mean_growth`` (the window's end-point CAGR compounded); the
        growth benchmarks are NaN with a single training point.
    """
    t, v = observed_series(years, values)
    h = np.asarray(forecast_years, dtype=float).ravel() - t[-1]
    out = {"naive_last": np.full(h.shape, v[-1])}
    positive = t.size >= 2 and np.all(v > 0)
    for name, first in (("naive_last_growth", -2), ("naive_mean_growth", 0)):
        rate = cagr(v[first], v[-1], t[-1] - t[first]) if positive else np.nan
        out[name] = v[-1] * (1.0 + rate) ** h
    return out


def _rows(name: str, kind: str, origin: float, n_train: int, test_t: np.ndarray,
          actual: np.ndarray, forecast: np.ndarray, bands: dict[float, tuple[Any, Any]],
          reason: str = "", status: str = "ok") -> pd.DataFrame:
    """One (model, origin) cell of the backtest table."""
    frame = pd.DataFrame({
        "model": name, "kind": kind, "origin": round(origin), "year": np.rint(test_t).astype(int),
        "horizon": np.rint(test_t - origin).astype(int), "n_train": n_train, "actual": actual,
        "forecast": forecast,
    })
    frame["error"] = frame["forecast"] - frame["actual"]
    frame["abs_error"] = frame["error"].abs()
    frame["pct_error"] = 100.0 * frame["error"] / frame["actual"]
    frame["abs_pct_error"] = frame["pct_error"].abs()
    for level, col in zip(LEVELS, COVERAGE_COLUMNS, strict=True):
        lo, hi = band_columns(level)
        frame[lo], frame[hi] = bands.get(level, (np.nan, np.nan))
        inside = frame["actual"].between(frame[lo], frame[hi]).astype(float)
        frame[col] = np.where(frame[lo].isna(), np.nan, inside)
    frame["status"], frame["reason"] = status, reason
    return frame[BACKTEST_COLUMNS]


def rolling_origin(years: ArrayLike, values: ArrayLike,
                   models: Mapping[str, GrowthModel] | None = None, min_train: int = 2,
                   n_draws: int = 4_000, seed: int = 2030, naive: bool = True) -> pd.DataFrame:
    """Rolling-origin backtest: for each origin from the ``min_train``-th year to the
    second-to-last, every model is fitted on the years up to it and forecasts each later
    year with its 80% and 95% bands.

    Parameters
    ----------
    years, values : array_like
        The observed series: years [year] and values [value unit].
    models : mapping, optional
        Name -> estimator; default :func:`default_models` (without fixed-K curves).
    min_train : int
        Fewest training points of an origin.
    n_draws, seed : int
        Draws per fit for the bands; base seed (each (origin, model) cell has its own stream,
        so the result does not depend on the order of the models).
    naive : bool
        Add the naive benchmarks (:data:`NAIVE_MODELS`).

    Returns
    -------
    pandas.DataFrame
        :data:`BACKTEST_COLUMNS`: forecast and bands [value unit], ``error = forecast -
        actual`` [value unit], ``pct_error`` [%], ``in80`` / ``in95`` (1 if the actual lies
        in the band, NaN without a band), ``status`` ("ok" or "skipped") and ``reason``.
    """
    from sklearn.base import clone

    t, v = observed_series(years, values)
    if min_train < 1:
        raise ModelError(f"min_train must be >= 1, got {min_train}")
    if t.size <= min_train:
        raise ModelError(f"a backtest needs more than min_train={min_train} points, got {t.size}")
    models = default_models() if models is None else dict(models)
    frames: list[pd.DataFrame] = []
    for i_origin, end in enumerate(range(min_train, t.size)):
        train_t, train_v, test_t, actual = t[:end], v[:end], t[end:], v[end:]
        origin = train_t[-1]
        cell = (origin, end, test_t, actual)
        for name, template in models.items():
            model = clone(template)
            reason = _outside_level(model, origin)
            if not reason:
                try:
                    model.fit(train_t, train_v)
                    draws = model.sample(test_t, n_draws=n_draws,
                                         seed=cell_stream(seed, i_origin, name))
                    point = model.predict(test_t)
                except ModelError as exc:
                    reason = str(exc)
                else:
                    bands = {lv: uncertainty.central_interval(draws, lv) for lv in LEVELS}
                    frames.append(_rows(name, "model", *cell, point, bands))
                    continue
            frames.append(_rows(name, "model", *cell, np.full(test_t.shape, np.nan), {},
                                reason, "skipped"))
        if naive:
            for name, point in naive_forecasts(train_t, train_v, test_t).items():
                skipped = np.isnan(point).all()
                reason = f"{name} needs at least 2 training points" if skipped else ""
                frames.append(_rows(name, "naive", *cell, point, {}, reason,
                                    "skipped" if skipped else "ok"))
    return pd.concat(frames, ignore_index=True)


def _outside_level(model: GrowthModel, origin: float) -> str:
    """Why ``model`` cannot be backtested from ``origin`` without look-ahead, or ``""``."""
    for setting in getattr(model, "level_settings", ()):
        value = getattr(model, setting, None)
        if value is not None:
            return (
                f"{setting} = {float(value):,.0f} is a level from outside the series: a backtest "
                f"from {origin:g} cannot know it (no look-ahead); state a ceiling relative to "
                "the origin's value instead (saturation_multiple)"
            )
    return ""


def performance(backtest: pd.DataFrame) -> pd.DataFrame:
    """Error metrics per model of a :func:`rolling_origin` table, in the order the models
    first appear: :data:`PERFORMANCE_COLUMNS`, the number of forecasts and of skipped ones,
    mean absolute error [value unit], mean absolute percentage error [%], root mean squared
    error [value unit], and the share of actuals inside the 80% / 95% bands [fraction] (NaN
    for point forecasts)."""
    rows = []
    for (name, kind), grp in backtest.groupby(["model", "kind"], sort=False):
        ok = grp[grp["status"] == "ok"]
        rows.append([name, kind, len(ok), int((grp["status"] != "ok").sum()),
                     ok["abs_error"].mean(), ok["abs_pct_error"].mean(),
                     float(np.sqrt((ok["error"] ** 2).mean())) if len(ok) else np.nan,
                     *(ok[col].mean() for col in COVERAGE_COLUMNS)])
    return pd.DataFrame(rows, columns=PERFORMANCE_COLUMNS)
