"""Tests of forecast.models.saturating: logistic and Gompertz with K fixed or free."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.saturating import GompertzCurve, LogisticCurve

# China Li-ion production 2021-2024 [GWh] (document 002); 2023 alternative 940 GWh.
YEARS = np.array([2021, 2022, 2023, 2024])
CHINA = np.array([324.0, 738.0, 910.0, 1170.0])
FUTURE = np.arange(2025, 2031)


def test_logistic_with_free_saturation_is_recovered_from_15_points():
    t = np.arange(2015, 2030)
    y = curves.logistic(t, 2000.0, 0.6, 2025.0)
    model = LogisticCurve().fit(t, y)
    assert model.params_["saturation"] == pytest.approx(2000.0, rel=1e-5)
    assert model.params_["rate"] == pytest.approx(0.6, rel=1e-5)
    assert model.params_["midpoint"] == pytest.approx(2025.0, abs=1e-4)
    assert model.df_resid_ == 12
    assert model.method_.startswith("nonlinear least squares")


def test_gompertz_with_free_saturation_is_recovered_from_15_points():
    t = np.arange(2010, 2025)
    y = curves.gompertz(t, 2000.0, 0.4, 2022.0)
    model = GompertzCurve().fit(t, y)
    assert model.params_["saturation"] == pytest.approx(2000.0, rel=1e-5)
    assert model.params_["rate"] == pytest.approx(0.4, rel=1e-5)
    assert model.params_["midpoint"] == pytest.approx(2022.0, abs=1e-4)


@pytest.mark.parametrize(("cls", "curve"), [(LogisticCurve, curves.logistic),
                                            (GompertzCurve, curves.gompertz)])
def test_fixed_saturation_linearisation_is_exact_on_four_points(cls, curve):
    t = np.arange(2021, 2025)
    y = curve(t, 3800.0, 0.45, 2026.0)
    model = cls(saturation=3800.0).fit(t, y)
    assert model.params_["rate"] == pytest.approx(0.45, rel=1e-10)
    assert model.params_["midpoint"] == pytest.approx(2026.0, abs=1e-9)
    assert model.df_resid_ == 2
    assert math.isnan(model.bse_["saturation"])
    np.testing.assert_allclose(model.predict(FUTURE), curve(FUTURE, 3800.0, 0.45, 2026.0))
    assert "K = 3,800 assumed" in model.caveat_


def test_one_df_is_reported_and_its_intervals_are_wider_than_with_two():
    free = LogisticCurve().fit(YEARS, CHINA)
    assert free.df_resid_ == 1
    assert free.n_params_ == 3
    assert "3 parameters from 4 points: 1 df left" in free.caveat_
    assert any("Cauchy" in n for n in free.notes_)
    # t quantile with 1 df (6.31 at 95%) against the normal (1.64): the draws must show it
    draws = free.sample([2030], n_draws=20_000, seed=0)[:, 0]
    log_draws = np.log(draws)
    spread95 = np.subtract(*np.quantile(log_draws, [0.975, 0.025]))
    spread80 = np.subtract(*np.quantile(log_draws, [0.9, 0.1]))
    assert spread95 / spread80 > 2.5  # a normal gives 3.92 / 2.56 = 1.53


def test_free_saturation_on_china_sits_at_its_lower_bound_and_says_so():
    model = LogisticCurve().fit(YEARS, CHINA)
    assert model.params_["saturation"] == pytest.approx(1.05 * 1170.0, rel=1e-3)
    assert "sits at a bound" in model.caveat_
    bounded = LogisticCurve(saturation_bounds=(2000.0, 5000.0)).fit(YEARS, CHINA)
    assert 2000.0 <= bounded.params_["saturation"] <= 5000.0
    # Far ahead the path is K times Cauchy-like noise; K draws are clipped to the bounds, so
    # the median stays between them and every draw stays finite.
    draws = bounded.sample([2100], n_draws=3_000, seed=1)
    assert np.all(np.isfinite(draws))
    assert 2000.0 * 0.8 < np.median(draws) < 5000.0


def test_a_failed_refit_leaves_the_model_unfitted():
    model = LogisticCurve().fit(YEARS, CHINA)
    with pytest.raises(ModelError, match="needs at least 4 points"):
        model.fit(YEARS[:3], CHINA[:3])
    with pytest.raises(ModelError, match="call fit"):
        model.predict([2025])
