"""Every model by registry name, growth and share alike, and a constructor by name."""

from __future__ import annotations

from typing import Any

from forecast.errors import ModelError
from forecast.models.base import BaseModel
from forecast.models.bass import BassDiffusion
from forecast.models.damped import DampedTrend
from forecast.models.default import DefaultMethod
from forecast.models.mix import LogRatioMix
from forecast.models.saturating import GompertzCurve, LogisticCurve
from forecast.models.share import LogitShare
from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend

__all__ = ["GROWTH_MODELS", "MODELS", "SHARE_MODELS", "make_model"]

#: Every model by name, growth models first.
MODELS: dict[str, type[BaseModel]] = {cls.name: cls for cls in (
    EndpointCAGR, LeastSquaresCAGR, LinearTrend, ExponentialTrend, LogisticCurve, GompertzCurve,
    DampedTrend, BassDiffusion, DefaultMethod, LogitShare, LogRatioMix)}
#: Growth models (``family == "growth"``: a level) by name, in the order of :data:`MODELS`.
GROWTH_MODELS = {name: cls for name, cls in MODELS.items() if cls.family == "growth"}
#: Share models by name: one bounded share (``"share"``) or a segment mix (``"mix"``).
SHARE_MODELS = {name: cls for name, cls in MODELS.items() if cls.family != "growth"}


def make_model(name: str, **kwargs: Any) -> BaseModel:
    """An unfitted model of :data:`MODELS` by ``name`` (e.g. ``logistic``) with constructor
    arguments ``kwargs`` (e.g. ``saturation=3800.0``); a ModelError for an unknown one."""
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    cls = MODELS[name]
    try:
        return cls(**kwargs)
    except TypeError:
        allowed = ", ".join(cls().get_params()) or "none"
        raise ModelError(
            f"model {name!r} got unknown arguments {sorted(kwargs)}; allowed: {allowed}"
        ) from None
