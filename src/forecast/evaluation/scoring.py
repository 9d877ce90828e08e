"""Scores of probabilistic forecasts: CRPS, interval (Winkler) score, coverage, PIT.

Small vectorised functions over arrays of observations and forecasts given as draws or as
quantiles; every function broadcasts over leading axes (windows, horizons ...). Units: the
scores are in the unit of the observations, so for growth series score log values
(``np.log(value)``) to make series of different size comparable -- that is what
``forecast calibrate`` does.

The CRPS and the interval score come from the maintained ``scoringrules`` library (Zanetta
and Allen): the CRPS from draws the fair ensemble estimator's counterpart for a finite sample
(``crps_ensemble``), from quantiles twice the mean pinball loss over the levels
(``crps_quantile``), and for a normal forecast its closed form (``crps_normal``). PIT values of
parametric forecasts use a ``scipy.stats`` distribution's ``cdf``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "coverage",
    "crps_draws",
    "crps_normal",
    "crps_quantiles",
    "interval_score",
    "pit_distribution",
    "pit_draws",
    "pit_quantiles",
]


def interval_score(lower: ArrayLike, upper: ArrayLike, obs: ArrayLike, level: float) -> np.ndarray:
    """Interval (Winkler) score of central ``level`` intervals (``scoringrules``): lower is better.

    ``(upper - lower) + 2 / alpha * (lower - obs)`` if ``obs < lower``,
    ``+ 2 / alpha * (obs - upper)`` if ``obs > upper``, with ``alpha = 1 - level``
    (Gneiting and Raftery 2007, eq. 43).

    Parameters
    ----------
    lower, upper : array_like
        Interval bounds [unit of obs].
    obs : array_like
        Observations [unit of obs].
    level : float
        Nominal coverage in (0, 1), e.g. 0.8.

    Returns
    -------
    ndarray
        Score per forecast [unit of obs].
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1); got {level}")
    import scoringrules as sr

    lo, hi, y = np.broadcast_arrays(*(np.asarray(a, float) for a in (lower, upper, obs)))
    return np.asarray(sr.interval_score(y, lo, hi, 1.0 - level, backend="numpy"), float)


def coverage(lower: ArrayLike, upper: ArrayLike, obs: ArrayLike, axis: Any = None) -> Any:
    """Share of observations inside ``[lower, upper]`` (bounds included).

    Parameters
    ----------
    lower, upper, obs : array_like
        Bounds and observations, broadcastable.
    axis : int, tuple or None
        Axis to average over (None: all).

    Returns
    -------
    float or ndarray
        Coverage in [0, 1].
    """
    lo, hi, y = (np.asarray(a, float) for a in (lower, upper, obs))
    return np.mean((y >= lo) & (y <= hi), axis=axis)


def crps_draws(obs: ArrayLike, draws: ArrayLike, axis: int = -1,
               sorted_draws: bool = False) -> np.ndarray:
    """CRPS of an ensemble of draws, ``E|X - y| - E|X - X'| / 2`` over the empirical law.

    Parameters
    ----------
    obs : array_like
        Observations, shape of ``draws`` without ``axis``.
    draws : array_like
        Draws along ``axis``.
    sorted_draws : bool
        The draws are already in increasing order along ``axis`` (skips a sort).

    Returns
    -------
    ndarray
        CRPS per forecast [unit of obs]; 0 for a point mass at the observation.
    """
    import scoringrules as sr

    return np.asarray(sr.crps_ensemble(np.asarray(obs, float), np.asarray(draws, float),
                                       m_axis=axis, sorted_ensemble=sorted_draws,
                                       backend="numpy"), float)


def crps_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike,
                   axis: int = -1) -> np.ndarray:
    """CRPS approximated from quantiles: twice the mean pinball loss over ``levels``.

    With many evenly spaced levels this tends to the CRPS (Berrisch and Ziel 2023).

    Parameters
    ----------
    obs : array_like
        Observations.
    quantiles : array_like
        Forecast quantiles along ``axis``, one per level.
    levels : array_like
        Quantile levels in (0, 1), increasing.

    Returns
    -------
    ndarray
        Score per forecast [unit of obs].
    """
    import scoringrules as sr

    q = np.moveaxis(np.asarray(quantiles, float), axis, -1)
    return np.asarray(sr.crps_quantile(np.asarray(obs, float), q, np.asarray(levels, float),
                                       backend="numpy"), float)


def crps_normal(obs: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> np.ndarray:
    """Closed-form CRPS of a normal forecast ``N(mu, sigma^2)`` [unit of obs]."""
    import scoringrules as sr

    return np.asarray(sr.crps_normal(np.asarray(obs, float), np.asarray(mu, float),
                                     np.asarray(sigma, float), backend="numpy"), float)


def pit_draws(obs: ArrayLike, draws: ArrayLike, axis: int = -1) -> np.ndarray:
    """Probability integral transform from draws: the share of draws at or below ``obs``.

    Returns
    -------
    ndarray
        PIT in [0, 1]; uniform over many forecasts when they are calibrated.
    """
    d = np.moveaxis(np.asarray(draws, float), axis, -1)
    return np.mean(d <= np.asarray(obs, float)[..., None], axis=-1)


def pit_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike,
                  axis: int = -1) -> np.ndarray:
    """PIT from quantiles: the forecast CDF at ``obs``, interpolated linearly between levels.

    Below the lowest quantile the PIT is 0, above the highest 1 (the tails beyond the given
    levels are unknown), so only levels spanning most of (0, 1) give a useful histogram.
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


def pit_distribution(obs: ArrayLike, dist: Any) -> np.ndarray:
    """PIT of forecasts given as a (frozen, possibly vectorised) ``scipy.stats`` distribution."""
    return np.asarray(dist.cdf(np.asarray(obs, float)), float)
