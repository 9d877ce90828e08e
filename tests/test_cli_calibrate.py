"""``forecast calibrate``: the tables it writes, from the installed script as a real process,
and its refusals (exit 3), from ``forecast.cli.main`` in the test's process."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO

FORECASTS = "series,origin,horizon,method,p5,p10,p50,p90,p95,actual"
SUMMARY = "method,horizon,n,coverage80,coverage90,mean_abs_log_error,interval_score80,crps"


def _forecast(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("forecast", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "forecast"]
    return subprocess.run([*cmd, *args], cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    """Two small ramp-ups, 9 years each: 12 windows of 4 years growing >= 15%/yr."""
    rng = np.random.default_rng(11)
    rows = []
    for s in range(2):
        logv = np.cumsum(0.1 + 0.5 * 0.75 ** np.arange(9) + rng.normal(0, 0.05, 9))
        rows += [(f"wind_electricity:T{s}", 2012 + k, round(float(np.exp(v)), 6))
                 for k, v in enumerate(logv)]
    path = tmp_path_factory.mktemp("toy") / "toy.csv"
    pd.DataFrame(rows, columns=["series", "year", "value"]).to_csv(path, index=False)
    return path


def test_calibrate_writes_both_tables_byte_identically(toy, tmp_path):
    first = _forecast("calibrate", "--reference", str(toy), "--output", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    assert "default" in first.stdout and "cov80" in first.stdout
    forecasts = (tmp_path / "a" / "forecasts.csv").read_text()
    summary = (tmp_path / "a" / "summary.csv").read_text()
    assert forecasts.splitlines()[0] == FORECASTS
    assert summary.splitlines()[0] == SUMMARY
    table = pd.read_csv(tmp_path / "a" / "summary.csv")
    assert {"default", "rw_pooled", "cagr_endpoint", "bass"} <= set(table["method"])
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "conditional.csv", "forecasts.csv", "summary.csv"]
    conditional = (tmp_path / "a" / "conditional.csv").read_text()
    assert conditional.splitlines()[0] == (
        "method,cell,horizon_group,n,coverage80,coverage90,median_log_error")
    assert "default,wind_electricity:small,h1-2," in conditional
    second = _forecast("calibrate", "--reference", str(toy), "--window", "4", "--horizons", "6",
                       "--min-growth", "0.15", "--output", str(tmp_path / "b"))
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "b" / "forecasts.csv").read_text() == forecasts
    assert (tmp_path / "b" / "summary.csv").read_text() == summary
    assert (tmp_path / "b" / "conditional.csv").read_text() == conditional


@pytest.mark.parametrize(
    ("content", "options", "needles"),
    [
        ("series,year,value\ntoy,2000,1\ntoy,2001,-2\n", [], ["bad.csv", "row 3", "value",
                                                             "[range]"]),
        ("series,year,value\ntoy,2000,1\ntoy,1e20,2\n", [], ["bad.csv", "row 3", "year",
                                                              "[not-a-year]"]),
        (None, ["--window", "1"], ["--window", ">= 2"]),
        (None, ["--horizons", "0"], ["--horizons"]),
        (None, ["--min-growth", "abc"], ["--min-growth"]),
    ],
)
def test_bad_input_exits_3_with_one_line_and_writes_nothing(forecast_main, toy, tmp_path, content,
                                                            options, needles):
    ref = toy
    if content is not None:
        ref = tmp_path / "bad.csv"
        ref.write_text(content)
    out = tmp_path / "out"
    proc = forecast_main("calibrate", "--reference", str(ref), *options, "--output", str(out))
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]
    assert not out.exists()


def test_a_missing_reference_file_exits_3(forecast_main, tmp_path):
    proc = forecast_main("calibrate", "--reference", str(tmp_path / "none.csv"), "--output",
                         str(tmp_path / "out"))
    assert proc.returncode == 3 and "none.csv" in proc.stderr and "missing-file" in proc.stderr


@pytest.mark.parametrize(("code", "exit_code"), [(errno.ENOSPC, 4), (errno.EACCES, 3)],
                         ids=["full-disk", "no-permission"])
def test_a_failed_write_is_one_line_and_a_full_disk_exits_4(forecast_main, toy, tmp_path,
                                                            monkeypatch, code, exit_code):
    from forecast.evaluation import calibration

    def fail(texts):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(calibration, "write_all_atomic", fail)
    out = tmp_path / "out"
    proc = forecast_main("calibrate", "--reference", str(toy), "--output", str(out))
    assert proc.returncode == exit_code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"error: --output {out}: cannot write ({os.strerror(code)})"], proc.stderr
    assert list(out.iterdir()) == []


def test_an_output_that_is_a_file_is_refused_before_calibrating(forecast_main, toy, tmp_path,
                                                                monkeypatch):
    from forecast.evaluation import calibration

    monkeypatch.setattr(calibration, "calibrate", None)  # refused before it is called
    blocked = tmp_path / "file"
    blocked.write_text("x")
    for out, line in [(blocked, f"error: --output {blocked} is a file, not a folder"),
                      (blocked / "sub", f"error: --output {blocked}/sub: {blocked} is a file, "
                       "not a folder")]:
        proc = forecast_main("calibrate", "--reference", str(toy), "--output", str(out))
        assert proc.returncode == 3 and proc.stderr.splitlines() == [line], proc.stderr
    assert blocked.read_text() == "x"
