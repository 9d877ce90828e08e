"""Tests of forecast.models.damped: the damped trend by least squares on the log growth rates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.models import curves
from forecast.models.damped import DampedTrend
from tests.conftest import CHINA, FUTURE, YEARS


def test_damped_trend_recovers_a_known_damped_path():
    t = np.arange(2017, 2025)
    b, phi = 0.2, 0.8  # log growth b * phi ** (t - 2024): fading towards the last year
    growth = b * phi ** (t[1:] - 2024.0)
    y = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(growth)]))
    model = DampedTrend().fit(t, y)
    assert model.method_ == "growth-rate least squares"
    assert model.params_["damping"] == pytest.approx(0.8, abs=1e-6)
    assert model.params_["growth_last"] == pytest.approx(math.expm1(0.2), rel=1e-6)
    expected = curves.damped_compound(y[-1], math.expm1(0.2), 0.8, FUTURE - 2024)
    np.testing.assert_allclose(model.predict(FUTURE), expected, rtol=1e-6)
    fixed = DampedTrend(damping=0.8).fit(t, y)
    assert fixed.params_["growth_last"] == pytest.approx(math.expm1(0.2), rel=1e-12)
    assert fixed.df_resid_ == t.size - 2
    longer = np.arange(2005, 2025)
    y_long = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(b * phi ** (longer[1:] - 2024.0))]))
    long_fit = DampedTrend().fit(longer, y_long)
    assert long_fit.method_ == "growth-rate least squares"
    assert long_fit.params_["damping"] == pytest.approx(0.8, abs=1e-6)


def test_damped_trend_on_four_points_holds_phi_on_its_bound():
    model = DampedTrend().fit(YEARS, CHINA)
    assert model.method_ == "growth-rate least squares"
    # 3 growth rates; phi profiles onto its lower bound, so only b is estimated
    assert model.df_resid_ == 2 and model.n_params_ == 1


@pytest.mark.parametrize(("phi_true", "bound", "side"), [(0.3, 0.5, "lower"), (1.2, 1.0, "upper")])
def test_phi_whose_optimum_is_on_a_bound_is_reported_fixed(phi_true, bound, side):
    t = np.arange(2019, 2025)
    growth = 0.2 * phi_true ** (t[1:] - 2024.0)  # decays faster than 0.5 / grows: off-range
    y = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(growth)]))
    model = DampedTrend().fit(t, y)
    assert model.params_["damping"] == bound
    assert model.fixed_ == {"damping": f"on its {side} search bound {bound:g}"}
    assert any(f"phi sits on its {side} bound {bound:g}: not estimated" in n
               for n in model.notes_)
    frame = model.params_frame().set_index("param")
    assert not frame.loc["damping", "estimated"] and np.isnan(frame.loc["damping", "bse"])
    assert frame.loc["growth_last", "estimated"]
    # held fixed, it costs no degree of freedom: the same as stating phi
    same = DampedTrend(damping=bound).fit(t, y)
    assert model.df_resid_ == same.df_resid_ == t.size - 2
    assert model.params_["growth_last"] == pytest.approx(same.params_["growth_last"])
    assert same.fixed_ == {"damping": "assumed"}
    # an interior optimum is estimated
    inner = DampedTrend().fit(t, 100.0 * np.exp(np.concatenate(
        [[0.0], np.cumsum(0.2 * 0.8 ** (t[1:] - 2024.0))])))
    assert inner.fixed_ == {} and inner.n_params_ == 2
