"""Run folders that appear only when complete, locked by the OS.

A run is built in a hidden sibling ``<output_dir>/.tmp-<run-id>`` and moved with
:func:`os.replace` to ``<output_dir>/<run-id>`` when everything succeeded, or to
``<output_dir>/<run-id>.failed`` when it did not; a rename inside one directory is atomic on
POSIX file systems, so a folder without either prefix or suffix is always a finished run.
After a successful run ``<output_dir>/latest`` is a symlink to it, replaced atomically too.

The build folder holds ``.lock``, which its process keeps locked with :func:`fcntl.flock`.
The OS drops that lock when the process ends, however it ends (``kill -9``, a power cut), so
the next run in the output folder removes a build folder whose lock it can take: its owner is
gone. A build folder whose lock is held, or that has no lock file, is never touched.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from forecast.errors import ForecastError, RunError

__all__ = ["DISK_FULL", "FAILED_SUFFIX", "LATEST", "LOCK_NAME", "TMP_PREFIX", "RunFolder",
           "RunTakenError", "check_output_dir", "claim_run_folder", "hold_lock", "point_latest",
           "remove_stale", "validate_run_name"]

#: Prefix of the hidden folder a run is built in.
TMP_PREFIX = ".tmp-"
#: Suffix of the folder a failed run is moved to.
FAILED_SUFFIX = ".failed"
#: Lock file of a build folder (and of a kernel's socket folder); its text names the owner.
LOCK_NAME = ".lock"
#: Symlink in the output folder to the newest successful run.
LATEST = "latest"
#: Errors of a full or over-quota disk: the run fails (exit 4) instead of the input.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RunTakenError(ForecastError):
    """The run's name is taken: a finished, failed or running run of that name exists."""


def validate_run_name(name: str) -> str:
    """``name`` if it is 1-100 letters, digits, ``.``, ``_`` or ``-``, starting with a letter
    or digit, not ending in ``.failed`` and not ``latest``; else :class:`ForecastError`."""
    text = str(name)
    if "/" in text or "\\" in text or os.sep in text:
        raise ForecastError(f"run name {text[:100]!r} must be a plain folder name without path "
                            "separators")
    if not _NAME_RE.match(text) or text.endswith(FAILED_SUFFIX) or text == LATEST:
        raise ForecastError(
            f"run name {text[:100]!r} is not allowed: use 1-100 letters, digits, '.', '_' or "
            f"'-', starting with a letter or digit, not ending in '{FAILED_SUFFIX}' and not "
            f"'{LATEST}'")
    return text


def check_output_dir(output_dir: Path, *, create_parents: bool = False) -> Path:
    """Refuse (one line) an output folder that is a file, lacks its parent (unless
    ``create_parents``, for the default ``outputs/runs``) or is not writable."""
    out = Path(output_dir)
    existing = out
    if not out.exists():
        existing = out.parent
        while create_parents and not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.exists():
            raise ForecastError(f"output folder {out}: its parent {existing} does not exist")
    if not existing.is_dir():
        raise ForecastError(f"output folder {out} is a file, not a folder" if existing == out
                            else f"output folder {out}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ForecastError(f"output folder {out}: {existing} is not writable")
    return out


def hold_lock(folder: Path) -> IO[str]:
    """Create ``folder/.lock`` already locked by this process and return it (keep it open).

    The lock is taken on a private name and renamed into place, so no other process can see
    the lock file unlocked.
    """
    private = folder / f"{LOCK_NAME}.{os.getpid()}"
    handle = private.open("w", encoding="utf-8")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.write(f"{os.getpid()} {socket.gethostname()}\n")
    handle.flush()
    private.rename(folder / LOCK_NAME)
    return handle


def _owner_gone(folder: Path) -> str | None:
    """The owner text of ``folder``'s lock if nobody holds it any more, else None."""
    try:
        with (folder / LOCK_NAME).open(encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            return handle.read().strip() or "unknown"
    except OSError:
        return None


def remove_stale(parent: Path, pattern: str, say: Callable[[str], None] | None = None) -> None:
    """Remove the folders matching ``pattern`` in ``parent`` whose lock no process holds
    (build folders of killed runs, their notebooks' socket folders), saying so to ``say``."""
    for path in sorted(Path(parent).glob(pattern)):
        owner = _owner_gone(path) if path.is_dir() and not path.is_symlink() else None
        if owner is not None:
            shutil.rmtree(path, ignore_errors=True)
            if say is not None:
                pid = owner.split()[0]
                say(f"forecast run: removed {path}, left by process {pid} that no longer runs")


@dataclass
class RunFolder:
    """A claimed run: its locked ``build`` folder and the ``final`` and ``failed`` names it
    can end under."""

    output_dir: Path
    run_id: str
    lock: IO[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.build = self.output_dir / f"{TMP_PREFIX}{self.run_id}"
        self.final = self.output_dir / self.run_id
        self.failed = self.output_dir / f"{self.run_id}{FAILED_SUFFIX}"

    def taken(self) -> bool:
        """True if a run of this id exists (built, finished or failed)."""
        return any(os.path.lexists(p) for p in (self.build, self.final, self.failed))

    def publish(self, ok: bool) -> Path:
        """Move the build folder to its final (``ok``) or failed name and release the lock."""
        target = self.final if ok else self.failed
        (self.build / LOCK_NAME).unlink(missing_ok=True)
        os.replace(self.build, target)
        if self.lock is not None:
            self.lock.close()
        return target


def _create(folder: RunFolder) -> None:
    if os.path.lexists(folder.final) or os.path.lexists(folder.failed):
        raise RunTakenError(f"run '{folder.run_id}' already exists in {folder.output_dir}")
    try:
        folder.output_dir.mkdir(parents=True, exist_ok=True)
        folder.build.mkdir()  # exist_ok=False: of two runs picking one id, one loses here
    except FileExistsError as exc:
        raise RunTakenError(f"run '{folder.run_id}' already exists in {folder.output_dir}: its "
                            f"build folder {folder.build.name} is being written") from exc
    except OSError as exc:
        cls = RunError if exc.errno in DISK_FULL else ForecastError
        raise cls(f"cannot create run folder {folder.build}: {exc.strerror or exc}") from exc
    try:
        folder.lock = hold_lock(folder.build)
    except OSError as exc:
        shutil.rmtree(folder.build, ignore_errors=True)
        raise RunError(f"cannot lock run folder {folder.build}: {exc.strerror or exc}") from exc
    if os.path.lexists(folder.final) or os.path.lexists(folder.failed):
        shutil.rmtree(folder.build, ignore_errors=True)  # it finished between check and mkdir
        raise RunTakenError(f"run '{folder.run_id}' already exists in {folder.output_dir}")


def claim_run_folder(output_dir: Path, run_name: str | None = None,
                     now: datetime | None = None) -> RunFolder:
    """Create and lock the build folder of a new run named ``run_name``, else the UTC time
    (``20261122T025512Z``, then ``-2``, ``-3``... also against concurrent processes).

    :class:`RunTakenError` if the named run exists or is being written; :class:`RunError`
    (exit 4) if the disk is full, :class:`ForecastError` for other reasons it cannot be made.
    """
    out = Path(output_dir).expanduser().resolve()
    if run_name is not None:
        folder = RunFolder(out, validate_run_name(run_name))
        try:
            _create(folder)
        except RunTakenError as exc:
            raise RunTakenError(f"{exc}; choose another --run-name") from exc
        return folder
    base = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for counter in range(1, 1000):
        folder = RunFolder(out, base if counter == 1 else f"{base}-{counter}")
        if folder.taken():
            continue
        with contextlib.suppress(RunTakenError):
            _create(folder)
            return folder
    raise ForecastError(f"cannot find a free run id in {out}")


def point_latest(output_dir: Path, run_dir: Path) -> None:
    """Make ``<output_dir>/latest`` a relative symlink to ``run_dir``, replaced atomically."""
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".latest-") as scratch:
        link = Path(scratch) / LATEST
        link.symlink_to(run_dir.name)
        os.replace(link, Path(output_dir) / LATEST)
