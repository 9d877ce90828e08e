"""What the whole suite shares: one real ``forecast run``, the observed series and folders,
and builders of synthetic data and run folders.

The whole pipeline costs about a minute on two cores, so it runs once per test session, even
across pytest-xdist workers (they share the parent of their base temporary folders; a lock
file makes the first worker build a shared result and the others wait for it and read it).
Tests that read a run take ``run_dir`` (the run folder) or ``main_run`` (its exit code, stdout
and stderr); that run starts in the background at the session's first test, and those tests
are put last, so it runs while the others do. Tests that need a run of their own (a second run
to compare, a failing one) build it with ``shared_result`` and ``forecast_run``, so that it too
is made once per session. Refusals of the command line run in the test's process
(``forecast_main``).

Every test and every run it starts keeps the reference-class calibration cache
(``FORECAST_CACHE_DIR``) in one session folder, never in the user's home: notebook 05 computes
the calibration once per session and reads it after that.

The observed series the model and evaluation tests fit (China's production, world share and
segment mix, read off document 002 by hand) and the repository's folders are importable
constants (``from tests.conftest import CHINA, YEARS``) because parametrize lists need them
when a module is collected; ``history`` is the shipped history as a session fixture.
``write_data`` and ``write_run`` build a data folder of made-up figures and a fake finished
run; ``top_level_names`` reads the names a module defines from its source.
"""

from __future__ import annotations

import ast
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecast import data

REPO = Path(__file__).resolve().parents[1]
#: The shipped data folder (history, catalogues, scenarios).
DATA = REPO / "data"
#: The reference class shipped as package data.
REFERENCE_CLASS = REPO / "src" / "forecast" / "data" / "reference_class"
#: The read-only source documents and reference files beside the checkout, where present.
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"

#: China's Li-ion production 2021-2024 [GWh] (document 002; 2023 alternative 940 GWh).
YEARS = np.array([2021, 2022, 2023, 2024])
CHINA = np.array([324.0, 738.0, 910.0, 1170.0])
#: China's share of world production 2021-2024 [fraction] (document 002).
CHINA_SHARE = np.array([0.57, 0.683, 0.71, 0.76])
#: China's production by segment in 2023 and 2024 [GWh] (document 002), columns SEGMENTS.
SEGMENTS = ["power", "consumer", "storage"]
SEGMENT_GWH = np.array([[664.3, 91.0, 154.7], [823.0, 94.0, 254.0]])
#: The projected years of every model test.
FUTURE = np.arange(2025, 2031)
#: The value columns of every forecast frame, after its key columns.
QUANTILE_COLUMNS = ["central", "mean", "p5", "p10", "p50", "p90", "p95"]
#: Draws per scenario of the shared run: enough for every table, few enough to be quick.
RUN_DRAWS = 500
#: Options of the session's real runs: ``main_run``, which most tests read, and ``again_run``,
#: the same inputs again on one job, so its notebooks share a kernel in another way (its tables
#: and figures must be byte-identical).
MAIN_RUN = ("--run-name", "main", "-p", "n_draws", str(RUN_DRAWS), "--jobs", "2")
AGAIN_RUN = ("--run-name", "again", "-p", "n_draws", str(RUN_DRAWS), "--jobs", "1", "--quiet")
#: Longest a real run of the tests may take [s].
RUN_TIMEOUT_S = 900

Build = Callable[[Path], dict[str, Any]]

#: The source document of every made-up figure in a synthetic data folder: no real document.
SYNTHETIC_SOURCE = "test_only_synthetic.txt"


def top_level_names(path: Path, *, imports: bool = False) -> set[str]:
    """The functions, classes and constants a module defines at its top level (and, with
    ``imports``, the names it imports there), read from its source without importing it."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif imports and isinstance(node, ast.Import | ast.ImportFrom):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
    return names


def write_data(folder: Path, history: str) -> Path:
    """A synthetic data folder: the catalogues of two series (production [GWh] and China's share
    of world production), two variants, the synthetic source, an empty ``scenarios/`` and
    ``history`` as ``history.csv`` (its rows must cite :data:`SYNTHETIC_SOURCE`)."""
    (folder / "scenarios").mkdir(parents=True, exist_ok=True)
    files = {
        "series.csv": "series,unit,quantity,of,parts,sum_tolerance,contiguous,description\n"
                      'production,GWh,amount,,power|consumer|storage,0.01,yes,"Test production."\n'
                      'production_share_of_world,fraction,share,,,,yes,"Test share of world '
                      'production."\n',
        "variants.csv": 'variant,rank,description\nannual_series,1,"The default."\n'
                        'yoy_base,2,"An alternative."\n',
        "sources.csv": "document,title,publisher,published,description\n"
                       f"{SYNTHETIC_SOURCE},Synthetic test figures,test suite,,\"Made-up numbers "
                       'for tests, not a real document."\n',
        "history.csv": history,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_run(folder: Path, projections: str | None, *, layout: int | None = 2,
              status: str = "ok", manifest: bool = True, **fields: object) -> Path:
    """A fake finished run folder: ``tables/projections.csv`` holding ``projections`` (none if
    None) and a ``manifest.json`` (none if not ``manifest``) of run layout ``layout`` (None: the
    first layout, without ``last_observed_year``), with ``fields`` added to or replacing its
    keys."""
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    if projections is not None:
        (folder / "tables" / "projections.csv").write_text(projections, encoding="utf-8")
    if manifest:
        content: dict[str, object] = {"run_id": folder.name, "status": status,
                                      "finished": "2026-01-01T00:00:00+00:00",
                                      "parameters": {"n_draws": 1000}}
        if layout is not None:
            content.update(layout_version=layout, last_observed_year=2024,
                           data_sha256="0" * 64)
        content.update(fields)
        (folder / "manifest.json").write_text(json.dumps(content), encoding="utf-8")
    return folder


def _forecast_run(out: Path, *args: str) -> dict[str, Any]:
    """``forecast run --output-dir out *args`` as a process: rc, stdout, stderr and ``out``."""
    proc = subprocess.run(
        [sys.executable, "-m", "forecast", "run", "--output-dir", str(out), *args],
        cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "out": str(out)}


def _start_in_background(root: Path, key: str, args: Sequence[str],
                         after: str | None = None) -> subprocess.Popen | None:
    """Start ``forecast run --output-dir <root>/<key> *args`` by tests/background_run.py, which
    writes the result of :func:`shared_result` for ``key`` (once the result of ``after`` is
    there, if given); None if a worker has started it or built the result already."""
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = root / f"{key}.started"
        if started.is_file() or (root / f"{key}.json").is_file():
            return None
        wait = ["--after", str(root / f"{after}.json")] if after else []
        proc = subprocess.Popen([sys.executable, str(REPO / "tests" / "background_run.py"),
                                 *wait, str(root / f"{key}.json"), str(RUN_TIMEOUT_S),
                                 str(root / key), *args], cwd=REPO)
        started.write_text(str(proc.pid))
        return proc


def _reads_the_session_run(item: pytest.Item) -> bool:
    """Whether ``item`` takes ``main_run`` (or ``run_dir``); tests/run/test_browser.py's
    ``browser_run`` asks for ``run_dir`` as it runs, unless FORECAST_BROWSER_RUN names a run."""
    names = getattr(item, "fixturenames", ())
    return "main_run" in names or ("browser_run" in names
                                   and not os.environ.get("FORECAST_BROWSER_RUN"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the tests for two workers: the slow ones first, the ones that read the session's
    run last (their order kept otherwise). The run starts in the background at the first test
    (``session_run``), so it is done by the time they need it, and no long test is left to
    hold up the end of a worker."""
    items.sort(key=lambda item: 2 if _reads_the_session_run(item)
               else 0 if item.get_closest_marker("slow") else 1)


class _UnhandledLogs(logging.Handler):
    """The messages of records a process without logging set up would print on stderr: of
    WARNING or above, from a logger with no handler of its own up to the root."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        logger: logging.Logger | None = logging.getLogger(record.name)
        while logger is not None and logger is not logging.getLogger():
            if logger.handlers:
                return
            logger = logger.parent
        self.lines.append(record.getMessage())


@pytest.fixture
def forecast_main(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                  ) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``(*args, timeout=60) -> CompletedProcess``: ``forecast *args`` run in this process by
    :func:`forecast.cli.main`, from the repository as working folder.

    For refusals, which need no process of their own: this skips the interpreter start and the
    imports (1-2 s a call). What the process would show is kept: the exit code (a usage error's
    ``SystemExit`` included), stdout and stderr from the file descriptors, and appended to
    ``stderr`` every warning Python would print by default and every log record of WARNING or
    above that no handler takes (``logging.lastResort`` prints those). An exception other than a
    usage error propagates (in a process it would be a traceback and exit code 1). A call still
    running after ``timeout`` [s] (a read that blocks) raises ``TimeoutError``; signal handlers
    the command installs are restored.
    """
    from forecast import cli

    monkeypatch.chdir(REPO)

    def call(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        def timed_out(signum: int, frame: object) -> None:
            raise TimeoutError(f"forecast {' '.join(args)[:200]} still running after "
                               f"{timeout} s")

        capfd.readouterr()
        unhandled = _UnhandledLogs()
        logging.getLogger().addHandler(unhandled)
        stops = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGALRM)
        handlers = {s: signal.getsignal(s) for s in stops}
        signal.signal(signal.SIGALRM, timed_out)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                               ResourceWarning):  # hidden by Python's default filters
                    warnings.filterwarnings("ignore", category=hidden)
                try:
                    code = cli.main(list(args))
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
            logging.getLogger().removeHandler(unhandled)
        out, err = capfd.readouterr()
        err += "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
                       for w in caught)
        err += "".join(f"{line}\n" for line in unhandled.lines)
        return subprocess.CompletedProcess(["forecast", *args], code, out, err)

    return call


@pytest.fixture(scope="session")
def shared_root(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Path:
    """The session's folder every pytest-xdist worker sees (the parent of their base temporary
    folders; without xdist, the base temporary folder)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(request.config, "workerinput") else base


@pytest.fixture(scope="session", autouse=True)
def calibration_cache(shared_root: Path) -> Path:
    """``FORECAST_CACHE_DIR`` for the session (shared by pytest-xdist workers)."""
    folder = shared_root / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORECAST_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def session_run(request: pytest.FixtureRequest, shared_root: Path, calibration_cache: Path):
    """Start the session's real runs in the background at the first test, when a test of the
    session reads them: ``main_run``, then ``again_run`` once it has ended (so that it reads
    the calibration ``main_run`` computed, as a user's second run does). They run while the
    tests that do not read them do. The worker that started them waits for them at the end, or
    stops them (SIGTERM) if the session stops early.
    """
    items = request.session.items
    procs = [
        _start_in_background(shared_root, "main_run", MAIN_RUN)
        if any(_reads_the_session_run(item) for item in items) else None,
        _start_in_background(shared_root, "again_run", AGAIN_RUN, after="main_run")
        if any("again_run" in getattr(item, "fixturenames", ()) for item in items) else None,
    ]
    yield
    for proc in procs:
        if proc is not None and proc.poll() is None and (request.session.shouldfail
                                                         or request.session.shouldstop):
            proc.terminate()
    for proc in procs:
        if proc is not None:
            proc.wait()


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """The shipped history data (read once; tests must not modify it)."""
    return data.load_history(DATA)


@pytest.fixture(scope="session")
def forecast_run() -> Callable[..., dict[str, Any]]:
    """The function ``(out, *args) -> {"rc", "stdout", "stderr", "out"}`` of a real run."""
    return _forecast_run


@pytest.fixture(scope="session")
def shared_result(shared_root: Path) -> Callable[[str, Build], Any]:
    """``(key, build) -> result``: ``build(folder)`` once per session and key, across workers.

    ``build`` gets a fresh folder path to write into and returns something JSON can hold. A
    result started in the background (``session_run``) is waited for instead.
    """
    def shared(key: str, build: Build) -> Any:
        done = shared_root / f"{key}.json"
        with open(shared_root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.is_file() and not (shared_root / f"{key}.started").is_file():
                done.write_text(json.dumps(build(shared_root / key)))
        deadline = time.monotonic() + 2 * RUN_TIMEOUT_S + 60  # again_run waits for main_run
        while not done.is_file():
            assert time.monotonic() < deadline, f"no result of {key}, started in the background"
            time.sleep(0.5)
        return json.loads(done.read_text())

    return shared


@pytest.fixture(scope="session")
def main_run(shared_result) -> dict[str, Any]:
    """The session's real run of every notebook: ``forecast run`` with :data:`MAIN_RUN` into a
    temporary output folder."""
    return shared_result("main_run", lambda out: _forecast_run(out, *MAIN_RUN))


@pytest.fixture(scope="session")
def again_run(shared_result, main_run) -> dict[str, Any]:
    """A second real run of every notebook on the same inputs: ``forecast run`` with
    :data:`AGAIN_RUN`, after ``main_run``."""
    return shared_result("again_run", lambda out: _forecast_run(out, *AGAIN_RUN))


@pytest.fixture(scope="session")
def run_dir(main_run) -> Path:
    """The folder of the session's real run (fails every test using it if the run failed)."""
    assert main_run["rc"] == 0, main_run["stderr"][-3000:]
    return Path(main_run["stdout"].strip().splitlines()[-1])
