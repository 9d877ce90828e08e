"""Values of scenario files: parameter domains and the field types the schema is built of.

Each type checks one value and raises a pydantic error whose message is the one line a
modeller reads (:mod:`forecast.scenarios.schema` adds the file and the dotted key).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

__all__ = [
    "DATA", "FIRST_YEAR", "LAST_YEAR", "PARAMETER_DOMAINS", "TREND", "Domain", "Number", "Param",
    "Technologies", "Text", "Year", "as_number", "as_year", "fail", "within",
]

#: Marker for a parameter whose value comes from the history data.
DATA = "data"

#: Marker for a share target taken from the fitted share trend.
TREND = "trend"

#: Years a scenario may name [year]; outside them a value is a typo, not a plan.
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class Domain:
    """Allowed values of one kind of parameter.

    ``low``/``high`` bound the interval, excluded where ``low_open``/``high_open``; ``what``
    is the rule in words for error messages; ``words`` may stand for the value (``data``: it
    is taken from the history data, ``trend``: from the fitted share trend).
    """

    low: float
    high: float
    low_open: bool
    high_open: bool
    what: str
    words: tuple[str, ...] = ()

    def contains(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        if math.isnan(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


_RATE = Domain(-1.0, math.inf, True, True, "a growth rate above -1 (-100%/yr)")
_RATE_DATA = Domain(-1.0, math.inf, True, True, f"{_RATE.what} or 'data'", (DATA,))
_POSITIVE = Domain(0.0, math.inf, True, True, "a positive number")
_POSITIVE_DATA = Domain(0.0, math.inf, True, True, "a positive number or 'data'", (DATA,))
_SHARE_DATA = Domain(0.0, 1.0, False, False, "a share in [0, 1], 'data' or 'trend'", (DATA, TREND))
_UNIT_OPEN_LOW = Domain(0.0, 1.0, True, False, "a fraction in (0, 1]")

#: Domain of every sampled parameter, by the last part of its dotted key.
PARAMETER_DOMAINS: dict[str, Domain] = {
    "cagr": _RATE_DATA,
    "damping": _UNIT_OPEN_LOW,
    "saturation": _POSITIVE,
    "rate": _POSITIVE,
    "sales_target": _POSITIVE_DATA,
    "kwh_target": _POSITIVE_DATA,
    "target": _SHARE_DATA,
    "base": _POSITIVE_DATA,
    "growth": _RATE,
    "max_utilisation": _UNIT_OPEN_LOW,
}


def fail(message: str, key: str = "") -> PydanticCustomError:
    """A broken rule; ``key`` (dotted, relative to the block checked) names the place."""
    return PydanticCustomError("scenario", "{message}", {"message": message, "key": key})


def as_number(value: Any) -> float:
    """``value`` as a finite float."""
    # bool is an int subclass; YAML 'yes'/'no' must not pass as 1/0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise fail(f"must be a finite number, got {value!r}")
    return float(value)


def _in_domain(domain: Domain, value: Any) -> float | str:
    if value in domain.words:
        return value
    if isinstance(value, str) and domain.words:
        words = " or ".join(f"'{word}'" for word in domain.words)
        raise fail(f"must be a number or {words}, got {value!r}")
    number = as_number(value)
    if not domain.contains(number):
        raise fail(f"{number:g} is out of range: must be {domain.what}")
    return number


def as_year(value: Any) -> int:
    """``value`` as a whole year between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"must be a whole year, got {value!r}")
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise fail(f"year {value} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


def _as_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"must be non-empty text, got {value!r}")
    return value


def _as_technologies(value: Any) -> tuple[str, ...]:
    techs = [value] if isinstance(value, str) else value
    if not (isinstance(techs, list) and techs and all(isinstance(t, str) for t in techs)):
        raise fail("must be a technology or a list of them, e.g. "
                   "[solar_electricity, wind_electricity]")
    return tuple(techs)


def within(domain: Domain) -> Any:
    """The type of a number in ``domain`` (or the word ``data`` where it allows it)."""
    return Annotated[float | str, PlainValidator(partial(_in_domain, domain))]


def Param(name: str) -> Any:
    """The type of sampled parameter ``name`` (see :data:`PARAMETER_DOMAINS`)."""
    return within(PARAMETER_DOMAINS[name])


Number = Annotated[float, PlainValidator(as_number)]
Year = Annotated[int, PlainValidator(as_year)]
Text = Annotated[str, PlainValidator(_as_text)]
#: Reference-class technologies (or ``all``), one or a list; checked against the data when
#: the scenario is prepared.
Technologies = Annotated[tuple[str, ...], PlainValidator(_as_technologies)]
