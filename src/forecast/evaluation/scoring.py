"""Scores of probabilistic forecasts: interval score, CRPS and PIT, vectorised over leading
axes, in the unit of the observations (``forecast calibrate`` scores log values). The interval
score and the CRPS are ``scoringrules``'; this module fixes their backend and argument order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist

import numpy as np
import scoringrules as sr
from numpy.typing import ArrayLike

__all__ = ["crps_draws", "crps_quantiles", "interval_score", "pit_quantiles",
           "quantile_standard_error"]


def interval_score(lower: ArrayLike, upper: ArrayLike, obs: ArrayLike, level: float) -> np.ndarray:
    """Interval (Winkler) score [unit of obs] of central ``level`` intervals, ``level`` in
    (0, 1): the width plus ``2 / (1 - level)`` times the miss (Gneiting and Raftery 2007)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1); got {level}")
    lo, hi, y = np.broadcast_arrays(*(np.asarray(a, float) for a in (lower, upper, obs)))
    return np.asarray(sr.interval_score(y, lo, hi, 1.0 - level, backend="numpy"), float)


def crps_draws(obs: ArrayLike, draws: ArrayLike, sorted_draws: bool = False) -> np.ndarray:
    """CRPS [unit of obs] of an ensemble of draws along the last axis (``sorted_draws``:
    already increasing)."""
    return np.asarray(sr.crps_ensemble(np.asarray(obs, float), np.asarray(draws, float),
                                       sorted_ensemble=sorted_draws, backend="numpy"), float)


def crps_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike) -> np.ndarray:
    """CRPS [unit of obs] from quantiles along the last axis at increasing ``levels`` in
    (0, 1): twice the mean pinball loss, which tends to the CRPS with many evenly spaced
    levels (Berrisch and Ziel 2023)."""
    return np.asarray(sr.crps_quantile(np.asarray(obs, float), np.asarray(quantiles, float),
                                       np.asarray(levels, float), backend="numpy"), float)


def pit_quantiles(obs: ArrayLike, quantiles: ArrayLike, levels: ArrayLike) -> np.ndarray:
    """PIT [fraction] from quantiles along the last axis: the forecast CDF at ``obs``, linear
    between ``levels``, 0 below the lowest quantile and 1 above the highest (the tails are
    unknown, so only levels spanning most of (0, 1) give a useful histogram); NaN where
    ``obs`` or a quantile is NaN, as for the scores."""
    q = np.asarray(quantiles, float)
    lv = np.asarray(levels, float)
    y = np.asarray(obs, float)[..., None]
    k = np.sum(q <= y, axis=-1, keepdims=True)  # quantiles at or below the observation
    lo = np.clip(k - 1, 0, lv.size - 1)
    hi = np.clip(k, 0, lv.size - 1)
    q_lo, q_hi = np.take_along_axis(q, lo, -1), np.take_along_axis(q, hi, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(q_hi > q_lo, (y - q_lo) / (q_hi - q_lo), 1.0)
    inside = lv[lo] + np.clip(frac, 0.0, 1.0) * (lv[hi] - lv[lo])
    pit = np.where(k == 0, 0.0, np.where(k == lv.size, 1.0, inside))[..., 0]
    # Comparisons with NaN are False: a missing actual would read as below every quantile.
    return np.where(np.isnan(y[..., 0]) | np.isnan(q).any(axis=-1), np.nan, pit)


def quantile_standard_error(level: str, band: Mapping[str, float], n_draws: int) -> float:
    """Monte Carlo standard error [unit of the quantity] of the ``level`` (``p10``, ``p50`` or
    ``p90``) quantile of ``n_draws`` draws whose quantiles are ``band`` (all three levels).

    The empirical ``q``-quantile of ``n`` draws has the standard error
    ``sqrt(q (1 - q) / n) / f(x_q)``. The density ``f`` is read off the 80% band through a
    log-normal on each side of the median: ``dx/dq = x_q b / phi(z_q)`` with
    ``b = |ln p90 - ln p50| / z_0.9`` above the median and ``|ln p50 - ln p10| / z_0.9`` below
    it (their mean at the median; a normal when a value is not positive).
    """
    q = {"p10": 0.1, "p50": 0.5, "p90": 0.9}[level]
    z90 = NormalDist().inv_cdf(0.9)
    lo, mid, hi = band["p10"], band["p50"], band["p90"]
    if min(lo, mid, hi) > 0:
        below, above, scale = math.log(mid / lo) / z90, math.log(hi / mid) / z90, band[level]
    else:
        below, above, scale = (mid - lo) / z90, (hi - mid) / z90, 1.0
    slope = {"p10": below, "p90": above}.get(level, (below + above) / 2)
    density_inverse = scale * abs(slope) / NormalDist().pdf(NormalDist().inv_cdf(q))
    return math.sqrt(q * (1 - q) / n_draws) * density_inverse
