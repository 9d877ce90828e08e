"""Exceptions that carry one clear, user-facing line.

Every error a user can cause with an input file derives from :class:`ForecastError`; the CLI
prints ``str(error)`` alone (no traceback) and exits with ``error.exit_code``. Values are quoted
with :func:`quote` and a message is one line of at most :data:`LINE_LIMIT` characters, so a
hostile value (a 300 MB parameter, a newline) cannot flood a terminal or a log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["LINE_LIMIT", "QUOTE_LIMIT", "DataValidationError", "ForecastError", "ModelError",
           "ParameterError", "RunError", "ScenarioError", "first_line", "quote"]

#: Characters of a value an error message quotes [characters].
QUOTE_LIMIT = 100
#: Longest error message [characters]; a longer one is cut, saying how much was left out.
LINE_LIMIT = 600


def quote(value: Any, *, length: bool = True) -> str:
    """``repr``-like quotation of ``value`` for an error line: control characters escaped (a
    newline cannot split the line), cut after about :data:`QUOTE_LIMIT` characters, saying how
    long it was (unless not ``length``): ``'aaaa...' (297,000,000 characters)``."""
    if isinstance(value, str):
        shown = repr(value[:QUOTE_LIMIT])
        cut = f"{shown[:-1]}...{shown[-1]}"
    else:
        value = repr(value)
        shown = cut = value[:QUOTE_LIMIT]
        cut += "..."
    if len(value) <= QUOTE_LIMIT:
        return shown
    return f"{cut} ({len(value):,} characters)" if length else cut


def first_line(text: object, limit: int = 200) -> str:
    """The first non-blank line of ``text`` (an exception's message, say), stripped and cut to
    ``limit`` characters ending in ``...``; ``"(no message)"`` if it has none."""
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return (line if len(line) <= limit else line[: limit - 3] + "...") or "(no message)"


class ForecastError(Exception):
    """Base class for errors a user can act on. ``str()`` is one line (see :func:`quote`)."""

    exit_code: int = 3

    def __init__(self, message: object = "", *args: object) -> None:
        text = str(message)
        line = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text[:LINE_LIMIT + 1])
        if len(text) > LINE_LIMIT or len(line) > LINE_LIMIT:
            line = f"{line[:LINE_LIMIT]}... (message cut: {len(text):,} characters)"
        super().__init__(line, *args)


class DataValidationError(ForecastError, ValueError):
    """A data ``file`` breaks ``rule`` (its short name, e.g. ``"range"``); ``message`` says what
    is wrong in words a data editor can act on, at ``row`` (header = 1) and ``column`` if one."""

    def __init__(self, file: str | Path, rule: str, message: str, row: int | None = None,
                 column: str | None = None) -> None:
        self.file, self.rule, self.message = str(file), rule, message
        self.row, self.column = row, column
        where = self.file + (f", row {row}" if row is not None else "")
        where += f", column '{column}'" if column is not None else ""
        super().__init__(f"{where}: [{rule}] {message}")


class ScenarioError(ForecastError, ValueError):
    """A scenario ``file`` is invalid at ``key``, the dotted path of the offending key (e.g.
    ``"segments.power.cagr"``), or ``"-"`` for the file."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file, self.key, self.message = str(file), key, message
        super().__init__(f"{self.file}: key '{key}': {message}")


class ModelError(ForecastError, ValueError):
    """A model cannot be fitted or used with the given inputs (too few points, bad values)."""


class ParameterError(ForecastError, ValueError):
    """A run parameter is outside its domain; the line names the parameter and the value."""


class RunError(ForecastError):
    """A pipeline run failed (a notebook raised, timed out, or the output is unusable)."""

    exit_code = 4
