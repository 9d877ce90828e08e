"""Files every layer writes, reads back or fingerprints: one atomic writer, one CSV row reader,
one file hash and tree digest, one rule for a failed write (a full disk fails, else refuses)."""

from __future__ import annotations

import csv
import errno
import hashlib
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

from forecast.errors import ForecastError, RunError

__all__ = ["DISK_FULL", "check_folder", "read_table", "sha256_file", "tree_digest",
           "write_all_atomic", "write_atomic", "write_error"]

#: Errors of a full or over-quota disk: the command fails (exit 4), the input was fine.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def tree_digest(files: Iterable[Path], root: str | Path) -> str:
    """sha256 of the lines ``<sha256>  <path relative to root>`` of ``files``, sorted: any edit,
    addition or removal changes it, moving ``root`` does not."""
    lines = "".join(f"{sha256_file(p)}  {p.relative_to(root).as_posix()}\n"
                    for p in sorted(files))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def read_table(folder: str | Path, name: str) -> list[dict[str, str]]:
    """The rows, as text, of the CSV file ``name`` in ``folder`` (a run's ``tables/...``, a data
    folder's ``sources.csv``); none if it is missing or unreadable."""
    try:
        with (Path(folder) / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to a hidden file beside ``path`` and rename it
    over ``path``: the file is complete or unchanged, also when the disk fills up (the
    :class:`OSError` is raised) or another process writes it at the same time."""
    return write_all_atomic({path: text})[0]


def write_all_atomic(texts: Mapping[str | Path, str]) -> list[Path]:
    """:func:`write_atomic` for several files that belong together: each is written beside its
    path first and only then are they renamed, so a full disk leaves every file as it was."""
    scratches = []
    try:
        for path, text in texts.items():
            path = Path(path)
            scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            scratches.append((scratch, path))
            with scratch.open("x", encoding="utf-8", newline="") as stream:
                stream.write(text)
        for scratch, path in scratches:
            os.replace(scratch, path)
    finally:
        for scratch, _ in scratches:
            scratch.unlink(missing_ok=True)
    return [path for _, path in scratches]


def write_error(message: str, exc: OSError) -> ForecastError:
    """The one-line error of a write that failed with ``exc``: ``message`` and its cause. A
    full disk or quota fails the command (exit 4, as a run that fills the disk); anything else
    (no permission, no folder) refuses the output named (exit 3)."""
    text = f"{message} ({exc.strerror or exc})"
    return RunError(text) if exc.errno in DISK_FULL else ForecastError(text)


def check_folder(folder: str | Path, label: str) -> None:
    """Refuse (one line, exit 3) a ``folder`` to write in that a file keeps from being one: it
    is a file, or the nearest of its parents that exists is; ``label`` names it in the line."""
    folder = Path(folder)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "" if existing == folder else f": {existing}"
        raise ForecastError(f"{label} {folder}{where} is a file, not a folder")
