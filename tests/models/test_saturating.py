"""Tests of forecast.models.saturating: logistic and Gompertz with K fixed or free."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.saturating import GompertzCurve, LogisticCurve
from tests.conftest import CHINA, FUTURE, YEARS


@pytest.mark.parametrize(("cls", "curve", "start", "rate", "midpoint"),
                         [(LogisticCurve, curves.logistic, 2015, 0.6, 2025.0),
                          (GompertzCurve, curves.gompertz, 2010, 0.4, 2022.0)])
def test_free_saturation_is_recovered_from_15_points(cls, curve, start, rate, midpoint):
    t = np.arange(start, start + 15)
    model = cls().fit(t, curve(t, 2000.0, rate, midpoint))
    assert model.params_["saturation"] == pytest.approx(2000.0, rel=1e-5)
    assert model.params_["rate"] == pytest.approx(rate, rel=1e-5)
    assert model.params_["midpoint"] == pytest.approx(midpoint, abs=1e-4)
    assert model.df_resid_ == 12
    assert model.method_.startswith("nonlinear least squares")


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
    assert model.fixed_ == {"saturation": "assumed"}


def test_one_df_is_reported_and_its_intervals_are_heavier_tailed_than_normal():
    free = GompertzCurve().fit(YEARS, CHINA)
    assert free.df_resid_ == 1
    assert free.n_params_ == 3 and free.fixed_ == {}
    assert "3 parameters from 4 points: 1 df left" in free.caveat_
    assert free.df_t_ == 3  # 1 own df and 2 lent by the reference class
    # t with 3 df (3.18 at 95%, 1.64 at 80%) against the normal (1.96, 1.28)
    draws = free.sample([2030], n_draws=20_000, seed=0)[:, 0]
    log_draws = np.log(draws)
    spread95 = np.subtract(*np.quantile(log_draws, [0.975, 0.025]))
    spread80 = np.subtract(*np.quantile(log_draws, [0.9, 0.1]))
    assert spread95 / spread80 > 1.65  # a normal gives 3.92 / 2.56 = 1.53


def test_free_saturation_on_china_sits_at_its_lower_bound_and_is_held_there():
    model = LogisticCurve().fit(YEARS, CHINA)
    assert model.params_["saturation"] == pytest.approx(1.05 * 1170.0, rel=1e-3)
    assert "on its search bound, not estimated" in model.caveat_
    assert model.fixed_["saturation"] == "on its lower search bound 1,228"
    assert any("saturation sits on its lower bound 1,228: not estimated" in n
               for n in model.notes_)
    frame = model.params_frame().set_index("param")
    assert frame["estimated"].to_dict() == {"saturation": False, "rate": True, "midpoint": True}
    assert np.isnan(frame.loc["saturation", "bse"])
    assert model.n_params_ == 2 and model.df_resid_ == 2  # K costs no degree of freedom
    # K held: its draws do not vary, so far ahead every draw is near that K
    far = model.sample([2100], n_draws=2_000, seed=1)[:, 0]
    assert np.median(far) == pytest.approx(1.05 * 1170.0, rel=0.01)
    bounded = LogisticCurve(saturation_bounds=(2000.0, 5000.0)).fit(YEARS, CHINA)
    assert 2000.0 <= bounded.params_["saturation"] <= 5000.0
    draws = bounded.sample([2100], n_draws=3_000, seed=1)
    assert np.all(np.isfinite(draws))
    assert 2000.0 * 0.8 < np.median(draws) < 5000.0


def test_synthetic_series_that_has_saturated_puts_k_on_its_bound():
    # Already flat: the least-squares K wants to sit at the data, below 1.05 x max.
    t = np.arange(2015, 2021)
    y = curves.logistic(t, 1000.0, 1.5, 2015.5)
    model = GompertzCurve().fit(t, y)
    assert "saturation" in model.fixed_
    assert model.params_["saturation"] == pytest.approx(1.05 * y.max(), rel=1e-3)
    assert model.df_resid_ == t.size - model.n_params_ == t.size - 2
    inner = GompertzCurve().fit(np.arange(2010, 2025),
                                curves.gompertz(np.arange(2010, 2025), 2000.0, 0.4, 2022.0))
    assert "saturation" not in inner.fixed_ and inner.n_params_ == 3


def test_saturation_as_a_multiple_of_the_last_observation_exists_at_any_origin():
    model = LogisticCurve(saturation_multiple=3.0).fit(YEARS, CHINA)
    assert model.params_["saturation"] == 3.0 * 1170.0
    assert model.fixed_ == {"saturation": "assumed: 3 x the last observation (2024)"}
    early = LogisticCurve(saturation_multiple=3.0).fit(YEARS[:2], CHINA[:2])
    assert early.params_["saturation"] == 3.0 * 738.0  # what was known in 2022
    with pytest.raises(ModelError, match="not both"):
        LogisticCurve(saturation=3800.0, saturation_multiple=3.0).fit(YEARS, CHINA)
    with pytest.raises(ModelError, match="is no ceiling"):
        GompertzCurve(saturation_multiple=0.5).fit(YEARS, CHINA)


def test_a_failed_refit_leaves_the_model_unfitted():
    model = LogisticCurve().fit(YEARS, CHINA)
    with pytest.raises(ModelError, match="needs at least 4 points"):
        model.fit(YEARS[:3], CHINA[:3])
    with pytest.raises(ModelError, match="call fit"):
        model.predict([2025])


def test_params_frame_names_the_unit_of_the_data():
    from forecast.models import make_model

    # 324, 738, 910, 1,170 GWh: the free ceiling lands on its bound (1.05 x 1,170 = 1,228.5).
    model = make_model("logistic").fit(YEARS, CHINA)
    frame = model.params_frame(unit="GWh").set_index("param")
    assert frame.loc["saturation", "unit"] == "GWh"
    assert frame.loc["saturation", "value"] == pytest.approx(1228.5)
    assert "value unit" not in " ".join(model.params_frame()["unit"])
