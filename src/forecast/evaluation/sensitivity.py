"""How much the target-year value of each model moves with the history it is fitted to.

The documents disagree on some values (China's 2023 production: 910 GWh in the annual
series, 940 GWh as the base of the +24% stated for 2024). :func:`value_sensitivity` refits
every model on two versions of a series; :func:`variant_sensitivity` takes those versions
from the data, as the default and an alternative variant (``prefer=`` of
:func:`forecast.data.load_history`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecast import data
from forecast.errors import ModelError
from forecast.evaluation.backtest import default_models
from forecast.evaluation.frames import observed_series
from forecast.models import GrowthModel

__all__ = ["value_sensitivity", "variant_sensitivity"]

def _label(x: float) -> str:
    return f"value_{x:.0f}" if float(x).is_integer() else f"value_{x:g}"


def value_sensitivity(years: ArrayLike, values: ArrayLike, alt_values: ArrayLike,
                      models: Mapping[str, GrowthModel] | None = None, *, target_year: int,
                      labels: tuple[str, str] | None = None) -> pd.DataFrame:
    """Refit every model under two versions of the data and compare the target-year value.

    Parameters
    ----------
    years : array_like
        Years [year].
    values, alt_values : array_like
        The default and the alternative series [value unit] (e.g. China 2023 production of
        910 vs 940 GWh).
    models : mapping, optional
        Name -> estimator; default :func:`~forecast.evaluation.backtest.default_models`.
    target_year : int
        Year whose central value is compared [year].
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

    t, v = observed_series(years, values)
    _, v_alt = observed_series(years, alt_values)
    if labels is None:
        diff = np.flatnonzero(v != v_alt)
        labels = (_label(v[diff[0]]), _label(v_alt[diff[0]])) if diff.size == 1 else (
            "value_a", "value_b")
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


def variant_sensitivity(alternative: str, models: Mapping[str, GrowthModel] | None = None,
                        data_dir: str | Path | None = None, *, target_year: int,
                        series: str = "production") -> pd.DataFrame:
    """:func:`value_sensitivity` of a series as resolved by default and with the values of an
    alternative variant where it holds others (China's 2023 production: 940 instead of 910 GWh
    under ``yoy_base``).

    Parameters
    ----------
    alternative : str
        The variant preferred for the second version (a name in ``variants.csv``).
    models : mapping, optional
        Name -> estimator; default :func:`~forecast.evaluation.backtest.default_models`.
    data_dir : str or Path, optional
        Data folder (default: :func:`forecast.data.default_data_dir`).
    target_year : int
        Year whose central value is compared [year].
    series : str
        The China total series to refit (default ``production`` [GWh]).

    Returns
    -------
    pandas.DataFrame
        ``model, value_<default>, value_<alternative>, difference, difference_pct``.

    Raises
    ------
    ModelError
        The two versions cover different years.
    """
    base = data.get_series(data.load_history(data_dir), series)
    alt = data.get_series(data.load_history(data_dir, prefer=alternative), series)
    if not base.index.equals(alt.index):
        raise ModelError(f"the two versions of '{series}' cover different years")
    return value_sensitivity(base.index, base.to_numpy(), alt.to_numpy(), models,
                             target_year=target_year)
