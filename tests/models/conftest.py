"""The interface checks every registered model passes, shared by the model tests.

Like scikit-learn's ``parametrize_with_checks``: each check is a plain function of a model
class that fits it to the observations of its family (:data:`FIT_DATA`) and asserts one part
of the interface. ``test_interface.py`` runs :data:`CHECKS` over every registered model and
tests them on deliberately broken models; the default method's tests run them too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.models.base import BaseModel
from forecast.models.share import shares_from_levels
from tests.conftest import (
    CHINA,
    CHINA_SHARE,
    FUTURE,
    QUANTILE_COLUMNS,
    SEGMENT_GWH,
    SEGMENTS,
    YEARS,
)

SEGMENT_SHARES = pd.DataFrame(shares_from_levels(SEGMENT_GWH), columns=SEGMENTS)

#: Observations each family is fitted to: China's production [GWh], China's share of world
#: production [fraction], and China's 2023-2024 segment mix [fraction].
FIT_DATA: dict[str, tuple[Any, Any]] = {
    "growth": (YEARS, CHINA),
    "share": (YEARS, CHINA_SHARE),
    "mix": (np.array([2023, 2024]), SEGMENT_SHARES),
}


def fitted(cls: type[BaseModel]) -> BaseModel:
    """A new ``cls`` fitted to the observations of its family."""
    return cls().fit(*FIT_DATA[cls.family])


def check_clone(cls: type[BaseModel]) -> None:
    from sklearn.base import clone

    model = cls()
    twin = clone(model)
    assert type(twin) is cls and twin is not model
    assert twin.get_params() == model.get_params()
    fresh = clone(fitted(cls))
    assert "params_" not in vars(fresh)


def check_params_round_trip(cls: type[BaseModel]) -> None:
    model = cls()
    params = model.get_params()
    assert params, f"{cls.__name__} has no constructor parameters"
    assert set(params) == set(model.get_params(deep=False))
    assert model.set_params(**params) is model
    assert model.get_params() == params
    with pytest.raises(ModelError, match="has no parameter 'no_such_setting'"):
        model.set_params(no_such_setting=1)


def check_fit_returns_self_and_leaves_params_alone(cls: type[BaseModel]) -> None:
    model = cls()
    before = model.get_params()
    snapshot = copy.deepcopy(before)
    assert model.fit(*FIT_DATA[cls.family]) is model, "fit did not return self"
    after = model.get_params()
    assert after == snapshot, f"fit changed constructor parameters: {snapshot} -> {after}"
    for key, value in before.items():
        assert after[key] is value, f"fit replaced the object held by parameter {key!r}"


def check_fitted_attributes(cls: type[BaseModel]) -> None:
    unfitted = cls()
    early = [
        k for k in dir(unfitted)
        if k.endswith("_") and not k.startswith("_") and hasattr(unfitted, k)
    ]
    assert early == [], f"attributes ending in '_' exist before fit: {early}"
    model = fitted(cls)
    added = [k for k in vars(model) if not k.startswith("_") and k not in vars(unfitted)]
    assert added, "fit set no public attribute"
    assert all(k.endswith("_") for k in added), f"fitted attributes without '_': {added}"
    for key in ("params_", "bse_", "param_units_", "n_obs_", "years_", "df_resid_", "notes_"):
        assert key in added, f"missing fitted attribute {key}"


def check_predict_shape(cls: type[BaseModel]) -> None:
    model = fitted(cls)
    central = model.predict(FUTURE)
    np.testing.assert_array_equal(central, model.predict(FUTURE.reshape(-1, 1)))
    if cls.family == "mix":
        assert central.shape == (FUTURE.size, SEGMENT_SHARES.shape[1])
    else:
        assert central.shape == (FUTURE.size,)
    assert np.all(np.isfinite(central))


def check_unfitted_raises(cls: type[BaseModel]) -> None:
    model = cls()
    uses: list[Callable[[], object]] = [
        lambda: model.predict(FUTURE),
        lambda: model.sample(FUTURE, 10, 1),
        lambda: model.predict_interval(FUTURE),
        lambda: model.forecast_frame(FUTURE, 10, 1),
        model.params_frame,
        model.summary,
    ]
    for use in uses:
        with pytest.raises(ModelError, match="not fitted yet: call fit"):
            use()


def check_sample_seeded(cls: type[BaseModel]) -> None:
    model = fitted(cls)
    draws = model.sample(FUTURE, n_draws=300, seed=3)
    assert draws.shape[:2] == (300, FUTURE.size)
    assert draws.shape[2:] == model.predict(FUTURE).shape[1:]
    np.testing.assert_array_equal(draws, model.sample(FUTURE, n_draws=300, seed=3))
    assert not np.array_equal(draws, model.sample(FUTURE, n_draws=300, seed=4))
    with pytest.raises(ModelError, match="n_draws must be a positive integer"):
        model.sample(FUTURE, n_draws=0, seed=3)


def check_interval_brackets_median(cls: type[BaseModel]) -> None:
    model = fitted(cls)
    lo, hi = model.predict_interval(FUTURE, level=0.8, n_draws=4_000, seed=1)
    median = np.median(model.sample(FUTURE, n_draws=4_000, seed=1), axis=0)
    assert lo.shape == hi.shape == median.shape
    assert np.all(lo <= median) and np.all(median <= hi)
    with pytest.raises(ModelError, match=r"interval level must be in \(0, 1\)"):
        model.predict_interval(FUTURE, level=80)


def check_forecast_frame(cls: type[BaseModel]) -> None:
    frame = fitted(cls).forecast_frame(FUTURE, n_draws=500, seed=2)
    keys = ["model", "year", "segment"] if cls.family == "mix" else ["model", "year"]
    assert list(frame.columns) == [*keys, *QUANTILE_COLUMNS]
    assert set(frame["model"]) == {cls.name}
    assert sorted(set(frame["year"])) == FUTURE.tolist()
    assert np.all(frame["p5"] <= frame["p50"]) and np.all(frame["p50"] <= frame["p95"])


def check_params_frame(cls: type[BaseModel]) -> None:
    model = fitted(cls)
    frame = model.params_frame()
    assert list(frame.columns) == ["param", "value", "bse", "unit", "estimated"]
    assert frame["param"].tolist() == list(model.params_)
    # a parameter the data did not determine has no standard error
    assert frame.loc[~frame["estimated"], "bse"].isna().all()


def check_score(cls: type[BaseModel]) -> None:
    from sklearn.metrics import r2_score

    model = fitted(cls)
    years, observed = FIT_DATA[cls.family]
    assert model.score(years, observed) == pytest.approx(
        r2_score(np.asarray(observed, float), model.predict(years)), abs=1e-12
    )


def check_summary(cls: type[BaseModel]) -> None:
    text = fitted(cls).summary()
    assert isinstance(text, str) and cls.name in text


CHECKS = [
    check_clone,
    check_params_round_trip,
    check_fit_returns_self_and_leaves_params_alone,
    check_fitted_attributes,
    check_predict_shape,
    check_unfitted_raises,
    check_sample_seeded,
    check_interval_brackets_median,
    check_forecast_frame,
    check_params_frame,
    check_score,
    check_summary,
]
