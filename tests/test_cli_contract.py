"""The command line's contract under bad input and faults.

Bad input is refused with exit 3 and one line naming the option or parameter and its value,
before any kernel starts (so within seconds) and without writing to the output folder; the
last stdout line of ``forecast run`` is the run folder or the failure line.

Each refusal runs ``forecast.cli.main`` in the test's process (``forecast_main`` of
tests/conftest.py); a few run as real processes too, for the exit code, the one line and the
time a user sees. Signals, a killed run, a full disk and racing processes need real processes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

#: Wall-time bound of a refusal [s]: ~1 s measured on a loaded 2-core machine (the issue asks
#: for 2 s; the margin absorbs interpreter start-up under load).
REFUSAL_S = 3.0
#: Bound of a refusal that needs papermill (parameter names) or loads an input file with pandas:
#: 0.5-1.1 s measured at a load of 2 on the 2-core machine, 2.6-3.5 s at a load of 7-8, all of
#: it imports; the bound keeps "before any kernel starts" (a kernel run takes 10 s or more).
IMPORTING_REFUSAL_S = 8.0


def _forecast(*args: str, env: dict[str, str] | None = None,
              timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "forecast", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})
    return proc, time.perf_counter() - start


def _assert_refused(proc: subprocess.CompletedProcess[str], *needles: str,
                    stdout_too: bool = True) -> str:
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("error: ") and "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in line, line
    if stdout_too:
        assert proc.stdout.strip().splitlines()[-1] == line
    return line


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--scenario", "bogus"], ["parameter scenario_names", "'bogus'"]),
        (["-p", "n_draws", "-5"], ["parameter n_draws", "got -5"]),
        (["-p", "n_draws", "abc"], ["parameter n_draws", "got 'abc'"]),
        (["-p", "n_draws", "100000000"], ["parameter n_draws", "at most 1,000,000",
                                          "got 100000000"]),
        (["-p", "target_year", "2023"], ["parameter target_year", "after 2024", "got 2023"]),
        (["-p", "seed", "1.5"], ["parameter seed", "got 1.5"]),
        (["-p", "seed", "2024-01-01"], ["parameter seed", "2024"]),
        (["-p", "seed", "4294967296"], ["parameter seed", "got 4294967296"]),
        (["-p", "sensitivity_scenario", "hihg"], ["parameter sensitivity_scenario", "'hihg'"]),
        (["--scenario", "base", "-p", "sensitivity_scenario", "high"],
         ["parameter sensitivity_scenario", "one of the scenarios run (base)"]),
        (["-p", "n_draw", "5"], ["unknown notebook parameter 'n_draw'"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and isinstance(v[0], str)
    and v[0].startswith("-") else None,
)
def test_run_refuses_bad_parameters_before_any_kernel(forecast_main, tmp_path, args, needles):
    out = tmp_path / "runs"
    start = time.perf_counter()
    proc = forecast_main("run", "--output-dir", str(out), "--quiet", *args)
    elapsed = time.perf_counter() - start
    _assert_refused(proc, *needles)
    bound = IMPORTING_REFUSAL_S if "n_draw" in args else REFUSAL_S
    assert elapsed < bound, f"refused after {elapsed:.1f} s"
    assert not out.exists()


def test_run_refuses_unusable_output_folders(forecast_main, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = {
        "is a file": a_file,
        "does not exist": tmp_path / "missing" / "runs",
        # Not writable even for root: a folder below a file.
        "/file is a file": a_file / "runs",
    }
    for needle, out in cases.items():
        start = time.perf_counter()
        proc = forecast_main("run", "--output-dir", str(out), "--quiet")
        _assert_refused(proc, "output folder", needle)
        assert time.perf_counter() - start < REFUSAL_S
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a 555 folder")
def test_run_refuses_a_read_only_output_folder(forecast_main, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    proc = forecast_main("run", "--output-dir", str(locked / "runs"), "--quiet")
    _assert_refused(proc, "is not writable")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--draws", "0"], "--draws must be a whole number >= 1, got 0"),
        (["--draws", "100000000"], "--draws must be at most 1,000,000"),
        (["--seed", "-1"], "--seed must be a whole number >= 0, got -1"),
        (["--year", "2020"], "--year must be after 2024"),
    ],
)
def test_project_checks_options_by_name(forecast_main, args, needle):
    start = time.perf_counter()
    proc = forecast_main("project", "--scenario", "base", *args)
    line = _assert_refused(proc, needle, stdout_too=False)
    assert "base.yaml" not in line and "parameter" not in line
    assert proc.stdout == ""
    assert time.perf_counter() - start < REFUSAL_S


@pytest.mark.parametrize(("args", "needle", "bound"), [
    (["run", "--scenario", "bogus"], "parameter scenario_names", REFUSAL_S),
    (["run", "-p", "n_draw", "5"], "unknown notebook parameter 'n_draw'", IMPORTING_REFUSAL_S),
    (["project", "--scenario", "base", "--draws", "0"], "--draws must be", REFUSAL_S),
], ids=["run-parameter", "run-unknown-parameter", "project-option"])
def test_a_real_process_refuses_within_seconds(tmp_path, args, needle, bound):
    """The exit code, the one line (and for ``run`` the same last stdout line) and the wait a
    user sees, interpreter start and imports included."""
    out = ["--output-dir", str(tmp_path / "runs"), "--quiet"] if args[0] == "run" else []
    proc, elapsed = _forecast(*args[:1], *out, *args[1:])
    _assert_refused(proc, needle, stdout_too=args[0] == "run")
    assert elapsed < bound, f"refused after {elapsed:.1f} s"
    assert not (tmp_path / "runs").exists()


def test_racing_allocations_without_a_name_get_distinct_ids(tmp_path):
    """Three processes claim a run folder in the same second; none loses."""
    start_at = time.time() + 1.5
    code = (
        "import sys, time\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from forecast.run.folder import claim_run_folder\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "now = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)\n"
        "print(claim_run_folder(Path(sys.argv[1]), None, now=now).run_id)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(start_at)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    ids = sorted(out.strip() for out, _ in results)
    assert ids == ["20261122T030405Z", "20261122T030405Z-2", "20261122T030405Z-3"]
    assert all("--run-name" not in err for _, err in results)


def _wait_for(predicate, proc: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline and proc.poll() is None, "run ended too early"
        time.sleep(0.1)


def _kernel_dirs(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.glob("forecast-kernel-*"))


@pytest.mark.slow
def test_killed_run_is_recognised_and_its_name_reusable(tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    tmp = tmp_path / "t"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "forecast", "run", "--output-dir", str(out), "--run-name",
         "nightly", "-p", "n_draws", "200", "--quiet"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env},
    )
    try:
        _wait_for(lambda: (out / ".tmp-nightly" / ".lock").is_file()
                  and bool(_kernel_dirs(tmp)), proc)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (out / ".tmp-nightly").is_dir() and _kernel_dirs(tmp)
    # The same command runs again (here with a 1 s cell timeout, so it fails fast, exit 4):
    # the killed run's build folder is recognised and removed, not reported as "exists".
    again, _ = _forecast("run", "--output-dir", str(out), "--run-name", "nightly",
                         "-p", "n_draws", "200", "--timeout", "1", "--jobs", "1", env=env,
                         timeout=300)
    assert again.returncode == 4, again.stderr
    assert "removed" in again.stderr and ".tmp-nightly" in again.stderr
    last = again.stderr.strip().splitlines()[-1]
    assert last.startswith("error: notebook ") and "timed out after 1 s" in last
    assert again.stdout.strip().splitlines()[-1] == last
    assert sorted(p.name for p in out.iterdir()) == ["nightly.failed"]
    assert _kernel_dirs(tmp) == []  # the killed run's kernel sockets went with its folder


# --------------------------------------------------------------------------- inputs checked first


def _data_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "data", tmp_path / "data",
                                ignore=shutil.ignore_patterns("reference")))


@pytest.mark.parametrize("case", ["unknown key", "same name twice", "bad history",
                                  "reference", "far target", "earlier run"])
def test_run_checks_every_input_before_any_kernel(forecast_main, tmp_path, case):
    """Inputs a notebook would fail on after minutes are refused first: exit 3, one line,
    nothing written, about a second."""
    data = _data_copy(tmp_path)
    args, needles = ["-p", "data_dir", str(data)], []
    if case == "unknown key":
        (data / "scenarios" / "zz.yaml").write_text("name: zz\ndescription: x\nbogus_key: 1\n")
        needles = ["zz.yaml", "bogus_key"]
    elif case == "same name twice":
        shutil.copy(data / "scenarios" / "base.yaml", data / "scenarios" / "base2.yaml")
        needles = ["base2.yaml", "'base' is also the name of"]
    elif case == "bad history":
        with (data / "history.csv").open("a", encoding="utf-8") as handle:
            handle.write("not,a,valid,row\n")
        needles = ["history.csv"]
    elif case == "reference":
        args += ["-p", "reference_path", "/etc/passwd"]
        needles = ["/etc/passwd"]
    elif case == "far target":
        # The horizon policy (6 years) refuses it before the memory budget would.
        args += ["-p", "target_year", "99999"]
        needles = ["parameter target_year must be at most 2030", "got 99999"]
    else:
        (tmp_path / "not_a_run").mkdir()
        args += ["-p", "earlier_runs", f"[{tmp_path / 'not_a_run'}]"]
        needles = ["not_a_run", "not a finished run"]
    out = tmp_path / "runs"
    start = time.perf_counter()
    proc = forecast_main("run", "--output-dir", str(out), "--quiet", *args)
    elapsed = time.perf_counter() - start
    _assert_refused(proc, *needles)
    assert elapsed < (REFUSAL_S if case == "far target" else IMPORTING_REFUSAL_S), elapsed
    assert not out.exists()


# --------------------------------------------------------------------------- signals, disk


def _start_run(out: Path, tmp: Path, *extra: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "forecast", "run", "--output-dir", str(out), "--run-name", "r",
         "-p", "n_draws", "200", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp)}, **popen)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                         ids=["TERM", "INT", "HUP"])
def test_stop_signal_ends_a_run_within_seconds_and_reports_on_stdout(tmp_path, signum):
    """One run per signal: it ends within seconds with exit 130, the failure line last on
    stdout and stderr, no kernel files and the run kept as failed and marked interrupted."""
    tmp, out = tmp_path / "t", tmp_path / "runs"
    tmp.mkdir()
    proc = _start_run(out, tmp)
    try:
        # Once both notebook processes are inside papermill (their kernels have sockets).
        _wait_for(lambda: len(_kernel_dirs(tmp)) >= 2 and len(list(
            (out / ".tmp-r").glob("*.ipynb"))) >= 2, proc)
        sent = time.monotonic()
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
        stopped_after = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert stopped_after < 15, f"stopped after {stopped_after:.1f} s\n{stderr}"
    assert stdout.strip().splitlines()[-1] == "error: interrupted"
    assert stderr.strip().splitlines()[-1] == "error: interrupted"
    assert "started" in stderr  # progress names the notebooks that started
    assert _kernel_dirs(tmp) == []
    assert sorted(p.name for p in out.iterdir()) == ["r.failed"]  # no `latest`
    manifest = json.loads((out / "r.failed" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    statuses = {n["status"] for n in manifest["notebooks"]}
    assert "interrupted" in statuses and statuses <= {"interrupted", "skipped", "ok"}


@pytest.mark.slow
def test_nohup_keeps_sighup_ignored(tmp_path):
    tmp, out = tmp_path / "t", tmp_path / "runs"
    tmp.mkdir()
    proc = _start_run(out, tmp, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    try:
        _wait_for(lambda: bool(list((out / ".tmp-r").glob("*.ipynb"))), proc)
        proc.send_signal(signal.SIGHUP)
        time.sleep(3)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130


def _small_files() -> None:
    # A file system that fills up: writes beyond 60 kB fail (EFBIG) instead of killing.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))


@pytest.mark.slow
def test_full_disk_fails_the_run_cleanly(tmp_path):
    tmp, out = tmp_path / "t", tmp_path / "runs"
    tmp.mkdir()
    proc = _start_run(out, tmp, "--quiet", preexec_fn=_small_files)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 4, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert stdout.strip().splitlines()[-1] == stderr.strip()
    assert sorted(p.name for p in out.iterdir()) == ["r.failed"]
    manifest = out / "r.failed" / "manifest.json"
    if manifest.exists():  # complete or absent, never half-written
        assert json.loads(manifest.read_text())["status"] == "failed"
    assert not list((out / "r.failed").glob(".*.tmp"))
