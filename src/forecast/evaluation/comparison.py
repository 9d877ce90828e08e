"""Tables that set the growth models side by side: the model comparison (parameters, degrees
of freedom left, errors, target-year value and bands), Bass under assumed potentials, and how
much each model's target-year value moves with the history it is fitted to (the default
and an alternative variant of China's production where the documents disagree).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecast import data
from forecast.errors import ModelError
from forecast.evaluation.backtest import default_models, performance, rolling_origin
from forecast.evaluation.frames import BAND_COLUMNS, cell_stream, observed_series
from forecast.models import BassDiffusion, GrowthModel, uncertainty
from forecast.models.uncertainty import LEVELS

__all__ = ["BASS_COLUMNS", "COMPARISON_COLUMNS", "bass_market_sensitivity", "compare_models",
           "variant_sensitivity"]

#: Columns of :func:`compare_models`.
COMPARISON_COLUMNS: list[str] = [
    "model", "method", "parameters", "n_obs", "n_params", "df_resid", "rmse_log", "rmse_level",
    "aicc", "mape_backtest", "target_year", "central", "p50", *BAND_COLUMNS, "caveat",
]  # fmt: skip

#: Columns of :func:`bass_market_sensitivity`.
BASS_COLUMNS: list[str] = [
    "market", "market_basis", "cumulative_multiple", "p", "q", "peak_year", "df_resid",
    "rmse_level", "target_year", "central", "p50", "lo80", "hi80",
]  # fmt: skip


def compare_models(years: ArrayLike, values: ArrayLike,
                   models: Mapping[str, GrowthModel] | None = None, *, target_year: int,
                   n_draws: int = 10_000, seed: int = 2030,
                   backtest: pd.DataFrame | None = None) -> pd.DataFrame:
    """A model-comparison table a reviewer can read.

    Parameters
    ----------
    years, values, models
        As :func:`~forecast.evaluation.backtest.rolling_origin`'s.
    target_year : int
        Year of the projected central value and bands [year].
    n_draws, seed : int
        Draws for the bands; base seed (each model has its own stream).
    backtest : pandas.DataFrame, optional
        A :func:`~forecast.evaluation.backtest.rolling_origin` table for the MAPE column;
        computed with the same models when omitted (NaN below 3 points).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`: formatted parameters, residual df, in-sample RMSE on log
        values and on levels [value unit], AICc (NaN where undefined), backtest MAPE [%], the
        ``target_year`` central value, median and 80%/95% bands [value unit], and a caveat
        (for a model that cannot be fitted, the reason).
    """
    t, v = observed_series(years, values)
    models = default_models() if models is None else dict(models)
    if backtest is None and t.size > 2:
        backtest = rolling_origin(t, v, models, n_draws=min(n_draws, 4_000), seed=seed,
                                  naive=False)
    mape = (pd.Series(dtype=float) if backtest is None
            else performance(backtest).set_index("model")["mape"])
    rows = [{"model": name, "target_year": int(target_year),
             "mape_backtest": float(mape.get(name, np.nan)),
             **_fitted_columns(name, template, t, v, target_year, n_draws, seed)}
            for name, template in models.items()]
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    return frame.astype({"n_obs": "Int64", "n_params": "Int64", "df_resid": "Int64"})


def _fitted_columns(name: str, template: GrowthModel, t: np.ndarray, v: np.ndarray,
                    target_year: int, n_draws: int, seed: int) -> dict[str, Any]:
    """One model's columns of the comparison: its fit and target-year distribution."""
    from sklearn.base import clone

    target = np.array([float(target_year)])
    try:
        model = clone(template).fit(t, v)
        draws = model.sample(target, n_draws=n_draws, seed=cell_stream(seed, name))
    except ModelError as exc:
        return {"method": "", "parameters": "", "caveat": f"not fitted: {exc}"}
    out: dict[str, Any] = {
        "method": model.method_, "parameters": model.format_params(),
        **{c: getattr(model, f"{c}_") for c in ("n_obs", "n_params", "df_resid", "rmse_log",
                                                "rmse_level", "aicc", "caveat")},
        "central": float(model.predict(target)[0]),
    }
    exact = getattr(model, "predict_quantiles", None)
    if exact is not None:
        # The calibrated default method has exact quantiles: the numbers its fan charts show,
        # not a second, sampled estimate of them.
        bands = exact(target, [0.5, *(q for lv in LEVELS for q in ((1 - lv) / 2, (1 + lv) / 2))])[0]
    else:
        bands = [np.median(draws[:, 0]),
                 *(b for lv in LEVELS for b in uncertainty.central_interval(draws[:, 0], lv))]
    return out | dict(zip(["p50", *BAND_COLUMNS], map(float, bands), strict=True))


def bass_market_sensitivity(years: ArrayLike, values: ArrayLike,
                            multiples: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0), *,
                            target_year: int, n_draws: int = 4_000, seed: int = 2030
                            ) -> pd.DataFrame:
    """Bass diffusion under an estimated and under assumed market potentials m (cumulative
    output at saturation): on a short series the estimate lands just above the output so far,
    and with m assumed at multiples of it the target-year value follows the assumption.

    Parameters
    ----------
    years, values : array_like
        The observed annual series [year], [value unit per year], all values > 0.
    multiples : tuple of float
        Assumed m as multiples of the observed cumulative output (each > 1).
    target_year : int
        Year of the central value and 80% band [year].
    n_draws, seed : int
        Draws for the band; each row has its own seeded stream.

    Returns
    -------
    pandas.DataFrame
        :data:`BASS_COLUMNS`: ``market`` [value unit * yr], ``market_basis`` (``estimated``
        or ``assumed``), ``cumulative_multiple`` [-], ``p`` and ``q`` [1/yr], ``peak_year``
        of the adoption rate [year], ``df_resid``, ``rmse_level`` [value unit], and the
        ``target_year`` central value, median and 80% band [value unit].
    """
    t, v = observed_series(years, values)
    cumulative = float(v.sum())
    target = np.array([float(target_year)])
    rows = []
    for basis, multiple in [("estimated", None), *(("assumed", float(m)) for m in multiples)]:
        market = None if multiple is None else multiple * cumulative
        model = BassDiffusion(market=market).fit(t, v)
        key = "free" if multiple is None else f"m{multiple:g}"
        draws = model.sample(target, n_draws=n_draws, seed=cell_stream(seed, "bass", key))[:, 0]
        lo, hi = uncertainty.central_interval(draws, 0.8)
        m = model.params_["market"]
        rows.append({
            "market": m, "market_basis": basis, "cumulative_multiple": m / cumulative,
            "p": model.params_["p"], "q": model.params_["q"], "peak_year": model.peak_year_,
            "df_resid": model.df_resid_, "rmse_level": model.rmse_level_,
            "target_year": int(target_year), "central": float(model.predict(target)[0]),
            "p50": float(np.median(draws)), "lo80": float(lo), "hi80": float(hi),
        })
    return pd.DataFrame(rows, columns=BASS_COLUMNS)


def variant_sensitivity(alternative: str, models: Mapping[str, GrowthModel] | None = None,
                        data_dir: str | Path | None = None, *, target_year: int) -> pd.DataFrame:
    """Refit every model (default :func:`~forecast.evaluation.backtest.default_models`) to
    China's total production of ``data_dir`` (default :func:`forecast.data.default_data_dir`)
    as resolved by default and with the values of the ``alternative`` variant where it holds
    others (China's 2023 production: 940 instead of 910 GWh under ``yoy_base``), and compare
    the central value in ``target_year`` [year]; a ModelError when the two cover different
    years.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, <a>, <b>, difference, difference_pct``: central values in
        ``target_year`` [value unit], named ``value_<x>`` from the single point in which the
        series differ (``value_910``, ``value_940``), else ``value_a``, ``value_b``;
        ``difference = b - a`` [value unit] and ``difference_pct = 100 * difference / a``
        [%]. Models that cannot be fitted give NaN.
    """
    from sklearn.base import clone

    base = data.get_series(data.load_history(data_dir), "production")
    alt = data.get_series(data.load_history(data_dir, prefer=alternative), "production")
    if not base.index.equals(alt.index):
        raise ModelError("the two versions of 'production' cover different years")
    t, v = observed_series(base.index, base.to_numpy())
    _, v_alt = observed_series(alt.index, alt.to_numpy())
    diff = np.flatnonzero(v != v_alt)
    labels = ("value_a", "value_b") if diff.size != 1 else tuple(
        f"value_{x:.0f}" if x.is_integer() else f"value_{x:g}"
        for x in (v[diff[0]], v_alt[diff[0]]))
    models = default_models() if models is None else dict(models)
    target = np.array([float(target_year)])

    def central(template: GrowthModel, series: np.ndarray) -> float:
        try:
            return float(clone(template).fit(t, series).predict(target)[0])
        except ModelError:
            return np.nan

    rows = [(name, central(m, v), central(m, v_alt)) for name, m in models.items()]
    frame = pd.DataFrame(rows, columns=["model", *labels])
    frame["difference"] = frame[labels[1]] - frame[labels[0]]
    frame["difference_pct"] = 100.0 * frame["difference"] / frame[labels[0]]
    return frame
