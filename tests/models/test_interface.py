"""One set of interface checks run over every registered model, growth and share alike.

Like scikit-learn's ``parametrize_with_checks``: each check (tests/models/conftest.py) is a
plain function of a model class, run for every name in :data:`forecast.models.registry.MODELS`,
and the checks are themselves tested on deliberately broken models so that they can fail.
"""

from __future__ import annotations

import pytest

from forecast.models.registry import MODELS
from forecast.models.trend import LinearTrend
from tests.models.conftest import (
    CHECKS,
    FIT_DATA,
    check_fit_returns_self_and_leaves_params_alone,
    check_fitted_attributes,
)


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
@pytest.mark.parametrize("name", list(MODELS))
def test_every_registered_model_passes_every_check(name: str, check) -> None:
    check(MODELS[name])


def test_every_family_has_fit_data() -> None:
    assert {cls.family for cls in MODELS.values()} == set(FIT_DATA)


# ----------------------------------------------------------------- the checks can fail


class _MutatesParams(LinearTrend):
    name = "broken_mutates"

    def fit(self, X, y):
        self.prior_sigma = 0.2  # a setting overwritten by fit: clone would not reproduce it
        return super().fit(X, y)


class _ReturnsNone(LinearTrend):
    name = "broken_returns_none"

    def fit(self, X, y):
        super().fit(X, y)


class _PublicStateWithoutUnderscore(LinearTrend):
    name = "broken_state"

    def fit(self, X, y):
        super().fit(X, y)
        self.slope = self.params_["slope"]
        return self


class _FittedLookingClassAttribute(LinearTrend):
    name = "broken_class_attr"
    scale_ = "level"


@pytest.mark.parametrize(
    ("cls", "check", "message"),
    [
        (_MutatesParams, check_fit_returns_self_and_leaves_params_alone, "fit changed"),
        (_ReturnsNone, check_fit_returns_self_and_leaves_params_alone, "did not return self"),
        (_PublicStateWithoutUnderscore, check_fitted_attributes, "without '_'"),
        (_FittedLookingClassAttribute, check_fitted_attributes, "exist before fit"),
    ],
)
def test_the_checks_catch_broken_models(cls, check, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check(cls)
