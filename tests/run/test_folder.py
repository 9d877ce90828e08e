"""Tests of run folders: output-folder checks, locks of killed runs, ids under concurrency."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest

from forecast.errors import ForecastError
from forecast.run import folder as runfolder


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fake_lock(build, pid: int) -> None:
    import socket

    build.mkdir()
    (build / runfolder.LOCK_NAME).write_text(f"{pid} {socket.gethostname()} -\n")


def test_output_dir_problems_are_one_line(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ForecastError, match=r"^output folder .*/file is a file, not a folder$"):
        runfolder.check_output_dir(a_file)
    with pytest.raises(ForecastError, match=r"its parent .*/missing does not exist$"):
        runfolder.check_output_dir(tmp_path / "missing" / "runs")
    with pytest.raises(ForecastError, match=r"/file is a file, not a folder$"):
        runfolder.check_output_dir(a_file / "runs", create_parents=True)
    assert runfolder.check_output_dir(tmp_path / "new") == tmp_path / "new"
    assert runfolder.check_output_dir(tmp_path / "a" / "b", create_parents=True)
    assert not (tmp_path / "a").exists()  # checking writes nothing


def test_lock_is_written_and_removed_on_finish(tmp_path):
    folder = runfolder.RunFolder(tmp_path, "r1")
    build = folder.create()
    pid, _, _ = (build / runfolder.LOCK_NAME).read_text().split()
    assert int(pid) == os.getpid()
    final = folder.finish()
    assert sorted(p.name for p in final.iterdir()) == []


def test_build_folder_of_a_killed_run_is_reclaimed(tmp_path):
    _fake_lock(tmp_path / ".tmp-nightly", _dead_pid())
    folder = runfolder.claim_run_folder(tmp_path, "nightly")
    assert folder.tmp_path.is_dir()
    assert (folder.tmp_path / runfolder.LOCK_NAME).read_text().split()[0] == str(os.getpid())


def test_build_folder_of_a_live_run_is_named(tmp_path):
    _fake_lock(tmp_path / ".tmp-nightly", os.getppid())
    with pytest.raises(ForecastError, match=r"build folder \.tmp-nightly is being written by "
                                            rf"process {os.getppid()} .*--run-name$"):
        runfolder.claim_run_folder(tmp_path, "nightly")
    (tmp_path / ".tmp-other").mkdir()
    with pytest.raises(ForecastError, match=r"an unknown process \(no lock file\)"):
        runfolder.claim_run_folder(tmp_path, "other")


def test_stale_builds_are_swept_and_named(tmp_path):
    _fake_lock(tmp_path / ".tmp-old", _dead_pid())
    _fake_lock(tmp_path / ".tmp-live", os.getppid())
    (tmp_path / ".tmp-unknown").mkdir()
    lines: list[str] = []
    assert runfolder.remove_stale_builds(tmp_path, lines.append) == [tmp_path / ".tmp-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-live", ".tmp-unknown"]
    assert len(lines) == 1 and ".tmp-old" in lines[0] and "no longer runs" in lines[0]


def test_racing_allocations_without_a_name_all_get_distinct_ids(tmp_path):
    now = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    ids: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        try:
            ids.append(runfolder.claim_run_folder(tmp_path, None, now=now).run_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(ids) == sorted({"20261122T030405Z", *(f"20261122T030405Z-{i}"
                                                         for i in range(2, 9))})
