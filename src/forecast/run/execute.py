"""Execute one notebook with papermill in its own kernel and render it to HTML.

:func:`execute_notebook` never raises for a notebook's own errors: it returns a
:class:`NotebookResult` whose ``error`` is one line naming the cell, the statement and the
exception, which the run prints and records in the manifest.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.run.kernels import (
    KERNEL_NAME,
    LiveKernels,
    kernel_manager_class,
    kernel_socket_dir,
)

__all__ = [
    "KERNEL_START_ATTEMPTS",
    "START_TIMEOUT",
    "NotebookResult",
    "execute_notebook",
]

#: Attempts per notebook when the kernel fails to start (launches can race for ports).
KERNEL_START_ATTEMPTS = 2
#: Seconds to wait for a kernel to start.
START_TIMEOUT = 120

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME_RE = re.compile(r"Cell In\s*\[\d+\],\s*line (\d+)")


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


def _first_line(text: object, limit: int = 200) -> str:
    for line in _ANSI_RE.sub("", str(text)).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def _started_cells(output_path: Path) -> list[Any]:
    """Cells of an (partly) executed notebook that papermill started, in order."""
    import nbformat

    try:
        nb = nbformat.read(str(output_path), as_version=4)
    except (OSError, ValueError):
        return []
    return [c for c in nb.cells
            if c.get("metadata", {}).get("papermill", {}).get("start_time") is not None]


def _last_started_cell(output_path: Path) -> tuple[int | None, str]:
    """Execution count and first source line of the last cell papermill started."""
    started = _started_cells(output_path)
    if not started:
        return None, ""
    last = started[-1]
    return last.get("execution_count"), _first_line(last.get("source", ""), 60)


def _cell_label(exec_count: int | None, source: str, line: int | None = None) -> str:
    label = f"cell In [{exec_count}]" if exec_count is not None else "a cell"
    if line is not None:
        label += f", line {line}"
    return f"{label} `{source}`" if source else label


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


def _papermill(source: Path, output: Path, parameters: Mapping[str, Any], *, cwd: Path,
               timeout: int, kernel_name: str, manager_class: type) -> None:
    import papermill

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
        kernel_manager_class=manager_class,
    )


def _drain_event_loop() -> None:
    """Finish the tasks papermill's event loop still holds in this thread, then close it.

    papermill runs nbclient on jupyter_core's per-thread event loop and returns as soon as
    the notebook ends. After a cell timeout or an error, nbclient has cancelled its output
    poller, but the loop stops before the cancellation runs; the task is then destroyed with
    the loop at exit and asyncio prints "Task was destroyed but it is pending!". Running the
    loop until those tasks are done avoids that; the next notebook in this thread gets a new
    loop from jupyter_core.
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if loop.is_running() or loop.is_closed():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def _attempt(result: NotebookResult, source: Path, output: Path, injected: Mapping[str, Any], *,
             cwd: Path, timeout: int, kernel_name: str, live: LiveKernels,
             log_path: Path | None) -> Exception | None:
    """One kernel start and execution; fills ``result`` for notebook errors.

    Returns the exception of a failed kernel start (the caller decides on a retry), else None.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    result.attempts += 1
    try:
        with kernel_socket_dir() as sockets:
            try:
                _papermill(source, output, injected, cwd=cwd, timeout=timeout,
                           kernel_name=kernel_name,
                           manager_class=kernel_manager_class(live, sockets, log_path))
            finally:
                _drain_event_loop()
    except PapermillExecutionError as exc:
        result.status = "failed"
        result.cell = exc.exec_count
        line, code = _error_line(exc.traceback, exc.source)
        where = _cell_label(exc.exec_count, code, line)
        result.error = f"{where}: {exc.ename}: {_first_line(exc.evalue) or '(no message)'}"
    except CellTimeoutError:
        result.cell, src = _last_started_cell(output)
        result.status = "failed"
        result.error = f"{_cell_label(result.cell, src)}: timed out after {timeout} s (--timeout)"
    except DeadKernelError as exc:
        result.cell, src = _last_started_cell(output)
        result.status = "failed"
        result.error = f"{_cell_label(result.cell, src)}: kernel died ({_first_line(exc)})"
    except Exception as exc:
        return exc
    else:
        result.status = "ok"
    return None


def _record_paths(output: Path, paths: Mapping[str, str]) -> None:
    """Replace each written-to path in an executed notebook by the path it is recorded as."""
    try:
        text = output.read_text(encoding="utf-8")
    except OSError:
        return
    new = text
    for recorded, actual in paths.items():
        # As the paths appear inside JSON strings (escaped the same way).
        new = new.replace(json.dumps(actual)[1:-1], json.dumps(recorded)[1:-1])
    if new != text:
        output.write_text(new, encoding="utf-8")


def _render(result: NotebookResult, output: Path, html_path: Path) -> None:
    from forecast.run.html import render_notebook_html

    try:
        render_notebook_html(output, html_path)
    except Exception as exc:
        if result.status == "ok":
            result.status = "failed"
            result.error = f"HTML rendering failed: {type(exc).__name__}: {_first_line(exc)}"


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
    live: LiveKernels | None = None,
    paths: Mapping[str, str] | None = None,
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
    live : LiveKernels, optional
        The run's registry of running kernels (default: a private one).
    paths : mapping, optional
        ``{recorded path: path written to}``: a parameter equal to a recorded path is
        injected as the path written to, and the executed notebook records the recorded
        path again (the run's final folder instead of its hidden build folder).

    Returns
    -------
    NotebookResult
        ``status`` is ``"ok"`` or ``"failed"`` with a one-line ``error``.
    """
    live = live if live is not None else LiveKernels()
    paths = dict(paths or {})
    result = NotebookResult(name=source.name, parameters=dict(parameters))
    injected = {k: paths.get(v, v) if isinstance(v, str) else v for k, v in parameters.items()}
    t0 = time.perf_counter()
    while True:
        start_error = _attempt(result, source, output, injected, cwd=cwd, timeout=timeout,
                               kernel_name=kernel_name, live=live, log_path=log_path)
        if start_error is None:
            break
        # Kernel launches can race (ports, connection files): retry once if no cell ran.
        stopping = should_stop is not None and should_stop()
        if (result.attempts < KERNEL_START_ATTEMPTS and not stopping
                and not _started_cells(output)):
            continue
        result.status = "failed"
        result.error = (f"kernel '{kernel_name}' could not run the notebook: "
                        f"{type(start_error).__name__}: "
                        f"{_first_line(start_error) or '(no message)'}")
        break
    if paths and output.is_file():
        _record_paths(output, paths)
    if html_path is not None and output.is_file():
        _render(result, output, html_path)
    if log_path is not None and log_path.is_file() and log_path.stat().st_size == 0:
        log_path.unlink()
    result.duration_s = round(time.perf_counter() - t0, 3)
    return result
