"""Parameter columns of a prepared scenario: seeded draws from the uncertain parameters'
:mod:`scipy.stats` distributions, or every parameter at its central value."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from forecast.scenarios.preparation import SHARE_FLOOR, FittedTrend, Prepared
from forecast.scenarios.schema import Distribution, domain_of

__all__ = ["central_parameters", "draw_parameters", "quantile"]


def quantile(key: str, dist: Distribution | FittedTrend, q: np.ndarray | float,
             anchor: str = "china") -> np.ndarray:
    """Parameter values [parameter's unit] at probabilities ``q``: the inverse CDF of ``dist``
    (one of :attr:`Prepared.distributions`) truncated to the domain of the parameter ``key``;
    with ``anchor`` ``"china"`` a share target stays above 0."""
    from scipy import stats

    q = np.asarray(q, float)
    if dist.dist == "fitted":
        t = stats.t(dist.df, dist.mean, dist.sd)
        lo_p, hi_p = t.cdf(logit(np.array([dist.low, dist.high]) / dist.cap))
        share = dist.cap * expit(t.ppf(lo_p + q * (hi_p - lo_p)))
        return np.clip(share, dist.low, dist.high)
    domain = domain_of(key)
    low, high = domain.lowest, domain.high
    if key == "share.target" and anchor == "china":
        low = max(low, SHARE_FLOOR)
    if dist.low is not None:
        low = max(low, dist.low)
    if dist.high is not None:
        high = min(high, dist.high)
    if dist.dist == "uniform":
        return stats.uniform(low, high - low).ppf(q)
    if dist.dist == "triangular":
        return stats.triang((dist.mode - low) / (high - low), low, high - low).ppf(q)
    mean, sd = float(dist.mean), float(dist.sd)  # type: ignore[arg-type]
    x = stats.truncnorm((low - mean) / sd, (high - mean) / sd, mean, sd).ppf(q)
    # The clip only guards the truncation edges against rounding.
    return np.clip(x, low, high)


def draw_parameters(prepared: Prepared, n_draws: int,
                    seed: int | np.random.Generator | None) -> dict[str, np.ndarray]:
    """Seeded draws ``{key: (n_draws,)}`` of every parameter, in the fixed order of
    :meth:`Scenario.parameters`; parameters without a distribution stay central."""
    rng = np.random.default_rng(seed)
    out = central_parameters(prepared, n_draws)
    for key in prepared.central:
        if key in prepared.distributions:
            out[key] = quantile(key, prepared.distributions[key], rng.random(n_draws),
                                prepared.scenario.anchor)
    return out


def central_parameters(prepared: Prepared, n: int = 1) -> dict[str, np.ndarray]:
    """Every parameter at its central value, as columns of length ``n``."""
    return {key: np.full(n, c) for key, c in prepared.central.items()}
