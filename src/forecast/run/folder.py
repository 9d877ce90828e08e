"""Run folders that appear only when complete.

A run is built in a hidden sibling ``<output_dir>/.tmp-<run-id>`` and renamed to
``<output_dir>/<run-id>`` when everything succeeded, or to ``<output_dir>/<run-id>.failed``
when it did not. A folder without either suffix is therefore always a finished run. Renames
stay inside one directory, so they are atomic on POSIX file systems.

The build folder holds a lock file naming the process that writes it (``<pid> <host>``). A
run killed before it could rename its folder (``kill -9``, a power cut) leaves the hidden
folder behind; the next run in the same output folder recognises it by the lock of a process
that no longer exists and removes it. A build folder whose owner cannot be told (no lock, or
another host) is never touched; a run that wants its name says which folder is in the way.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from forecast.errors import ForecastError

__all__ = [
    "FAILED_SUFFIX",
    "LOCK_NAME",
    "TMP_PREFIX",
    "RunFolder",
    "RunTakenError",
    "allocate_run_folder",
    "check_output_dir",
    "claim_run_folder",
    "new_run_id",
    "remove_stale_builds",
    "stale_owner",
    "validate_run_name",
    "write_lock",
]

#: Prefix of the hidden folder a run is built in.
TMP_PREFIX = ".tmp-"
#: Suffix of the folder a failed run is moved to.
FAILED_SUFFIX = ".failed"
#: File in the build folder naming the process that writes it: ``"<pid> <host>"``.
LOCK_NAME = ".lock"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def validate_run_name(name: str) -> str:
    """Check that a run name is a single, safe folder name.

    Parameters
    ----------
    name : str
        Requested run name, e.g. ``"nightly-2026-11-22"``.

    Returns
    -------
    str
        The name, unchanged.

    Raises
    ------
    ForecastError
        If the name is empty, contains a path separator, starts with a dot (``..``, hidden
        folders), is absolute, ends with the reserved ``.failed`` suffix, or uses characters
        other than letters, digits, ``.``, ``_`` and ``-`` (at most 100 characters).
    """
    text = str(name)
    if os.sep in text or "/" in text or "\\" in text or Path(text).is_absolute():
        raise ForecastError(
            f"run name {text!r} must be a plain folder name without path separators"
        )
    if not _NAME_RE.match(text) or text.endswith(FAILED_SUFFIX):
        raise ForecastError(
            f"run name {text!r} is not allowed: use 1-100 letters, digits, '.', '_' or '-', "
            f"starting with a letter or digit and not ending in '{FAILED_SUFFIX}'"
        )
    return text


def new_run_id(now: datetime | None = None) -> str:
    """A run id from the UTC time, e.g. ``"20261122T025512Z"`` (sorts chronologically)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


class RunTakenError(ForecastError):
    """The run's name is taken: a finished, failed or running run of that name exists."""


def check_output_dir(output_dir: Path, *, create_parents: bool = False) -> Path:
    """Refuse an output folder no run folder can be created in, before anything is written.

    Parameters
    ----------
    output_dir : Path
        Folder that holds the runs (absolute); it may not exist yet.
    create_parents : bool
        Whether missing parent folders may be created (the default ``outputs/runs``); an
        explicit ``--output-dir`` needs an existing parent.

    Returns
    -------
    Path
        ``output_dir``.

    Raises
    ------
    ForecastError
        One line: the folder is a file, its parent is missing or a file, or it is not writable.
    """
    out = Path(output_dir)
    if out.exists():
        if not out.is_dir():
            raise ForecastError(f"output folder {out} is a file, not a folder")
        existing = out
    else:
        existing = out.parent
        if create_parents:
            while not existing.exists() and existing != existing.parent:
                existing = existing.parent
        if not existing.exists():
            raise ForecastError(f"output folder {out}: its parent {existing} does not exist")
        if not existing.is_dir():
            raise ForecastError(f"output folder {out}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ForecastError(f"output folder {out}: {existing} is not writable")
    return out


def _proc_stat(pid: int) -> list[str]:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first); [] if unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return []


def _lock_text() -> str:
    # The start time (field 22, clock ticks since boot) tells a reused pid from its first owner.
    started = (_proc_stat(os.getpid())[19:20] or ["-"])[0]
    return f"{os.getpid()} {socket.gethostname()} {started}\n"


def _process_gone(pid: int, started: str) -> bool:
    """True if the process that wrote a lock no longer runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    stat = _proc_stat(pid)
    if not stat:
        return False
    return stat[0] == "Z" or (started != "-" and stat[19:20] != [started])


def _read_lock(build: Path) -> tuple[int, str, str] | None:
    try:
        pid_text, host, started = (build / LOCK_NAME).read_text(encoding="utf-8").split()
        return int(pid_text), host, started
    except (OSError, ValueError):
        return None


def write_lock(folder: Path) -> Path:
    """Write the lock file naming this process (pid, host, start time) into ``folder``."""
    path = Path(folder) / LOCK_NAME
    path.write_text(_lock_text(), encoding="utf-8")
    return path


def stale_owner(folder: Path) -> int | None:
    """The pid of the dead process whose lock ``folder`` holds (this host only), else None.

    None also when there is no readable lock: such a folder's owner cannot be told.
    """
    lock = _read_lock(folder)
    if lock is None or lock[1] != socket.gethostname():
        return None
    return lock[0] if _process_gone(lock[0], lock[2]) else None


def _owner_text(build: Path) -> str:
    lock = _read_lock(build)
    if lock is None:
        return "an unknown process (no lock file)"
    return f"process {lock[0]} on {lock[1]}"


@dataclass(frozen=True)
class RunFolder:
    """The three places a run can live in.

    Parameters
    ----------
    output_dir : Path
        Folder that holds all runs (absolute).
    run_id : str
        Validated run name.
    """

    output_dir: Path
    run_id: str

    @property
    def tmp_path(self) -> Path:
        """Hidden folder the run is built in."""
        return self.output_dir / f"{TMP_PREFIX}{self.run_id}"

    @property
    def final_path(self) -> Path:
        """Folder of the finished run."""
        return self.output_dir / self.run_id

    @property
    def failed_path(self) -> Path:
        """Folder a failed run is kept in."""
        return self.output_dir / f"{self.run_id}{FAILED_SUFFIX}"

    def taken(self) -> bool:
        """True if any of the three folders exists already."""
        return any(p.exists() for p in (self.tmp_path, self.final_path, self.failed_path))

    def create(self) -> Path:
        """Create the hidden build folder with its lock file and return it.

        A build folder of this name left by a killed process (see the module docstring) is
        removed first.

        Raises
        ------
        RunTakenError
            If a run of this name exists (finished, failed or in progress); earlier runs are
            never touched.
        ForecastError
            If the folder cannot be created (one line with the system's reason).
        """
        if self.final_path.exists() or self.failed_path.exists():
            raise RunTakenError(f"run '{self.run_id}' already exists in {self.output_dir}")
        if self.tmp_path.exists() and stale_owner(self.tmp_path) is not None:
            shutil.rmtree(self.tmp_path, ignore_errors=True)
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            # exist_ok=False: a concurrent run that picked the same name loses here, not later.
            self.tmp_path.mkdir()
        except FileExistsError as exc:
            raise RunTakenError(
                f"run '{self.run_id}' already exists in {self.output_dir}: its build folder "
                f"{self.tmp_path.name} is being written by {_owner_text(self.tmp_path)}"
            ) from exc
        except OSError as exc:
            raise ForecastError(
                f"cannot create run folder {self.tmp_path}: {exc.strerror or exc}") from exc
        write_lock(self.tmp_path)
        if self.final_path.exists() or self.failed_path.exists():
            # A run of this name finished between the check above and our mkdir.
            shutil.rmtree(self.tmp_path, ignore_errors=True)
            raise RunTakenError(f"run '{self.run_id}' already exists in {self.output_dir}")
        return self.tmp_path

    def _release(self) -> None:
        (self.tmp_path / LOCK_NAME).unlink(missing_ok=True)

    def finish(self) -> Path:
        """Rename the build folder to its final name and return the final path."""
        self._release()
        os.rename(self.tmp_path, self.final_path)
        return self.final_path

    def fail(self) -> Path:
        """Rename the build folder to ``<run-id>.failed`` and return that path."""
        self._release()
        os.rename(self.tmp_path, self.failed_path)
        return self.failed_path


def allocate_run_folder(output_dir: Path, run_name: str | None = None,
                        now: datetime | None = None) -> RunFolder:
    """Pick the folder for a new run (without creating it; see :func:`claim_run_folder`).

    Parameters
    ----------
    output_dir : Path
        Folder holding the runs; made absolute.
    run_name : str, optional
        Explicit name (validated; an existing name is refused by :meth:`RunFolder.create`).
        Without it, a UTC timestamp id is used, with ``-2``, ``-3``... appended if runs
        started within the same second.
    now : datetime, optional
        Clock for the default id (tests).

    Returns
    -------
    RunFolder
    """
    out = Path(output_dir).expanduser().resolve()
    if run_name is not None:
        return RunFolder(out, validate_run_name(run_name))
    base = new_run_id(now)
    folder = RunFolder(out, base)
    counter = 2
    while folder.taken():
        folder = RunFolder(out, f"{base}-{counter}")
        counter += 1
    return folder


def claim_run_folder(output_dir: Path, run_name: str | None = None,
                     now: datetime | None = None) -> RunFolder:
    """Create the build folder of a new run and return its :class:`RunFolder`.

    Without ``run_name`` the id is the UTC time, and a process that loses a race for an id
    (runs started within the same second) takes the next suffix, so concurrent runs always
    get distinct ids.

    Raises
    ------
    ForecastError
        A named run exists or is being written (the message says by whom), or the folder
        cannot be created.
    """
    if run_name is not None:
        folder = allocate_run_folder(output_dir, run_name)
        try:
            folder.create()
        except RunTakenError as exc:
            raise RunTakenError(f"{exc}; choose another --run-name") from exc
        return folder
    for _ in range(1000):
        folder = allocate_run_folder(output_dir, None, now)
        try:
            folder.create()
        except RunTakenError:
            continue
        return folder
    raise ForecastError(f"cannot find a free run id in {output_dir}")


def remove_stale_builds(output_dir: Path,
                        say: Callable[[str], None] | None = None) -> list[Path]:
    """Remove the build folders of killed runs (lock of a dead process on this host).

    Parameters
    ----------
    output_dir : Path
        Folder holding the runs.
    say : callable, optional
        Receives one line per folder removed.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for build in sorted(Path(output_dir).glob(f"{TMP_PREFIX}*")):
        pid = stale_owner(build) if build.is_dir() else None
        if pid is None:
            continue
        shutil.rmtree(build, ignore_errors=True)
        removed.append(build)
        if say is not None:
            say(f"forecast run: removed {build}, left by process {pid} that no longer runs")
    return removed
