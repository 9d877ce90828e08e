"""The run parameters the notebooks take, declared once, and the one check they all pass.

Every notebook's ``parameters`` cell declares a subset of :data:`PARAMETERS` with the same
type and default (a test keeps them in step). :func:`check_parameters` refuses a value outside
its domain with one line naming the parameter and the value
(:class:`~forecast.errors.ParameterError`, exit code 3). The command line checks the user's
parameters with it before any kernel starts, and the notebooks check theirs with it through
:func:`forecast.report.notebook.setup`, so plain papermill gets the same refusals.

Checking is cheap: no pandas, numpy or YAML. The last observed year is read from
``history.csv`` with the :mod:`csv` module, and the known scenarios are the file names in the
scenario folder (a scenario's name is its file's stem, see
:func:`forecast.scenarios.resolve_scenario`); a scenario file's content is checked when a
notebook loads it.

Memory budget of ``n_draws``
----------------------------
The largest per-draw arrays are a scenario projection's Monte Carlo paths: at its peak,
:func:`forecast.scenarios.project` holds about 37 float64 arrays of shape
``(n_draws, n_years)`` (segments, regions, shares, caps and the quantile workspace). Measured
with :mod:`tracemalloc` at 100,000 draws to 2030 (6 projected years), the heaviest shipped
scenario (``demand_led``) peaks at 1,776 bytes per draw, i.e. 296 bytes = 37 x 8 bytes per
draw and projected year (:data:`BYTES_PER_DRAW_YEAR`). Against a budget of 2 GiB
(:data:`MEMORY_BUDGET` = 2,147,483,648 bytes) that allows 2 GiB / (296 x 6) = 1,209,168 draws
for a six-year horizon; :data:`MAX_DRAWS` rounds it down to 1,000,000, which leaves room for
the notebooks' other arrays. A later target year is allowed the draws that fit the same
budget: ``n_draws x (target_year - last observed year) x 296 <= 2 GiB``.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from forecast.data.loader import HISTORY_FILE, OBSERVED_KINDS, default_data_dir
from forecast.errors import ParameterError

__all__ = [
    "BYTES_PER_DRAW_YEAR",
    "MAX_DRAWS",
    "MAX_HORIZON",
    "MAX_SEED",
    "MEMORY_BUDGET",
    "PARAMETERS",
    "Parameter",
    "check_parameters",
    "known_scenarios",
    "last_observed_year",
    "max_draws",
]

#: Memory the Monte Carlo draws of one projection may take [bytes] (2 GiB).
MEMORY_BUDGET = 2 * 1024**3
#: Peak bytes per draw and projected year of the heaviest scenario projection [bytes]
#: (37 float64 arrays of shape (n_draws, n_years); see the module docstring).
BYTES_PER_DRAW_YEAR = 37 * 8
#: Most draws any run may ask for: 2 GiB / (296 bytes x 6 years) = 1.2 M, rounded down.
MAX_DRAWS = 1_000_000
#: Largest seed: numpy's legacy seeding (and most tools) take an unsigned 32-bit integer.
MAX_SEED = 2**32 - 1
#: The projection horizon policy, for ``forecast run``, ``forecast project`` and every
#: notebook: a target year at most this many years after the last observed year [years]. It
#: is the horizon the calibrated default method's bands were scored on (its reference class
#: has six years of outcomes after each window; :class:`forecast.models.DefaultMethod`
#: refuses later years), and no other method here has evidence that its bands hold further out.
MAX_HORIZON = 6

# The series whose last observed year the target year must come after (as in
# forecast.scenarios.preparation.last_observed_year, which needs a loaded history).
_BASE_SERIES = ("production", "China", "total")


def max_draws(horizon: int) -> int:
    """Most Monte Carlo draws that fit :data:`MEMORY_BUDGET` over ``horizon`` projected years.

    Parameters
    ----------
    horizon : int
        Number of projected years (target year minus last observed year) [years].

    Returns
    -------
    int
        ``min(MAX_DRAWS, MEMORY_BUDGET // (BYTES_PER_DRAW_YEAR * horizon))`` [draws].
    """
    return min(MAX_DRAWS, MEMORY_BUDGET // (BYTES_PER_DRAW_YEAR * max(int(horizon), 1)))


def last_observed_year(data_dir: str | Path) -> int:
    """Last year of China's observed (reported or derived) total production [year].

    Read from ``<data_dir>/history.csv`` with the :mod:`csv` module, without validating or
    loading the history; equal to :func:`forecast.scenarios.preparation.last_observed_year` of
    the loaded history.

    Raises
    ------
    ParameterError
        The file cannot be read or holds no such observation.
    """
    path = Path(data_dir) / HISTORY_FILE
    years: list[int] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row.get("series"), row.get("region"), row.get("segment"))
                if key == _BASE_SERIES and row.get("kind") in OBSERVED_KINDS:
                    years.append(int(float(row["year"])))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"parameter data_dir: cannot read observed years from {path} "
                             f"({exc})") from exc
    if not years:
        raise ParameterError(f"parameter data_dir: {path} holds no observed China production")
    return max(years)


def known_scenarios(scenario_dir: str | Path) -> list[str]:
    """Names of the scenarios in a folder: the stems of its ``*.yaml``/``*.yml`` files, sorted."""
    folder = Path(scenario_dir)
    if not folder.is_dir():
        raise ParameterError(f"parameter data_dir: scenario folder {folder} not found")
    return sorted({p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")})


# --------------------------------------------------------------------------- declaration


class _Context:
    """What some checks need from the data folder, read at most once and only when needed."""

    def __init__(self, values: Mapping[str, Any], data_dir: str | Path | None,
                 scenario_dir: str | Path | None) -> None:
        self.values = values
        self._data_dir = data_dir
        self._scenario_dir = scenario_dir

    @cached_property
    def data_dir(self) -> Path:
        given = self._data_dir if self._data_dir is not None else self.values.get("data_dir")
        return default_data_dir() if given in (None, "") else Path(os.fspath(given))

    @cached_property
    def last_year(self) -> int:
        return last_observed_year(self.data_dir)

    @cached_property
    def scenarios(self) -> list[str]:
        folder = self._scenario_dir if self._scenario_dir is not None else (
            self.data_dir / "scenarios")
        return known_scenarios(folder)

    @property
    def scenarios_run(self) -> list[str]:
        """``scenario_names`` as the notebooks use it: empty means every known scenario."""
        names = self.values.get("scenario_names") or []
        return list(names) or self.scenarios


_Check = Callable[[Any, _Context], Any]


@dataclass(frozen=True)
class Parameter:
    """One run parameter.

    Attributes
    ----------
    name : str
        As in the notebooks' ``parameters`` cells.
    type : str
        The annotation the notebooks give it (``"int"``, ``"float"``, ``"str"``, ``"list[str]"``).
    default : object
        The value the notebooks declare.
    domain : str
        The values it accepts, in words.
    description : str
        One line, with the unit.
    check : callable
        ``check(value, context) -> value``: the value normalised (e.g. a tuple of names becomes
        a list), or :class:`~forecast.errors.ParameterError`.
    path : bool
        The value is a path or a list of paths (an empty path keeps its own meaning); a caller
        resolves relative ones before checking (see :func:`forecast.report.notebook.setup`).
    """

    name: str
    type: str
    default: Any
    domain: str
    description: str
    check: _Check = field(repr=False, compare=False)
    path: bool = False


def _refuse(name: str, requirement: str, value: Any) -> ParameterError:
    return ParameterError(f"parameter {name} must be {requirement}, got {value!r}")


def _is_whole(value: Any) -> bool:
    # bool is an int subclass, and a YAML date such as 2024-01-01 is not a number at all.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_draws(value: Any, ctx: _Context) -> int:
    if not _is_whole(value) or int(value) < 1:
        raise _refuse("n_draws", "a whole number >= 1", value)
    draws = int(value)
    if draws > MAX_DRAWS:
        raise _refuse("n_draws", f"at most {MAX_DRAWS:,} (a {MEMORY_BUDGET / 1024**3:g} GiB "
                      "memory budget)", value)
    year = ctx.values.get("target_year")
    if _is_whole(year):
        limit = max_draws(int(year) - ctx.last_year)
        if draws > limit:
            raise _refuse("n_draws", f"at most {limit:,} to reach target_year {year} within "
                          f"the {MEMORY_BUDGET / 1024**3:g} GiB memory budget", value)
    return draws


def _check_seed(value: Any, ctx: _Context) -> int:
    if not _is_whole(value) or int(value) < 0:
        raise _refuse("seed", "a whole number >= 0", value)
    if int(value) > MAX_SEED:
        raise _refuse("seed", f"at most 2**32 - 1 = {MAX_SEED}", value)
    return int(value)


def _check_target_year(value: Any, ctx: _Context) -> int:
    if not _is_whole(value):
        raise _refuse("target_year", "a whole year", value)
    if int(value) <= ctx.last_year:
        raise _refuse("target_year", f"after {ctx.last_year}, the last observed year of "
                      f"{ctx.data_dir}", value)
    if int(value) > ctx.last_year + MAX_HORIZON:
        raise _refuse("target_year", f"at most {ctx.last_year + MAX_HORIZON}, {MAX_HORIZON} "
                      f"years after the last observed year (the horizon the default method's "
                      "bands are calibrated for)", value)
    return int(value)


def _check_data_dir(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str | os.PathLike):
        raise _refuse("data_dir", "a folder path (or empty)", value)
    if not (ctx.data_dir / HISTORY_FILE).is_file():
        raise _refuse("data_dir", f"a data folder holding {HISTORY_FILE}", value)
    return os.fspath(value)


def _check_output_dir(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str | os.PathLike):
        raise _refuse("output_dir", "a folder path (or empty)", value)
    text = os.fspath(value)
    if text.strip() and Path(text).exists() and not Path(text).is_dir():
        raise _refuse("output_dir", "a folder, not a file", value)
    return text


def _check_scenario_names(value: Any, ctx: _Context) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not all(
        isinstance(n, str) and n.strip() for n in value
    ):
        raise _refuse("scenario_names", "a list of scenario names", value)
    known = ctx.scenarios
    for name in value:
        if name not in known:
            raise _refuse("scenario_names", f"a list of known scenarios ({', '.join(known)})",
                          value)
    if len(set(value)) != len(value):
        raise _refuse("scenario_names", "a list of distinct scenario names", value)
    return list(value)


def _check_sensitivity(value: Any, ctx: _Context) -> str:
    if not isinstance(value, str):
        raise _refuse("sensitivity_scenario", "a scenario name (or empty)", value)
    run = ctx.scenarios_run
    if value and value not in run:
        raise _refuse("sensitivity_scenario", f"empty or one of the scenarios run "
                      f"({', '.join(run)})", value)
    return value


def _check_earlier_runs(value: Any, ctx: _Context) -> list[str]:
    # That each is a finished run folder is checked where it is read
    # (forecast.evaluation.track_record.read_run), with the reason it is not.
    if isinstance(value, str) or not isinstance(value, list | tuple) or not all(
        isinstance(p, str | os.PathLike) and Path(p).is_dir() for p in value
    ):
        raise _refuse("earlier_runs", "a list of run folders", value)
    return [os.fspath(p) for p in value]


def _check_reference_path(value: Any, ctx: _Context) -> str:
    # Its content is checked where it is read (forecast.data.reference.load_reference).
    if not isinstance(value, str | os.PathLike) or (
            os.fspath(value).strip() and not Path(value).is_file()):
        raise _refuse("reference_path", "a reference CSV file (or empty)", value)
    return os.fspath(value)


def _real(name: str, low: float, high: float, *, low_open: bool, unit: str) -> _Check:
    """A check for a finite real number in an interval (bounds open or closed as stated)."""
    left = "(" if low_open else "["
    right = "]" if math.isfinite(high) else ")"
    requirement = f"a number in {left}{low:g}, {high:g}{right}{unit}"

    def check(value: Any, ctx: _Context) -> float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        number = float(value) if ok else math.nan
        inside = (number > low if low_open else number >= low) and number <= high
        if not (math.isfinite(number) and inside):
            raise _refuse(name, requirement, value)
        return number

    return check


def _declare(*params: Parameter) -> dict[str, Parameter]:
    return {p.name: p for p in params}


#: Every run parameter of the notebooks, in the order the checks run (``data_dir`` first:
#: other checks read the data folder).
PARAMETERS: dict[str, Parameter] = _declare(
    Parameter("data_dir", "str", "", "a folder holding history.csv; empty: the default data folder",
              "data folder; empty lets forecast.data.default_data_dir() find ./data",
              _check_data_dir, path=True),
    Parameter("output_dir", "str", "", "a folder path; empty: write nothing",
              "run folder that receives tables/ and figures/; empty writes nothing",
              _check_output_dir, path=True),
    Parameter("scenario_names", "list[str]", [],
              "distinct names of scenario files in <data_dir>/scenarios; empty: all",
              "scenarios in data/scenarios to include; empty means all", _check_scenario_names),
    Parameter("target_year", "int", 2030, "1 to 6 years after the data's last observed year",
              "last projected year [year]", _check_target_year),
    Parameter("n_draws", "int", 10_000,
              f"1..{MAX_DRAWS:,}, and n_draws x horizon [years] x {BYTES_PER_DRAW_YEAR} bytes "
              "<= 2 GiB", "Monte Carlo draws per model or scenario", _check_draws),
    Parameter("seed", "int", 2030, f"0..{MAX_SEED:,}",
              "random seed; the same seed gives identical numbers", _check_seed),
    Parameter("sensitivity_scenario", "str", "",
              "one of the scenarios run; empty: the first of them",
              "scenario varied in the tornado chart; empty: the first scenario run",
              _check_sensitivity),
    Parameter("share_cap", "float", 0.9, "(0, 1] [fraction]",
              "ceiling of China's share of world production [fraction]",
              _real("share_cap", 0.0, 1.0, low_open=True, unit=" [fraction]")),
    Parameter("mix_damping", "float", 0.8, "(0, 1] [-]",
              "yearly damping of the segment log-ratio trends [-]",
              _real("mix_damping", 0.0, 1.0, low_open=True, unit="")),
    Parameter("lfp_cap", "float", 0.95, "(0, 1] [fraction]",
              "ceiling of LFP's share of LFP + ternary installations [fraction]",
              _real("lfp_cap", 0.0, 1.0, low_open=True, unit=" [fraction]")),
    Parameter("lfp_sigma", "float", 0.2, "a number > 0 [logit]",
              "stated logit-scale sd of the LFP trend (two points give none) [logit]",
              _real("lfp_sigma", 0.0, math.inf, low_open=True, unit=" [logit]")),
    Parameter("earlier_runs", "list[str]", [], "existing run folders; empty: none",
              "earlier finished run folders whose forecasts are scored; empty: none",
              _check_earlier_runs, path=True),
    Parameter("reference_path", "str", "",
              "a CSV file of series, year, value; empty: the shipped one",
              "reference class of technology ramp-ups; empty: the shipped one",
              _check_reference_path, path=True),
)


def check_parameters(
    values: Mapping[str, Any],
    *,
    data_dir: str | Path | None = None,
    scenario_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Check run parameters against :data:`PARAMETERS`; refuse the first bad one.

    Parameters
    ----------
    values : mapping
        ``{name: value}``, any subset of :data:`PARAMETERS` (values as YAML or papermill give
        them: ``True`` is not a number, a date is not a seed).
    data_dir : str or Path, optional
        The data folder, already resolved (e.g. by the caller from the working directory);
        default: ``values["data_dir"]``, else :func:`forecast.data.default_data_dir`. Used for
        ``target_year`` (after the last observed year) and the scenario folder.
    scenario_dir : str or Path, optional
        Folder of the scenario files (default: ``<data_dir>/scenarios``).

    Returns
    -------
    dict
        The values given, in declaration order, normalised (whole numbers as ``int``, real
        numbers as ``float``, ``scenario_names`` as a list).

    Raises
    ------
    ParameterError
        One line naming the parameter, what it must be and the value given; also for a name
        that is not declared.
    """
    unknown = [k for k in values if k not in PARAMETERS]
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]!r}; declared: "
                             f"{', '.join(PARAMETERS)}")
    ctx = _Context(values, data_dir, scenario_dir)
    return {name: p.check(values[name], ctx) for name, p in PARAMETERS.items() if name in values}
