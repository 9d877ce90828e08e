"""Scores of probabilistic forecasts: interval score, CRPS and PIT, vectorised over leading
axes, in the unit of the observations (``forecast calibrate`` scores log values). The interval
score and the CRPS are ``scoringrules``'; this module fixes their backend and argument order.
"""

from __future__ import annotations

import numpy as np
import scoringrules as sr
from numpy.typing import ArrayLike

__all__ = ["crps_draws", "crps_quantiles", "interval_score", "pit_quantiles"]


def interval_score(lower: ArrayLike, upper: ArrayLike, obs: ArrayLike, level: float) -> np.ndarray:
    """Interval (Winkler) score of central ``level`` intervals (Gneiting and Raftery 2007):
    the width plus ``2 / (1 - level)`` times the miss; lower is better.

    Parameters
    ----------
    lower, upper, obs : array_like
        Interval bounds and observations [unit of obs].
    level : float
        Nominal coverage in (0, 1), e.g. 0.8.

    Returns
    -------
    ndarray
        Score per forecast [unit of obs].
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1); got {level}")
    lo, hi, y = np.broadcast_arrays(*(np.asarray(a, float) for a in (lower, upper, obs)))
    return np.asarray(sr.interval_score(y, lo, hi, 1.0 - level, backend="numpy"), float)


def crps_draws(obs: ArrayLike, draws: ArrayLike, axis: int = -1,
               sorted_draws: bool = False) -> np.ndarray:
    """CRPS of an ensemble of draws along ``axis`` (``sorted_draws``: already increasing).

    Returns
    -------
    ndarray
        CRPS per forecast [unit of obs]; 0 for a point mass at the observation.
    """
    return np.asarray(sr.crps_ensemble(np.asarray(obs, float), np.asarray(draws, float),
                                       m_axis=axis, sorted_ensemble=sorted_draws,
                                       backend="numpy"), float)


def crps_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike,
                   axis: int = -1) -> np.ndarray:
    """CRPS from quantiles along ``axis`` at increasing ``levels`` in (0, 1): twice the mean
    pinball loss, which tends to the CRPS with many evenly spaced levels (Berrisch and Ziel
    2023).

    Returns
    -------
    ndarray
        Score per forecast [unit of obs].
    """
    q = np.moveaxis(np.asarray(quantiles, float), axis, -1)
    return np.asarray(sr.crps_quantile(np.asarray(obs, float), q, np.asarray(levels, float),
                                       backend="numpy"), float)


def pit_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike,
                  axis: int = -1) -> np.ndarray:
    """PIT from quantiles: the forecast CDF at ``obs``, interpolated linearly between levels.

    Below the lowest quantile the PIT is 0, above the highest 1 (the tails beyond the given
    levels are unknown), so only levels spanning most of (0, 1) give a useful histogram.

    Returns
    -------
    ndarray
        PIT [fraction]; uniform over many forecasts when they are calibrated.
    """
    q = np.moveaxis(np.asarray(quantiles, float), axis, -1)
    lv = np.asarray(levels, float)
    y = np.asarray(obs, float)[..., None]
    k = np.sum(q <= y, axis=-1, keepdims=True)  # quantiles at or below the observation
    lo = np.clip(k - 1, 0, lv.size - 1)
    hi = np.clip(k, 0, lv.size - 1)
    q_lo, q_hi = np.take_along_axis(q, lo, -1), np.take_along_axis(q, hi, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(q_hi > q_lo, (y - q_lo) / (q_hi - q_lo), 1.0)
    inside = lv[lo] + np.clip(frac, 0.0, 1.0) * (lv[hi] - lv[lo])
    return np.where(k == 0, 0.0, np.where(k == lv.size, 1.0, inside))[..., 0]
