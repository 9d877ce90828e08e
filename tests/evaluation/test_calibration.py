"""Rolling-window calibration: tables, leave-one-series-out, targets on the shipped class."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data.reference import extract_windows, load_reference
from forecast.errors import ForecastError, ParameterError
from forecast.evaluation import calibration
from forecast.evaluation.calibration import (
    CONDITIONAL_COLUMNS,
    FORECAST_COLUMNS,
    SUMMARY_COLUMNS,
    calibrate,
    cell_ranges,
    conditional_table,
    large_share_table,
    scores_by_horizon,
    write_calibration,
)
from forecast.models.default import MIN_SHARE, fit_calibration, log_quantiles

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "src" / "forecast" / "data" / "reference_class" / "technology_ramps.csv"


def _synthetic(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    rows = []
    for s in range(3):
        logv = np.cumsum(0.15 + 0.4 * 0.8 ** np.arange(10) + rng.normal(0, 0.05, 10))
        # Named like the shipped class, so each series has a share of its world total.
        rows += [(f"wind_electricity:T{s}", 2010 + k, float(np.exp(v)))
                 for k, v in enumerate(logv)]
    path = tmp_path / "toy.csv"
    pd.DataFrame(rows, columns=["series", "year", "value"]).to_csv(path, index=False)
    return path


def test_tables_have_the_contract_columns_and_are_reproducible(tmp_path):
    path = _synthetic(tmp_path)
    methods = ["default", "rw_pooled", "cagr_endpoint", "damped"]
    forecasts, summary = calibrate(path, methods=methods, n_draws=200)
    assert list(forecasts.columns) == FORECAST_COLUMNS
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary["method"].unique().tolist() == methods
    assert forecasts["actual"].notna().all() and (forecasts["horizon"].between(1, 6)).all()
    # Every (window, horizon) with an actual appears once per method.
    windows = extract_windows(load_reference(path), min_share=MIN_SHARE)
    assert len(forecasts) == len(methods) * int(np.isfinite(windows.actual).sum())
    assert (forecasts["p5"] <= forecasts["p10"]).all()
    assert (forecasts["p90"] <= forecasts["p95"]).all()
    again, summary2 = calibrate(path, methods=methods, n_draws=200)
    pd.testing.assert_frame_equal(forecasts, again)
    pd.testing.assert_frame_equal(summary, summary2)


def test_a_series_of_the_class_is_forecast_without_its_own_windows(tmp_path):
    ref = load_reference(SHIPPED)
    name = "wind_electricity:CAN"
    path = tmp_path / "one.csv"
    ref.loc[ref["series"] == name, ["series", "year", "value"]].to_csv(path, index=False)
    forecasts, _ = calibrate(path, methods=["default"])
    everything = extract_windows(ref, min_share=MIN_SHARE)
    own = extract_windows(load_reference(path), min_share=MIN_SHARE)
    full = fit_calibration(everything)
    loso = fit_calibration(everything.subset(everything.series != name), start=full)
    first = forecasts[(forecasts["origin"] == own.origin[0]) & (forecasts["horizon"] == 1)]
    head = own.subset(np.arange(len(own)) == 0)
    expected = own.values[0, -1] * np.exp(log_quantiles(loso, head, [0.5])[0, 0, 0])
    assert first["p50"].iloc[0] == pytest.approx(expected, rel=1e-9)
    with_own = own.values[0, -1] * np.exp(log_quantiles(full, head, [0.5])[0, 0, 0])
    assert abs(first["p50"].iloc[0] / with_own - 1) > 1e-4


def test_summary_scores_by_hand():
    # Two forecasts at horizon 1: one inside its bands, one above p95.
    long = pd.DataFrame({
        "series": ["a", "b"], "origin": [2000, 2000], "horizon": [1, 1], "method": ["m", "m"],
        "p5": [1.0, 1.0], "p10": [2.0, 2.0], "p50": [4.0, 4.0], "p90": [8.0, 8.0],
        "p95": [16.0, 16.0], "actual": [4.0, 32.0], "last": [4.0, 4.0], "crps": [0.1, 0.3],
    })
    row = scores_by_horizon(long, ["m"]).iloc[0]
    assert (row["n"], row["coverage80"], row["coverage90"]) == (2, 0.5, 0.5)
    assert row["mean_abs_log_error"] == pytest.approx((0 + np.log(8)) / 2)
    width = np.log(8) - np.log(2)
    miss = 10 * (np.log(32) - np.log(8))
    assert row["interval_score80"] == pytest.approx((width + width + miss) / 2)
    assert row["crps"] == pytest.approx(0.2)


def test_bad_options_and_methods_are_refused(tmp_path):
    path = _synthetic(tmp_path)
    with pytest.raises(ParameterError, match="window must be an integer >= 2"):
        calibrate(path, window=1)
    with pytest.raises(ParameterError, match="unknown method 'nope'"):
        calibrate(path, methods=["nope"])
    with pytest.raises(ParameterError, match="nothing to calibrate"):
        calibrate(path, min_growth=5.0)


def test_worker_processes_give_identical_tables(tmp_path, monkeypatch):
    path = _synthetic(tmp_path)
    methods = ["default", "rw_pooled", "linear", "logistic"]
    alone = calibrate(path, methods=methods, n_draws=200, jobs=1)
    monkeypatch.setattr(calibration, "_WINDOWS_PER_JOB", 1)  # workers even for a few windows
    shared = calibrate(path, methods=methods, n_draws=200, jobs=2)
    for one, two in zip(alone, shared, strict=True):
        pd.testing.assert_frame_equal(one, two, check_exact=True)
    with pytest.raises(ParameterError, match="jobs must be an integer >= 1; got 0"):
        calibrate(path, jobs=0)


def test_every_growth_model_is_calibrated_once_with_default_first(tmp_path):
    from forecast.models import GROWTH_MODELS

    path = _synthetic(tmp_path)
    forecasts, summary = calibrate(path, n_draws=100, pit=True)
    methods = list(dict.fromkeys(summary["method"]))
    assert methods[:2] == ["default", "rw_pooled"]
    assert sorted(methods) == sorted({*GROWTH_MODELS, "rw_pooled"})
    # A method's forecasts do not depend on the methods run beside it.
    alone = calibrate(path, methods=["damped", "default"], n_draws=100, pit=True)[0]
    for method in ("damped", "default"):
        pd.testing.assert_frame_equal(
            alone[alone["method"] == method].reset_index(drop=True),
            forecasts[forecasts["method"] == method].reset_index(drop=True), check_exact=True)
    # PIT: the forecast CDF at the actual, on the same side of p50 as the actual.
    assert list(forecasts.columns) == [*FORECAST_COLUMNS, "pit"]
    assert forecasts["pit"].between(0, 1).all()
    above = forecasts["actual"] > forecasts["p90"]
    assert (forecasts.loc[above, "pit"] >= 0.85).all() and above.any()
    assert list(calibrate(path, methods=["linear"], n_draws=100)[0].columns) == FORECAST_COLUMNS


def test_write_is_atomic_and_byte_identical(tmp_path):
    forecasts = pd.DataFrame({c: [1.0 / 3.0] for c in FORECAST_COLUMNS})
    summary = pd.DataFrame({c: [2.0 / 3.0] for c in SUMMARY_COLUMNS})
    out = tmp_path / "out"
    a = [p.read_bytes() for p in write_calibration(forecasts, summary, out)]
    b = [p.read_bytes() for p in write_calibration(forecasts, summary, out)]
    assert a == b and sorted(p.name for p in out.iterdir()) == ["forecasts.csv", "summary.csv"]
    blocked = tmp_path / "file"
    blocked.write_text("x")
    for folder, where in [(blocked, ""), (blocked / "sub", f": {blocked}")]:
        with pytest.raises(ForecastError, match=f"^--output {folder}{where} is a file, not a "
                           "folder$"):
            write_calibration(forecasts, summary, folder)
    assert blocked.read_text() == "x"


def test_conditional_table_by_hand():
    # Technology t, six windows ranked by level (1..6): thirds {1, 2}, {3, 4}, {5, 6}.
    ref = pd.DataFrame({"series": [f"t:{k}" for k in range(6)], "year": 2000,
                        "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    forecasts = pd.DataFrame({
        "series": [f"t:{k}" for k in range(6)] + ["t:0"], "origin": 2000,
        "horizon": [1, 2, 1, 1, 2, 1, 3], "method": "m",
        "p5": 1.0, "p10": 2.0, "p50": 4.0, "p90": 8.0, "p95": 16.0,
        "actual": [4.0, 9.0, 2.0, 1.5, 4.0 * np.e, 0.5, 4.0],
    })
    table = conditional_table(forecasts, ref)
    assert list(table.columns) == CONDITIONAL_COLUMNS
    rows = {(r.cell, r.horizon_group): r for r in table.itertuples(index=False)}
    assert list(dict.fromkeys(table["cell"])) == ["t:small", "t:mid", "t:large", "t"]
    small = rows[("t:small", "h1-2")]  # actuals 4 (inside 80%) and 9 (inside 90% only)
    assert (small.n, small.coverage80, small.coverage90) == (2, 0.5, 1.0)
    assert small.median_log_error == pytest.approx(np.log(9 / 4) / 2)
    assert rows[("t:small", "h3-3")].median_log_error == 0.0
    large = rows[("t:large", "h1-2")]  # 4e (inside 90%: < 16) and 0.5 (below p5)
    assert (large.coverage80, large.coverage90) == (0.0, 0.5)
    assert large.median_log_error == pytest.approx((1 + np.log(0.5 / 4)) / 2)
    everything = rows[("t", "h1-2")]
    assert everything.n == 6 and everything.coverage80 == pytest.approx(2 / 6)  # 4 and 2


def test_a_median_at_or_below_zero_is_the_lowest_forecast_not_a_missing_one():
    # A linear trend can forecast <= 0: the cell's median counts it as too low by +inf, as
    # the summary scores it at its floor, instead of dropping the worst forecasts.
    ref = pd.DataFrame({"series": ["t:a", "t:b", "t:c"], "year": 2000, "value": [1.0, 2, 3]})
    forecasts = pd.DataFrame({
        "series": ["t:a", "t:b", "t:c"], "origin": 2000, "horizon": 1, "method": "linear",
        "p5": -2.0, "p10": -1.0, "p50": [1.0, 0.0, -1.0], "p90": 2.0, "p95": 3.0,
        "actual": [np.e, 1.0, 1.0],
    })
    whole = conditional_table(forecasts, ref).set_index("cell").loc["t"]
    assert whole["median_log_error"] == np.inf


def test_cell_ranges_resample_whole_series():
    # Technology t, three series of two windows each; every window of series k misses its
    # median by the same log error, so a resample's median is one of the three series' errors.
    errors = {"t:a": -0.3, "t:b": 0.0, "t:c": 0.6}
    ref = pd.DataFrame({"series": [s for s in errors for _ in (0, 1)],
                        "year": [2000, 2001] * 3, "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    forecasts = pd.DataFrame({
        "series": ref["series"], "origin": ref["year"], "horizon": 1, "method": "default",
        "p5": 0.5, "p10": 0.9, "p50": 1.0, "p90": 1.1, "p95": 2.0,
        "actual": np.exp(ref["series"].map(errors).to_numpy()),
    })
    table = cell_ranges(forecasts, ref, n_boot=4000, level=0.9)
    assert table[["cell", "horizon_group"]].values.tolist() == (
        conditional_table(forecasts, ref)[["cell", "horizon_group"]].values.tolist())
    whole = table[table["cell"] == "t"].iloc[0]
    assert whole["series"] == 3
    # A resample draws series a at least twice (median -0.3) with P = 7/27 > 5%; c alike.
    assert (whole["median_low"], whole["median_high"]) == (-0.3, 0.6)
    # Only series b's windows lie inside the 80% band: coverage is b's share of the draw.
    assert (whole["coverage80_low"], whole["coverage80_high"]) == (0.0, 2 / 3)
    small = table[table["cell"] == "t:small"].iloc[0]  # the two lowest levels: series a
    assert small["series"] == 1 and small["median_low"] == small["median_high"] == -0.3
    again = cell_ranges(forecasts, ref, n_boot=4000, level=0.9)
    pd.testing.assert_frame_equal(table, again)


@pytest.fixture(scope="session")
def shipped_all(shared_result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecasts of default and rw_pooled and the summary of every method on the shipped class
    (500 draws per growth-model forecast), computed once per session even across xdist
    workers: the tests below read parts of it (a method's rows do not depend on which other
    methods run, nor on the draws for default and rw_pooled, whose quantiles are calibrated)."""
    def build(_: Path) -> dict:
        forecasts, summary = calibrate(SHIPPED, n_draws=500)
        calibrated = forecasts[forecasts["method"].isin(["default", "rw_pooled"])]
        return {"forecasts": calibrated.to_dict(orient="split"),
                "summary": summary.to_dict(orient="split")}

    result = shared_result("shipped_calibration", build)
    return tuple(pd.DataFrame(result[k]["data"], columns=result[k]["columns"])
                 for k in ("forecasts", "summary"))


@pytest.fixture(scope="module")
def shipped_forecasts(shipped_all) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``calibrate(SHIPPED, methods=["default", "rw_pooled"])`` returns."""
    forecasts, summary = shipped_all
    rows = summary["method"].isin(["default", "rw_pooled"])
    return forecasts, summary[rows].reset_index(drop=True)


@pytest.fixture(scope="module")
def shipped_calibrated(shipped_forecasts) -> pd.DataFrame:
    return shipped_forecasts[1]


def test_large_share_table_keeps_large_windows_of_the_method_by_hand():
    from forecast.data.reference import ReferenceWindows

    windows = ReferenceWindows(np.array(["solar_electricity:A", "ev_car_sales:B"]),
                               np.array([2003, 2013]), np.ones((2, 4)), np.ones((2, 3)), 4, 3,
                               0.15, np.array(["solar_electricity", "ev_car_sales"]),
                               np.array([0.20, 0.05]))
    e = np.exp
    rows = [  # series, origin, horizon, method, p10, p50, p90, actual
        ("solar_electricity:A", 2003, 1, "default", 4.0, 5.0, 6.0, 5.0 * e(0.1)),   # inside
        ("solar_electricity:A", 2003, 2, "default", 5.0, 6.0, 7.0, 6.0 * e(-0.2)),  # below
        ("solar_electricity:A", 2003, 3, "default", 6.0, 7.0, 8.0, 7.0 * e(0.3)),   # above
        ("solar_electricity:A", 2003, 3, "linear", 6.0, 7.0, 8.0, 7.0),    # another method
        ("ev_car_sales:B", 2013, 1, "default", 1.0, 2.0, 3.0, 2.0),        # share 5%
        ("solar_electricity:A", 2003, 4, "default", 6.0, 7.0, 8.0, np.nan),  # no outcome
    ]
    forecasts = pd.DataFrame(rows, columns=["series", "origin", "horizon", "method", "p10",
                                            "p50", "p90", "actual"]).assign(
        p5=lambda f: f["p10"] - 1, p95=lambda f: f["p90"] + 1)
    table = large_share_table(forecasts, windows)
    assert table["horizon_group"].tolist() == ["h1-2", "h3-4"]
    assert table["n"].tolist() == [2, 1] and table["series"].tolist() == [1, 1]
    np.testing.assert_allclose(table["coverage80"], [0.5, 0.0])
    np.testing.assert_allclose(table["median_log_error"], [-0.05, 0.3])


def test_default_meets_the_conditional_targets(shipped_forecasts):
    """Leave-one-series-out on the shipped class: each technology meets the targets in every
    horizon group, and so does every size third but one (electric-car sales' smallest third at
    h5-6 is over-forecast by 0.10); the 80% interval score is below 0.7x the benchmark's at every
    horizon."""
    table = conditional_table(shipped_forecasts[0], load_reference(SHIPPED))
    default = table[table["method"] == "default"]
    assert len(default) == 36
    meets = default["coverage80"].between(0.70, 0.90) & (default["median_log_error"].abs()
                                                           <= 0.10)
    by_tech = ~default["cell"].str.contains(":")
    assert meets[by_tech].all(), default[by_tech]
    assert meets.sum() >= 35, default[~meets]
    assert default["coverage80"].between(0.6, 0.9).all()
    assert (default["median_log_error"].abs() <= 0.15).all()
    summary = shipped_forecasts[1]
    score = summary.pivot(index="horizon", columns="method", values="interval_score80")
    assert (score["default"] < 0.7 * score["rw_pooled"]).all(), score


def test_default_meets_the_coverage_targets_leave_one_series_out(shipped_calibrated):
    default = shipped_calibrated[shipped_calibrated["method"] == "default"]
    assert default["horizon"].tolist() == [1, 2, 3, 4, 5, 6]
    assert default["coverage80"].between(0.75, 0.85).all(), default
    assert default["coverage90"].between(0.86, 0.94).all(), default


def test_default_beats_its_benchmark_at_every_horizon(shipped_calibrated):
    table = shipped_calibrated.pivot(index="horizon", columns="method", values="interval_score80")
    assert (table["default"] < table["rw_pooled"]).all(), table


@pytest.mark.slow
def test_default_has_the_lowest_interval_score_of_every_method(shipped_all):
    table = shipped_all[1].pivot(index="horizon", columns="method", values="interval_score80")
    others = table.drop(columns="default")
    assert (table["default"].to_numpy()[:, None] < others.to_numpy()).all(), table


def test_jobs_none_uses_the_cpus_this_process_may_run_on(monkeypatch):
    # A container or taskset may allow fewer CPUs than the machine has: workers beyond them
    # only queue for the same CPUs.
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert calibration.usable_cpus() == 2
    seen = []

    def started(jobs):
        seen.append(jobs)
        raise ForecastError("stop here")

    monkeypatch.setattr(calibration, "_start_workers", started)
    with pytest.raises(ForecastError, match="stop here"):
        calibration.calibrate(SHIPPED, methods=["linear"], jobs=None)
    assert seen == [2]

    def no_mask(pid):
        raise OSError("no affinity here")

    monkeypatch.setattr(os, "sched_getaffinity", no_mask)
    assert calibration.usable_cpus() == 64


def test_place_halves_scores_each_half_on_a_calibration_without_its_places(monkeypatch):
    """Every split calibrates on the places the other half holds, all their technologies, and
    scores that other half; a seed gives the same splits."""
    fitted, scored = [], []
    real_fit, real_quantiles = calibration.fit_calibration, calibration.log_quantiles

    def places(windows):
        return {name.split(":", 1)[1] for name in windows.series}

    def fit(windows, kind="default", start=None):
        fitted.append(places(windows))
        return real_fit(windows, kind, start)

    def quantiles(cal, windows, levels):
        scored.append(places(windows))
        return real_quantiles(cal, windows, levels)

    monkeypatch.setattr(calibration, "fit_calibration", fit)
    monkeypatch.setattr(calibration, "log_quantiles", quantiles)
    halves = calibration.place_halves(SHIPPED, n_splits=2, seed=7)
    everywhere = places(extract_windows(load_reference(SHIPPED), min_share=MIN_SHARE))
    assert len(fitted) == len(scored) == 2
    for train, test in zip(fitted, scored, strict=True):
        assert not train & test and train | test == everywhere
        assert abs(len(train) - len(test)) <= 1
    assert fitted[0] != fitted[1]
    assert list(halves.columns) == ["split", *calibration.CONDITIONAL_COLUMNS]
    assert halves.groupby("split").size().tolist() == [36, 36]
    assert halves["coverage80"].between(0, 1).all()
    monkeypatch.undo()
    pd.testing.assert_frame_equal(calibration.place_halves(SHIPPED, n_splits=2, seed=7), halves)


def test_cells_met_needs_both_targets():
    table = pd.DataFrame({"coverage80": [0.8, 0.7, 0.91, 0.8, 0.9],
                          "median_log_error": [0.0, -0.1, 0.0, 0.1001, 0.1]})
    assert calibration.cells_met(table).tolist() == [True, True, False, False, True]
