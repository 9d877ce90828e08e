"""The calibrated default method: interface, hand-checked paths, and coverage on a known process."""

from __future__ import annotations

import importlib.util
import json
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
    MIN_SHARE,
    Calibration,
    default_calibration,
    fit_calibration,
    log_quantiles,
    write_shipped_calibration,
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
    # Two kinds a, b. Centre per horizon h: a 0.1 h, b 0.3 h, large third 0.2 h more, share
    # slope 0.05 h (both), 0.5 h on g, nothing on acc and vol. Scale 0.1 + 0.5 vol + 0.3
    # |d_last| (kind b 0.2 + ...). Standard errors N(0, 1) in every group except kind b's
    # large third, N(0.5, 1).
    h = np.arange(1, horizons + 1, dtype=float)[:, None]
    normal = stats.norm.ppf(LEVEL_GRID)
    quantiles = np.tile(normal, (2, 3, horizons, 1))
    quantiles[1, 2] += 0.5
    return Calibration(
        window=4, horizons=horizons, min_growth=0.15, min_share=0.001, kinds=("a", "b"),
        centre=h * np.array([[0.1, 0.3, 0.0, 0.2, 0.05, 0.05, 0.5, 0.0, 0.0]]),
        scale=np.tile([0.1, 0.2, 0.5, 0.0, 0.3], (horizons, 1)),
        size_cuts=np.log([[10.0, 100.0], [10.0, 100.0]]), quantiles=quantiles,
        correlation=np.eye(horizons), n_windows=np.full(horizons, 100), n_series=10,
    )


def test_quantiles_worked_out_by_hand():
    cal = _hand_calibration()
    values = np.array([100.0, 150.0, 200.0, 300.0])
    model = DefaultMethod(calibration=cal, horizons=3, share=0.5, kind="a", size="mid")
    model.fit(np.arange(2001, 2005), values)
    inc = np.diff(np.log(values))
    g, vol = inc.mean(), inc.std(ddof=1)
    h = np.arange(1, 4)
    central = h * (0.1 + 0.05 * np.log(0.5) + 0.5 * g)
    np.testing.assert_allclose(model.predict([2005, 2006, 2007]), 300 * np.exp(central))
    scale = 0.1 + 0.5 * vol + 0.3 * inc[-1]
    q90 = model.predict_quantiles([2005, 2006, 2007], [0.9])[:, 0]
    np.testing.assert_allclose(q90, 300 * np.exp(central + scale * stats.norm.ppf(0.9)))
    lo, hi = model.predict_interval([2005], level=0.8)
    assert lo[0] == pytest.approx(300 * np.exp(central[0] - scale * 1.2815516), rel=1e-6)
    assert hi[0] == pytest.approx(300 * np.exp(central[0] + scale * 1.2815516), rel=1e-6)
    # Observed years return the observations; the params say what was used.
    np.testing.assert_array_equal(model.predict([2003, 2004]), [200.0, 300.0])
    assert model.params_["growth_window"] == pytest.approx(3 ** (1 / 3) - 1)
    assert model.params_["share"] == 0.5
    # Half kind a, half kind b in its large third: the centre and scale average the kinds',
    # the errors average their quantile functions (median 0.25 from b's shifted errors).
    mix = DefaultMethod(calibration=cal, horizons=3, share=0.5, kind={"a": 0.5, "b": 0.5},
                        size="large").fit(np.arange(2001, 2005), values)
    central_mix = h * (0.2 + 0.2 + 0.05 * np.log(0.5) + 0.5 * g)
    scale_mix = 0.15 + 0.5 * vol + 0.3 * inc[-1]
    np.testing.assert_allclose(mix.predict([2005, 2006, 2007]),
                               300 * np.exp(central_mix + scale_mix * 0.25))


def test_a_larger_share_moves_the_centre_by_its_slope():
    cal = _hand_calibration()
    small = DefaultMethod(calibration=cal, horizons=3, share=0.01, kind="a").fit(YEARS, CHINA)
    large = DefaultMethod(calibration=cal, horizons=3, share=0.76, kind="a").fit(YEARS, CHINA)
    ratio = np.log(large.predict(FUTURE[:3]) / small.predict(FUTURE[:3]))
    np.testing.assert_allclose(ratio, 0.05 * np.arange(1, 4) * np.log(76.0))


def test_draws_follow_the_calibrated_quantiles():
    model = DefaultMethod().fit(YEARS, CHINA)
    draws = model.sample(FUTURE, n_draws=40_000, seed=5)
    q = model.predict_quantiles(FUTURE, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(np.quantile(draws, [0.1, 0.5, 0.9], axis=0).T, q, rtol=0.03)
    assert np.all(np.diff(model.predict_quantiles(FUTURE, [0.05, 0.1, 0.5, 0.9, 0.95])) > 0)
    # Joined across years by the calibrated copula: consecutive years move together.
    logs = np.log(draws)
    assert np.corrcoef(logs[:, 4], logs[:, 5])[0, 1] > 0.6


def test_the_shipped_calibration_is_current_and_needs_no_file(tmp_path, monkeypatch):
    shipped = default_calibration()  # read from the package
    path = tmp_path / "cal.json"
    write_shipped_calibration(path)
    fresh = json.loads(path.read_text())
    for key, value in shipped.to_dict().items():
        if isinstance(value, str | list) and key in ("kinds", "kind"):
            assert fresh[key] == value, f"{key}: run make calibration"
        else:
            # IRLS stops at a coefficient change of 1e-5: another BLAS may stop elsewhere.
            np.testing.assert_allclose(fresh[key], value, rtol=1e-4, atol=1e-4,
                                       err_msg=f"{key}: run make calibration")
    assert shipped.min_share == MIN_SHARE
    # From another folder, with no data folder to find: the package's calibration is used.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_DATA_DIR", str(tmp_path / "nowhere"))
    model = DefaultMethod().fit(YEARS, CHINA)
    assert model.calibration_.n_series == shipped.n_series
    # China's production decelerates from its 53%/yr window in the median path.
    growth = np.diff(np.log(np.r_[1170.0, model.predict(FUTURE)]))
    assert np.all(growth < np.log(1.534))
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


@pytest.mark.parametrize(
    ("settings", "match"),
    [({"share": 0.0}, r"share must be a fraction in \(0, 1\]"),
     ({"share": 1.5}, "share must be"),
     ({"kind": "nuclear"}, "'nuclear' is not in the reference class"),
     ({"kind": {"ev_car_sales": 0.5, "wind_electricity": 0.4}}, "sum to 1"),
     ({"size": "huge"}, "size must be one of small, mid, large")],
)
def test_bad_placement_is_refused(settings, match):
    with pytest.raises(ModelError, match=match):
        DefaultMethod(**settings).fit(YEARS, CHINA)


def _simulate(n_series: int, seed: int, n_years: int = 14) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Damped log-trend ramp-ups of two kinds, with known noise, and their world totals.

    Log growth in year k: 0.08 + (g0 - 0.08) 0.75^k + N(0, 0.10) for kind x,
    N(0, 0.25) for kind y; g0 ~ U(0.2, 0.9). The world total of a kind is 3x the sum of its
    series (so shares are known and spread).
    """
    rng = np.random.default_rng(seed)
    g0 = rng.uniform(0.2, 0.9, size=(n_series, 1))
    kind = np.where(np.arange(n_series) % 2 == 0, "x", "y")
    sd = np.where(kind == "x", 0.10, 0.25)[:, None]
    k = np.arange(n_years)
    growth = 0.08 + (g0 - 0.08) * 0.75**k + rng.normal(0.0, 1.0, size=(n_series, n_years)) * sd
    logv = np.cumsum(growth, axis=1) + rng.normal(0.0, 1.0, size=(n_series, 1))
    frame = pd.DataFrame({
        "series": np.repeat([f"{kind[i]}:s{i}" for i in range(n_series)], n_years),
        "year": np.tile(2000 + k, n_series),
        "value": np.exp(logv).ravel(),
    })
    totals = (frame.assign(technology=frame["series"].str[0]).groupby(["technology", "year"])
              ["value"].sum().mul(3.0).reset_index())
    return frame, totals


def test_band_is_as_wide_as_out_of_fold_errors_and_refits_keep_it():
    """The scale is widened by the cross-fitted spread, per horizon; a refit on a subset (the
    leave-one-series-out calibrations) keeps the whole class's factors; error quantiles are
    shared within a horizon group (h1-2, h3-4, h5-6) and differ between groups."""
    frame, totals = _simulate(120, seed=3)
    windows = extract_windows(frame, totals=totals)
    cal = fit_calibration(windows)
    assert cal.spread.shape == (6,)
    # Out of fold a fitted model errs more than on its own windows.
    assert np.all(cal.spread > 1.0) and np.all(cal.spread < 1.5), cal.spread
    sub = windows.subset(windows.series != windows.series[0])
    refit = fit_calibration(sub, start=cal)
    np.testing.assert_array_equal(refit.spread, cal.spread)
    assert not np.array_equal(fit_calibration(sub).spread, cal.spread)
    q = cal.quantiles
    np.testing.assert_array_equal(q[:, :, 0], q[:, :, 1])
    np.testing.assert_array_equal(q[:, :, 4], q[:, :, 5])
    assert not np.allclose(q[:, :, 1], q[:, :, 2])


def test_coverage_on_a_known_process():
    """Calibrated on one sample of a known process, the bands cover 80% of a fresh sample,
    in each kind (their noise differs by 2.5x).

    Tolerance 0.06 per kind: 150 independent series per kind in the fresh sample; even if
    all windows of a series moved together the binomial standard deviation of an 80%
    coverage would be sqrt(0.16 / 150) = 0.033; the seeds make the test deterministic.
    """
    frame, totals = _simulate(300, seed=1)
    train = extract_windows(frame, totals=totals)
    frame, totals = _simulate(300, seed=2)
    test = extract_windows(frame, totals=totals)
    cal = fit_calibration(train)
    assert cal.kinds == ("x", "y") and cal.damping < 0.95
    q = log_quantiles(cal, test, [0.05, 0.1, 0.9, 0.95])
    y = np.log(test.actual / test.values[:, -1:])
    seen = np.isfinite(y)
    inside80 = (y >= q[..., 1]) & (y <= q[..., 2])
    inside90 = (y >= q[..., 0]) & (y <= q[..., 3])
    for kind in ("x", "y"):
        rows = test.technology == kind
        cov80 = np.array([inside80[rows & seen[:, h], h].mean() for h in range(6)])
        cov90 = np.array([inside90[rows & seen[:, h], h].mean() for h in range(6)])
        assert np.all(np.abs(cov80 - 0.80) < 0.06), (kind, cov80)
        assert np.all(np.abs(cov90 - 0.90) < 0.06), (kind, cov90)
    # The noisier kind gets the wider band.
    width = q[..., 2] - q[..., 1]
    assert np.median(width[test.technology == "y", 2]) > 1.5 * np.median(
        width[test.technology == "x", 2])
