"""Execute one notebook with papermill in a child process, and render its reviewer page.

Each notebook runs in its own process (``python -m forecast.run.execute JOB``), so nothing of
Jupyter runs in ``forecast run``'s own process and a stop is an OS operation on processes:

- the child runs :func:`papermill.execute_notebook` in its main thread, where nbclient's
  SIGTERM/SIGINT handler shuts its kernel down; the kernel listens on unix sockets in a
  private folder (traitlets configuration of jupyter_client's public ``transport``/``ip``),
  so kernels starting at once cannot race for ports;
- the child ends itself (SIGTERM) when its stdin closes, i.e. when the run process is gone,
  even by ``kill -9``; a kernel whose child is gone ends itself (ipykernel's parent poller);
- the child's and its kernel's own stdout/stderr go to the run's ``logs/`` file;
- the outcome is one line built from papermill's :class:`~papermill.PapermillExecutionError`
  (``exec_count``, ``source``, ``ename``, ``evalue``) or nbclient's timeout and dead-kernel
  errors, handed back in ``result.json`` of the private folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.run.folder import hold_lock

__all__ = ["KERNEL_NAME", "SOCKET_PREFIX", "Children", "NotebookResult", "import_papermill",
           "run_notebook"]

#: Jupyter kernel every notebook runs in (installed into .venv by ``make setup``).
KERNEL_NAME = "forecast"
#: Prefix of the private temporary folder of one notebook's kernel (sockets, result).
SOCKET_PREFIX = "forecast-kernel-"
#: Seconds a child gets to stop its kernel after SIGTERM before it is killed.
STOP_GRACE_S = 5.0


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


class Children:
    """The run's notebook processes, so a stop reaches every one that started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def start(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes] | None:
        """Start a child unless the run is stopping (then None)."""
        with self._lock:
            if self.stopped:
                return None
            proc = subprocess.Popen(args, **kwargs)
            self._procs.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        """Forget a child that ended."""
        with self._lock:
            self._procs.discard(proc)

    def stop(self) -> None:
        """SIGTERM every child, and SIGKILL those still running after :data:`STOP_GRACE_S`."""
        with self._lock:
            self.stopped = True
            procs = list(self._procs)
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def import_papermill() -> Any:
    """:mod:`papermill`, imported without the IRI grammar jsonschema builds at import when
    ``rfc3987_syntax`` is installed (about 3 s on a loaded machine, in every process);
    notebook validation checks no IRI, and the optional import is then skipped."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import papermill

    return papermill


def _first_line(text: object, limit: int = 200) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _cell(exec_count: int | None) -> str:
    return f"cell In [{exec_count}]" if exec_count is not None else "a cell"


def _last_started(output: Path) -> int | None:
    """Execution count of the last cell papermill started in ``output`` (None if unknown)."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    started = [c.get("execution_count") for c in cells
               if (c.get("metadata", {}).get("papermill") or {}).get("start_time")]
    return started[-1] if started else None


def _execute(job: dict[str, Any], sockets: Path) -> dict[str, Any]:
    papermill = import_papermill()
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    output = Path(job["output"])
    # An in-memory IPython history: kernels running at once otherwise share one SQLite file,
    # and a lock or read-only error on it is printed into a notebook's output.
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "k"),
                                       "connection_file": str(sockets / "kernel.json")},
                     "NotebookClient": {
                         "extra_arguments": ["--HistoryManager.hist_file=:memory:"]}})
    try:
        papermill.execute_notebook(
            job["source"], str(output), parameters=job["parameters"],
            kernel_name=job["kernel"], progress_bar=False, log_output=False,
            request_save_on_cell_execute=True, start_timeout=120,
            execution_timeout=job["timeout"], shutdown_kernel="immediate", config=config)
    except papermill.PapermillExecutionError as exc:
        return {"status": "failed", "cell": exc.exec_count,
                "error": f"{_cell(exc.exec_count)}: {exc.ename}: "
                         f"{_first_line(exc.evalue) or '(no message)'}"}
    except CellTimeoutError:
        count = _last_started(output)
        return {"status": "failed", "cell": count,
                "error": f"{_cell(count)}: timed out after {job['timeout']} s (--timeout)"}
    except DeadKernelError as exc:
        count = _last_started(output)
        return {"status": "failed", "cell": count,
                "error": f"{_cell(count)}: kernel died ({_first_line(exc)})"}
    except KeyboardInterrupt:
        # Stopped while no cell ran (nbclient handles a stop during cells itself): the
        # kernel, if it started, is shut down by nbclient's exit handler.
        return {"status": "interrupted", "cell": None, "error": None}
    except Exception as exc:
        return {"status": "failed", "cell": None,
                "error": f"{type(exc).__name__}: {_first_line(exc) or '(no message)'}"}
    return {"status": "ok", "cell": None, "error": None}


def _render(job: dict[str, Any], result: dict[str, Any]) -> None:
    from forecast.run.html import render_notebook_html

    try:
        render_notebook_html(Path(job["output"]), Path(job["html"]), paths=job["paths"])
    except Exception as exc:
        if result["status"] == "ok":
            result.update(status="failed", error=f"HTML rendering failed: "
                          f"{type(exc).__name__}: {_first_line(exc)}")


def _child(job_file: Path) -> int:
    """Body of the notebook process: execute, render, write ``result.json`` next to the job."""

    def stop_with_parent() -> None:
        while os.read(0, 1024):  # b"" at EOF: the run process closed it or is gone
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # also while a kernel starts: it is stopped too
    threading.Thread(target=stop_with_parent, daemon=True).start()
    job = json.loads(job_file.read_text(encoding="utf-8"))
    result = _execute(job, job_file.parent)
    if Path(job["output"]).is_file():
        _render(job, result)
    scratch = job_file.parent / "result.json.tmp"
    scratch.write_text(json.dumps(result), encoding="utf-8")
    os.replace(scratch, job_file.parent / "result.json")
    return 0


def run_notebook(source: Path, output: Path, parameters: dict[str, Any], *, children: Children,
                 cwd: Path, timeout: int, kernel: str, log: Path,
                 paths: dict[str, str]) -> NotebookResult:
    """Execute ``source`` into ``output`` and its ``.html`` page in a child process.

    ``parameters`` are injected; the kernel runs in ``cwd``, each cell for at most ``timeout``
    s; the processes' own output goes to ``log`` (removed when empty); ``paths`` maps paths
    written to paths the page shows. Nothing starts once ``children`` is stopping.
    """
    result = NotebookResult(source.name, parameters=dict(parameters))
    sockets = Path(tempfile.mkdtemp(prefix=SOCKET_PREFIX))
    lock = hold_lock(sockets)
    t0 = time.perf_counter()
    try:
        job = {"source": str(source), "output": str(output), "html": str(output.with_suffix(
            ".html")), "parameters": parameters, "kernel": kernel, "timeout": timeout,
            "paths": paths}
        (sockets / "job.json").write_text(json.dumps(job), encoding="utf-8")
        log.parent.mkdir(exist_ok=True)
        with log.open("ab") as sink:
            proc = children.start([sys.executable, "-m", "forecast.run.execute",
                                   str(sockets / "job.json")], cwd=cwd, stdin=subprocess.PIPE,
                                  stdout=sink, stderr=sink)
        if proc is None:
            return result
        try:
            code = proc.wait()
        finally:
            children.done(proc)
        try:
            outcome = json.loads((sockets / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            outcome = {"status": "failed", "cell": None,
                       "error": f"the notebook process ended with code {code}"}
        result.status, result.error, result.cell = (
            outcome["status"], outcome["error"], outcome["cell"])
        if children.stopped:
            result.status, result.error = "interrupted", None
    except OSError as exc:
        result.status, result.error = "failed", f"{type(exc).__name__}: {_first_line(exc)}"
    finally:
        result.duration_s = round(time.perf_counter() - t0, 3)
        lock.close()
        shutil.rmtree(sockets, ignore_errors=True)
        with contextlib.suppress(OSError):
            if log.stat().st_size == 0:
                log.unlink()
    return result


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1])))
