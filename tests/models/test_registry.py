"""Tests of forecast.models.registry: every model by name, growth and share alike."""

from __future__ import annotations

import pytest

from forecast.errors import ModelError
from forecast.models.default import DefaultMethod
from forecast.models.growth import GrowthModel
from forecast.models.registry import GROWTH_MODELS, MODELS, SHARE_MODELS, make_model
from forecast.models.saturating import GompertzCurve
from forecast.models.share import LogitShare


@pytest.mark.filterwarnings("error")
def test_registry_errors():
    with pytest.raises(ModelError, match=r"unknown model 'cubic'; choose one of"):
        make_model("cubic")
    with pytest.raises(ModelError, match=r"got unknown arguments \['K'\]; allowed: "):
        make_model("logistic", K=3800)


def test_registry_builds_every_model():
    assert set(GROWTH_MODELS) == {"cagr_endpoint", "cagr_ls", "linear", "exponential",
                                  "logistic", "gompertz", "damped", "bass", "default"}
    model = make_model("gompertz", saturation=3800.0)
    assert isinstance(model, GompertzCurve) and model.saturation == 3800.0


def test_registry_holds_share_models_too():
    assert set(SHARE_MODELS) == {"logit_share", "log_ratio_mix"}
    assert set(MODELS) == set(GROWTH_MODELS) | set(SHARE_MODELS)
    model = make_model("logit_share", cap=0.85)
    assert isinstance(model, LogitShare) and model.cap == 0.85


def test_models_are_filed_by_their_declared_name_and_family():
    # Each class under its own name: a second class of the same name would drop one of them.
    assert all(cls.name == name for name, cls in MODELS.items())
    # The calibrated default is a growth model without being a GrowthModel subclass.
    assert not issubclass(DefaultMethod, GrowthModel)
    assert GROWTH_MODELS["default"] is DefaultMethod and "default" not in SHARE_MODELS
    assert isinstance(make_model("default", horizons=6), DefaultMethod)
    assert {cls.family for cls in GROWTH_MODELS.values()} == {"growth"}
    assert {cls.family for cls in SHARE_MODELS.values()} == {"share", "mix"}
    # Growth models come first in MODELS, in the same order.
    assert list(MODELS)[: len(GROWTH_MODELS)] == list(GROWTH_MODELS)
