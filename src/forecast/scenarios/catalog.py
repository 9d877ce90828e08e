"""Scenario files of a folder, and their projection tables (mean and quantiles) for files
and terminals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import data
from forecast.errors import ScenarioError, quote
from forecast.evaluation.frames import csv_text
from forecast.inputs import check_path
from forecast.scenarios.preparation import Prepared, prepare
from forecast.scenarios.projection import DEFAULT_SEED, PROJECTION_COLUMNS, simulate, summarise
from forecast.scenarios.schema import Scenario, load_scenario

__all__ = [
    "CSV_DECIMALS", "default_scenario_dir", "list_scenarios", "prepare_all", "prepare_scenario",
    "project", "project_named", "projection_to_csv", "projection_to_text", "resolve_scenario",
]

#: Decimals of every number written to CSV.
CSV_DECIMALS = 3

ScenarioLike = Scenario | str | Path


def default_scenario_dir(data_dir: str | Path | None = None) -> Path:
    """``<data dir>/scenarios`` (data dir from :func:`forecast.data.default_data_dir`)."""
    return (Path(data_dir) if data_dir is not None else data.default_data_dir()) / "scenarios"


def _scenario_files(scenario_dir: str | Path | None) -> tuple[Path, list[Path]]:
    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
    check_path(folder, lambda rule, message: ScenarioError(folder, "-", message))
    if not folder.is_dir():
        raise ScenarioError(folder, "-", "scenario folder not found")
    return folder, sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def list_scenarios(scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """Every scenario file of a folder (default: ``<data dir>/scenarios``), validated: a frame
    of ``name, description, path`` sorted by name. Raises :class:`ScenarioError` for the first
    invalid file by file name, or two files sharing a name."""
    rows, seen = [], {}
    for path in _scenario_files(scenario_dir)[1]:
        sc = load_scenario(path)
        if sc.name in seen:
            raise ScenarioError(path, "name", f"'{sc.name}' is also the name of {seen[sc.name]}")
        seen[sc.name] = path
        rows.append({"name": sc.name, "description": sc.description, "path": str(path)})
    frame = pd.DataFrame(rows, columns=["name", "description", "path"])
    return frame.sort_values("name", kind="stable").reset_index(drop=True)


def resolve_scenario(name_or_path: ScenarioLike,
                     scenario_dir: str | Path | None = None) -> Scenario:
    """A scenario from its name (``<name>.yaml`` in ``scenario_dir``, default
    :func:`default_scenario_dir`) or a path; raises :class:`ScenarioError` for an unknown name
    (listing the known ones) or an invalid file."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text = str(name_or_path)
    candidate = Path(text)
    try:  # a FIFO or device is refused by name; a name too long to look up is no path
        file_like = candidate.exists() and not candidate.is_dir()
    except (OSError, ValueError):
        file_like = False
    if candidate.suffix in (".yaml", ".yml") or file_like:
        return load_scenario(candidate)
    folder, files = _scenario_files(scenario_dir)
    for path in files:
        if path.stem == text:
            return load_scenario(path)
    known = ", ".join(p.stem for p in files) or "none"
    raise ScenarioError(folder, "scenario", f"unknown scenario {quote(text)} (known: {known})")


def prepare_scenario(scenario: ScenarioLike, history: pd.DataFrame | None = None,
                     data_dir: str | Path | None = None, target_year: int | None = None,
                     scenario_dir: str | Path | None = None) -> Prepared:
    """:func:`~forecast.scenarios.preparation.prepare` a scenario given as object, name (in
    ``scenario_dir``, default ``data_dir``'s) or path, against ``history`` (default: loaded
    from ``data_dir``), with ``target_year`` [year] overriding the file's."""
    sc = resolve_scenario(scenario, default_scenario_dir(data_dir) if scenario_dir is None
                          else scenario_dir).with_target_year(target_year)
    return prepare(sc, data.load_history(data_dir) if history is None else history)


def prepare_all(scenarios: Iterable[ScenarioLike], history: pd.DataFrame | None = None,
                target_year: int | None = None,
                scenario_dir: str | Path | None = None) -> Iterator[Prepared]:
    """:func:`prepare_scenario` each of ``scenarios`` in turn (history loaded once)."""
    history = data.load_history() if history is None else history
    for sc in scenarios:
        yield prepare_scenario(sc, history, target_year=target_year, scenario_dir=scenario_dir)


def project(scenario: ScenarioLike, history: pd.DataFrame | None = None, n_draws: int = 10_000,
            seed: int | np.random.Generator | None = DEFAULT_SEED,
            target_year: int | None = None, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Project one scenario (as for :func:`prepare_scenario`) with ``n_draws`` (>= 1) seeded
    Monte Carlo draws; the same seed and inputs give identical numbers.

    Returns
    -------
    DataFrame
        :data:`PROJECTION_COLUMNS`. Regions ``China`` and ``World``; segments ``power,
        consumer, storage, total`` [GWh], ``world_share`` (China's effective share [fraction])
        and where modelled ``capacity_limit`` [GWh], ``ev_sales`` [million vehicles],
        ``kwh_per_vehicle`` [kWh/vehicle] and ``ev_demand`` [GWh].
    """
    prepared = prepare_scenario(scenario, history, data_dir, target_year)
    return summarise(prepared, simulate(prepared, n_draws, seed))


def project_named(name_or_path: str | Path, scenario_dir: str | Path | None = None,
                  data_dir: str | Path | None = None, target_year: int | None = None,
                  n_draws: int = 10_000, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """:func:`project` of one scenario given by name (in ``scenario_dir``, default
    ``<data_dir>/scenarios``) or path."""
    prepared = prepare_scenario(name_or_path, None, data_dir, target_year, scenario_dir)
    return summarise(prepared, simulate(prepared, n_draws, seed))


def projection_to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a projection table: fixed columns and row order, numbers to
    :data:`CSV_DECIMALS` decimals, ``\\n`` line ends; identical inputs give identical text."""
    out = frame.loc[:, list(PROJECTION_COLUMNS)].copy()
    numbers = list(PROJECTION_COLUMNS[5:])
    # Adding 0.0 turns -0.0 into 0.0 so rounding never prints "-0.000".
    out[numbers] = np.round(out[numbers].to_numpy(float), CSV_DECIMALS) + 0.0
    return csv_text(out, f"%.{CSV_DECIMALS}f")


def _fmt(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def projection_to_text(frame: pd.DataFrame) -> str:
    """Terminal lines (no trailing newline) of a :func:`project` table: every series in the
    target year, then each year's totals."""
    # The median leads: year-to-year variation gives the draws a long right tail, so their
    # mean (kept in the CSV, whose columns are a contract) is no typical value.
    cols = ["p50", "p10", "p90", "p5", "p95"]
    lines = []
    for scenario, sub in frame.groupby("scenario", sort=False):
        last = int(sub["year"].max())
        header = f"{'region':<7} {'segment':<16} {'unit':<17}" + "".join(f"{c:>11}" for c in cols)
        lines += [f"Scenario {scenario}: projection to {last} (median; p10-p90 is the 80% "
                  "interval, p5-p95 the 90% interval)", "", f"{last}", header]
        for row in sub[sub["year"] == last].itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.segment:<16} {row.unit:<17}{values}")
        lines += ["", "Totals by year [GWh]",
                  f"{'region':<7} {'year':<6}" + "".join(f"{c:>11}" for c in cols)]
        for row in sub[sub["segment"] == "total"].itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.year:<6}{values}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")
