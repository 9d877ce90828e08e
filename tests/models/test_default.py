"""The calibrated default method: interface, hand-checked paths, and coverage on a known process."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.data.reference import extract_windows
from forecast.errors import ModelError
from forecast.models import DefaultMethod
from forecast.models.default import (
    LEVEL_GRID,
    Calibration,
    default_calibration,
    fit_calibration,
    log_quantiles,
)

YEARS = np.array([2021, 2022, 2023, 2024])
CHINA = np.array([324.0, 738.0, 910.0, 1170.0])  # China Li-ion production [GWh], document 002
FUTURE = np.arange(2025, 2031)


def _interface_checks():
    """The checks every registered model passes (tests/models/test_interface.py)."""
    path = Path(__file__).with_name("test_interface.py")
    spec = importlib.util.spec_from_file_location("_interface_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHECKS


@pytest.mark.parametrize("check", _interface_checks(), ids=lambda c: c.__name__)
def test_default_passes_every_interface_check(check):
    check(DefaultMethod)


def _hand_calibration(horizons: int = 3) -> Calibration:
    # Standard errors ~ N(0, 1) at every horizon, scale 0.1 + 0.5 vol.
    return Calibration(
        window=4, horizons=horizons, min_growth=0.15, long_run=0.1, weight=0.5, offset=0.02,
        damping=0.5, scale_base=np.full(horizons, 0.1), scale_slope=np.full(horizons, 0.5),
        quantiles=np.tile(stats.norm.ppf(LEVEL_GRID), (horizons, 1)),
        correlation=np.eye(horizons), n_windows=np.full(horizons, 100), n_series=10,
    )


def test_quantiles_worked_out_by_hand():
    cal = _hand_calibration()
    values = np.array([100.0, 150.0, 200.0, 300.0])
    model = DefaultMethod(calibration=cal, horizons=3).fit(np.arange(2001, 2005), values)
    inc = np.diff(np.log(values))
    g, vol = inc.mean(), inc.std(ddof=1)
    # Log growth in year T + k: 0.1 + (0.5 g + 0.02) 0.5^(k-1); cumulative sums of 1, 1.5, 1.75.
    central = 0.1 * np.arange(1, 4) + (0.5 * g + 0.02) * np.array([1.0, 1.5, 1.75])
    np.testing.assert_allclose(model.predict([2005, 2006, 2007]), 300 * np.exp(central))
    scale = 0.1 + 0.5 * vol
    q90 = model.predict_quantiles([2005, 2006, 2007], [0.9])[:, 0]
    np.testing.assert_allclose(q90, 300 * np.exp(central + scale * stats.norm.ppf(0.9)),
                               rtol=1e-3)  # 0.9 is on the grid; ppf interpolation is exact
    lo, hi = model.predict_interval([2005], level=0.8)
    assert lo[0] == pytest.approx(300 * np.exp(central[0] - scale * 1.2815516), rel=1e-6)
    assert hi[0] == pytest.approx(300 * np.exp(central[0] + scale * 1.2815516), rel=1e-6)
    # Observed years return the observations; the params say what was used.
    np.testing.assert_array_equal(model.predict([2003, 2004]), [200.0, 300.0])
    assert model.params_["growth_window"] == pytest.approx(2 ** (1 / 3) * 1.5 ** (1 / 3) - 1)
    assert model.params_["damping"] == 0.5


def test_draws_follow_the_calibrated_quantiles():
    model = DefaultMethod().fit(YEARS, CHINA)
    draws = model.sample(FUTURE, n_draws=40_000, seed=5)
    q = model.predict_quantiles(FUTURE, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(np.quantile(draws, [0.1, 0.5, 0.9], axis=0).T, q, rtol=0.03)
    assert np.all(np.diff(model.predict_quantiles(FUTURE, [0.05, 0.1, 0.5, 0.9, 0.95])) > 0)
    # Joined across years by the pooled copula: consecutive years move together.
    logs = np.log(draws)
    assert np.corrcoef(logs[:, 4], logs[:, 5])[0, 1] > 0.8


def test_the_shipped_calibration_decelerates_growth():
    cal = default_calibration()
    assert cal.n_series >= 100 and cal.n_windows.tolist()[0] > 1000
    assert 0 < cal.weight < 1 and 0.3 <= cal.damping < 1
    model = DefaultMethod().fit(YEARS, CHINA)
    growth = np.diff(np.log(np.r_[1170.0, model.predict(FUTURE)]))
    # China's window grew 53%/yr; the median path grows far less, and less by 2030.
    assert growth[0] < np.log(1.534) and growth[-1] < growth[0]
    assert "assumes" in model.summary() and "decelerates" in model.summary()


@pytest.mark.parametrize(
    ("years", "values", "match"),
    [
        ([2022, 2023, 2024], [1, 2, 3], "needs the last 4 consecutive years"),
        ([2019, 2021, 2023, 2024], [1, 2, 3, 4], "consecutive"),
        ([2021, 2022, 2023, 2024], [1, 2, 0, 4], "finite and > 0"),
        ([2021, 2022, 2023, 2024], [1, 2, np.nan, 4], "finite and > 0"),
    ],
)
def test_bad_training_data_is_refused(years, values, match):
    with pytest.raises(ModelError, match=match):
        DefaultMethod().fit(years, values)


def test_years_outside_the_calibration_are_refused():
    model = DefaultMethod().fit(YEARS, CHINA)
    with pytest.raises(ModelError, match="calibrated to 6 years ahead"):
        model.predict([2031])
    with pytest.raises(ModelError, match="calibrated to 6 years ahead"):
        model.predict([2019])
    with pytest.raises(ModelError, match="within the calibrated"):
        model.predict_quantiles(FUTURE, [0.001])
    with pytest.raises(ModelError, match="calibration is for window 4"):
        DefaultMethod(calibration=_hand_calibration(), window=5, horizons=3).fit(YEARS, CHINA)
    slow = DefaultMethod().fit(YEARS, [100, 105, 110, 116])
    assert any("outside the class" in n for n in slow.notes_)


def _simulate(n_series: int, seed: int, n_years: int = 14) -> pd.DataFrame:
    """Damped log-trend ramp-ups with known noise.

    Log growth in year k: 0.08 + (g0 - 0.08) 0.75^k + N(0, 0.10), g0 ~ U(0.2, 0.9).
    """
    rng = np.random.default_rng(seed)
    g0 = rng.uniform(0.2, 0.9, size=(n_series, 1))
    k = np.arange(n_years)
    growth = 0.08 + (g0 - 0.08) * 0.75**k + rng.normal(0.0, 0.10, size=(n_series, n_years))
    logv = np.cumsum(growth, axis=1)
    return pd.DataFrame({
        "series": np.repeat([f"s{i}" for i in range(n_series)], n_years),
        "year": np.tile(2000 + k, n_series),
        "value": np.exp(logv).ravel(),
    })


def test_coverage_on_a_known_process():
    """Calibrated on one sample of a known process, the bands cover 80% of a fresh sample.

    Tolerance 0.05: the fresh sample has 300 independent series (~1,000 windows per
    horizon); even if all windows of a series moved together the binomial standard deviation
    of an 80% coverage would be sqrt(0.16 / 300) = 0.023, so 0.05 is over 2 such deviations,
    and the seeds make the test deterministic.
    """
    train = extract_windows(_simulate(300, seed=1))
    test = extract_windows(_simulate(300, seed=2))
    cal = fit_calibration(train)
    q = log_quantiles(cal, test.values, [0.05, 0.1, 0.9, 0.95])
    y = np.log(test.actual / test.values[:, -1:])
    seen = np.isfinite(y)
    inside80 = (y >= q[..., 1]) & (y <= q[..., 2])
    inside90 = (y >= q[..., 0]) & (y <= q[..., 3])
    cov80 = np.array([inside80[seen[:, h], h].mean() for h in range(6)])
    cov90 = np.array([inside90[seen[:, h], h].mean() for h in range(6)])
    assert np.all(np.abs(cov80 - 0.80) < 0.05), cov80
    assert np.all(np.abs(cov90 - 0.90) < 0.05), cov90
    # The process damps growth: the fitted damping is below 1 and the weight on g below 1.
    assert cal.damping < 0.98 and 0 < cal.weight < 1
