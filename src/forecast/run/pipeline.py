"""``forecast run`` (:func:`run`): ``jobs`` notebooks at once, each executed by papermill in a
thread on the kernel its job keeps, into a locked build folder that is published whole."""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync

from forecast.errors import ForecastError, ParameterError, RunError, first_line, quote
from forecast.files import DISK_FULL, read_table, tree_digest, write_atomic, write_error
from forecast.layout import CALIBRATION_KEY_TABLE, LAYOUT_VERSION, MANIFEST_NAME, TMP_PREFIX
from forecast.run import folder as runs
from forecast.run.html import compare_runs, render_notebook_html, write_index

__all__ = ["KERNEL_NAME", "LOGGER", "NOTEBOOK_RE", "Kernels", "NotebookResult", "RunConfig",
           "discover_notebooks", "find_project_root", "run"]

#: Notebooks the pipeline runs: ``NN_name.ipynb`` in the notebooks folder.
NOTEBOOK_RE = re.compile(r"^\d{2}_[A-Za-z0-9_]+\.ipynb$")
#: Logger of the run's progress: a line per started and finished notebook (INFO).
LOGGER = logging.getLogger("forecast.run")
#: Jupyter kernel every notebook runs in (installed into .venv by ``make setup``).
KERNEL_NAME = "forecast"
_SOCKET_PREFIX = "forecast-kernel-"

# papermill logs a failing cell itself; the run reports it in one line instead.
logging.getLogger("papermill").addHandler(logging.NullHandler())
# No IRI grammar for jsonschema to build on papermill's import when rfc3987_syntax is installed
# (seconds under load): notebooks hold no IRI to check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunConfig:
    """The ``forecast run`` options: ``parameters`` as ``(key, YAML text)`` pairs or values,
    ``notebooks`` a subset of file names, ``root`` the kernels' working directory (default
    :func:`find_project_root`), ``progress`` the receiver of progress lines (default
    :data:`LOGGER`); ``jobs`` notebooks at once, each cell for at most ``timeout`` s."""

    output_dir: str | Path | None = None
    run_name: str | None = None
    parameters: Sequence[Sequence[str]] | Mapping[str, Any] | None = None
    parameters_file: str | Path | None = None
    scenarios: Sequence[str] | None = None
    jobs: int = 2
    timeout: int = 600
    quiet: bool = False
    notebook_dir: str | Path | None = None
    notebooks: Sequence[str] | None = None
    root: str | Path | None = None
    progress: Callable[[str], None] | None = None


@dataclass(frozen=True)
class _Plan:
    config: RunConfig
    root: Path
    sources: list[Path]
    declared: dict[str, dict[str, Any]]  # notebook -> papermill.inspect_notebook()
    params: dict[str, Any]  # what the user set, checked, data_dir absolute
    data_dir: Path
    out_root: Path


@dataclass
class NotebookResult:
    """One notebook's outcome: ``status`` ``"ok"``, ``"failed"``, ``"interrupted"`` or
    ``"skipped"``; ``error`` one line naming the cell; ``duration_s`` wall time [s]."""

    name: str
    status: str = "skipped"
    duration_s: float | None = None
    error: str | None = None
    cell: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


class Kernels:
    """The run's kernels (:data:`KERNEL_NAME` in ``cwd``, output to ``logs/kernel-<n>.log``),
    at most one per job; a stop reaches every one that started. Each listens on unix sockets in
    its own private, locked folder (the next run sweeps a killed run's) and ends with this
    process (ipykernel's parent poller)."""

    def __init__(self, cwd: Path, logs: Path) -> None:
        self.cwd, self.logs = cwd, logs
        self._lock = threading.RLock()
        self._running: dict[Any, tuple[Path, Any]] = {}  # -> its socket folder, the folder's lock
        self._numbers = itertools.count(1)  # of the kernels started, for their logs
        self.stopped = False

    def start(self) -> Any:
        """A new kernel's manager; None when stopping. A start is inside the lock, so a stop
        reaches the kernel or keeps it from starting; it is only the launch (15-50 ms): the
        kernel gets ready in papermill."""
        from jupyter_client import AsyncKernelManager

        with self._lock:
            if self.stopped:
                return None
            # Locked, then named: a sweep of a killed run's folders never meets it unlocked.
            hidden = Path(tempfile.mkdtemp(prefix=f".{_SOCKET_PREFIX}"))
            lock = runs.hold_lock(hidden)
            sockets = hidden.rename(hidden.with_name(hidden.name[1:]))
            manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                                         ip=str(sockets / "k"),
                                         connection_file=str(sockets / "kernel.json"))
            self._running[manager] = (sockets, lock)
            try:
                self.logs.mkdir(exist_ok=True)
                with (self.logs / f"kernel-{next(self._numbers)}.log").open("ab") as sink:
                    # An in-memory IPython history: kernels running at once otherwise share
                    # one SQLite file, and a lock error on it is printed into a notebook.
                    run_sync(manager.start_kernel)(
                        cwd=str(self.cwd), stdout=sink, stderr=sink,
                        extra_arguments=["--HistoryManager.hist_file=:memory:"])
            except BaseException:
                self.shut(manager)
                raise
            return manager

    def shut(self, manager: Any) -> None:
        """Stop ``manager``'s kernel now and remove its socket folder."""
        with self._lock:
            if manager not in self._running:
                return
            sockets, lock = self._running.pop(manager)
        with contextlib.suppress(Exception):
            run_sync(manager.shutdown_kernel)(now=True)
        lock.close()
        shutil.rmtree(sockets, ignore_errors=True)

    def close(self) -> None:
        """Stop every kernel still running (after the last notebooks: the jobs' kept ones)."""
        for manager in list(self._running):
            self.shut(manager)

    def stop(self) -> None:
        """SIGTERM every kernel; their notebooks then end with a dead kernel within seconds."""
        with self._lock:
            self.stopped = True
            for manager in self._running:
                with contextlib.suppress(Exception):
                    run_sync(manager.signal_kernel)(signal.SIGTERM)


_RESET = """\
def _forecast_reset(ip=get_ipython()):
    module = {k: v for k, v in ip.user_ns.items() if len(k) > 4 and k[:2] == k[-2:] == "__"}
    ip.reset(new_session=True)
    ip.user_ns.update(module)
    __import__("matplotlib.pyplot").pyplot.close("all")
_forecast_reset()
"""


def _reset(manager: Any, timeout: int) -> None:
    """Make a reused kernel a new IPython session before its next notebook (no user names but
    the module's own, no figures, no history: :data:`_RESET` runs outside it, so the next cell
    is ``In [1]``), by nbclient: it checks every second that the kernel lives, so a kernel that
    died or was stopped ends the wait at once, not after ``timeout`` [s]."""
    import nbformat
    from nbclient import NotebookClient

    cell = nbformat.v4.new_code_cell(_RESET)
    client = NotebookClient(nbformat.v4.new_notebook(cells=[cell]), km=manager,
                            timeout=timeout, shell_timeout_interval=1)
    try:
        with client.setup_kernel():
            client.execute_cell(cell, 0, store_history=False)
    except Exception as exc:
        cause = getattr(exc, "evalue", exc)  # a failed cell's exception, as a line
        raise RuntimeError(f"kernel reset failed: {first_line(cause)}") from exc
    finally:
        if client.kc is not None:
            client.kc.stop_channels()


def _outcome(exc: BaseException, executed: list[Any], timeout: int) -> tuple[int | None, str]:
    """The cell and the error line of a failed execution (for a timeout or a dead kernel, the
    last of the ``executed`` cells)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        count, what = exc.exec_count, f"{exc.ename}: {first_line(exc.evalue)}"
    elif isinstance(exc, CellTimeoutError | DeadKernelError):
        count = executed[-1].get("execution_count") if executed else None
        what = (f"timed out after {timeout} s (--timeout)" if isinstance(exc, CellTimeoutError)
                else f"kernel died ({first_line(exc)})")
    else:
        return None, f"{type(exc).__name__}: {first_line(exc)}"
    return count, f"{f'cell In [{count}]' if count is not None else 'a cell'}: {what}"


def _run_notebook(plan: _Plan, folder: runs.RunFolder, kernels: Kernels, kept: Any,
                  source: Path, result: NotebookResult) -> Any:
    """Execute ``source`` into the build folder on the job's ``kept`` kernel (reset first),
    else on a new one, and render its page; a failure is one line in ``result``. Returns the
    kernel the job keeps for its next notebook: none after a failure or a stop (the kernel may
    hold anything), so a notebook's imports are paid once per job."""
    from papermill import execute_notebook

    output, timeout = folder.build / source.name, int(plan.config.timeout)
    parameters = dict(result.parameters)
    if "output_dir" in plan.declared[source.name]:
        parameters["output_dir"] = str(folder.build)
    t0, manager, executed = time.perf_counter(), kept, []
    try:
        if manager is not None:
            _reset(manager, timeout)
        elif (manager := kernels.start()) is None:  # the run stops
            return None
        execute_notebook(
            str(source), str(output), parameters=parameters, km=manager,
            kernel_name=KERNEL_NAME, progress_bar=False, start_timeout=120,
            execution_timeout=timeout, on_cell_execute=lambda cell, **_: executed.append(cell))
        result.status = "ok"
    except Exception as exc:
        result.status = "failed"
        result.cell, result.error = _outcome(exc, executed, timeout)
    if result.status != "ok" or kernels.stopped:
        kernels.shut(manager)
        manager = None
    if kernels.stopped:
        result.status, result.error = "interrupted", None
    elif output.is_file():
        try:
            render_notebook_html(output, output.with_suffix(".html"))
        except Exception as exc:
            if result.status == "ok":
                result.status = "failed"
                result.error = f"HTML rendering failed: {_outcome(exc, [], timeout)[1]}"
    result.duration_s = round(time.perf_counter() - t0, 3)
    return manager


def find_project_root() -> Path:
    """The first of the working directory, its parents and this checkout holding a
    ``notebooks/`` folder with project notebooks; :class:`RunError` if there is none."""
    here = Path.cwd().resolve()
    for cand in (here, *here.parents, Path(__file__).resolve().parents[3]):
        if any(NOTEBOOK_RE.match(p.name) for p in (cand / "notebooks").glob("*.ipynb")):
            return cand
    raise RunError(f"cannot find the project's notebooks/ folder from {here}; run from the "
                   "repository root")


def discover_notebooks(notebook_dir: str | Path) -> list[Path]:
    """Project notebooks (``NN_name.ipynb``) in ``notebook_dir``, sorted by name."""
    found = sorted(p.resolve() for p in Path(notebook_dir).glob("*.ipynb")
                   if NOTEBOOK_RE.match(p.name))
    if not found:
        raise RunError(f"no notebooks named NN_name.ipynb in {notebook_dir}")
    return found


def _plan(config: RunConfig) -> _Plan:
    """Check options, parameters (against :class:`~forecast.report.parameters.RunParameters` and
    each notebook's ``parameters`` cell) and inputs, cheapest first; nothing is written."""
    from papermill import inspect_notebook

    from forecast.data import default_data_dir
    from forecast.inputs import check_inputs
    from forecast.report.parameters import PARAMETERS, check_parameters, read_parameters

    if int(config.jobs) < 1:
        raise ForecastError(f"--jobs must be at least 1, got {config.jobs}")
    if int(config.timeout) < 1:
        raise ForecastError(f"--timeout must be at least 1 second, got {config.timeout}")
    if config.run_name is not None:
        runs.validate_run_name(config.run_name)
    root = Path(config.root).resolve() if config.root is not None else find_project_root()
    if config.output_dir is not None:
        out_root = runs.check_output_dir(Path(config.output_dir).expanduser().resolve())
    else:
        out_root = runs.check_output_dir(root / "outputs" / "runs", create_parents=True)
    params = read_parameters(config.parameters_file, config.parameters or ())
    if config.scenarios:
        params["scenario_names"] = [str(s) for s in config.scenarios]
    if "output_dir" in params:
        raise ForecastError("parameter 'output_dir' is set by the pipeline; use --output-dir")
    given, data_dir = params.get("data_dir", ""), default_data_dir().resolve()
    if isinstance(given, str) and "\0" not in given:  # else the check refuses the value
        data_dir = Path(given).expanduser().resolve() if given.strip() else data_dir
        params["data_dir"] = str(data_dir)
    known = {k: v for k, v in params.items() if k in PARAMETERS}
    # The default target year is checked too: it may lie too far after the data's last year.
    default_year = {"target_year": PARAMETERS["target_year"].default}
    params |= {k: v for k, v in check_parameters(default_year | known, data_dir=data_dir).items()
               if k in known}
    nb_dir = Path(config.notebook_dir or root / "notebooks").resolve()
    sources = discover_notebooks(nb_dir)
    if config.notebooks is not None:
        wanted = {n if n.endswith(".ipynb") else f"{n}.ipynb" for n in config.notebooks}
        if missing := wanted - {p.name for p in sources}:
            raise ForecastError(f"no such notebook(s) in {nb_dir}: {', '.join(sorted(missing))}")
        sources = [p for p in sources if p.name in wanted]
    declared = {p.name: dict(inspect_notebook(str(p))) for p in sources}
    names = set().union(*declared.values())
    for key in set(params) - names:  # refused before the inputs are read (about a second)
        raise ParameterError(f"unknown notebook parameter {quote(key)}; the notebooks "
                             f"accept: {', '.join(sorted(names - {'output_dir'}))}")
    check_inputs(data_dir, data_dir / "scenarios", params.get("scenario_names") or None,
                 params.get("target_year"), params.get("reference_path") or None)
    if params.get("earlier_runs"):
        from forecast.evaluation.track_record import read_run

        for path in params["earlier_runs"]:
            read_run(path)
    scorers = [p for p in sources if "earlier_runs" in declared[p.name]]
    if scorers and not params.get("earlier_runs") and config.notebooks is None:
        # The track record runs only with something to score: the output folder's runs.
        earlier = [str(p) for p in runs.finished_run_dirs(out_root)]
        if earlier:
            params["earlier_runs"] = earlier
        else:
            sources = [p for p in sources if p not in scorers]
    return _Plan(config, root, sources, {p.name: declared[p.name] for p in sources}, params,
                 data_dir, out_root)


def _execute_all(plan: _Plan, folder: runs.RunFolder, results: dict[str, NotebookResult],
                 say: Callable[[str], None]) -> None:
    """Run the notebooks, ``jobs`` at a time, into ``results``. A failure lets running
    notebooks finish and starts no more; a KeyboardInterrupt (Ctrl-C, or a stop signal
    :mod:`forecast.cli` turns into one) stops every kernel and is raised again once the
    notebooks ended."""
    halt, sources = threading.Event(), plan.sources
    kernels = Kernels(plan.root, folder.build / "logs")
    job = threading.local()  # of the pool thread running a task: the kernel it keeps

    def task(src: Path) -> None:
        if halt.is_set():
            return
        label = f"forecast run: [{sources.index(src) + 1}/{len(sources)}] {src.name}"
        say(f"{label} started")
        res = results[src.name]
        job.kernel = _run_notebook(plan, folder, kernels, getattr(job, "kernel", None), src, res)
        if res.status != "ok":
            halt.set()
        if res.status != "skipped":
            line = f"{label} {res.status} in {res.duration_s:.1f} s"
            say(f"{line}: {res.error}" if res.error else line)

    import nbconvert  # noqa: F401  (imported once here, not by two threads at once)

    try:
        with ThreadPoolExecutor(max_workers=min(int(plan.config.jobs), len(sources))) as pool:
            futures = [pool.submit(task, src) for src in sources]
            try:
                # Short waits: the OS may deliver a stop signal to any thread, and Python
                # raises it in this one only when this one runs again.
                while wait(futures, timeout=0.2).not_done:
                    pass
            except BaseException:
                with _signals_blocked():  # a second signal must not leave kernels running
                    halt.set()
                    kernels.stop()
                    pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        kernels.close()
    for future in futures:
        future.result()  # a bug of the runner itself surfaces here


def _close(plan: _Plan, folder: runs.RunFolder, manifest: dict[str, Any],
           results: Mapping[str, NotebookResult], status: str, t_start: float) -> Path:
    """Write manifest and index and move the build folder to its final name. A full disk on
    the way fails the run: the folder moves to ``.failed`` (a rename needs no space) with a
    complete manifest or none, and :class:`RunError` (exit 4) says so."""
    target = folder.final if status == "ok" else folder.failed
    build, problem = folder.build, None
    for log in [p for p in build.glob("logs/*.log") if p.stat().st_size == 0]:
        log.unlink()  # a kernel's log is kept if it wrote anything
    with contextlib.suppress(OSError):
        (build / "logs").rmdir()  # only when empty
    try:
        # Notebooks and pages name the folder, escaped for JSON, HTML or Python as the case
        # may be; only its last part changes, and that part no escaping touches.
        moved = re.compile(rf"/{re.escape(build.name)}(?![\w.-])")
        for path in [*build.glob("*.ipynb"), *build.glob("*.html")]:
            write_atomic(path, moved.sub(f"/{target.name}", path.read_text(encoding="utf-8")))
        previous = runs.finished_run_dirs(plan.out_root)  # this run is still hidden
        keys = read_table(build, CALIBRATION_KEY_TABLE)  # what the notebooks used, if one
        manifest.update(
            status=status, finished=datetime.now(UTC).isoformat(timespec="seconds"),
            duration_s=round(time.perf_counter() - t_start, 3),
            notebooks=[asdict(results[p.name]) for p in plan.sources],
            outputs=runs.hash_files(sorted(p for p in build.glob("*/*") if p.is_file()
                                             and p.parent.name in ("tables", "figures")), build),
            kernel_logs=sorted(f"logs/{p.name}" for p in build.glob("logs/*.log")),
            calibration_cache_key=keys[0].get("key") if len(keys) == 1 else None,
            previous_run=previous[-1].name if previous else None)
        manifest["parameters"]["output_dir"] = str(target)
        runs.write_manifest(build / MANIFEST_NAME, manifest)
        write_index(build, manifest,
                    compare_runs(previous[-1], manifest, build) if previous else None)
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise
        problem, manifest["status"] = exc, "failed"
        try:  # the manifest says so, or there is none
            runs.write_manifest(build / MANIFEST_NAME, manifest)
        except OSError:
            (build / MANIFEST_NAME).unlink(missing_ok=True)
    published = folder.publish(status == "ok" and problem is None)
    if problem is not None:
        raise write_error(f"run stopped, what was written is in {published}: cannot write",
                          problem)
    if status == "ok":
        try:
            runs.point_latest(plan.out_root, published)
        except OSError as exc:
            LOGGER.warning("forecast run: %s/latest not updated: %s", plan.out_root, exc.strerror)
    return published


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold stop signals while a run folder is finished, so it is never left half-moved (in
    another thread than the main one this changes nothing: Python handles them there)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGTERM, signal.SIGHUP, signal.SIGINT))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def run(config: RunConfig) -> Path:
    """Execute the notebooks into a new run folder and return its path; :class:`ForecastError`
    (exit 3, nothing written) for a refused option, parameter or input, :class:`RunError` (exit
    4) when a notebook failed or the disk filled up, KeyboardInterrupt (exit 130) when stopped
    (both kept as ``<run-id>.failed``)."""
    from forecast.report.parameters import last_observed_year

    plan = _plan(config)
    say = (lambda _line: None) if config.quiet else (config.progress or LOGGER.info)
    runs.remove_stale(plan.out_root, f"{TMP_PREFIX}*", say)
    runs.remove_stale(Path(tempfile.gettempdir()), f"{_SOCKET_PREFIX}*")
    folder = runs.claim_run_folder(plan.out_root, config.run_name)
    results = {p.name: NotebookResult(p.name, parameters={
        k: v for k, v in plan.params.items() if k in plan.declared[p.name]}) for p in plan.sources}
    t_start, status = time.perf_counter(), "failed"
    manifest: dict[str, Any] = {
        "run_id": folder.run_id, "parameters": dict(plan.params), "status": "running",
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "finished": None,
        "notebooks": [], "outputs": {}, "last_observed_year": last_observed_year(plan.data_dir)}
    try:
        data = runs.data_files(plan.data_dir)
        manifest.update(
            root=str(plan.root), layout_version=LAYOUT_VERSION,
            # Defaults as written in each parameters cell, for parameters the run did not set.
            notebook_defaults={name: {k: v["default"] for k, v in params.items()
                                      if k not in plan.params and k != "output_dir"}
                               for name, params in plan.declared.items()},
            options={"jobs": int(config.jobs), "timeout_s": int(config.timeout),
                     "kernel": KERNEL_NAME},
            inputs=runs.hash_files([*data, *plan.sources], plan.root),
            data_sha256=tree_digest(data, plan.data_dir),
            packages=runs.package_versions(), git=runs.git_state(plan.root))
        _execute_all(plan, folder, results, say)
        status = "failed" if any(r.status == "failed" for r in results.values()) else "ok"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        with _signals_blocked():
            published = _close(plan, folder, manifest, results, status, t_start)
    if failure := next((r for r in results.values() if r.status == "failed"), None):
        raise RunError(f"notebook {failure.name} failed in {failure.error}; executed notebook "
                       f"kept in {published / failure.name}")
    return published
