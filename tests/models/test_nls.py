"""Bounded least squares of many small problems (forecast.models.nls) and batched fits."""

import numpy as np
import pytest

from forecast.models import BassDiffusion, GompertzCurve, LogisticCurve, curves, nls

T = np.arange(6.0)


def _decay(theta: np.ndarray) -> np.ndarray:
    """Residuals of log y = log a - b t against rows of (log a, b) for y = 3 exp(-0.5 t)."""
    return np.log(3.0) - 0.5 * T - (theta[:, [0]] - theta[:, [1]] * T)


def test_rows_reach_the_known_optimum_from_different_starts():
    start = np.array([[0.0, 0.0], [2.0, 2.0], [-1.0, 1.5]])
    x, jac = nls.solve(_decay, start, [-5.0, -5.0], [5.0, 5.0])
    assert np.allclose(x, [np.log(3.0), 0.5], atol=1e-9)
    assert np.allclose(_decay(x), 0.0, atol=1e-9)
    # the model is linear in (log a, b): the Jacobian is (-1, t) exactly
    assert np.allclose(jac[0], np.column_stack([-np.ones_like(T), T]), atol=1e-6)


def test_an_optimum_outside_the_box_ends_on_the_bound():
    # b is capped at 0.3 < 0.5: the constrained optimum holds b there and refits log a
    x, _ = nls.solve(_decay, np.array([[0.0, 0.0]]), [-5.0, -5.0], [5.0, 0.3])
    assert x[0, 1] == 0.3
    # least squares of log 3 - 0.5 t + 0.3 t on a constant: the mean of log 3 - 0.2 t
    assert x[0, 0] == pytest.approx(np.log(3.0) - 0.2 * T.mean(), abs=1e-9)


@pytest.mark.parametrize("cls", [LogisticCurve, GompertzCurve, BassDiffusion])
def test_fitting_many_windows_at_once_equals_fitting_each_alone(cls):
    years = 2010.0 + np.arange(5)[:, None] + np.arange(4)
    rng = np.random.default_rng(3)
    values = curves.logistic(years, 1000.0, 0.6, 2016.0) * np.exp(rng.normal(0, 0.05, (5, 4)))
    values[2, 1] = -1.0  # a row the log models refuse
    together = cls.fit_windows(years, values)
    assert together[2] is None
    for t, v, model in zip(years, values, together, strict=True):
        if model is None:
            continue
        alone = cls().fit(t, v)
        assert np.array_equal(alone._theta, model._theta)
        assert alone.params_ == model.params_
        assert np.array_equal(alone.sample(t + 5, 50, seed=1), model.sample(t + 5, 50, seed=1))


def test_a_free_logistic_recovers_a_known_curve():
    t = np.arange(2010.0, 2016.0)
    model = LogisticCurve().fit(t, curves.logistic(t, 500.0, 0.4, 2014.0))
    assert model.params_["saturation"] == pytest.approx(500.0, rel=1e-6)
    assert model.params_["rate"] == pytest.approx(0.4, rel=1e-6)
    assert model.params_["midpoint"] == pytest.approx(2014.0, abs=1e-5)
