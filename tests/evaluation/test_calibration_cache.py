"""The reference-class calibration cache: same tables as a fresh computation, a new key for
any changed input, corrupt entries computed again, the folder chosen by FORECAST_CACHE_DIR."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.data.reference import default_reference_path
from forecast.evaluation import calibration
from forecast.evaluation import calibration_cache as cc
from forecast.report.tables import write_table

OPTIONS = {"methods": ["default", "rw_pooled", "cagr_endpoint"], "n_draws": 100, "seed": 7,
           "pit": True, "jobs": 1}


def _reference(folder: Path, drift: float = 0.15) -> Path:
    rng = np.random.default_rng(3)
    rows = []
    for s in range(3):
        logv = np.cumsum(drift + 0.4 * 0.8 ** np.arange(10) + rng.normal(0, 0.05, 10))
        rows += [(f"wind_electricity:T{s}", 2010 + k, float(np.exp(v)))
                 for k, v in enumerate(logv)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "toy.csv"
    pd.DataFrame(rows, columns=["series", "year", "value"]).to_csv(path, index=False)
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(cc.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "calibration"


def _count_calls(monkeypatch, name: str) -> list[int]:
    """A list that grows by one at each call of the real ``calibration.<name>``."""
    calls: list[int] = []
    real = getattr(calibration, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(calibration, name, counting)
    return calls


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """Counts the calls of the real ``calibrate``."""
    return _count_calls(monkeypatch, "calibrate")


def _csv_bytes(frames, folder: Path) -> list[bytes]:
    return [write_table(f, folder, name).read_bytes()
            for f, name in zip(frames, ("forecasts", "summary"), strict=True)]


def test_a_hit_gives_byte_identical_tables_to_a_fresh_computation(tmp_path, cache, computed):
    path = _reference(tmp_path / "ref")
    fresh = calibration.calibrate(path, **OPTIONS)
    first = cc.cached_calibrate(path, **OPTIONS)
    second = cc.cached_calibrate(path, **OPTIONS)
    assert len(computed) == 2  # the fresh one and the miss; the hit computes nothing
    assert first[2] == second[2] == cc.cache_key(path, OPTIONS)
    assert sorted(p.name for p in (cache / first[2]).iterdir()) == [
        "forecasts.csv", "meta.json", "summary.csv"]
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no scratch left
    for got in (first, second):
        for one, two in zip(fresh, got[:2], strict=True):
            pd.testing.assert_frame_equal(one, two, check_exact=True)
        assert _csv_bytes(got[:2], tmp_path / "hit") == _csv_bytes(fresh, tmp_path / "fresh")


def test_the_key_changes_with_every_input_and_only_with_them(tmp_path, monkeypatch):
    path = _reference(tmp_path / "a")
    key = cc.cache_key(path, OPTIONS)
    assert len(key) == 64 and int(key, 16) >= 0
    # Moved or copied, the same content has the same key; the number of workers does not count.
    assert cc.cache_key(shutil.copy(path, tmp_path / "b.csv"), OPTIONS) == key
    assert cc.cache_key(path, {**OPTIONS, "jobs": None}) == key
    # Content, each option, the reference class and the package each change it.
    assert cc.cache_key(_reference(tmp_path / "c", drift=0.16), OPTIONS) != key
    assert cc.cache_key(path, {**OPTIONS, "seed": 8}) != key
    assert cc.cache_key(path, {**OPTIONS, "window": 5}) != key
    assert cc.cache_key(path, {**OPTIONS, "methods": ["default"]}) != key
    assert cc.cache_key(path, {**OPTIONS, "reference_class": path}) != key
    monkeypatch.setattr(forecast, "__version__", "0.0.0-test")
    assert cc.cache_key(path, OPTIONS) != key


@pytest.mark.parametrize("damage", ["truncate", "flip", "meta", "empty", "shared"])
def test_a_corrupt_entry_is_computed_again(tmp_path, cache, computed, damage):
    path = _reference(tmp_path / "ref")
    forecasts, summary, key = cc.cached_calibrate(path, **OPTIONS)
    entry = cache / key
    blob = (entry / "forecasts.csv").read_bytes()
    if damage == "truncate":
        (entry / "forecasts.csv").write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":  # same length, one byte changed: only the checksum sees it
        (entry / "forecasts.csv").write_bytes(blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:])
    elif damage == "meta":
        (entry / "meta.json").write_text("{not json", encoding="utf-8")
    elif damage == "shared":  # writable by others: its tables are never trusted
        entry.chmod(0o775)
    else:
        shutil.rmtree(entry)
        entry.mkdir()
    again = cc.cached_calibrate(path, **OPTIONS)
    assert len(computed) == 2
    pd.testing.assert_frame_equal(again[0], forecasts, check_exact=True)
    pd.testing.assert_frame_equal(again[1], summary, check_exact=True)
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    assert meta["key"] == key  # rewritten whole: the next call is a hit
    cc.cached_calibrate(path, **OPTIONS)
    assert len(computed) == 2


def test_place_halves_through_the_cache_are_the_fresh_table(tmp_path, cache, monkeypatch):
    """Notebook 05's held-out places: a hit is the fresh table to the byte, under a key of its
    own that changes with the options."""
    path = default_reference_path()
    fresh = calibration.place_halves(path, n_splits=2, seed=5)
    calls = _count_calls(monkeypatch, "place_halves")
    assert fresh["coverage80"].notna().any() and fresh["split"].nunique() == 2
    got = [cc.cached_place_halves(path, n_splits=2, seed=5) for _ in range(2)]
    assert len(calls) == 1
    for i, table in enumerate(got):
        pd.testing.assert_frame_equal(table, fresh, check_exact=True)
        assert (write_table(table, tmp_path / f"hit{i}", "halves").read_bytes()
                == write_table(fresh, tmp_path / "fresh", "halves").read_bytes())
    cc.cached_place_halves(path, n_splits=2, seed=6)
    assert len(calls) == 2 and len(list(cache.iterdir())) == 2


def test_the_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(cc.CACHE_ENV, str(tmp_path / "here"))
    assert cc.cache_dir() == tmp_path / "here" / "calibration"
    monkeypatch.delenv(cc.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cc.cache_dir() == tmp_path / "xdg" / "forecast" / "calibration"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cc.cache_dir() == tmp_path / "home" / ".cache" / "forecast" / "calibration"


def test_an_unwritable_cache_still_gives_the_tables(tmp_path, monkeypatch, computed):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cc.CACHE_ENV, str(blocker))
    path = _reference(tmp_path / "ref")
    forecasts, _, key = cc.cached_calibrate(path, **OPTIONS)
    assert len(computed) == 1 and len(forecasts) > 0 and len(key) == 64


def test_the_key_reads_the_stages_a_calibration_imports_and_no_other(tmp_path):
    root = Path(forecast.__file__).parent
    keyed = {p.relative_to(root).as_posix() for p in cc.keyed_files()}
    for needed in ("evaluation/calibration.py", "models/conditional.py",
                   "models/default_calibration.json", "data/reference.py",
                   "data/reference_class/technology_ramps.csv", "errors.py", "files.py"):
        assert needed in keyed
    above = ("report", "run", "scenarios", "cli.py", "__main__.py")
    assert not [k for k in keyed if k.split("/")[0] in above]
    # What the key leaves out is what calibrating never loads: every growth model, the default
    # method and its benchmark, computed in a fresh process.
    code = ("import sys\n"
            "from forecast.evaluation.calibration import calibrate\n"
            f"calibrate({str(_reference(tmp_path))!r}, n_draws=20, jobs=1)\n"
            "print(sorted(m for m in sys.modules if m.startswith('forecast.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    modules = ast.literal_eval(out.strip().splitlines()[-1])
    assert "forecast.models.default" in modules and "forecast.models.bass" in modules
    assert not {m.split(".")[1] for m in modules} & {"report", "run", "scenarios", "cli"}, modules
