"""Every model by registry name, growth and share alike, and a constructor by name."""

from __future__ import annotations

from typing import Any

from forecast.errors import ModelError
from forecast.models.base import BaseModel
from forecast.models.bass import BassDiffusion
from forecast.models.damped import DampedTrend
from forecast.models.growth import GrowthModel
from forecast.models.mix import LogRatioMix
from forecast.models.saturating import GompertzCurve, LogisticCurve
from forecast.models.share import LogitShare
from forecast.models.trend import EndpointCAGR, ExponentialTrend, LeastSquaresCAGR, LinearTrend

__all__ = ["GROWTH_MODELS", "MODELS", "SHARE_MODELS", "make_model", "register"]

#: Growth models by name, for notebooks and backtests to iterate over.
GROWTH_MODELS: dict[str, type[GrowthModel]] = {}

#: Share models by name: one bounded share (``family == "share"``) or a segment mix
#: (``family == "mix"``).
SHARE_MODELS: dict[str, type[BaseModel]] = {}

#: Every registered model by name (growth models first, in registration order).
MODELS: dict[str, type[BaseModel]] = {}


def register(cls: type[BaseModel]) -> type[BaseModel]:
    """Add a model class to :data:`MODELS` and to its family's registry; returns it.

    Usable as a class decorator by a model defined elsewhere (e.g. a calibrated default).

    Raises
    ------
    ModelError
        A different class already holds the name.
    """
    held = MODELS.get(cls.name)
    if held is not None and held is not cls:
        raise ModelError(f"model name {cls.name!r} is taken by {held.__name__}")
    MODELS[cls.name] = cls
    if issubclass(cls, GrowthModel):
        GROWTH_MODELS[cls.name] = cls
    else:
        SHARE_MODELS[cls.name] = cls
    return cls


for _cls in (
    EndpointCAGR,
    LeastSquaresCAGR,
    LinearTrend,
    ExponentialTrend,
    LogisticCurve,
    GompertzCurve,
    DampedTrend,
    BassDiffusion,
    LogitShare,
    LogRatioMix,
):
    register(_cls)
del _cls


def make_model(name: str, **kwargs: Any) -> BaseModel:
    """Construct a registered model by name.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`: a growth model (``cagr_endpoint``, ``cagr_ls``, ``linear``,
        ``exponential``, ``logistic``, ``gompertz``, ``damped``, ``bass``) or a share model
        (``logit_share``, ``log_ratio_mix``).
    **kwargs
        Constructor arguments of that model (e.g. ``saturation=3800.0``).

    Returns
    -------
    BaseModel
        An unfitted estimator.

    Raises
    ------
    ModelError
        An unknown name or argument.
    """
    try:
        cls = MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise ModelError(f"unknown model {name!r}; choose one of: {known}") from None
    try:
        return cls(**kwargs)
    except TypeError:
        allowed = ", ".join(cls().get_params()) or "none"
        raise ModelError(
            f"model {name!r} got unknown arguments {sorted(kwargs)}; allowed: {allowed}"
        ) from None
