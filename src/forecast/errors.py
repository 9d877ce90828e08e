"""Exceptions that carry one clear, user-facing line.

Every error a user can cause with an input file derives from :class:`ForecastError`;
the CLI prints ``str(error)`` alone (no traceback) and exits with ``error.exit_code``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DataValidationError",
    "ForecastError",
    "ModelError",
    "ParameterError",
    "RunError",
    "ScenarioError",
]


class ForecastError(Exception):
    """Base class for errors a user can act on. ``str()`` is one line."""

    exit_code: int = 3


class DataValidationError(ForecastError, ValueError):
    """A data file breaks a rule.

    Parameters
    ----------
    file : str or Path
        The offending file.
    rule : str
        Short name of the rule that failed (e.g. ``"range"``, ``"duplicate"``).
    message : str
        What is wrong, in words a data editor can act on.
    row : int, optional
        Line number in the file (1-based, the header is line 1), if the problem is one row.
    column : str, optional
        Column name, if the problem is one column.
    """

    def __init__(
        self,
        file: str | Path,
        rule: str,
        message: str,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.rule = rule
        self.row = row
        self.column = column
        self.message = message
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: [{rule}] {message}")


class ScenarioError(ForecastError, ValueError):
    """A scenario file is invalid.

    Parameters
    ----------
    file : str or Path
        The scenario file.
    key : str
        Dotted path of the offending key (e.g. ``"segments.power.cagr"``), or ``"-"`` for the file.
    message : str
        What is wrong.
    """

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        super().__init__(f"{self.file}: key '{key}': {message}")


class ModelError(ForecastError, ValueError):
    """A model cannot be fitted or used with the given inputs (too few points, bad values)."""


class ParameterError(ForecastError, ValueError):
    """A run parameter is outside its domain; the line names the parameter and the value."""


class RunError(ForecastError):
    """A pipeline run failed (a notebook raised, timed out, or the output is unusable)."""

    exit_code = 4
