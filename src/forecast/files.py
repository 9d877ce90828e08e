"""Files every layer writes or fingerprints: one atomic writer and one file hash."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

__all__ = ["sha256_file", "write_atomic"]


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to a hidden file beside ``path`` and rename it
    over ``path``: the file is complete or unchanged, also when the disk fills up (the
    :class:`OSError` is raised) or another process writes it at the same time."""
    path = Path(path)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with scratch.open("x", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return path
