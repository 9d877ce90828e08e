"""Where notebooks write their tables and figures: under ``<output_dir>/tables`` and
``<output_dir>/figures``, or nowhere when ``output_dir`` is ``""`` (the JupyterLab default)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["write_file", "write_table"]

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def write_file(output_dir: str | Path | None, kind: str, name: str, suffix: str,
               write: Callable[[Path], object]) -> Path | None:
    """Call ``write(path)`` for ``<output_dir>/<kind>/<name><suffix>`` (``suffix`` added if
    missing), its folder created; return the path, or None without calling ``write`` when
    ``output_dir`` is ``""`` or None. ValueError for a name that is not a plain file name
    (letters, digits, ``_``, ``-``, ``.``)."""
    if output_dir is None or str(output_dir).strip() == "":
        return None
    file_name = str(name) if str(name).endswith(suffix) else f"{name}{suffix}"
    if not _NAME_RE.match(file_name):
        raise ValueError(f"output file name {name!r} must be a plain file name (letters, digits, "
                         "'_', '-', '.')")
    folder = Path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    write(path)
    return path


def write_table(frame: pd.DataFrame, output_dir: str | Path | None, name: str) -> Path | None:
    """Write ``frame`` as :func:`~forecast.evaluation.frames.csv_text` to
    ``<output_dir>/tables/<name>.csv``, as :func:`write_file` does."""
    from forecast.evaluation.frames import csv_text

    return write_file(output_dir, "tables", name, ".csv", lambda path: path.write_text(
        csv_text(frame), encoding="utf-8", newline=""))
