"""What the reference class says about noise, for series too short to say it themselves.

Four annual points leave a growth model 0 to 2 residual df. Every 4-year window growing at
least 15%/yr of the reference class (``technology_ramps.csv``) gives two noise variances s^2 with
2 df: of its 3 annual log growth rates (random-walk noise) and around a least-squares line
through its 4 log values (independent noise). With ``sigma^2`` scaled-inverse-chi-square
(``nu0, s0^2``) across series, ``s^2 / s0^2 ~ F(2, nu0)``: :func:`fit_prior` finds ``s0`` and
``nu0`` by maximum likelihood, and :func:`pool` makes the conjugate update, so bands are wide
but finite even with 0 or 1 df of a series' own. The fitted values are kept here as numbers
(the models read no files); a test re-derives them from the CSV.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from forecast.models.ols import ols

__all__ = [
    "GROWTH_PRIOR", "MIN_GROWTH", "RESIDUAL_PRIOR", "WINDOW", "NoisePrior", "fit_prior", "pool",
    "window_variances",
]

#: Window length [years] and the least endpoint growth [fraction/yr] of a reference window.
WINDOW = 4
MIN_GROWTH = 0.15


class NoisePrior(NamedTuple):
    """Scale ``s0`` on the log scale [log units; per year for growth], the df ``nu0`` it
    lends, and what it measures."""

    sigma: float
    df: float
    what: str


#: Innovation sd of log values (year-to-year sd of log growth) in fast-growth windows of the
#: reference class: ``s0 = 0.244`` (F fit on 1,339 windows; the pooled sd is 0.52, pulled up by
#: a few very noisy series), ``nu0 = 2.0``.
GROWTH_PRIOR = NoisePrior(0.244, 2.0, "reference-class sd of annual log growth")

#: Residual sd around a log-linear trend in the same windows: ``s0 = 0.155``, ``nu0 = 1.9``
#: (stated as 2.0: the two fits agree within their precision).
RESIDUAL_PRIOR = NoisePrior(0.155, 2.0, "reference-class residual sd around a log trend")


def window_variances(windows: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Variance of the annual log growth rates and residual variance of a least-squares line
    through the log values [log units^2], ``(n,)`` each with ``window - 2`` df, of windows
    ``(n, window)`` [value unit > 0], oldest first, ``window >= 3``."""
    z = np.log(np.atleast_2d(np.asarray(windows, dtype=float)))
    window = z.shape[1]
    growth = np.var(np.diff(z, axis=1), axis=1, ddof=1)
    resid = ols(np.arange(window, dtype=float), z.T)[1]
    return growth, np.sum(resid**2, axis=0) / (window - 2)


def fit_prior(variances: np.ndarray, df: int = 2) -> tuple[float, float]:
    """Maximum likelihood ``(s0, nu0)`` of ``variances / s0^2 ~ F(df, nu0)``."""
    from scipy import stats

    v = np.asarray(variances, float)
    _, nu0, _, scale = stats.f.fit(v[v > 0], fdfn=df, floc=0)
    return math.sqrt(scale), float(nu0)


def pool(ssr: float, df: int, prior_sigma: float, prior_df: float) -> tuple[float, float]:
    """Pooled ``sigma = sqrt((prior_df prior_sigma^2 + ssr) / (prior_df + df))`` on the fit
    scale and the df of the Student-t draws, ``prior_df + df``; ``prior_df = inf`` takes the
    prior as known (normal draws)."""
    if math.isinf(prior_df):
        return float(prior_sigma), math.inf
    total = prior_df + df
    return math.sqrt((prior_df * prior_sigma**2 + ssr) / total), float(total)
