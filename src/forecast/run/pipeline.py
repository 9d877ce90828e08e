"""Execute the project's notebooks with papermill into a reproducible run folder.

``forecast run`` calls :func:`run_cli`; scripts and tests call :func:`run`. A run:

1. reads the notebooks' ``parameters`` cells and merges the user's parameters
   (``-f params.yaml``, then ``-p KEY VALUE``, then ``--scenario``) over their defaults;
   ``data_dir`` and ``output_dir`` are always passed as absolute paths;
2. builds everything in a hidden ``<output_dir>/.tmp-<run-id>`` (see :mod:`forecast.run.folder`);
3. executes independent notebooks in a small thread pool, each in its own ``forecast``
   kernel started in the repository root, with a per-cell timeout, and renders each executed
   notebook to HTML without code as soon as it finishes;
4. writes ``manifest.json`` (:mod:`forecast.run.manifest`) and ``index.html``
   (:mod:`forecast.run.html`), then renames the folder to ``<run-id>`` -- or, if a notebook
   failed, to ``<run-id>.failed`` and raises :class:`~forecast.errors.RunError` naming the
   notebook, the cell and the error.

Only the final path goes to stdout (printed by the CLI); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forecast.errors import ForecastError, RunError
from forecast.run.folder import RunFolder, allocate_run_folder, validate_run_name
from forecast.run.manifest import (
    MANIFEST_NAME,
    git_state,
    hash_files,
    input_files,
    package_versions,
    write_manifest,
)

#: Jupyter kernel every notebook runs in (installed into .venv by ``make setup``).
KERNEL_NAME = "forecast"
#: Notebooks the pipeline runs: ``NN_name.ipynb`` in the notebooks folder.
NOTEBOOK_RE = re.compile(r"^\d{2}_[A-Za-z0-9_]+\.ipynb$")
#: Notebook parameter that ``--scenario NAME`` sets (a list of scenario names).
SCENARIO_PARAMETER = "scenario_names"
#: Parameters the pipeline sets itself.
RESERVED_PARAMETERS = frozenset({"output_dir"})
#: Attempts per notebook when the kernel fails to start (launches can race for ports).
KERNEL_START_ATTEMPTS = 2
#: Seconds to wait for a kernel to start.
START_TIMEOUT = 120

ProgressFn = Callable[[str], None]

# Kernel managers with a running kernel, so an interrupted run can stop their cells.
_LIVE_KERNELS: set[Any] = set()
_LIVE_LOCK = threading.Lock()


def _interrupt_live_kernels() -> None:
    """Send SIGINT to every running kernel: their current cell raises KeyboardInterrupt."""
    with _LIVE_LOCK:
        kernels = list(_LIVE_KERNELS)
    for km in kernels:
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGINT)


@dataclass
class NotebookResult:
    """Outcome of one notebook in a run.

    Attributes
    ----------
    name : str
        File name, e.g. ``"02_growth.ipynb"``.
    status : str
        ``"ok"``, ``"failed"`` or ``"skipped"`` (not started because another notebook failed).
    duration_s : float or None
        Wall time of execution and rendering [s].
    attempts : int
        Kernel starts tried.
    error : str or None
        One line: cell and error, when failed.
    cell : int or None
        Execution count (``In [n]``) of the failing cell, when known.
    parameters : dict
        Parameters injected into this notebook.
    """

    name: str
    status: str = "pending"
    duration_s: float | None = None
    attempts: int = 0
    error: str | None = None
    cell: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- discovery


def find_project_root(start: str | Path | None = None) -> Path:
    """The repository root: the first of ``start`` (default: cwd) and its parents holding a
    ``notebooks/`` folder with project notebooks, else the checkout this module lives in.

    Raises
    ------
    RunError
        If no notebooks folder can be found (e.g. a non-editable install run outside the
        repository).
    """
    here = Path(start or Path.cwd()).resolve()
    candidates = [here, *here.parents, Path(__file__).resolve().parents[2]]
    for cand in candidates:
        nb_dir = cand / "notebooks"
        if nb_dir.is_dir() and any(NOTEBOOK_RE.match(p.name) for p in nb_dir.glob("*.ipynb")):
            return cand
    raise RunError(
        f"cannot find the project's notebooks/ folder from {here}; run from the repository root"
    )


def discover_notebooks(notebook_dir: str | Path) -> list[Path]:
    """Project notebooks (``NN_name.ipynb``) in ``notebook_dir``, sorted by name."""
    folder = Path(notebook_dir)
    found = sorted(p.resolve() for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if not found:
        raise RunError(f"no notebooks named NN_name.ipynb in {folder}")
    return found


def notebook_parameters(path: str | Path) -> dict[str, dict[str, str]]:
    """Parameters declared in a notebook's ``parameters`` cell (papermill's inference).

    Returns
    -------
    dict
        ``{name: {"name", "inferred_type_name", "default", "help"}}`` (defaults as source text).
    """
    import papermill

    return papermill.inspect_notebook(str(path))


# --------------------------------------------------------------------------- parameters


def parse_parameter_value(text: str) -> Any:
    """Parse a ``-p KEY VALUE`` value as YAML (``500`` -> int, ``[a, b]`` -> list)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        # A value YAML cannot parse (e.g. "a: b: c") is meant as a plain string.
        return text


def load_parameters_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping of notebook parameters (``-f params.yaml``).

    Raises
    ------
    ForecastError
        If the file is missing, is not valid YAML, or is not a mapping with string keys.
    """
    import yaml

    file = Path(path)
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ForecastError(f"{file}: cannot read parameters file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise ForecastError(f"{file}: not valid YAML ({first})") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ForecastError(f"{file}: parameters file must be a mapping of names to values")
    return dict(loaded)


def merge_parameters(
    declared: Mapping[str, Mapping[str, Any]],
    file_parameters: Mapping[str, Any] | None = None,
    cli_parameters: Sequence[Sequence[str]] | Mapping[str, Any] | None = None,
    scenarios: Sequence[str] | None = None,
) -> dict[str, Any]:
    """User parameters in precedence order: file < ``-p`` < ``--scenario``.

    Parameters
    ----------
    declared : mapping
        ``{notebook name: {parameter name: ...}}`` from :func:`notebook_parameters`.
    file_parameters : mapping, optional
        From ``-f params.yaml``.
    cli_parameters : sequence of (key, value) or mapping, optional
        ``-p KEY VALUE`` pairs (values are YAML text) or already-typed values.
    scenarios : sequence of str, optional
        ``--scenario`` names; sets the ``scenario_names`` parameter.

    Raises
    ------
    ForecastError
        For a parameter no notebook declares, or for ``output_dir`` (use ``--output-dir``).
    """
    merged: dict[str, Any] = dict(file_parameters or {})
    if isinstance(cli_parameters, Mapping):
        merged.update(cli_parameters)
    else:
        for key, value in cli_parameters or ():
            merged[str(key)] = parse_parameter_value(str(value))
    if scenarios:
        merged[SCENARIO_PARAMETER] = [str(s) for s in scenarios]

    known = set().union(*(set(p) for p in declared.values())) if declared else set()
    for key in merged:
        if key in RESERVED_PARAMETERS:
            raise ForecastError(f"parameter '{key}' is set by the pipeline; use --output-dir")
        if key not in known:
            raise ForecastError(
                f"unknown notebook parameter '{key}'; the notebooks accept: "
                + ", ".join(sorted(known - RESERVED_PARAMETERS))
            )
    return merged


def default_data_dir(root: Path) -> Path:
    """``$FORECAST_DATA_DIR`` if set, else ``<root>/data`` (absolute)."""
    env = os.environ.get("FORECAST_DATA_DIR", "").strip()
    return (Path(env) if env else root / "data").expanduser().resolve()


# --------------------------------------------------------------------------- execution


def _first_line(text: object, limit: int = 200) -> str:
    ansi = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
    for line in ansi.sub("", str(text)).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def _cells_started(output_path: Path) -> int:
    """How many cells of an (partly) executed notebook papermill started."""
    import nbformat

    try:
        nb = nbformat.read(str(output_path), as_version=4)
    except (OSError, ValueError):
        return 0
    return sum(
        1 for c in nb.cells
        if c.get("metadata", {}).get("papermill", {}).get("start_time") is not None
    )


def _last_started_cell(output_path: Path) -> tuple[int | None, str]:
    """Execution count and first source line of the last cell papermill started."""
    import nbformat

    try:
        nb = nbformat.read(str(output_path), as_version=4)
    except (OSError, ValueError):
        return None, ""
    last = None
    for cell in nb.cells:
        if cell.get("metadata", {}).get("papermill", {}).get("start_time") is not None:
            last = cell
    if last is None:
        return None, ""
    return last.get("execution_count"), _first_line(last.get("source", ""), 60)


def _cell_label(exec_count: int | None, source: str, line: int | None = None) -> str:
    label = f"cell In [{exec_count}]" if exec_count is not None else "a cell"
    if line is not None:
        label += f", line {line}"
    return f"{label} `{source}`" if source else label


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME_RE = re.compile(r"Cell In\s*\[\d+\],\s*line (\d+)")


def _error_line(traceback: Sequence[str], source: str) -> tuple[int | None, str]:
    """Line number (in the cell) and code of the statement that raised, from a traceback."""
    for entry in traceback or ():
        match = _CELL_FRAME_RE.search(_ANSI_RE.sub("", str(entry)))
        if match:
            number = int(match.group(1))
            lines = str(source).splitlines()
            if 1 <= number <= len(lines):
                return number, _first_line(lines[number - 1], 80)
            return number, ""
    return None, _first_line(source, 60)


def _kernel_manager_class(log_path: Path | None = None) -> type:
    """An AsyncKernelManager over unix sockets whose kernel writes its own output to a log.

    TCP kernels pick free ports by probing, and several kernels starting at once can race
    for the same port; unix sockets in a fresh folder per kernel cannot collide (and ipykernel
    does not warn about unencrypted TCP). The kernel process's own stdout/stderr (not cell
    output, which goes into the notebook) would otherwise be inherited and reach
    ``forecast run``'s stdout. The interrupt jupyter_client sends before each shutdown is
    skipped: the kernel is idle by then, and ipykernel would log "KeyboardInterrupt caught in
    kernel" about it, so an empty kernel log would depend on timing.

    Parameters
    ----------
    log_path : Path, optional
        File receiving the kernel process's stdout and stderr (appended; None inherits them).
    """
    import shutil
    import tempfile

    from jupyter_client import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # Socket paths are limited to ~100 bytes, so keep them short and out of the repo.
            self._socket_dir = tempfile.mkdtemp(prefix="fc-kernel-")
            self.transport = "ipc"
            self.ip = os.path.join(self._socket_dir, "k")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if log_path is not None:
                log_path.parent.mkdir(parents=True, exist_ok=True)
                # The child keeps its own copy of the descriptor; ours can close after launch.
                with open(log_path, "ab") as log:
                    kw.setdefault("stdout", log)
                    kw.setdefault("stderr", log)
                    await super()._async_launch_kernel(kernel_cmd, **kw)
            else:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            with _LIVE_LOCK:
                _LIVE_KERNELS.add(self)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client sends SIGINT before every shutdown request. Papermill shuts a
            # kernel down once its notebook is done, so the kernel is idle, and ipykernel
            # answers the signal with "KeyboardInterrupt caught in kernel" on stderr when it
            # lands between messages: noise in the kernel log, present or not by timing.
            # A cell to stop is interrupted by _interrupt_live_kernels (os.kill), not here.
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                with _LIVE_LOCK:
                    _LIVE_KERNELS.discard(self)
                shutil.rmtree(self._socket_dir, ignore_errors=True)

        cleanup_resources = _async_cleanup_resources

    return IPCKernelManager


def execute_notebook(
    source: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path,
    timeout: int,
    kernel_name: str = KERNEL_NAME,
    html_path: Path | None = None,
    log_path: Path | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> NotebookResult:
    """Execute one notebook with papermill and render it; never raises for notebook errors.

    Parameters
    ----------
    source : Path
        Notebook to execute.
    output : Path
        Where papermill writes the executed notebook (also when it fails).
    parameters : mapping
        Values injected after the ``parameters`` cell.
    cwd : Path
        Working directory of the kernel (the repository root).
    timeout : int
        Per-cell timeout [s].
    kernel_name : str
        Jupyter kernel to use.
    html_path : Path, optional
        If given, the executed notebook (failed or not) is rendered there without code.
    log_path : Path, optional
        File for the kernel process's own stdout/stderr; removed again if it stays empty.
    should_stop : callable, optional
        Returns True when the run is being abandoned: a failed kernel start is then not
        retried.

    Returns
    -------
    NotebookResult
        ``status`` is ``"ok"`` or ``"failed"`` with a one-line ``error``.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    result = NotebookResult(name=source.name, parameters=dict(parameters))
    t0 = time.perf_counter()
    while True:
        result.attempts += 1
        try:
            papermill.execute_notebook(
                str(source),
                str(output),
                parameters=dict(parameters),
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=True,
                start_timeout=START_TIMEOUT,
                execution_timeout=timeout,
                # The kernel's cwd, without papermill's process-wide os.chdir (unsafe in threads).
                resources={"metadata": {"path": str(cwd)}},
                kernel_manager_class=_kernel_manager_class(log_path),
            )
        except PapermillExecutionError as exc:
            result.status = "failed"
            result.cell = exc.exec_count
            line, code = _error_line(exc.traceback, exc.source)
            where = _cell_label(exc.exec_count, code, line)
            result.error = f"{where}: {exc.ename}: {_first_line(exc.evalue) or '(no message)'}"
        except CellTimeoutError:
            count, src = _last_started_cell(output)
            result.status = "failed"
            result.cell = count
            result.error = f"{_cell_label(count, src)}: timed out after {timeout} s (--timeout)"
        except DeadKernelError as exc:
            count, src = _last_started_cell(output)
            result.status = "failed"
            result.cell = count
            result.error = f"{_cell_label(count, src)}: kernel died ({_first_line(exc)})"
        except Exception as exc:
            # Kernel launches can race (ports, connection files): retry once if no cell ran.
            stopping = should_stop is not None and should_stop()
            if (result.attempts < KERNEL_START_ATTEMPTS and not stopping
                    and _cells_started(output) == 0):
                continue
            result.status = "failed"
            result.error = (f"kernel '{kernel_name}' could not run the notebook: "
                            f"{type(exc).__name__}: {_first_line(exc) or '(no message)'}")
        else:
            result.status = "ok"
        break
    if html_path is not None and output.is_file():
        from forecast.run.html import render_notebook_html

        try:
            render_notebook_html(output, html_path)
        except Exception as exc:
            if result.status == "ok":
                result.status = "failed"
                result.error = f"HTML rendering failed: {type(exc).__name__}: {_first_line(exc)}"
    if log_path is not None and log_path.is_file() and log_path.stat().st_size == 0:
        log_path.unlink()
    result.duration_s = round(time.perf_counter() - t0, 3)
    return result


@contextmanager
def _quiet_loggers() -> Iterator[None]:
    """Silence papermill's INFO/WARNING chatter for the duration of a run."""
    loggers = [logging.getLogger(n) for n in ("papermill", "traitlets", "nbclient")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _check_kernel(kernel_name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise RunError(
            f"Jupyter kernel '{kernel_name}' is not installed; run `make setup` (it calls "
            f"`python -m ipykernel install --sys-prefix --name {kernel_name}`)"
        ) from exc


def _stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _output_hashes(folder: Path) -> dict[str, str]:
    files = [p for sub in ("tables", "figures") for p in sorted((folder / sub).glob("*"))
             if p.is_file()]
    return hash_files(files, folder)


def run(
    *,
    output_dir: str | Path | None = None,
    run_name: str | None = None,
    parameters: Sequence[Sequence[str]] | Mapping[str, Any] | None = None,
    parameters_file: str | Path | None = None,
    scenarios: Sequence[str] | None = None,
    jobs: int = 2,
    timeout: int = 600,
    quiet: bool = False,
    notebook_dir: str | Path | None = None,
    notebooks: Sequence[str] | None = None,
    root: str | Path | None = None,
    kernel_name: str = KERNEL_NAME,
    progress: ProgressFn | None = None,
) -> Path:
    """Execute the notebooks into a new run folder and return its path.

    Parameters
    ----------
    output_dir : str or Path, optional
        Folder holding run folders (default ``<root>/outputs/runs``).
    run_name : str, optional
        Name of the run folder (default: UTC timestamp). Must be a plain, new folder name.
    parameters : sequence of (key, value) or mapping, optional
        Notebook parameters; string values of pairs are parsed as YAML.
    parameters_file : str or Path, optional
        YAML mapping of notebook parameters (overridden by ``parameters``).
    scenarios : sequence of str, optional
        Scenario names (the ``scenario_names`` parameter; default: the notebooks' default,
        all scenarios).
    jobs : int
        Notebooks executed in parallel (>= 1).
    timeout : int
        Per-cell timeout [s] (>= 1).
    quiet : bool
        No progress lines on stderr.
    notebook_dir : str or Path, optional
        Folder of the notebooks (default ``<root>/notebooks``).
    notebooks : sequence of str, optional
        Subset of notebook file names to run (default: all ``NN_name.ipynb``).
    root : str or Path, optional
        Repository root: kernels' working directory (default: :func:`find_project_root`).
    kernel_name : str
        Jupyter kernel.
    progress : callable, optional
        Receives one line per finished notebook (default: print to stderr).

    Returns
    -------
    Path
        The finished run folder.

    Raises
    ------
    ForecastError
        Invalid options (exit code 3): bad run name, existing run, unknown parameter,
        missing data folder. Nothing is written.
    RunError
        A notebook failed or timed out (exit code 4); the run is kept as ``<run-id>.failed``.
    """
    if int(jobs) < 1:
        raise ForecastError(f"--jobs must be at least 1, got {jobs}")
    if int(timeout) < 1:
        raise ForecastError(f"--timeout must be at least 1 second, got {timeout}")
    if run_name is not None:
        validate_run_name(run_name)
    root_path = Path(root).resolve() if root is not None else find_project_root()
    nb_dir = Path(notebook_dir).resolve() if notebook_dir is not None else root_path / "notebooks"
    sources = discover_notebooks(nb_dir)
    if notebooks is not None:
        wanted = {n if n.endswith(".ipynb") else f"{n}.ipynb" for n in notebooks}
        missing = wanted - {p.name for p in sources}
        if missing:
            raise ForecastError(f"no such notebook(s) in {nb_dir}: {', '.join(sorted(missing))}")
        sources = [p for p in sources if p.name in wanted]

    declared = {p.name: notebook_parameters(p) for p in sources}
    file_params = load_parameters_file(parameters_file) if parameters_file else None
    user = merge_parameters(declared, file_params, parameters, scenarios)

    data_dir = (Path(str(user["data_dir"])).expanduser().resolve()
                if str(user.get("data_dir") or "").strip() else default_data_dir(root_path))
    if not data_dir.is_dir():
        raise ForecastError(f"data folder {data_dir} does not exist")
    user["data_dir"] = str(data_dir)

    out_root = (Path(output_dir) if output_dir is not None
                else root_path / "outputs" / "runs").expanduser().resolve()
    folder: RunFolder = allocate_run_folder(out_root, run_name)
    _check_kernel(kernel_name)
    say = (lambda _line: None) if quiet else (progress or _stderr_progress)

    inputs = hash_files(input_files(data_dir, sources), root_path)
    started = _now()
    build = folder.create()
    user_with_out = {**user, "output_dir": str(build)}
    results = {
        p.name: NotebookResult(
            name=p.name,
            status="skipped",
            parameters={k: v for k, v in user_with_out.items() if k in declared[p.name]},
        )
        for p in sources
    }
    manifest: dict[str, Any] = {
        "run_id": folder.run_id,
        "status": "running",
        "started": started,
        "finished": None,
        "parameters": {**user, "output_dir": str(folder.final_path)},
        # Defaults as written in each parameters cell, for parameters the run did not set.
        "notebook_defaults": {
            name: {k: v["default"] for k, v in params.items() if k not in user_with_out}
            for name, params in declared.items()
        },
        "build_dir": str(build),
        "options": {"jobs": int(jobs), "timeout_s": int(timeout), "kernel": kernel_name},
        "inputs": inputs,
        "packages": package_versions(),
        "git": git_state(root_path),
        "root": str(root_path),
        "notebooks": [],
        "outputs": {},
    }

    first_failure: NotebookResult | None = None
    pending: dict[Future[NotebookResult], Path] = {}
    done_count = 0
    t_start = time.perf_counter()
    try:
        with _quiet_loggers(), ThreadPoolExecutor(max_workers=min(int(jobs), len(sources))) as pool:
            stop = threading.Event()

            def task(src: Path) -> NotebookResult:
                # Checked by the worker itself: a queued notebook may be picked up before the
                # main thread sees the failure and cancels it.
                if stop.is_set():
                    return results[src.name]
                res = execute_notebook(
                    src,
                    build / src.name,
                    results[src.name].parameters,
                    cwd=root_path,
                    timeout=int(timeout),
                    kernel_name=kernel_name,
                    html_path=build / f"{src.stem}.html",
                    log_path=build / "logs" / f"{src.stem}.kernel.log",
                    should_stop=stop.is_set,
                )
                if res.status != "ok":
                    stop.set()
                return res

            pending.update({pool.submit(task, src): src for src in sources})
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        src = pending.pop(fut)
                        if fut.cancelled():
                            continue
                        res = fut.result()
                        results[src.name] = res
                        if res.status == "skipped":
                            continue
                        done_count += 1
                        line = (f"forecast run: [{done_count}/{len(sources)}] {src.name} "
                                f"{res.status} in {res.duration_s:.1f} s")
                        if res.error:
                            line += f": {res.error}"
                        say(line)
                        if res.status != "ok" and first_failure is None:
                            first_failure = res
                            # Fail fast: notebooks not yet started are skipped.
                            stop.set()
                            for other in pending:
                                other.cancel()
            except KeyboardInterrupt:
                stop.set()
                for other in pending:
                    other.cancel()
                # Running cells get KeyboardInterrupt, so the pool's shutdown does not wait
                # for whole notebooks to finish.
                _interrupt_live_kernels()
                raise
    except BaseException:
        # The pool has waited for running notebooks; keep what they reported.
        for fut, src in pending.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                results[src.name] = fut.result()
        _close(folder, manifest, results, sources, status="interrupted", t_start=t_start)
        raise

    if first_failure is not None:
        failed_dir = _close(folder, manifest, results, sources, status="failed", t_start=t_start)
        raise RunError(
            f"notebook {first_failure.name} failed in {first_failure.error}; "
            f"executed notebook kept in {failed_dir / first_failure.name}"
        )
    return _close(folder, manifest, results, sources, status="ok", t_start=t_start)


def _close(folder: RunFolder, manifest: dict[str, Any], results: Mapping[str, NotebookResult],
           sources: Sequence[Path], *, status: str, t_start: float) -> Path:
    """Write manifest and index, then move the build folder to its final or failed name."""
    from forecast.run.html import write_index

    build = folder.tmp_path
    manifest["status"] = status
    manifest["finished"] = _now()
    manifest["duration_s"] = round(time.perf_counter() - t_start, 3)
    manifest["notebooks"] = [asdict(results[p.name]) for p in sources]
    if build.is_dir():
        logs = build / "logs"
        if logs.is_dir() and not any(logs.iterdir()):
            logs.rmdir()
        manifest["kernel_logs"] = sorted(
            p.relative_to(build).as_posix() for p in logs.glob("*.log")) if logs.is_dir() else []
        manifest["outputs"] = _output_hashes(build)
        write_manifest(build / MANIFEST_NAME, manifest)
        write_index(build, manifest)
        return folder.finish() if status == "ok" else folder.fail()
    return folder.failed_path


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_cli(args: argparse.Namespace) -> Path:
    """Run from parsed ``forecast run`` options (see :func:`forecast.cli.build_parser`).

    SIGTERM (a scheduler's timeout or stop) is handled like Ctrl-C: running cells are
    interrupted and the run is kept as ``<run-id>.failed`` with status "interrupted"; the CLI
    then exits with 130.
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    try:
        return run(
            output_dir=args.output_dir,
            run_name=args.run_name,
            parameters=[tuple(pair) for pair in (args.parameter or [])],
            parameters_file=args.parameters_file,
            scenarios=args.scenario,
            jobs=args.jobs,
            timeout=args.timeout,
            quiet=args.quiet,
        )
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
