"""Scenario files: the YAML schema, its validation, and the parsed :class:`Scenario`.

A scenario file is a YAML mapping read with :func:`yaml.safe_load` (no object construction
from tags). Every rule it breaks raises one :class:`~forecast.errors.ScenarioError` whose
message names the file and the dotted key, so a modeller can fix it without a traceback.

Layout (see ``data/scenarios/*.yaml`` for complete, argued examples)::

    name: base                      # identifier, [a-z0-9_]
    description: One line for the scenario list.
    rationale: |                    # prose a reviewer reads (optional)
      ...
    target_year: 2030               # required; must be after the last observed year
    anchor: china                   # growth models describe China's (china) or the world's
                                    # (world) production; the other follows via the share
    segments:                       # exactly power, consumer, storage
      power:   {model: compound, cagr: 0.20, source: "doc 002 outlook"}
      consumer: {model: damped, cagr: 0.05, damping: 0.9}
      storage: {model: logistic, saturation: 1500, rate: 0.45}
    share:                          # China's share of world production [fraction]
      model: linear                 # hold | linear | logit
      target: 0.70                  # share reached in year `by`, held afterwards; or
                                    # `trend`: the fitted Fisher-Pry trend in year `by`
      by: 2030
      cap: 0.90                     # only with `target: trend`: the trend's ceiling
    caps:                           # optional
      capacity: {base: data, growth: 0.06, max_utilisation: 0.8}
    uncertain:                      # optional: distributions over any numeric parameter
      segments.power.cagr: {dist: normal, sd: 0.03}
    noise: {correlation: 0.6}       # optional: year-to-year variation of the draws (see
                                    # forecast.scenarios.noise); default one common factor

Numeric parameters marked "or ``data``" in :data:`PARAMETER_DOMAINS` may be the word
``data``: the value is then taken from the history data (e.g. the published EV outlook for
the year an ``ev_demand`` segment is anchored on) when the scenario is projected, so no number
is typed twice.

Years are never defaulted by the library: ``target_year`` is a required key, and the year an
``ev_demand`` segment's targets refer to (``anchor_year``) defaults to the file's target year.

``share.target: trend`` takes the share from the share model of :mod:`forecast.models.share`: a
logit-linear (Fisher-Pry) trend fitted to China's observed shares, bounded by ``share.cap``
(default 1), evaluated in year ``by``. Its uncertainty can be the fit's own,
``uncertain: {share.target: {dist: fitted}}``: the Student-t prediction interval of the trend
in that year, so the draws carry the parameter and residual uncertainty of four points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from forecast.errors import ScenarioError
from forecast.scenarios import checks
from forecast.scenarios.noise import NoiseSpec, parse_noise

__all__ = [
    "ANCHORS",
    "DATA",
    "DISTRIBUTIONS",
    "PARAMETER_DOMAINS",
    "SEGMENTS",
    "SEGMENT_MODELS",
    "SEGMENT_YEARS",
    "SHARE_MODELS",
    "TREND",
    "CapacitySpec",
    "Distribution",
    "Domain",
    "Scenario",
    "SegmentSpec",
    "ShareSpec",
    "load_scenario",
    "parse_scenario",
]

#: Segments every scenario models, in output order.
SEGMENTS: tuple[str, ...] = ("power", "consumer", "storage")

#: Marker for a parameter whose value comes from the history data.
DATA = "data"

#: Marker for a share target taken from the fitted share trend
#: (:class:`forecast.models.share.LogitShare`).
TREND = "trend"

#: Growth models per segment and the parameters each requires (structural years in SEGMENT_YEARS).
SEGMENT_MODELS: dict[str, tuple[str, ...]] = {
    "compound": ("cagr",),
    "damped": ("cagr", "damping"),
    "logistic": ("saturation", "rate"),
    "ev_demand": ("sales_target", "kwh_target"),
}

#: Optional structural (non-sampled) years of a segment model [year]; each defaults to the
#: scenario's ``target_year`` (an EV-demand segment reaches its targets in the target year
#: unless the file says otherwise).
SEGMENT_YEARS: dict[str, tuple[str, ...]] = {"ev_demand": ("anchor_year",)}

SHARE_MODELS: tuple[str, ...] = ("hold", "linear", "logit")
ANCHORS: tuple[str, ...] = ("china", "world")
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (required keys, optional keys)
    "normal": (("sd",), ("mean", "low", "high")),
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "high"), ("mode",)),
    # The fitted share trend's own predictive distribution; only for `share.target: trend`.
    "fitted": ((), ("low", "high")),
}

_TOP_KEYS = {
    "name",
    "description",
    "rationale",
    "target_year",
    "anchor",
    "segments",
    "share",
    "caps",
    "uncertain",
    "noise",
    "source",
    "notes",
}
_COMMENT_KEYS = {"source", "note", "notes"}
_NAME_RE = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Domain:
    """Allowed values of one kind of parameter.

    Parameters
    ----------
    low, high : float
        Bounds of the allowed interval.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    what : str
        The rule in words, for the error message.
    allow_data : bool
        Whether the word ``data`` may stand for the value.
    """

    low: float
    high: float
    low_open: bool
    high_open: bool
    what: str
    allow_data: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` is allowed."""
        if math.isnan(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


_RATE = Domain(-1.0, math.inf, True, True, "a growth rate above -1 (-100%/yr)")
_RATE_DATA = Domain(-1.0, math.inf, True, True, "a growth rate above -1 (-100%/yr) or 'data'", True)
_POSITIVE = Domain(0.0, math.inf, True, True, "a positive number")
_POSITIVE_DATA = Domain(0.0, math.inf, True, True, "a positive number or 'data'", True)
_SHARE_DATA = Domain(0.0, 1.0, False, False, "a share in [0, 1], 'data' or 'trend'", True)
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


@dataclass(frozen=True)
class Distribution:
    """An uncertain parameter's distribution (values in the parameter's unit).

    ``mean`` / ``mode`` of ``None`` mean "the parameter's central value". A normal with
    ``low``/``high`` is truncated to them (and always to the parameter's domain). ``fitted``
    (the share trend's own distribution) is filled in when the scenario is prepared:
    ``mean`` and ``sd`` are the location and scale on the logit scale [logit units], ``df``
    the Student-t degrees of freedom and ``cap`` the trend's ceiling [fraction]; it is
    truncated to ``low``/``high`` [fraction] (by default the lowest observed share and the
    cap), because with 2 df its lower tail reaches shares near 0, where the world's
    production (China's divided by the share) is unbounded.
    """

    dist: str
    sd: float | None = None
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    source: str | None = None
    df: float | None = None
    cap: float | None = None


@dataclass(frozen=True)
class SegmentSpec:
    """Growth model of one segment: ``model`` and its parameters (numbers or ``"data"``)."""

    model: str
    params: dict[str, float | str]
    settings: dict[str, int]
    source: str | None = None


@dataclass(frozen=True)
class ShareSpec:
    """China's share of world production after the last observed year."""

    model: str = "hold"
    target: float | str | None = None
    by: int | None = None
    cap: float | None = None
    source: str | None = None


@dataclass(frozen=True)
class CapacitySpec:
    """China's production capacity cap: ``base`` [GWh] growing at ``growth`` [1/yr] from
    ``base_year``, times ``max_utilisation`` [fraction]."""

    base: float | str
    growth: float
    max_utilisation: float
    base_year: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build it with :func:`load_scenario` or :func:`parse_scenario`."""

    name: str
    description: str
    path: str
    target_year: int
    anchor: str = "china"
    rationale: str = ""
    segments: dict[str, SegmentSpec] = field(default_factory=dict)
    share: ShareSpec = field(default_factory=ShareSpec)
    capacity: CapacitySpec | None = None
    uncertain: dict[str, Distribution] = field(default_factory=dict)
    noise: NoiseSpec = field(default_factory=NoiseSpec)

    def parameters(self) -> dict[str, float | str]:
        """Every sampled parameter by dotted key with its central value (number or ``"data"``).

        Order is fixed (segments in :data:`SEGMENTS` order, then share, then caps), so draws
        and tables built from it are reproducible.
        """
        out: dict[str, float | str] = {}
        for seg in SEGMENTS:
            for key, value in self.segments[seg].params.items():
                out[f"segments.{seg}.{key}"] = value
        if self.share.model != "hold":
            out["share.target"] = self.share.target  # type: ignore[assignment]
        if self.capacity is not None:
            out["caps.capacity.base"] = self.capacity.base
            out["caps.capacity.growth"] = self.capacity.growth
            out["caps.capacity.max_utilisation"] = self.capacity.max_utilisation
        return out

    @property
    def share_year(self) -> int:
        """Year the share path reaches its target [year]: ``share.by``, else the target year."""
        return self.share.by if self.share.by is not None else self.target_year

    def with_target_year(self, year: int | None, last_observed: int | None = None) -> Scenario:
        """A copy projecting to ``year`` (``None`` keeps the file's), checked against the data."""
        new = (
            self
            if year is None
            else replace(self, target_year=checks.year(year, self.path, "target_year"))
        )
        if last_observed is not None and new.target_year <= last_observed:
            raise ScenarioError(
                self.path,
                "target_year",
                f"target year {new.target_year} is not after the last observed year "
                f"{last_observed}",
            )
        return new


# --------------------------------------------------------------------------- loading


def load_scenario(path: str | Path, last_observed: int | None = None) -> Scenario:
    """Read and validate one scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    last_observed : int, optional
        Last year with observed data [year]; when given, the target year must be after it.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One line naming the file and the key, for unreadable files, invalid YAML, or any
        rule the content breaks.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, "-", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, "-", f"cannot read file ({type(exc).__name__})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ScenarioError(path, "-", f"invalid YAML{where}: {problem}") from None
    return parse_scenario(raw, path, last_observed=last_observed)


def parse_scenario(
    raw: Any, path: str | Path = "<scenario>", last_observed: int | None = None
) -> Scenario:
    """Validate an already-parsed YAML document (see :func:`load_scenario`)."""
    file = str(path)
    top = checks.mapping(raw, file, "-", "the file must contain a mapping of keys to values")
    checks.no_unknown(top, _TOP_KEYS, file, "")
    name = checks.text(top, "name", file, required=True)
    if not _NAME_RE.match(name):
        raise ScenarioError(file, "name", f"'{name}' must use only a-z, 0-9 and _")
    description = " ".join(checks.text(top, "description", file, required=True).split())
    rationale = checks.text(top, "rationale", file) or ""
    year = checks.required(top, "target_year", file, "", "missing required year to project to")
    target_year = checks.year(year, file, "target_year")
    anchor = checks.choice(top.get("anchor", "china"), ANCHORS, file, "anchor")

    segments_raw = checks.mapping(
        top.get("segments"), file, "segments", "required mapping with power, consumer and storage"
    )
    checks.no_unknown(segments_raw, set(SEGMENTS), file, "segments.")
    segments = {seg: _segment(segments_raw, seg, file, target_year) for seg in SEGMENTS}

    share = _share(top.get("share", {"model": "hold"}), file, anchor)
    capacity = _capacity(top["caps"], file) if "caps" in top else None

    scenario = Scenario(
        name=name,
        description=description,
        path=file,
        target_year=target_year,
        anchor=anchor,
        rationale=rationale.strip(),
        segments=segments,
        share=share,
        capacity=capacity,
        noise=parse_noise(top.get("noise"), file),
    )
    uncertain = _uncertain(top.get("uncertain", {}), scenario.parameters(), file)
    scenario = replace(scenario, uncertain=uncertain)
    return scenario.with_target_year(None, last_observed)


# --------------------------------------------------------------------------- sections


def _segment(segments: Mapping[str, Any], seg: str, file: str, target_year: int) -> SegmentSpec:
    key = f"segments.{seg}"
    if seg not in segments:
        raise ScenarioError(
            file, key, "missing segment (every scenario models power, consumer and storage)"
        )
    spec = checks.mapping(
        segments[seg], file, key, "must be a mapping with a 'model' and its parameters"
    )
    model = checks.choice(spec.get("model"), SEGMENT_MODELS, file, f"{key}.model")
    if model == "ev_demand" and seg != "power":
        raise ScenarioError(
            file,
            f"{key}.model",
            "'ev_demand' (EV sales x kWh per vehicle) drives only the power segment",
        )
    required = SEGMENT_MODELS[model]
    years = SEGMENT_YEARS.get(model, ())
    checks.no_unknown(spec, {"model", *required, *years, *_COMMENT_KEYS}, file, f"{key}.")
    missing = f"missing parameter of model '{model}'"
    params = {
        name: _param(checks.required(spec, name, file, f"{key}.", missing), file, f"{key}.{name}")
        for name in required
    }
    settings = {
        name: checks.year(spec.get(name, target_year), file, f"{key}.{name}") for name in years
    }
    return SegmentSpec(
        model=model,
        params=params,
        settings=settings,
        source=checks.text(spec, "source", file, prefix=f"{key}."),
    )


def _share(raw: Any, file: str, anchor: str) -> ShareSpec:
    spec = checks.mapping(raw, file, "share", "must be a mapping with a 'model'")
    checks.no_unknown(spec, {"model", "target", "by", "cap", *_COMMENT_KEYS}, file, "share.")
    model = checks.choice(spec.get("model", "hold"), SHARE_MODELS, file, "share.model")
    source = checks.text(spec, "source", file, prefix="share.")
    if model == "hold":
        for extra in ("target", "by", "cap"):
            if extra in spec:
                raise ScenarioError(file, f"share.{extra}", "not used by share model 'hold'")
        return ShareSpec(model="hold", source=source)
    missing = f"missing parameter of share model '{model}'"
    raw_target = checks.required(spec, "target", file, "share.", missing)
    target = TREND if raw_target == TREND else _param(raw_target, file, "share.target")
    cap = None
    if "cap" in spec:
        if target != TREND:
            raise ScenarioError(file, "share.cap", "only used with 'target: trend'")
        cap = checks.number(spec["cap"], file, "share.cap")
        if not 0.0 < cap <= 1.0:
            raise ScenarioError(file, "share.cap", f"{cap:g} is out of range: must be in (0, 1]")
    if anchor == "china" and target == 0:
        raise ScenarioError(
            file,
            "share.target",
            "must be above 0 when growth is anchored on China (world = China/share)",
        )
    by = checks.year(spec["by"], file, "share.by") if "by" in spec else None
    return ShareSpec(model=model, target=target, by=by, cap=cap, source=source)


def _capacity(raw: Any, file: str) -> CapacitySpec:
    caps = checks.mapping(raw, file, "caps", "must be a mapping (e.g. with a 'capacity' entry)")
    checks.no_unknown(caps, {"capacity", *_COMMENT_KEYS}, file, "caps.")
    spec = checks.mapping(
        caps.get("capacity"),
        file,
        "caps.capacity",
        "must be a mapping with base, growth and max_utilisation",
    )
    keys = ("base", "growth", "max_utilisation")
    checks.no_unknown(spec, {*keys, "base_year", *_COMMENT_KEYS}, file, "caps.capacity.")
    where = "caps.capacity."
    missing = "missing capacity parameter"
    values = {
        name: _param(checks.required(spec, name, file, where, missing), file, where + name)
        for name in keys
    }
    base_year = spec.get("base_year")
    if base_year is not None:
        base_year = checks.year(base_year, file, "caps.capacity.base_year")
    elif values["base"] != DATA:
        raise ScenarioError(
            file,
            "caps.capacity.base_year",
            "required when the capacity base is a number (the year it refers to)",
        )
    return CapacitySpec(
        base=values["base"],
        growth=values["growth"],  # type: ignore[arg-type]
        max_utilisation=values["max_utilisation"],  # type: ignore[arg-type]
        base_year=base_year,
        source=checks.text(spec, "source", file, "caps.capacity."),
    )


def _uncertain(
    raw: Any, parameters: Mapping[str, float | str], file: str
) -> dict[str, Distribution]:
    spec = checks.mapping(
        raw,
        file,
        "uncertain",
        "must be a mapping of parameter keys (e.g. segments.power.cagr) to distributions",
    )
    out: dict[str, Distribution] = {}
    for key, dist_raw in spec.items():
        if key not in parameters:
            known = ", ".join(parameters)
            raise ScenarioError(
                file,
                f"uncertain.{key}",
                f"not a numeric parameter of this scenario (known: {known})",
            )
        out[key] = _distribution(dist_raw, key, parameters[key], file)
    return out


def _distribution(raw: Any, key: str, central: float | str, file: str) -> Distribution:
    """One entry of ``uncertain``: the distribution of parameter ``key`` (central value
    ``central``, a number, ``data`` or ``trend``)."""
    where = f"uncertain.{key}"
    d = checks.mapping(raw, file, where, "must be a mapping with 'dist' and its parameters")
    kind = checks.choice(d.get("dist"), DISTRIBUTIONS, file, f"{where}.dist")
    required, optional = DISTRIBUTIONS[kind]
    checks.no_unknown(d, {"dist", *required, *optional, *_COMMENT_KEYS}, file, f"{where}.")
    if (kind == "fitted") != (central == TREND):
        raise ScenarioError(
            file,
            f"{where}.dist",
            "'fitted' is the distribution of 'share.target: trend' and only of it"
            if kind == "fitted"
            else "a trend target takes its uncertainty from the fit: use 'dist: fitted'",
        )
    values: dict[str, float] = {}
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    for name in (*required, *optional):
        if name in d:
            values[name] = checks.number(d[name], file, f"{where}.{name}")
        elif name in required:
            raise ScenarioError(file, f"{where}.{name}", f"missing parameter of '{kind}'")
    for name in ("mean", "mode", "low", "high"):
        if name in values and not _within(values[name], domain):
            raise ScenarioError(
                file,
                f"{where}.{name}",
                f"{values[name]:g} is outside the parameter's range: must be {domain.what}",
            )
    if "sd" in values and not values["sd"] > 0:
        raise ScenarioError(file, f"{where}.sd", "must be > 0")
    low, high = values.get("low"), values.get("high")
    if low is not None and high is not None and not low < high:
        raise ScenarioError(file, f"{where}.high", f"must be greater than low ({low:g})")
    if kind == "triangular" and "mode" in values and not low <= values["mode"] <= high:
        raise ScenarioError(file, f"{where}.mode", "must lie between low and high")
    if (
        kind in ("uniform", "triangular")
        and central != DATA
        and "mode" not in values
        and not low <= float(central) <= high
    ):
        raise ScenarioError(
            file, where, f"the central value {central} lies outside [{low:g}, {high:g}]"
        )
    return Distribution(dist=kind, source=checks.text(d, "source", file, f"{where}."), **values)


# --------------------------------------------------------------------------- primitives


def _within(value: float, domain: Domain) -> bool:
    # Distribution bounds may sit on an open domain edge (e.g. low: 0 for a saturation):
    # the sampler truncates strictly inside it.
    return domain.low <= value <= domain.high


def _param(value: Any, file: str, key: str) -> float | str:
    domain = PARAMETER_DOMAINS[key.rsplit(".", 1)[-1]]
    if domain.allow_data and value == DATA:
        return DATA
    if isinstance(value, str) and domain.allow_data:
        words = "'data' or 'trend'" if key == "share.target" else "'data'"
        raise ScenarioError(file, key, f"must be a number or {words}, got {value!r}")
    number = checks.number(value, file, key)
    if not domain.contains(number):
        raise ScenarioError(file, key, f"{number:g} is out of range: must be {domain.what}")
    return number
