"""A run folder and its record. It appears only when complete: built in ``.tmp-<run-id>``
under a :func:`fcntl.flock` lock, which the OS releases however its process ends (so the next
run sweeps only a killed run's), then renamed by :func:`os.replace` to ``<run-id>`` or
``<run-id>.failed``. If two manifests list the same inputs, packages and parameters, the tables
match."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from forecast.errors import ForecastError, RunError, quote
from forecast.files import check_folder, sha256_file, write_atomic, write_error
from forecast.layout import FAILED_SUFFIX, LATEST, MANIFEST_NAME, TMP_PREFIX

__all__ = ["PACKAGES", "RunFolder", "RunTakenError", "check_output_dir", "claim_run_folder",
           "data_files", "finished_run_dirs", "git_state", "hash_files", "hold_lock",
           "package_versions", "point_latest", "read_manifest", "remove_stale",
           "validate_run_name", "write_manifest"]

_LOCK = ".lock"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

#: Distributions whose versions can change the numbers or the rendering of a run.
PACKAGES = ("forecast", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
            "seaborn", "pyyaml", "pydantic", "papermill", "nbclient", "nbconvert", "nbformat",
            "ipykernel", "jupyter_client")
_INPUTS = ("*.csv", "scenarios/*.yaml", "scenarios/*.yml")


class RunTakenError(ForecastError):
    """A finished, failed or running run of that name exists."""


def validate_run_name(name: str) -> str:
    """``name`` if a run may take it; else :class:`ForecastError`, whose line states the rule."""
    text = str(name)
    if "/" in text or "\\" in text:
        raise ForecastError(f"run name {quote(text)} must be a plain folder name without path "
                            "separators")
    if not _NAME_RE.match(text) or text.endswith(FAILED_SUFFIX) or text == LATEST:
        raise ForecastError(
            f"run name {quote(text)} is not allowed: use 1-100 letters, digits, '.', '_' or "
            f"'-', starting with a letter or digit, not ending in '{FAILED_SUFFIX}' and not "
            f"'{LATEST}'")
    return text


def check_output_dir(out: Path, *, create_parents: bool = False) -> Path:
    """Refuse (one line) an output folder that is a file, lacks its parent (unless
    ``create_parents``, for the default ``outputs/runs``) or is not writable."""
    if not create_parents and not out.parent.exists():
        raise ForecastError(f"output folder {out}: its parent {out.parent} does not exist")
    check_folder(out, "output folder")
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ForecastError(f"output folder {out}: {existing} is not writable")
    return out


def hold_lock(folder: Path) -> IO[str]:
    """Create ``folder/.lock``, locked by this process, and return it (keep it open); it is
    locked under a private name first, so nobody sees it unlocked."""
    private = folder / f"{_LOCK}.{os.getpid()}"
    handle = private.open("w", encoding="utf-8")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    handle.write(f"{os.getpid()} {socket.gethostname()}\n")
    handle.flush()
    private.rename(folder / _LOCK)
    return handle


def remove_stale(parent: Path, pattern: str, say: Callable[[str], None] | None = None) -> None:
    """Remove the folders matching ``pattern`` in ``parent`` whose lock nobody holds (left by
    killed runs), saying so to ``say``."""
    for path in sorted(Path(parent).glob(pattern)):
        if path.is_symlink() or not path.is_dir():
            continue
        try:
            with (path / _LOCK).open(encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                owner = (handle.read().split() or ["unknown"])[0]
        except OSError:  # no lock file, or held (BlockingIOError)
            continue
        # A killed run's kernel may write in it until it notices (its parent poller looks every
        # second; longer on a loaded machine).
        for _ in range(50):
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                break
            time.sleep(0.1)
        if say is not None:
            say(f"forecast run: removed {path}, left by process {owner} that no longer runs")


@dataclass
class RunFolder:
    """A claimed run: its locked ``build`` folder and its ``final`` and ``failed`` names."""

    output_dir: Path
    run_id: str
    lock: IO[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.build = self.output_dir / f"{TMP_PREFIX}{self.run_id}"
        self.final = self.output_dir / self.run_id
        self.failed = self.output_dir / f"{self.run_id}{FAILED_SUFFIX}"

    def publish(self, ok: bool) -> Path:
        """Move the build folder to its final (``ok``) or failed name and release the lock."""
        target = self.final if ok else self.failed
        (self.build / _LOCK).unlink(missing_ok=True)
        os.replace(self.build, target)
        if self.lock is not None:
            self.lock.close()
        return target


def _create(folder: RunFolder) -> RunFolder:
    """Create and lock ``folder``'s build folder; :class:`RunTakenError` if the name is taken."""
    def published() -> bool:
        return os.path.lexists(folder.final) or os.path.lexists(folder.failed)

    taken = RunTakenError(f"run '{folder.run_id}' already exists in {folder.output_dir}")
    if published():
        raise taken
    try:
        folder.output_dir.mkdir(parents=True, exist_ok=True)
        hidden = folder.output_dir / f"{folder.build.name}.{secrets.token_hex(4)}"
        hidden.mkdir()  # the mode a run folder always had (mkdtemp's is private)
    except OSError as exc:
        raise write_error(f"cannot create run folder {folder.build}", exc) from exc
    try:
        folder.lock = hold_lock(hidden)
        # Named only once it holds its lock: a killed run never leaves a build folder without
        # one, and of two runs picking one id one loses here (a rename onto a folder that
        # holds a lock fails; one left empty by a killed run is replaced).
        hidden.rename(folder.build)
    except OSError as exc:
        if folder.lock is not None:
            folder.lock.close()
        shutil.rmtree(hidden, ignore_errors=True)
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise RunTakenError(f"{taken}: its build folder {folder.build.name} is being "
                                "written") from exc
        raise RunError(f"cannot lock run folder {folder.build}: {exc.strerror}") from exc
    if published():  # it finished between the check and the rename
        shutil.rmtree(folder.build, ignore_errors=True)
        raise taken
    return folder


def claim_run_folder(output_dir: Path, run_name: str | None = None,
                     now: datetime | None = None) -> RunFolder:
    """Create and lock the build folder of run ``run_name``, else of the UTC time
    (``20261122T025512Z``, then ``-2``, ``-3``... also against concurrent processes).
    :class:`RunTakenError` if the named run exists or is being written; :class:`RunError`
    (exit 4) if the disk is full, :class:`ForecastError` if it cannot be made otherwise."""
    out = Path(output_dir).expanduser().resolve()
    if run_name is not None:
        try:
            return _create(RunFolder(out, validate_run_name(run_name)))
        except RunTakenError as exc:
            raise RunTakenError(f"{exc}; choose another --run-name") from exc
    base = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for counter in range(1, 1000):
        with contextlib.suppress(RunTakenError):
            return _create(RunFolder(out, base if counter == 1 else f"{base}-{counter}"))
    raise ForecastError(f"cannot find a free run id in {out}")


def point_latest(output_dir: Path, run_dir: Path) -> None:
    """Make ``<output_dir>/latest`` a relative symlink to ``run_dir``, replaced atomically."""
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".latest-") as scratch:
        link = Path(scratch) / LATEST
        link.symlink_to(run_dir.name)
        os.replace(link, Path(output_dir) / LATEST)


def data_files(data_dir: str | Path) -> list[Path]:
    """What a run reads from its data folder: the CSV and scenario files, sorted."""
    return sorted({p for pattern in _INPUTS for p in Path(data_dir).glob(pattern) if p.is_file()})


def hash_files(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Each file's sha256, keyed by its path relative to ``root`` (absolute outside it)."""
    root = root.resolve()
    return {(p.relative_to(root) if p.is_relative_to(root) else p).as_posix(): sha256_file(p)
            for p in (Path(f).resolve() for f in files)}


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None if not installed), and Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version(), **dict.fromkeys(names)}
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def git_state(root: Path) -> dict[str, Any]:
    """Commit at ``root`` and whether tracked files differ from it (None, None outside git)."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=20, check=True).stdout
        except (OSError, subprocess.SubprocessError):  # also a non-zero exit
            return None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit.strip() if commit else None,
            "dirty": None if status is None else bool(status.strip())}


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> Path:
    """Write the manifest atomically as indented JSON with sorted keys (stable diffs)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    return write_atomic(Path(path), text + "\n")


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """``manifest.json`` of a run folder; empty if it is missing or not a JSON object."""
    try:
        data = json.loads((Path(run_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def finished_run_dirs(output_dir: str | Path) -> list[Path]:
    """Finished runs (status ``ok``, no ``latest`` link) in a folder, oldest first."""
    found = []
    for path in Path(output_dir).glob("[!.]*"):  # not a build folder; a file has no manifest
        manifest = {} if path.is_symlink() else read_manifest(path)
        if manifest.get("status") == "ok" and not path.name.endswith(FAILED_SUFFIX):
            found.append((str(manifest.get("finished") or ""), path.name, path))
    return [path for *_, path in sorted(found)]
