"""What the reference class says about noise, for series too short to say it themselves.

Four annual points leave a growth model 0 to 2 residual df. Every 4-year window growing at
least 15%/yr of the reference class (``technology_ramps.csv``) gives two noise variances s^2 with
2 df: of its 3 annual log growth rates (random-walk noise) and around a least-squares line
through its 4 log values (independent noise). With ``sigma^2`` scaled-inverse-chi-square
(``nu0, s0^2``) across series, ``s^2 / s0^2 ~ F(2, nu0)``: ``s0`` and ``nu0`` are fitted by
maximum likelihood, and :func:`pool` makes the conjugate update, so bands are wide but finite
even with 0 or 1 df of a series' own. The fitted values are kept here as numbers (the models
read no files); ``tests/models/test_prior.py`` re-derives them from the CSV.
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["GROWTH_PRIOR", "RESIDUAL_PRIOR", "NoisePrior", "pool"]


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


def pool(ssr: float, df: int, prior_sigma: float, prior_df: float) -> tuple[float, float]:
    """Pooled ``sigma = sqrt((prior_df prior_sigma^2 + ssr) / (prior_df + df))`` on the fit
    scale and the df of the Student-t draws, ``prior_df + df``; ``prior_df = inf`` takes the
    prior as known (normal draws)."""
    if math.isinf(prior_df):
        return float(prior_sigma), math.inf
    total = prior_df + df
    return math.sqrt((prior_df * prior_sigma**2 + ssr) / total), float(total)
