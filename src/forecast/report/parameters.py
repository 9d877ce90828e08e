"""The run parameters, declared once as :class:`RunParameters`, read as a user gives them
(:func:`read_parameters`) and checked by :func:`check_parameters`.

Every notebook's ``parameters`` cell declares a subset of the fields; ``forecast run``,
``forecast project`` and every notebook's :func:`forecast.report.notebook.setup` check against
them, so plain papermill refuses the same values, in one line
(:class:`~forecast.errors.ParameterError`, exit code 3). Checking reads no pandas, numpy or
YAML: ``history.csv`` is read with :mod:`csv`, the scenarios are the scenario folder's files.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)
from pydantic import field_validator as _after
from pydantic.fields import FieldInfo

from forecast.data.loader import HISTORY_FILE, OBSERVED_KINDS, default_data_dir
from forecast.errors import QUOTE_LIMIT, ForecastError, ParameterError, first_line, quote

__all__ = ["BYTES_PER_DRAW_YEAR", "MAX_DRAWS", "MAX_HORIZON", "MAX_SEED", "MEMORY_BUDGET",
           "PARAMETERS", "RunParameters", "check_parameters", "known_scenarios",
           "last_observed_year", "read_parameters", "run_parameter_label"]

#: Memory the Monte Carlo draws of one projection may take [bytes] (2 GiB).
MEMORY_BUDGET = 2 * 1024**3
#: Peak bytes per draw and projected year of the heaviest scenario projection [bytes]: about
#: 37 float64 arrays of shape ``(n_draws, n_years)``, measured with :mod:`tracemalloc`.
BYTES_PER_DRAW_YEAR = 37 * 8
#: Most draws any run may ask for: 2 GiB / (296 bytes x :data:`MAX_HORIZON` years) = 1.2 M,
#: rounded down, so that no target year a run may ask for needs more memory than the budget.
MAX_DRAWS = 1_000_000
#: Largest seed: numpy's legacy seeding (and most tools) take an unsigned 32-bit integer.
MAX_SEED = 2**32 - 1
#: Most years a target year may lie after the last observed year [years]: the horizon the
#: default method's bands were scored on, and no method here has evidence beyond it.
MAX_HORIZON = 6
_BASE_SERIES = ("production", "China", "total")


def last_observed_year(data_dir: str | Path) -> int:
    """Last year of China's observed total production in ``<data_dir>/history.csv`` [year];
    :class:`ParameterError` if there is none."""
    path = Path(data_dir) / HISTORY_FILE
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            years = [int(float(row["year"])) for row in csv.DictReader(handle)
                     if (row.get("series"), row.get("region"), row.get("segment")) == _BASE_SERIES
                     and row.get("kind") in OBSERVED_KINDS]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"parameter data_dir: cannot read observed years from {path} "
                             f"({str(exc)[:QUOTE_LIMIT]})") from exc
    if not years:
        raise ParameterError(f"parameter data_dir: {path} holds no observed China production")
    return max(years)


def known_scenarios(scenario_dir: str | Path) -> list[str]:
    """The sorted stems of the ``*.yaml``/``*.yml`` files in a scenario folder."""
    folder = Path(scenario_dir)
    if not folder.is_dir():
        raise ParameterError(f"parameter data_dir: scenario folder {folder} not found")
    return sorted({p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")})


# Each rule raises ValueError(what the value must be), which check_parameters words as
# "parameter NAME must be WHAT, got VALUE". Types are checked before pydantic's coercion:
# YAML and papermill hand over True, 1.5 and dates where numbers are meant.


def _whole(low: int, high: int, high_text: str) -> tuple[Any, Any]:
    """A whole number >= ``low`` (not a bool), then at most ``high``."""
    return (_rule(f"a whole number >= {low}", lambda v: isinstance(v, numbers.Integral)
                  and not isinstance(v, bool) and v >= low, int),
            _rule(high_text, lambda v: v <= high, after=True))


def _real(low: float, high: float, unit: str) -> Any:
    """A finite real number in ``(low, high]`` (``high`` may be infinite, then open)."""
    text = f"a number in ({low:g}, {high:g}{']' if math.isfinite(high) else ')'}{unit}"
    return _rule(text, lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool)
                 and math.isfinite(float(v)) and low < float(v) <= high, float)


def _rule(what: str, ok: Callable[[Any], bool], convert: Callable[[Any], Any] = lambda v: v,
          *, after: bool = False) -> Any:
    """``convert(value)`` if ``ok(value)``, else ValueError(what); before or after pydantic's."""
    def rule(value: Any) -> Any:
        if not ok(value):
            raise ValueError(what)
        return convert(value)
    return (AfterValidator if after else BeforeValidator)(rule)


def _path(what: str) -> Any:
    return _rule(what, lambda v: isinstance(v, str | os.PathLike) and "\0" not in os.fspath(v),
                 os.fspath)


def _names(what: str, *, paths: bool = False) -> Any:
    kinds = str | os.PathLike if paths else str
    return _rule(what, lambda v: isinstance(v, list | tuple) and all(
        isinstance(x, kinds) and os.fspath(x).strip() for x in v),
        lambda v: [os.fspath(x) for x in v])


def _doc(default: Any, description: str, *, path: bool = False) -> Any:
    return Field(default, description=description, json_schema_extra={"path": path})


class RunParameters(BaseModel):
    """Every run parameter of the notebooks, with its type, default, help text and domain (its
    rules, each worded as the refusal says it). Fields are checked in order, ``data_dir``
    first: later checks read the data folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Annotated[str, _path("a folder path (or empty)")] = _doc("",
        "data folder; empty lets forecast.data.default_data_dir() find ./data", path=True)
    output_dir: Annotated[str, _path("a folder path (or empty)"), _rule(
        "a folder, not a file", lambda v: not v.strip() or not Path(v).exists() or Path(v).is_dir(),
        after=True)] = _doc("",
        "run folder that receives tables/ and figures/; empty writes nothing", path=True)
    scenario_names: Annotated[list[str], _names("a list of scenario names")] = _doc([],
        "scenarios in data/scenarios to include; empty means all")
    target_year: Annotated[int, _rule("a whole year", lambda v: isinstance(
        v, numbers.Integral) and not isinstance(v, bool), int)] = _doc(2030,
        "last projected year [year]")
    n_draws: Annotated[int, *_whole(1, MAX_DRAWS, f"at most {MAX_DRAWS:,} (a "
                                   f"{MEMORY_BUDGET / 1024**3:g} GiB memory budget)")] = _doc(
        10_000, "Monte Carlo draws per model or scenario")
    seed: Annotated[int, *_whole(0, MAX_SEED, f"at most 2**32 - 1 = {MAX_SEED}")] = _doc(2030,
        "random seed; the same seed gives identical numbers")
    sensitivity_scenario: Annotated[str, _path("a scenario name (or empty)")] = _doc("",
        "scenario varied in the tornado chart; empty: the first scenario run")
    share_cap: Annotated[float, _real(0, 1, " [fraction]")] = _doc(0.9,
        "ceiling of China's share of world production [fraction]")
    mix_damping: Annotated[float, _real(0, 1, "")] = _doc(0.8,
        "yearly damping of the segment log-ratio trends [-]")
    lfp_cap: Annotated[float, _real(0, 1, " [fraction]")] = _doc(0.95,
        "ceiling of LFP's share of LFP + ternary installations [fraction]")
    lfp_sigma: Annotated[float, _real(0, math.inf, " [logit]")] = _doc(0.2,
        "stated logit-scale sd of the LFP trend (two points give none) [logit]")
    # Their contents are checked where they are read (track_record.read_run, load_reference).
    earlier_runs: Annotated[list[str], _names("a list of run folders", paths=True), _rule(
        "a list of run folders", lambda v: all(Path(p).is_dir() for p in v), after=True)] = _doc([],
        "earlier finished run folders whose forecasts are scored; empty: none", path=True)
    reference_path: Annotated[str, _path("a reference CSV file (or empty)"), _rule(
        "a reference CSV file (or empty)", lambda v: not v.strip() or Path(v).is_file(),
        after=True)] = _doc("",
        "reference class of technology ramp-ups; empty: the shipped one", path=True)

    @staticmethod
    def _data(info: ValidationInfo, value: str | None = None) -> Path:
        given = (info.context or {}).get("data_dir") or (
            info.data.get("data_dir") if value is None else value)
        return Path(given) if given else default_data_dir()

    @classmethod
    def _scenarios(cls, info: ValidationInfo) -> list[str]:
        return known_scenarios(cls._data(info) / "scenarios")

    @_after("data_dir")
    @classmethod
    def _has_history(cls, value: str, info: ValidationInfo) -> str:
        if not (cls._data(info, value) / HISTORY_FILE).is_file():
            raise ValueError(f"a data folder holding {HISTORY_FILE}")
        return value

    @_after("scenario_names")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = cls._scenarios(info)
        if any(name not in known for name in value):
            raise ValueError(f"a list of known scenarios ({', '.join(known)})")
        if len(set(value)) != len(value):
            raise ValueError("a list of distinct scenario names")
        return value

    @_after("target_year")
    @classmethod
    def _after_data(cls, value: int, info: ValidationInfo) -> int:
        last = last_observed_year(cls._data(info))
        if value <= last:
            raise ValueError(f"after {last}, the last observed year of {cls._data(info)}")
        if value > last + MAX_HORIZON:
            raise ValueError(f"at most {last + MAX_HORIZON}, {MAX_HORIZON} years after the last "
                             "observed year (the horizon the default method's bands are "
                             "calibrated for)")
        return value

    @_after("sensitivity_scenario")
    @classmethod
    def _run(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        run = info.data.get("scenario_names") or cls._scenarios(info)
        if value not in run:
            raise ValueError(f"empty or one of the scenarios run ({', '.join(run)})")
        return value


#: :class:`RunParameters`' fields by name, in check order: ``default``, ``description`` (the
#: help text, "what it is; what empty means") and ``json_schema_extra`` (``path``: relative
#: paths in it are resolved from the project root).
PARAMETERS: dict[str, FieldInfo] = RunParameters.model_fields


def run_parameter_label(name: str) -> str:
    """A run parameter in words, as pages show it: its help text up to a ";", capitalised (the
    name if it is not one)."""
    if name not in PARAMETERS:
        return name
    words = PARAMETERS[name].description.split(";")[0]
    return words[:1].upper() + words[1:]


def check_parameters(values: Mapping[str, Any], *,
                     data_dir: str | Path | None = None) -> dict[str, Any]:
    """Check run parameters against :class:`RunParameters`; refuse the first bad one.

    Parameters
    ----------
    values : mapping
        ``{name: value}``, any subset of the fields, as YAML or papermill give them. Missing
        ones are not checked (pydantic does not validate defaults).
    data_dir : str or Path, optional
        The data folder, resolved; default ``values["data_dir"]``, else the default one.

    Returns
    -------
    dict
        The values given, in field order, normalised (``int``, ``float``, lists).

    Raises
    ------
    ParameterError
        One line naming the parameter, what it must be and at most 100 characters of the
        value (without its length: the rule may list the known values first); also for a name
        that is not a field.
    """
    try:
        checked = RunParameters.model_validate(dict(values), context={"data_dir": data_dir})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        if error["type"] == "extra_forbidden":
            raise ParameterError(f"unknown parameter {quote(name, length=False)}; declared: "
                                 f"{', '.join(PARAMETERS)}") from None
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ParameterError):  # the data folder itself cannot be read
            raise cause from None
        need = str(cause) if cause is not None else error["msg"]
        raise ParameterError(f"parameter {name} must be {need}, got "
                             f"{quote(error['input'], length=False)}") from None
    return {name: getattr(checked, name) for name in PARAMETERS if name in values}


def read_parameters(file: str | Path | None = None,
                    pairs: Sequence[Sequence[str]] | Mapping[str, Any] = ()) -> dict[str, Any]:
    """Run parameters as a user gives them, unchecked: the YAML mapping in ``file``, then
    ``pairs`` (``(name, YAML text)`` pairs, or a mapping of values), the later winning.

    Raises
    ------
    ForecastError
        ``file`` cannot be read, is not YAML or is not a mapping of names to values.
    """
    import yaml

    merged: dict[str, Any] = {}
    if file is not None:
        path = Path(file)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ForecastError(f"{path}: cannot read parameters file ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise ForecastError(f"{path}: not valid YAML ({first_line(exc)})") from exc
        if not isinstance(loaded, dict | None) or not all(isinstance(k, str) for k in loaded or {}):
            raise ForecastError(f"{path}: parameters file must be a mapping of names to values")
        merged.update(loaded or {})
    if isinstance(pairs, Mapping):
        return merged | {str(key): value for key, value in pairs.items()}
    for key, text in pairs:
        try:
            merged[str(key)] = yaml.safe_load(str(text))
        except yaml.YAMLError:
            merged[str(key)] = str(text)  # "a: b: c" is meant as text
    return merged
