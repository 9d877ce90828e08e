"""One notebook executed by papermill in a thread of the run process, on its own
:class:`jupyter_client.AsyncKernelManager` (held by :class:`Kernels`, so a stop reaches every
kernel), and its page rendered. The kernel listens on unix sockets in a private, locked folder
(``forecast-kernel-*``; the next run sweeps a killed run's), writes its output to ``logs/``
and ends with the run process (ipykernel's parent poller)."""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync

from forecast.run.folder import hold_lock

__all__ = ["KERNEL_NAME", "SOCKET_PREFIX", "Kernels", "NotebookResult", "import_papermill",
           "run_notebook"]

#: Jupyter kernel every notebook runs in (installed into .venv by ``make setup``).
KERNEL_NAME = "forecast"
#: Prefix of the private temporary folder of one notebook's kernel sockets.
SOCKET_PREFIX = "forecast-kernel-"

# papermill logs a failing cell itself; the run reports it in one line instead.
logging.getLogger("papermill").addHandler(logging.NullHandler())


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
    """The run's running kernels, so that a stop reaches every one that started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[Any] = set()
        self.stopped = False

    def start(self, manager: Any, **options: Any) -> bool:
        """Start ``manager``'s kernel unless the run is stopping (then False).

        The start is inside the lock so that a stop either reaches the kernel or keeps it
        from starting. It is only the launch (15-50 ms): the kernel gets ready outside it
        (about 0.5 s, in papermill), and each listens in its own socket folder, so kernels
        starting at once neither wait for each other long nor race for ports or paths.
        """
        with self._lock:
            if not self.stopped:
                run_sync(manager.start_kernel)(**options)
                self._running.add(manager)
            return not self.stopped

    def shut_down(self, manager: Any) -> None:
        """Stop one kernel now and forget it."""
        with self._lock:
            self._running.discard(manager)
        with contextlib.suppress(Exception):
            run_sync(manager.shutdown_kernel)(now=True)

    def stop(self) -> None:
        """SIGTERM every kernel; their notebooks then end with a dead kernel within seconds."""
        with self._lock:
            self.stopped = True
            for manager in self._running:
                with contextlib.suppress(Exception):
                    run_sync(manager.signal_kernel)(signal.SIGTERM)


def import_papermill() -> Any:
    """:mod:`papermill`, imported without the IRI grammar jsonschema builds when
    ``rfc3987_syntax`` is installed (seconds under load; notebooks hold no IRI to check)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import papermill

    return papermill


def _first_line(text: object, limit: int = 200) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return (line if len(line) <= limit else line[: limit - 3] + "...") or "(no message)"


def _outcome(exc: BaseException, output: Path, timeout: int) -> tuple[int | None, str]:
    """The cell and the error line of a failed execution."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, import_papermill().PapermillExecutionError):
        count, what = exc.exec_count, f"{exc.ename}: {_first_line(exc.evalue)}"
    elif isinstance(exc, CellTimeoutError | DeadKernelError):
        try:  # the last cell papermill started, from the notebook it saves as it goes
            cells = json.loads(output.read_text(encoding="utf-8")).get("cells", [])
            count = [c.get("execution_count") for c in cells
                     if c.get("metadata", {}).get("papermill", {}).get("start_time")][-1]
        except (OSError, ValueError, IndexError):
            count = None
        what = (f"timed out after {timeout} s (--timeout)" if isinstance(exc, CellTimeoutError)
                else f"kernel died ({_first_line(exc)})")
    else:
        return None, f"{type(exc).__name__}: {_first_line(exc)}"
    return count, f"{f'cell In [{count}]' if count is not None else 'a cell'}: {what}"


def run_notebook(result: NotebookResult, source: Path, output: Path, parameters: dict[str, Any],
                 *, kernels: Kernels, cwd: Path, timeout: int, kernel: str, log: Path,
                 paths: dict[str, str]) -> NotebookResult:
    """Execute ``source`` into ``output`` with ``parameters``, each cell for at most
    ``timeout`` s in ``cwd``, and render its page (``paths``: written path -> path shown).

    The kernel's own output goes to ``log`` (removed when empty); a failure is one line in
    ``result`` from papermill's exception or nbclient's timeout and dead-kernel errors.
    """
    from jupyter_client import AsyncKernelManager

    from forecast.run.html import render_notebook_html

    sockets = Path(tempfile.mkdtemp(prefix=SOCKET_PREFIX))
    lock = hold_lock(sockets)
    manager = AsyncKernelManager(kernel_name=kernel, transport="ipc", ip=str(sockets / "k"),
                                 connection_file=str(sockets / "kernel.json"))
    t0 = time.perf_counter()
    try:
        log.parent.mkdir(exist_ok=True)
        with log.open("ab") as sink:
            # An in-memory IPython history: kernels running at once otherwise share one
            # SQLite file, and a lock error on it is printed into a notebook's output.
            if not kernels.start(manager, cwd=str(cwd), stdout=sink, stderr=sink,
                                 extra_arguments=["--HistoryManager.hist_file=:memory:"]):
                return result
        try:
            import_papermill().execute_notebook(
                str(source), str(output), parameters=parameters, km=manager, kernel_name=kernel,
                progress_bar=False, request_save_on_cell_execute=True, start_timeout=120,
                execution_timeout=timeout)
            result.status = "ok"
        except Exception as exc:
            result.status = "failed"
            result.cell, result.error = _outcome(exc, output, timeout)
        finally:
            kernels.shut_down(manager)
        if kernels.stopped:
            result.status, result.error = "interrupted", None
        elif output.is_file():
            try:
                render_notebook_html(output, output.with_suffix(".html"), paths=paths)
            except Exception as exc:
                if result.status == "ok":
                    result.status = "failed"
                    result.error = f"HTML rendering failed: {_outcome(exc, output, timeout)[1]}"
    except OSError as exc:
        result.status, result.error = "failed", _outcome(exc, output, timeout)[1]
    finally:
        result.duration_s = round(time.perf_counter() - t0, 3)
        lock.close()
        shutil.rmtree(sockets, ignore_errors=True)
        with contextlib.suppress(OSError):
            if log.stat().st_size == 0:
                log.unlink()
    return result
