"""Scenario files: the YAML schema as pydantic models, and the parsed :class:`Scenario`.

``data/scenarios/*.yaml`` are argued examples of every key. Any block may carry ``source``
(text) and ``note``/``notes`` (ignored). A parameter whose domain (:data:`PARAMETER_DOMAINS`)
allows it may be ``data`` (taken from the history when prepared); a share target ``trend``
(the Fisher-Pry fit) takes its uncertainty from the fit (``dist: fitted``). A broken rule
raises one :class:`~forecast.errors.ScenarioError` naming the file and the dotted key.
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from forecast.data.schema import YEAR_RANGE
from forecast.errors import ScenarioError
from forecast.inputs import read_scenario_text

__all__ = [
    "DATA", "PARAMETER_DOMAINS", "SEGMENTS", "TREND", "Capacity",
    "Caps", "Compound", "Damped", "Distribution", "Domain", "EvDemand", "Fitted", "Hold", "Kinds",
    "Logistic", "Noise", "Normal", "Scenario", "Segment", "Segments", "Share", "ShareTrend",
    "Triangular", "Uniform", "domain_of", "load_scenario", "parse_scenario",
]

#: Segments every scenario models, in output order.
SEGMENTS: tuple[str, ...] = ("power", "consumer", "storage")
#: Marker of a value taken from the history data.
DATA = "data"
#: Marker of a share target taken from the fitted share trend.
TREND = "trend"

_NAME_RE = re.compile(r"^[a-z0-9_]+$")
_EVERY = "every scenario models power, consumer and storage"


@dataclass(frozen=True)
class Domain:
    """Allowed values of a parameter: ``low``..``high``, excluded where ``*_open``; ``what``
    in words for messages; ``words`` that may stand for the value (``data``, ``trend``)."""

    low: float
    high: float
    low_open: bool
    high_open: bool
    what: str
    words: tuple[str, ...] = ()

    def contains(self, value: float | np.ndarray) -> np.ndarray:
        """Whether each of ``value`` is allowed (NaN is not)."""
        value = np.asarray(value, float)
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above & below

    @property
    def lowest(self) -> float:
        """The smallest allowed value (the float just above an open lower bound)."""
        return float(math.nextafter(self.low, math.inf) if self.low_open else self.low)


_RATE = "a growth rate above -1 (-100%/yr)"
#: Domain of every sampled parameter, by the last part of its dotted key.
PARAMETER_DOMAINS: dict[str, Domain] = {
    "cagr": Domain(-1.0, math.inf, True, True, f"{_RATE} or 'data'", (DATA,)),
    "damping": Domain(0.0, 1.0, True, False, "a fraction in (0, 1]"),
    "saturation": Domain(0.0, math.inf, True, True, "a positive number"),
    "rate": Domain(0.0, math.inf, True, True, "a positive number"),
    "sales_target": Domain(0.0, math.inf, True, True, "a positive number or 'data'", (DATA,)),
    "kwh_target": Domain(0.0, math.inf, True, True, "a positive number or 'data'", (DATA,)),
    "target": Domain(0.0, 1.0, False, False, "a share in [0, 1], 'data' or 'trend'",
                     (DATA, TREND)),
    "base": Domain(0.0, math.inf, True, True, "a positive number or 'data'", (DATA,)),
    "growth": Domain(-1.0, math.inf, True, True, _RATE),
    "max_utilisation": Domain(0.0, 1.0, True, False, "a fraction in (0, 1]"),
}


def domain_of(key: str) -> Domain:
    return PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]


def _fail(message: str, key: str = "") -> PydanticCustomError:
    """A broken rule; ``key`` (dotted, relative to the block checked) names the place."""
    return PydanticCustomError("scenario", "{message}", {"message": message, "key": key})


def _number(value: Any) -> float:
    # bool is an int subclass; YAML 'yes'/'no' must not pass as 1/0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise _fail(f"must be a finite number, got {value!r}")
    return float(value)


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"must be a whole year, got {value!r}")
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise _fail(f"year {value} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"must be non-empty text, got {value!r}")
    return value


def _technologies(value: Any) -> tuple[str, ...]:
    techs = [value] if isinstance(value, str) else value
    if not (isinstance(techs, list) and techs and all(isinstance(t, str) for t in techs)):
        raise _fail("must be a technology or a list of them, e.g. "
                    "[solar_electricity, wind_electricity]")
    return tuple(techs)


def _within(fixed: Domain | None = None) -> Any:
    """A number in ``fixed`` (default: the field's :data:`PARAMETER_DOMAINS` entry) or a word."""

    def check(value: Any, info: ValidationInfo) -> float | str:
        domain = fixed or PARAMETER_DOMAINS[info.field_name]
        if value in domain.words:
            return value
        if isinstance(value, str) and domain.words:
            words = " or ".join(f"'{word}'" for word in domain.words)
            raise _fail(f"must be a number or {words}, got {value!r}")
        number = _number(value)
        if not domain.contains(number):
            raise _fail(f"{number:g} is out of range: must be {domain.what}")
        return number

    return Annotated[float | str, PlainValidator(check)]


#: A sampled parameter: a number (or word) in the domain its field name has.
Parameter = _within()
Number = Annotated[float, PlainValidator(_number)]
Year = Annotated[int, PlainValidator(_year)]
Text = Annotated[str, PlainValidator(_text)]
#: Reference-class technologies (or ``all``), checked against the data when prepared.
Technologies = Annotated[tuple[str, ...], PlainValidator(_technologies)]


class _Block(BaseModel, extra="forbid", frozen=True):
    source: Text | None = None
    note: Any = None
    notes: Any = None


class Compound(_Block):
    """``value * (1 + cagr)^h``."""

    model: Literal["compound"] = "compound"
    cagr: Parameter


class Damped(_Block):
    """Growth rate ``cagr`` decaying by ``damping`` a year."""

    model: Literal["damped"] = "damped"
    cagr: Parameter
    damping: Parameter


class Logistic(_Block):
    """Logistic curve through the base value towards ``saturation`` [GWh] at ``rate`` [1/yr]."""

    model: Literal["logistic"] = "logistic"
    saturation: Parameter
    rate: Parameter


class EvDemand(_Block):
    """EV sales x kWh per vehicle reaching their targets in ``anchor_year``."""

    model: Literal["ev_demand"] = "ev_demand"
    sales_target: Parameter
    kwh_target: Parameter
    anchor_year: Year = Field(None, validate_default=True)  # type: ignore[assignment]

    @field_validator("anchor_year", mode="before")
    @classmethod
    def _default_to_target_year(cls, value: Any, info: ValidationInfo) -> Any:
        return (info.context or {}).get("target_year") if value is None else value


#: A segment's growth model; its fields named in :data:`PARAMETER_DOMAINS` are sampled.
Segment = Annotated[Compound | Damped | Logistic | EvDemand, Field(discriminator="model")]


class Segments(BaseModel, extra="forbid", frozen=True):
    """The three segments; ``segments[name]`` reads one."""

    power: Segment = Field(description=_EVERY)
    consumer: Segment = Field(description=_EVERY)
    storage: Segment = Field(description=_EVERY)

    @field_validator("consumer", "storage", mode="before")
    @classmethod
    def _ev_demand_is_power(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("model") == "ev_demand":
            raise _fail("'ev_demand' (EV sales x kWh per vehicle) drives only the power segment",
                        "model")
        return value

    def __getitem__(self, seg: str) -> Compound | Damped | Logistic | EvDemand:
        return getattr(self, seg)


class Hold(_Block):
    """China's share held at its last observed value."""

    model: Literal["hold"] = "hold"
    target: ClassVar[None] = None
    by: ClassVar[None] = None
    cap: ClassVar[None] = None


class ShareTrend(_Block):
    """China's share moving to ``target`` by year ``by`` (linearly or on the logit scale)."""

    model: Literal["linear", "logit"]
    target: Parameter
    by: Year | None = None
    cap: _within(Domain(0.0, 1.0, True, False, "in (0, 1]")) | None = None

    @model_validator(mode="after")
    def _cap_bounds_a_trend(self) -> ShareTrend:
        if self.cap is not None and self.target != TREND:
            raise _fail("only used with 'target: trend'", "cap")
        return self


Share = Annotated[
    Annotated[Hold, Tag("hold")] | Annotated[ShareTrend, Tag("linear")]
    | Annotated[ShareTrend, Tag("logit")],
    Discriminator(lambda value: value.get("model", "hold") if isinstance(value, dict)
                  else getattr(value, "model", None)),
]


class Capacity(_Block):
    """China's capacity: ``base`` [GWh] growing at ``growth`` [1/yr] from ``base_year``, times
    ``max_utilisation`` [fraction]."""

    base: Parameter
    growth: Parameter
    max_utilisation: Parameter
    base_year: Year | None = None

    @model_validator(mode="after")
    def _year_of_a_number(self) -> Capacity:
        if self.base_year is None and self.base != DATA:
            raise _fail("required when the capacity base is a number (the year it refers to)",
                        "base_year")
        return self


class Caps(_Block):
    """Limits on China's production."""

    capacity: Capacity


class _Distribution(_Block):
    """An uncertain parameter's distribution; ``None`` bounds are the parameter's domain."""

    low: Number | None = None
    high: Number | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Distribution:
        low, high = self.low, self.high
        if low is not None and high is not None and not low < high:
            raise _fail(f"must be greater than low ({low:g})", "high")
        mode = getattr(self, "mode", None)
        if mode is not None and not low <= mode <= high:
            raise _fail("must lie between low and high", "mode")
        return self


class Normal(_Distribution):
    """Normal around ``mean`` (default the central value), truncated to the bounds."""

    dist: Literal["normal"] = "normal"
    sd: _within(Domain(0.0, math.inf, True, True, "> 0"))
    mean: Number | None = None


class Uniform(_Distribution):
    """Uniform on ``low``..``high``."""

    dist: Literal["uniform"] = "uniform"
    low: Number
    high: Number


class Triangular(_Distribution):
    """Triangular on ``low``..``high`` with ``mode`` (default the central value)."""

    dist: Literal["triangular"] = "triangular"
    low: Number
    high: Number
    mode: Number | None = None


class Fitted(_Distribution):
    """The fitted share trend's own predictive distribution; only for ``share.target: trend``."""

    dist: Literal["fitted"] = "fitted"


Distribution = Annotated[Normal | Uniform | Triangular | Fitted, Field(discriminator="dist")]


class Kinds(BaseModel, extra="forbid", frozen=True):
    """Reference-class technologies each segment's year-to-year variation follows."""

    power: Technologies = ("ev_car_sales",)
    consumer: Technologies = ("all",)
    storage: Technologies = ("solar_electricity", "wind_electricity")


class Noise(_Block):
    """Year-to-year variation of the draws (see :mod:`forecast.scenarios.noise`)."""

    correlation: _within(Domain(0.0, 1.0, False, False, "in [0, 1]")) = 1.0
    scale: _within(Domain(0.0, math.inf, False, True, ">= 0")) = 1.0
    kinds: Kinds = Kinds()

    @field_validator("kinds", mode="before")
    @classmethod
    def _segments_to_technologies(cls, value: Any) -> Any:
        if not isinstance(value, dict | Kinds):
            got = "nothing" if value is None else type(value).__name__
            raise _fail("must map segments to technologies, e.g. {power: ev_car_sales} "
                        f"(got {got})")
        return value


class Scenario(_Block):
    """A validated scenario. Build it with :func:`load_scenario` or :func:`parse_scenario`."""

    name: Text
    description: Annotated[Text, AfterValidator(lambda text: " ".join(text.split()))]
    rationale: Annotated[Text, AfterValidator(str.strip)] = ""
    target_year: Year = Field(description="the year to project to")
    anchor: Literal["china", "world"] = "china"
    segments: Segments = Field(description=_EVERY)
    share: Share = Hold()
    caps: Caps | None = None
    uncertain: dict[str, Distribution] = {}
    noise: Noise = Noise()
    _path: str = PrivateAttr("<scenario>")

    @field_validator("name")
    @classmethod
    def _identifier(cls, name: str) -> str:
        if not _NAME_RE.match(name):
            raise _fail(f"'{name}' must use only a-z, 0-9 and _")
        return name

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.anchor == "china" and self.share.target == 0:
            raise _fail("must be above 0 when growth is anchored on China (world = China/share)",
                        "share.target")
        parameters = self.parameters()
        for key, dist in self.uncertain.items():
            where = f"uncertain.{key}"
            if key not in parameters:
                raise _fail(
                    f"not a numeric parameter of this scenario (known: {', '.join(parameters)})",
                    where)
            central = parameters[key]
            if (dist.dist == "fitted") != (central == TREND):
                raise _fail("'fitted' is the distribution of 'share.target: trend' and only of it"
                            if dist.dist == "fitted" else
                            "a trend target takes its uncertainty from the fit: use 'dist: fitted'",
                            f"{where}.dist")
            domain = domain_of(key)
            for name in ("mean", "mode", "low", "high"):
                value = getattr(dist, name, None)
                # A bound may sit on an open domain edge (low: 0 for a saturation): the sampler
                # truncates strictly inside it.
                if value is not None and not domain.low <= value <= domain.high:
                    raise _fail(f"{value:g} is outside the parameter's range: must be "
                                f"{domain.what}", f"{where}.{name}")
            low, high = dist.low, dist.high
            bounded = dist.dist in ("uniform", "triangular") and getattr(dist, "mode", None) is None
            if bounded and central != DATA and not low <= float(central) <= high:
                raise _fail(f"the central value {central} lies outside [{low:g}, {high:g}]", where)
        return self

    @property
    def path(self) -> str:
        """The file the scenario was read from."""
        return self._path

    @property
    def capacity(self) -> Capacity | None:
        return None if self.caps is None else self.caps.capacity

    @property
    def share_year(self) -> int:
        """Year the share path reaches its target [year]: ``share.by``, else the target year."""
        return self.share.by if self.share.by is not None else self.target_year

    def parameters(self) -> dict[str, float | str]:
        """Every sampled parameter by dotted key with its central value (number, ``"data"``
        or ``"trend"``), in the fixed order (segments, share, caps) that draws follow."""
        blocks = {**{f"segments.{seg}": self.segments[seg] for seg in SEGMENTS},
                  "share": self.share, "caps.capacity": self.capacity}
        return {f"{where}.{key}": getattr(block, key)
                for where, block in blocks.items() if block is not None
                for key in type(block).model_fields if key in PARAMETER_DOMAINS}

    def with_target_year(self, year: int | None) -> Scenario:
        """A copy projecting to ``year`` [year] (``None`` keeps the file's)."""
        if year is None:
            return self
        try:
            return self.model_copy(update={"target_year": _year(year)})
        except PydanticCustomError as exc:
            raise ScenarioError(self.path, "target_year", exc.message()) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file, after :func:`forecast.inputs.read_scenario_text`'s
    checks (a FIFO, a device, a big file or a YAML bomb is refused unread).

    Raises
    ------
    ScenarioError
        One line naming the file and the key: unreadable file, invalid YAML or a broken rule.
    """
    import yaml

    try:
        raw = yaml.safe_load(read_scenario_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ScenarioError(path, "-", f"invalid YAML{where}: {problem}") from None
    return parse_scenario(raw, path)


def parse_scenario(raw: Any, path: str | Path = "<scenario>") -> Scenario:
    """Validate an already-parsed YAML document (see :func:`load_scenario`)."""
    file = str(path)
    if not isinstance(raw, dict):
        got = "nothing" if raw is None else type(raw).__name__
        raise ScenarioError(file, "-", f"the file must contain a mapping of keys to values "
                            f"(got {got})")
    try:
        scenario = Scenario.model_validate(raw, context={"target_year": raw.get("target_year")})
    except ValidationError as exc:
        # A misspelt key is also a missing one: name what the file says, not what it lacks.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise ScenarioError(file, *_key_and_message(errors[0])) from None
    scenario._path = file
    return scenario


#: The block class of each discriminator value, to name a block's keys in messages.
_TAGGED: dict[str, type[BaseModel]] = {
    tag: cls
    for cls in (Compound, Damped, Logistic, EvDemand, Hold, ShareTrend, Normal, Uniform, Triangular,
                Fitted)
    for key in ("model", "dist") if key in cls.model_fields
    for tag in typing.get_args(cls.model_fields[key].annotation)
}


def _block_at(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, str | None, list[str]]:
    """The block class at ``loc`` from :class:`Scenario` (``None`` inside a union or a mapping
    of blocks), the tag of the last tagged block passed, and the keys of ``loc`` (no tags)."""
    cls: type[BaseModel] | None = Scenario
    tag, keys, mapping = None, [], False
    for part in loc:
        # A tag follows a union: a key of a block or of a mapping may be named 'normal' too.
        if cls is None and not mapping and part in _TAGGED:
            cls, tag = _TAGGED[part], part
            continue
        keys.append(str(part))
        field = cls.model_fields.get(part) if cls is not None else None
        kinds = () if field is None else (field.annotation, *typing.get_args(field.annotation))
        blocks = [t for t in kinds if isinstance(t, type) and issubclass(t, BaseModel)]
        cls = blocks[0] if len(blocks) == 1 else None
        mapping = field is not None and typing.get_origin(field.annotation) is dict
    return cls, tag, keys


def _key_and_message(error: Any) -> tuple[str, str]:
    """The dotted key and the one-line message of a pydantic error."""
    loc, ctx, kind, got = error["loc"], error.get("ctx") or {}, error["type"], error["input"]
    block, _, keys = _block_at(loc)
    keys.append(ctx.get("key") or "")
    parent, tag, _ = _block_at(loc[:-1])
    tagged = tag is not None and loc[-2:-1] == (tag,)
    tag_key = "dist" if loc[:1] == ("uncertain",) else "model"
    if kind.startswith("union_tag") and isinstance(got, dict):
        keys.append(tag_key)
        message = "missing required key"
        if kind == "union_tag_invalid":
            message = f"must be one of {ctx['expected_tags']}, got {ctx['tag']!r}"
    elif kind in ("model_type", "model_attributes_type", "dict_type", "union_tag_not_found"):
        if block is not None:
            contents = f" with keys among {', '.join(sorted(block.model_fields))}"
        elif loc == ("uncertain",):
            contents = " of parameter keys (e.g. segments.power.cagr) to distributions"
        else:
            contents = f" with a '{tag_key}' and its parameters"
        message = f"must be a mapping{contents} (got {type(got).__name__})"
    elif kind == "extra_forbidden":
        used = f": not used by {tag_key} '{tag}'" if tagged else ""
        message = f"unknown key{used} (allowed here: {', '.join(sorted(parent.model_fields))})"
    elif kind == "missing" and tagged:
        message = f"missing parameter of {tag_key} '{tag}'"
    elif kind == "missing":
        what = parent.model_fields[loc[-1]].description if parent is not None else None
        message = "missing required key" + (f" ({what})" if what else "")
    elif kind == "literal_error":
        message = f"must be one of {ctx['expected']}, got {got!r}"
    else:
        message = error["msg"]
    return ".".join(k for k in keys if k), message
