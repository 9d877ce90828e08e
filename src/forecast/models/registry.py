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

__all__ = ["GROWTH_MODELS", "MODELS", "SHARE_MODELS", "make_model", "register"]

#: Growth models by name (``family == "growth"``: a level), for notebooks, backtests and
#: ``forecast calibrate`` to iterate over; the curve models and the calibrated ``default``.
GROWTH_MODELS: dict[str, type[BaseModel]] = {}

#: Share models by name: one bounded share (``family == "share"``) or a segment mix
#: (``family == "mix"``).
SHARE_MODELS: dict[str, type[BaseModel]] = {}

#: Every registered model by name (growth models first, in registration order).
MODELS: dict[str, type[BaseModel]] = {}

# Which registry each declared ``family`` goes to.
_FAMILIES: dict[str, dict[str, type[BaseModel]]] = {
    "growth": GROWTH_MODELS, "share": SHARE_MODELS, "mix": SHARE_MODELS,
}


def register(cls: type[BaseModel]) -> type[BaseModel]:
    """Add a model class to :data:`MODELS` and to its declared family's registry; returns it.

    The family is the class's ``family`` attribute, not its base class: the calibrated
    ``default`` is a growth model without subclassing
    :class:`~forecast.models.growth.GrowthModel`. Usable as a class decorator by a model
    defined outside this package (a model module here must not import the registry, which
    imports it).

    Raises
    ------
    ModelError
        A different class already holds the name, or the family is unknown.
    """
    held = MODELS.get(cls.name)
    if held is not None and held is not cls:
        raise ModelError(f"model name {cls.name!r} is taken by {held.__name__}")
    if cls.family not in _FAMILIES:
        raise ModelError(f"model {cls.name!r} has family {cls.family!r}; choose one of: "
                         f"{', '.join(_FAMILIES)}")
    MODELS[cls.name] = cls
    _FAMILIES[cls.family][cls.name] = cls
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
    DefaultMethod,
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
        ``exponential``, ``logistic``, ``gompertz``, ``damped``, ``bass``, the calibrated
        ``default``) or a share model
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
