"""Checks of single values of a parsed YAML document.

Each check returns the value (converted where that is its job) or raises one
:class:`~forecast.errors.ScenarioError` naming the file and the dotted key, so a modeller can
fix the file without a traceback. They know nothing of the scenario layout
(:mod:`forecast.scenarios.schema` does).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from forecast.errors import ScenarioError

__all__ = ["choice", "mapping", "no_unknown", "number", "required", "text", "year"]

#: Years a scenario may name [year]; outside them a value is a typo, not a plan.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def mapping(value: Any, file: str, key: str, what: str) -> dict[str, Any]:
    """``value`` if it is a mapping with text keys; else the error ``what`` (got ...)."""
    if not isinstance(value, dict):
        got = "nothing" if value is None else type(value).__name__
        raise ScenarioError(file, key, f"{what} (got {got})")
    for k in value:
        if not isinstance(k, str):
            raise ScenarioError(file, key, f"keys must be text, got {k!r}")
    return value


def choice(value: Any, options: Collection[str], file: str, key: str) -> str:
    """``value`` if it is one of ``options``, else the error listing them."""
    if value not in options:
        raise ScenarioError(file, key, f"must be one of {', '.join(options)}, got {value!r}")
    return value


def required(mapping: Mapping[str, Any], key: str, file: str, prefix: str, what: str) -> Any:
    """``mapping[key]``, or the error ``what`` naming ``prefix + key`` when it is missing."""
    if key not in mapping:
        raise ScenarioError(file, prefix + key, what)
    return mapping[key]


def no_unknown(mapping: Mapping[str, Any], allowed: set[str], file: str, prefix: str) -> None:
    """Refuse the first key of ``mapping`` that is not ``allowed`` (named ``prefix + key``)."""
    for key in mapping:
        if key not in allowed:
            raise ScenarioError(
                file, f"{prefix}{key}", f"unknown key (allowed here: {', '.join(sorted(allowed))})"
            )


def text(
    mapping: Mapping[str, Any], key: str, file: str, prefix: str = "", required: bool = False
) -> str | None:
    """Non-empty text at ``mapping[key]``; ``None`` when absent and not ``required``."""
    if key not in mapping:
        if required:
            raise ScenarioError(file, prefix + key, "missing required text")
        return None
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(file, prefix + key, f"must be non-empty text, got {value!r}")
    return value


def number(value: Any, file: str, key: str) -> float:
    """``value`` as a finite float."""
    # bool is an int subclass; YAML 'yes'/'no' must not pass as 1/0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(file, key, f"must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ScenarioError(file, key, f"must be a finite number, got {value!r}")
    return float(value)


def year(value: Any, file: str, key: str) -> int:
    """``value`` as a whole year between :data:`FIRST_YEAR` and :data:`LAST_YEAR` [year]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(file, key, f"must be a whole year, got {value!r}")
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise ScenarioError(file, key, f"year {value} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return int(value)
