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
from forecast.models.share import LogitShare, LogRatioMix

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
    "make_model",
]
