"""The Jupyter kernels a run starts: which kernel, how it is launched, how it is stopped.

Papermill creates one kernel manager per notebook from the class it is given
(``kernel_manager_class``). :func:`kernel_manager_class` builds that class for one notebook:
the kernel listens on unix sockets in a private temporary folder (which also holds its
connection file), writes its own stdout/stderr to a log file, and is registered in the
run's :class:`LiveKernels` while it runs, so an interrupted run can stop the running cells.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from forecast.errors import RunError
from forecast.run.folder import stale_owner, write_lock

__all__ = [
    "KERNEL_NAME",
    "SOCKET_DIR_PREFIX",
    "LiveKernels",
    "check_kernel",
    "kernel_manager_class",
    "kernel_socket_dir",
    "remove_stale_socket_dirs",
]

#: Jupyter kernel every notebook runs in (installed into .venv by ``make setup``).
KERNEL_NAME = "forecast"
#: Prefix of the temporary folder holding one kernel's sockets and connection file.
SOCKET_DIR_PREFIX = "fc-kernel-"


class LiveKernels:
    """Kernel managers of one run whose kernel is running, so an interrupt can reach them.

    Owned by the run (one instance per :func:`forecast.run.pipeline.run` call); the worker
    threads add and remove their kernel managers, the main thread interrupts them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._managers: set[Any] = set()
        self._stopped = False

    def add(self, manager: Any) -> bool:
        """Register a kernel manager whose kernel has started.

        Returns False, registering nothing, once :meth:`stop` was called: the run is being
        abandoned and the kernel must not execute the notebook.
        """
        with self._lock:
            if self._stopped:
                return False
            self._managers.add(manager)
            return True

    def stop(self) -> None:
        """Refuse kernels that start from now on (see :meth:`add`)."""
        with self._lock:
            self._stopped = True

    def discard(self, manager: Any) -> None:
        """Forget a kernel manager (its kernel was shut down)."""
        with self._lock:
            self._managers.discard(manager)

    def __len__(self) -> int:
        with self._lock:
            return len(self._managers)

    def interrupt_all(self) -> None:
        """Interrupt every running kernel: its current cell raises KeyboardInterrupt.

        Uses jupyter_client's public ``interrupt_kernel`` (SIGINT to the kernel's process
        group, the kernel spec's interrupt mode). The managers belong to the worker threads'
        event loops; the signal itself needs no loop, so it is sent from a fresh one here.
        """
        with self._lock:
            managers = list(self._managers)
        for manager in managers:
            if not getattr(manager, "has_kernel", False):
                continue
            with contextlib.suppress(Exception):
                asyncio.run(manager.interrupt_kernel())


@contextmanager
def kernel_socket_dir() -> Iterator[Path]:
    """A private temporary folder for one kernel's sockets and connection file.

    Removed when the block exits, however it exits (a failed start, an interrupt), so no
    ``fc-kernel-*`` folder or connection file outlives the run. It holds a lock naming this
    process, so the folders of a process killed outright can be recognised and removed by
    :func:`remove_stale_socket_dirs`.
    """
    path = Path(tempfile.mkdtemp(prefix=SOCKET_DIR_PREFIX))
    try:
        write_lock(path)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_socket_dirs(temp_dir: str | Path | None = None) -> list[Path]:
    """Remove the kernel socket folders of processes that no longer run (``kill -9``).

    Parameters
    ----------
    temp_dir : str or Path, optional
        Where the folders are (default: the system temporary folder).

    Returns
    -------
    list of Path
        The folders removed; folders without a lock, of live processes or of other hosts
        are left alone.
    """
    base = Path(temp_dir) if temp_dir is not None else Path(tempfile.gettempdir())
    removed = []
    for folder in sorted(base.glob(f"{SOCKET_DIR_PREFIX}*")):
        if folder.is_dir() and stale_owner(folder) is not None:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def kernel_manager_class(live: LiveKernels, socket_dir: Path,
                         log_path: Path | None = None) -> type:
    """An ``AsyncKernelManager`` subclass for one notebook's kernel.

    TCP kernels pick free ports by probing, and several kernels starting at once can race
    for the same port; unix sockets in a fresh folder per kernel cannot collide (and ipykernel
    does not warn about unencrypted TCP). The kernel process's own stdout/stderr (not cell
    output, which goes into the notebook) would otherwise be inherited and reach
    ``forecast run``'s stdout.

    Parameters
    ----------
    live : LiveKernels
        The run's registry of running kernels.
    socket_dir : Path
        Folder for the sockets and connection file (see :func:`kernel_socket_dir`); socket
        paths are limited to ~100 bytes, so it must be short (a system temporary folder).
    log_path : Path, optional
        File receiving the kernel process's stdout and stderr (appended; None inherits them).
    """
    from jupyter_client import AsyncKernelManager

    # One class, because one behaviour has no public switch: jupyter_client's shutdown
    # (``_async_shutdown_kernel``) sends SIGINT before every shutdown request through the
    # private ``_async_interrupt_kernel``. Papermill shuts a kernel down once its notebook is
    # done, so the kernel is idle, and ipykernel answers the signal with "KeyboardInterrupt
    # caught in kernel" on stderr when it lands between messages: noise in the kernel log,
    # present or not by timing. Everything else goes through public methods
    # (start_kernel's launch keywords, cleanup_resources, interrupt_kernel).
    class RunKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(socket_dir / "k")
            self.connection_file = str(socket_dir / "kernel.json")

        async def start_kernel(self, **kw: Any) -> None:
            if log_path is None:
                await super().start_kernel(**kw)
            else:
                log_path.parent.mkdir(parents=True, exist_ok=True)
                # The child keeps its own copy of the descriptor; ours can close after launch.
                with open(log_path, "ab") as log:
                    await super().start_kernel(**{"stdout": log, "stderr": log, **kw})
            if not live.add(self):
                # The run was interrupted while this kernel started: an interrupt sent now
                # could land before ipykernel handles SIGINT, or while it is idle (and the
                # cells would then run anyway), so the kernel is stopped instead.
                await self.shutdown_kernel(now=True)
                raise RuntimeError("the run was interrupted before the notebook started")

        async def _async_interrupt_kernel(self) -> None:
            # Skip only the interrupt that precedes a shutdown (see the class comment); the
            # public interrupt_kernel used by LiveKernels.interrupt_all is not affected.
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

        async def cleanup_resources(self, restart: bool = False) -> None:
            await super().cleanup_resources(restart=restart)
            if not restart:
                live.discard(self)

    return RunKernelManager


def check_kernel(kernel_name: str) -> None:
    """Raise :class:`~forecast.errors.RunError` if the Jupyter kernel is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise RunError(
            f"Jupyter kernel '{kernel_name}' is not installed; run `make setup` (it calls "
            f"`python -m ipykernel install --sys-prefix --name {kernel_name}`)"
        ) from exc
