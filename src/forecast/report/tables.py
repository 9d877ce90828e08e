"""Where notebooks write their tables and figures.

Notebooks take an ``output_dir`` parameter: ``""`` (the JupyterLab default) means "write
nothing", a path means "write ``tables/*.csv`` and ``figures/*.png`` under it" (the run
folder, when :mod:`forecast.run.pipeline` executes them). Tables are written with a fixed float
format and line ending, so two runs with the same inputs give byte-identical files.

Every CSV the project writes goes through
:func:`forecast.evaluation.frames.neutralise_formulas`: a text cell that a
spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, as OWASP's "CSV injection" advice lists) is written with a leading single
quote, which spreadsheets show as text. Numbers, and text that is a plain number (``-0.5``),
are written as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FLOAT_FORMAT", "check_file_name", "write_file", "write_table"]

#: printf format for floats in tables: 6 significant digits keeps GWh to 0.1 and shares to
#: 1e-6 while hiding last-bit noise that would make diffs between machines unreadable.
FLOAT_FORMAT = "%.6g"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
def check_file_name(name: str, suffix: str) -> str:
    """Return ``name`` with ``suffix`` ensured; refuse names that would leave the folder."""
    text = str(name)
    if not text.endswith(suffix):
        text += suffix
    if not _NAME_RE.match(text):
        raise ValueError(f"output file name {name!r} must be a plain file name (letters, digits, "
                         "'_', '-', '.')")
    return text


def write_file(
    output_dir: str | Path | None, kind: str, name: str, suffix: str,
    write: Callable[[Path], object],
) -> Path | None:
    """Call ``write(path)`` for ``<output_dir>/<kind>/<name><suffix>``, its folder created.

    Parameters
    ----------
    output_dir : str or Path or None
        Notebook parameter; ``""`` or None writes nothing (the JupyterLab default).
    kind : str
        ``"tables"`` or ``"figures"``.
    name : str
        Plain file name (see :func:`check_file_name`), ``suffix`` added if missing.
    suffix : str
        ``".csv"``, ``".png"``.
    write : callable
        Writes the file at the path it is given.

    Returns
    -------
    Path or None
        The file written; None, without calling ``write``, when writing is disabled.
    """
    if output_dir is None or str(output_dir).strip() == "":
        return None
    folder = Path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / check_file_name(name, suffix)
    write(path)
    return path


def write_table(frame: pd.DataFrame, output_dir: str | Path | None, name: str) -> Path | None:
    """Write a table as CSV to ``<output_dir>/tables/<name>.csv``, reproducibly.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to write; the index is dropped, so keep keys (e.g. ``year``) as columns. Text
        that would run as a spreadsheet formula is written quoted
        (:func:`forecast.evaluation.frames.neutralise_formulas`).
    output_dir, name
        As for :func:`write_file` (e.g. ``"projections"``); returns its result.
    """
    from forecast.evaluation.frames import neutralise_formulas

    return write_file(output_dir, "tables", name, ".csv", lambda path: neutralise_formulas(
        frame).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))
