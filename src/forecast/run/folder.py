"""Run folders that appear only when complete.

A run is built in a hidden sibling ``<output_dir>/.tmp-<run-id>`` and renamed to
``<output_dir>/<run-id>`` when everything succeeded, or to ``<output_dir>/<run-id>.failed``
when it did not. A folder without either suffix is therefore always a finished run, and
an interrupted run leaves at most a hidden ``.tmp-`` folder behind. Renames stay inside one
directory, so they are atomic on POSIX file systems.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from forecast.errors import ForecastError

#: Prefix of the hidden folder a run is built in.
TMP_PREFIX = ".tmp-"
#: Suffix of the folder a failed run is moved to.
FAILED_SUFFIX = ".failed"

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
        """Create the hidden build folder and return it.

        Raises
        ------
        ForecastError
            If a run of this name exists (finished, failed or in progress); earlier runs are
            never touched.
        """
        if self.taken():
            raise ForecastError(
                f"run '{self.run_id}' already exists in {self.output_dir}; "
                "choose another --run-name"
            )
        self.output_dir.mkdir(parents=True, exist_ok=True)
        try:
            # exist_ok=False: a concurrent run that picked the same name loses here, not later.
            self.tmp_path.mkdir()
        except FileExistsError as exc:
            raise ForecastError(
                f"run '{self.run_id}' is being written by another process; "
                "choose another --run-name"
            ) from exc
        return self.tmp_path

    def finish(self) -> Path:
        """Rename the build folder to its final name and return the final path."""
        os.rename(self.tmp_path, self.final_path)
        return self.final_path

    def fail(self) -> Path:
        """Rename the build folder to ``<run-id>.failed`` and return that path."""
        os.rename(self.tmp_path, self.failed_path)
        return self.failed_path


def allocate_run_folder(output_dir: Path, run_name: str | None = None,
                        now: datetime | None = None) -> RunFolder:
    """Pick the folder for a new run.

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
