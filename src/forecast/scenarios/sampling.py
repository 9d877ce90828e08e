"""Parameter columns of a prepared scenario: seeded draws from the uncertain parameters'
distributions, or every parameter at its central value.

Every column has shape ``(n,)``: one value per Monte Carlo draw, or per sweep run; the
projection evaluates all columns at once (:func:`forecast.scenarios.projection.evaluate`).
"""

from __future__ import annotations

import math

import numpy as np

from forecast.models import uncertainty
from forecast.scenarios.preparation import MIN_SHARE, Prepared
from forecast.scenarios.schema import PARAMETER_DOMAINS, Distribution, FittedTrend

__all__ = ["central_parameters", "draw_parameters", "quantile"]


def quantile(
    key: str, dist: Distribution | FittedTrend, q: np.ndarray | float, anchor: str = "china"
) -> np.ndarray:
    """Inverse CDF of an uncertain parameter's distribution (a :mod:`scipy.stats` one).

    Parameters
    ----------
    key : str
        Dotted parameter key (its domain truncates the distribution).
    dist : Distribution or FittedTrend
        With ``mean``/``mode`` filled in (see :func:`forecast.scenarios.preparation.prepare`).
    q : array_like
        Probabilities in [0, 1].
    anchor : str
        The scenario's anchor; with ``"china"`` a share target stays above 0.

    Returns
    -------
    ndarray
        Parameter values [parameter's unit].
    """
    from scipy import stats

    q = np.asarray(q, float)
    if dist.dist == "fitted":
        return _fitted_quantile(dist, q)
    low, high = _bounds(key, dist, anchor)
    if dist.dist == "uniform":
        return stats.uniform(low, high - low).ppf(q)
    if dist.dist == "triangular":
        return stats.triang((dist.mode - low) / (high - low), low, high - low).ppf(q)
    mean, sd = float(dist.mean), float(dist.sd)  # type: ignore[arg-type]
    x = stats.truncnorm((low - mean) / sd, (high - mean) / sd, mean, sd).ppf(q)
    # The clip only guards the truncation edges against rounding.
    return np.clip(x, low, high)


def draw_parameters(
    prepared: Prepared, n_draws: int, seed: int | np.random.Generator | None
) -> dict[str, np.ndarray]:
    """Seeded draws of every parameter: ``{key: array of shape (n_draws,)}``.

    Parameters without a distribution stay at their central value. Draws are taken in the
    fixed order of :meth:`Scenario.parameters`, so the same seed gives the same numbers.
    """
    rng = uncertainty.make_rng(seed)
    out = {}
    for key, c in prepared.central.items():
        dist = prepared.distributions.get(key)
        if dist is None:
            out[key] = np.full(n_draws, c)
        else:
            out[key] = quantile(key, dist, rng.random(n_draws), prepared.scenario.anchor)
    return out


def central_parameters(prepared: Prepared, n: int = 1) -> dict[str, np.ndarray]:
    """Every parameter at its central value, as columns of length ``n``."""
    return {key: np.full(n, c) for key, c in prepared.central.items()}


def _fitted_quantile(dist: FittedTrend, q: np.ndarray) -> np.ndarray:
    """Inverse CDF of the share trend's truncated logit-t distribution [fraction]."""
    from scipy import stats
    from scipy.special import expit, logit

    t = stats.t(dist.df, dist.mean, dist.sd)
    lo_p, hi_p = t.cdf(logit(np.array([dist.low, dist.high]) / dist.cap))
    u = t.ppf(lo_p + q * (hi_p - lo_p))
    return np.clip(dist.cap * expit(u), dist.low, dist.high)


def _bounds(key: str, dist: Distribution, anchor: str) -> tuple[float, float]:
    """Sampling interval: the distribution's bounds intersected with the parameter's domain."""
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    low, high = domain.low, domain.high
    if domain.low_open:
        low = np.nextafter(low, math.inf) if math.isfinite(low) else low
    if key == "share.target" and anchor == "china":
        low = max(low, MIN_SHARE)
    if dist.low is not None:
        low = max(low, dist.low)
    if dist.high is not None:
        high = min(high, dist.high)
    return float(low), float(high)
