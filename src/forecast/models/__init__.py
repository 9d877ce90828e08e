"""Growth and share models on one estimator interface, and the registry of them by name.

Models take plain arrays (years, values) and know nothing of files or scenarios. Every model
subclasses :class:`~forecast.models.base.BaseModel` (scikit-learn conventions: ``clone``,
``get_params``/``set_params``; ``fit``, ``predict``, ``sample``, ``predict_interval``,
``forecast_frame``, ``params_frame``, ``summary``).

Modules: ``base`` (the interface and shared helpers), ``growth`` (what growth models share),
``trend`` (CAGR, linear, exponential), ``saturating`` (logistic, Gompertz), ``damped``,
``bass``, ``nls`` (bounded least squares of many small problems at once), ``share`` (one
share: logit helpers, Fisher-Pry trend), ``mix`` (segment mix: ALR helpers, log-ratio trend,
segment paths), ``registry``, ``ols``, ``curves``, ``uncertainty``.
Other layers import from this package only.
"""

from forecast.models.base import BaseModel
from forecast.models.bass import BassDiffusion
from forecast.models.damped import DampedTrend
from forecast.models.default import DefaultMethod
from forecast.models.growth import GrowthModel
from forecast.models.mix import LogRatioMix, alr, inv_alr, segment_paths
from forecast.models.registry import GROWTH_MODELS, MODELS, SHARE_MODELS, make_model
from forecast.models.saturating import GompertzCurve, LogisticCurve
from forecast.models.share import (
    LogitShare,
    logit,
    shares_from_levels,
    two_part_share,
)
from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend

__all__ = [
    "GROWTH_MODELS",
    "MODELS",
    "SHARE_MODELS",
    "BaseModel",
    "BassDiffusion",
    "DampedTrend",
    "DefaultMethod",
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
    "logit",
    "make_model",
    "segment_paths",
    "shares_from_levels",
    "two_part_share",
]
