"""Where notebooks write their tables and figures.

Notebooks take an ``output_dir`` parameter: ``""`` (the JupyterLab default) means "write
nothing", a path means "write ``tables/*.csv`` and ``figures/*.png`` under it" (the run
folder, when :mod:`forecast.run.pipeline` executes them). Tables are written with a fixed float
format and line ending, so two runs with the same inputs give byte-identical files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: printf format for floats in tables: 6 significant digits keeps GWh to 0.1 and shares to
#: 1e-6 while hiding last-bit noise that would make diffs between machines unreadable.
FLOAT_FORMAT = "%.6g"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def output_subdir(output_dir: str | Path | None, kind: str) -> Path | None:
    """``<output_dir>/<kind>``, created; None when ``output_dir`` is empty (write nothing).

    Parameters
    ----------
    output_dir : str or Path or None
        Notebook parameter; ``""`` or None disables writing.
    kind : str
        ``"tables"`` or ``"figures"``.
    """
    if output_dir is None or str(output_dir).strip() == "":
        return None
    folder = Path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_file_name(name: str, suffix: str) -> str:
    """Return ``name`` with ``suffix`` ensured; refuse names that would leave the folder."""
    text = str(name)
    if not text.endswith(suffix):
        text += suffix
    if not _NAME_RE.match(text):
        raise ValueError(f"output file name {name!r} must be a plain file name (letters, digits, "
                         "'_', '-', '.')")
    return text


def write_table(frame: pd.DataFrame, output_dir: str | Path | None, name: str) -> Path | None:
    """Write a table as CSV under ``<output_dir>/tables``, reproducibly.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to write; the index is dropped, so keep keys (e.g. ``year``) as columns.
    output_dir : str or Path or None
        Notebook parameter; ``""`` or None writes nothing.
    name : str
        File name, ``.csv`` added if missing (e.g. ``"projections"``).

    Returns
    -------
    Path or None
        The written file, or None when writing is disabled.
    """
    folder = output_subdir(output_dir, "tables")
    if folder is None:
        return None
    path = folder / check_file_name(name, ".csv")
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def check_run_parameters(
    *,
    n_draws: object = 1,
    seed: object = 0,
    target_year: object = 2030,
    scenario_names: object = (),
) -> None:
    """Refuse nonsensical notebook parameters with one clear line, before any work.

    Models would reject most of these too, but some (e.g. a backtest) record a bad draw count
    as a skipped model; checking up front makes a scheduled run fail loudly instead.

    Parameters
    ----------
    n_draws : int
        Monte Carlo draws, a whole number >= 1.
    seed : int
        Random seed, a whole number >= 0 (numpy's requirement).
    target_year : int
        Last projected year [year], a whole number.
    scenario_names : list of str
        Scenario names; a list (or tuple) of strings, possibly empty.

    Raises
    ------
    ModelError
        Naming the parameter, what it must be, and the value given.
    """
    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(n_draws) or int(n_draws) < 1:  # type: ignore[call-overload]
        raise ModelError(f"parameter n_draws must be a whole number >= 1, got {n_draws!r}")
    if not whole(seed) or int(seed) < 0:  # type: ignore[call-overload]
        raise ModelError(f"parameter seed must be a whole number >= 0, got {seed!r}")
    if not whole(target_year):
        raise ModelError(f"parameter target_year must be a whole year, got {target_year!r}")
    if isinstance(scenario_names, str) or not isinstance(scenario_names, list | tuple) or not all(
        isinstance(n, str) and n.strip() for n in scenario_names
    ):
        raise ModelError(
            f"parameter scenario_names must be a list of scenario names, got {scenario_names!r}"
        )
