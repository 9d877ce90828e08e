"""Growth and share models on one estimator interface, and the registry of them by name.

Models take plain arrays (years, values) and know nothing of files or scenarios.
"""

from forecast.models.growth import (
    GROWTH_MODELS,
    BassDiffusion,
    DampedTrend,
    EndpointCAGR,
    ExponentialTrend,
    GompertzCurve,
    GrowthModel,
    LeastSquaresCAGR,
    LinearTrend,
    LogisticCurve,
    make_model,
)
from forecast.models.share import (
    LogitShare,
    LogRatioMix,
    alr,
    inv_alr,
    inv_logit,
    logit,
    segment_paths,
    shares_from_levels,
    two_part_share,
)

__all__ = [
    "GROWTH_MODELS",
    "BassDiffusion",
    "DampedTrend",
    "EndpointCAGR",
    "ExponentialTrend",
    "GompertzCurve",
    "GrowthModel",
    "LeastSquaresCAGR",
    "LinearTrend",
    "LogRatioMix",
    "LogisticCurve",
    "LogitShare",
    "alr",
    "inv_alr",
    "inv_logit",
    "logit",
    "make_model",
    "segment_paths",
    "shares_from_levels",
    "two_part_share",
]
