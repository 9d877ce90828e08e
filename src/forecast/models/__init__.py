"""Growth and share models on one estimator interface (:class:`~forecast.models.base.BaseModel`),
and the registry of them by name. Models take plain arrays (years, values) and read no files.
"""

from forecast.models.base import BaseModel
from forecast.models.bass import BassDiffusion
from forecast.models.damped import DampedTrend
from forecast.models.default import DefaultMethod
from forecast.models.growth import GrowthModel
from forecast.models.mix import LogRatioMix, alr, inv_alr, segment_paths
from forecast.models.registry import GROWTH_MODELS, MODELS, SHARE_MODELS, make_model
from forecast.models.saturating import GompertzCurve, LogisticCurve
from forecast.models.share import LogitShare, shares_from_levels, two_part_share
from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend

__all__ = [
    "GROWTH_MODELS", "MODELS", "SHARE_MODELS", "BaseModel", "BassDiffusion", "DampedTrend",
    "DefaultMethod", "EndpointCAGR", "ExponentialTrend", "GompertzCurve", "GrowthModel",
    "LeastSquaresCAGR", "LinearTrend", "LogRatioMix", "LogisticCurve", "LogitShare", "alr",
    "inv_alr", "make_model", "segment_paths", "shares_from_levels", "two_part_share",
]
