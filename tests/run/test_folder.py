"""Run folders: names, output folders, flock-held locks and the sweep of killed runs' folders."""

from __future__ import annotations

import subprocess
import sys

import pytest

from forecast.errors import ForecastError
from forecast.run import folder as runfolder


def test_output_dir_problems_are_one_line(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ForecastError, match="is a file, not a folder"):
        runfolder.check_output_dir(tmp_path / "f")
    with pytest.raises(ForecastError, match=r"its parent .* does not exist"):
        runfolder.check_output_dir(tmp_path / "a" / "b")
    assert runfolder.check_output_dir(tmp_path / "a" / "b", create_parents=True)


def test_latest_is_not_a_run_name():
    with pytest.raises(ForecastError, match="not 'latest'"):
        runfolder.validate_run_name("latest")


def test_a_held_lock_is_never_swept_and_a_dead_ones_folder_is(tmp_path):
    live = runfolder.claim_run_folder(tmp_path, "live")
    # A process that claims a run folder and dies without publishing it.
    code = ("import sys; from pathlib import Path; from forecast.run.folder import "
            "claim_run_folder; claim_run_folder(Path(sys.argv[1]), 'dead')")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    (tmp_path / ".tmp-nolock").mkdir()
    said: list[str] = []
    runfolder.remove_stale(tmp_path, ".tmp-*", said.append)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-live", ".tmp-nolock"]
    assert len(said) == 1 and ".tmp-dead" in said[0] and "no longer runs" in said[0]
    with pytest.raises(ForecastError, match="being written"):
        runfolder.claim_run_folder(tmp_path, "live")
    assert live.publish(ok=True) == tmp_path / "live"
    # The dead run's name is free again.
    assert runfolder.claim_run_folder(tmp_path, "dead").build.is_dir()


def test_a_build_folder_is_named_only_once_it_holds_its_lock(tmp_path):
    # A run killed between making its folder and locking it (as runs did before) left it
    # empty and lockless; the name is claimed over it, and no hidden folder is left behind.
    (tmp_path / ".tmp-early").mkdir()
    claimed = runfolder.claim_run_folder(tmp_path, "early")
    assert (claimed.build / ".lock").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-early"]
    # A folder that holds anything (a live run's lock) is never replaced.
    with pytest.raises(ForecastError, match="being written"):
        runfolder.claim_run_folder(tmp_path, "early")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-early"]
    assert claimed.publish(ok=False) == tmp_path / "early.failed"
