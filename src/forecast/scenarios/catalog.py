"""Scenario files of a folder, and their projection tables.

* :func:`list_scenarios` -- the scenario files of a folder with their one-line descriptions;
* :func:`resolve_scenario` -- a scenario from its name or path;
* :func:`prepare_scenario` -- a scenario resolved against the history data;
* :func:`project` / :func:`project_named` / :func:`project_all` -- the tidy projection
  table (mean and quantiles) of one or several scenarios;
* :func:`projection_to_csv` / :func:`projection_to_text` -- output for files and terminals.

Sweeps and sensitivities are in :mod:`forecast.scenarios.sweeps`, the comparison with
published outlooks in :mod:`forecast.scenarios.reconciliation`. The engine is
:mod:`forecast.scenarios.projection`; the file format is documented in
:mod:`forecast.scenarios.schema` and by the shipped files in ``data/scenarios``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

import numpy as np

from forecast.errors import ScenarioError, quote
from forecast.evaluation.frames import neutralise_formulas
from forecast.inputs import check_path, read_scenario_text
from forecast.scenarios.preparation import Prepared, prepare
from forecast.scenarios.projection import DEFAULT_SEED, PROJECTION_COLUMNS, simulate, summarise
from forecast.scenarios.schema import Scenario, load_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CSV_DECIMALS",
    "ProjectionOptions",
    "default_scenario_dir",
    "list_scenarios",
    "prepare_scenario",
    "project",
    "project_all",
    "project_named",
    "projection_to_csv",
    "projection_to_text",
    "resolve_scenario",
]

#: Decimals of every number written to CSV (output is byte-identical for identical inputs).
CSV_DECIMALS = 3


class ProjectionOptions(TypedDict, total=False):
    """Keyword settings :func:`project_named` passes on to :func:`project_all`."""

    #: Overrides the scenario's target year [year].
    target_year: int | None
    #: Monte Carlo draws (>= 1).
    n_draws: int
    #: Random seed; the same seed and inputs give identical numbers.
    seed: int


# --------------------------------------------------------------------------- files


def default_scenario_dir(data_dir: str | Path | None = None) -> Path:
    """``<data dir>/scenarios`` (data dir from :func:`forecast.data.default_data_dir`)."""
    from forecast import data

    return (Path(data_dir) if data_dir is not None else data.default_data_dir()) / "scenarios"


def _scenario_files(scenario_dir: Path) -> list[Path]:
    check_path(scenario_dir, lambda rule, message: ScenarioError(scenario_dir, "-", message))
    if not scenario_dir.is_dir():
        raise ScenarioError(scenario_dir, "-", "scenario folder not found")
    return sorted([*scenario_dir.glob("*.yaml"), *scenario_dir.glob("*.yml")])


def _is_file_like(path: Path) -> bool:
    """Whether ``path`` names something other than a folder (a FIFO or device too, so that it
    is refused by name); a name the system cannot look up (too long) is not a path."""
    try:
        return path.exists() and not path.is_dir()
    except (OSError, ValueError):
        return False


def _load(path: Path) -> Scenario:
    """:func:`load_scenario` after the file checks of :func:`forecast.inputs.read_scenario_text`
    (a regular file of at most 1 MiB, no YAML bomb), so that a FIFO, a device or a bomb is
    refused before the loader reads it."""
    read_scenario_text(path)
    return load_scenario(path)


def list_scenarios(scenario_dir: str | Path | None = None) -> pd.DataFrame:
    """Every scenario file of a folder, validated.

    Parameters
    ----------
    scenario_dir : str or Path, optional
        Folder of ``*.yaml`` files (default: ``<data dir>/scenarios``).

    Returns
    -------
    DataFrame
        Columns ``name, description, path``, sorted by name.

    Raises
    ------
    ScenarioError
        A file is invalid (the first one found, by file name), or two files share a name. A
        file that is not a regular file, is above 1 MiB or is a YAML bomb is refused unread
        (:mod:`forecast.inputs`).
    """
    import pandas as pd

    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
    rows = []
    seen: dict[str, Path] = {}
    for path in _scenario_files(folder):
        sc = _load(path)
        if sc.name in seen:
            raise ScenarioError(path, "name", f"'{sc.name}' is also the name of {seen[sc.name]}")
        seen[sc.name] = path
        rows.append({"name": sc.name, "description": sc.description, "path": str(path)})
    frame = pd.DataFrame(rows, columns=["name", "description", "path"])
    return frame.sort_values("name", kind="stable").reset_index(drop=True)


def resolve_scenario(
    name_or_path: str | Path | Scenario, scenario_dir: str | Path | None = None
) -> Scenario:
    """A scenario from its name (a file ``<name>.yaml`` in ``scenario_dir``) or a path.

    Raises
    ------
    ScenarioError
        Unknown name (the message lists the known ones) or an invalid file.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix in (".yaml", ".yml") or _is_file_like(candidate):
        return _load(candidate)
    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
    files = _scenario_files(folder)
    for path in files:
        if path.stem == text:
            return _load(path)
    known = ", ".join(p.stem for p in files) or "none"
    raise ScenarioError(folder, "scenario", f"unknown scenario {quote(text)} (known: {known})")


def _history(history: pd.DataFrame | None, data_dir: str | Path | None) -> pd.DataFrame:
    if history is not None:
        return history
    from forecast import data

    return data.load_history(data_dir)


def prepare_scenario(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None = None,
    data_dir: str | Path | None = None,
    target_year: int | None = None,
    scenario_dir: str | Path | None = None,
) -> Prepared:
    """:func:`~forecast.scenarios.preparation.prepare` a scenario given as object, name or path.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A loaded scenario, a path to its file, or a name in ``scenario_dir``.
    history : DataFrame, optional
        From :func:`forecast.data.load_history` (default: loaded from ``data_dir``).
    target_year : int, optional
        Overrides the scenario's target year [year].
    """
    sc = resolve_scenario(scenario, scenario_dir)
    if target_year is not None:
        sc = sc.with_target_year(target_year)
    return prepare(sc, _history(history, data_dir))


# --------------------------------------------------------------------------- projection


def project(
    scenario: Scenario | str | Path,
    history: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int | np.random.Generator | None = DEFAULT_SEED,
    target_year: int | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Project one scenario with seeded Monte Carlo draws.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A loaded scenario, or a path to its file.
    history : DataFrame, optional
        From :func:`forecast.data.load_history` (default: loaded from ``data_dir``).
    n_draws : int
        Monte Carlo draws (>= 1).
    seed : int or Generator
        Same seed and inputs give identical numbers.
    target_year : int, optional
        Overrides the scenario's target year [year].

    Returns
    -------
    DataFrame
        Columns exactly ``scenario, region, segment, year, unit, mean, p5, p10, p50, p90,
        p95``. Regions ``China`` and ``World``; segments ``power, consumer, storage, total``
        [GWh], ``world_share`` (China's effective share [fraction]), and where the scenario
        models them ``capacity_limit`` [GWh], ``ev_sales`` [million vehicles],
        ``kwh_per_vehicle`` [kWh/vehicle] and ``ev_demand`` [GWh].
    """
    prepared = prepare_scenario(scenario, history, data_dir, target_year)
    return summarise(prepared, simulate(prepared, n_draws, seed))


def project_named(
    name_or_path: str | Path,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    **options: Unpack[ProjectionOptions],
) -> pd.DataFrame:
    """:func:`project` a scenario given by name (in ``scenario_dir``) or by file path.

    The one-scenario case of :func:`project_all`: ``scenario_dir`` defaults to
    ``<data_dir>/scenarios``, and ``options`` are its ``target_year``, ``n_draws`` and
    ``seed``. Raises :class:`~forecast.errors.ScenarioError` for an unknown name or an
    invalid file.
    """
    return project_all([name_or_path], scenario_dir, data_dir, **options)


def project_all(
    names: Iterable[str | Path] | None = None,
    scenario_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    target_year: int | None = None,
    n_draws: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """:func:`project` several scenarios (default: every file in the folder) into one table.

    Parameters
    ----------
    names : iterable of str or Path, optional
        Scenario names (files in ``scenario_dir``) or paths; default every file there.
    scenario_dir : str or Path, optional
        Default ``<data_dir>/scenarios``.
    data_dir : str or Path, optional
        Folder of the history data (default: :func:`forecast.data.default_data_dir`).
    target_year : int, optional
        Overrides every scenario's target year [year].
    n_draws, seed : int
        Monte Carlo draws and seed of each projection.

    Each scenario is drawn with the same ``seed``, so its rows equal those of a single
    :func:`project_named` call; rows are ordered by scenario (in the order given, or by
    name), then as in :func:`project`.
    """
    import pandas as pd

    folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir(data_dir)
    if names is None:
        names = list(list_scenarios(folder)["path"])
    chosen = [resolve_scenario(n, folder) for n in names]
    history = _history(None, data_dir)
    frames = [project(sc, history, n_draws, seed, target_year) for sc in chosen]
    if not frames:
        return pd.DataFrame(columns=list(PROJECTION_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def projection_to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a projection table: fixed columns, row order and 3-decimal rounding.

    Identical inputs and seed give byte-identical text (``\\n`` line ends, no index).
    """
    missing = [c for c in PROJECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"not a projection table: missing columns {', '.join(missing)}")
    out = frame.loc[:, list(PROJECTION_COLUMNS)].copy()
    numbers = list(PROJECTION_COLUMNS[5:])
    # Adding 0.0 turns -0.0 into 0.0 so rounding never prints "-0.000".
    out[numbers] = np.round(out[numbers].to_numpy(float), CSV_DECIMALS) + 0.0
    buffer = io.StringIO()
    neutralise_formulas(out).to_csv(buffer, index=False, lineterminator="\n",
                                    float_format=f"%.{CSV_DECIMALS}f")
    return buffer.getvalue()


def _fmt(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def projection_to_text(frame: pd.DataFrame) -> str:
    """A readable table: every series in the target year, then each year's totals.

    Parameters
    ----------
    frame : DataFrame
        From :func:`project`.

    Returns
    -------
    str
        Lines for a terminal (no trailing newline).
    """
    # The median leads: year-to-year variation gives the draws a long right tail, so their
    # mean (kept in the CSV, whose columns are a contract) is no typical value.
    cols = ["p50", "p10", "p90", "p5", "p95"]
    lines = []
    for scenario, sub in frame.groupby("scenario", sort=False):
        last = int(sub["year"].max())
        lines.append(
            f"Scenario {scenario}: projection to {last} "
            "(median; p10-p90 is the 80% interval, p5-p95 the 90% interval)"
        )
        lines.append("")
        header = f"{'region':<7} {'segment':<16} {'unit':<17}" + "".join(f"{c:>11}" for c in cols)
        lines.append(f"{last}")
        lines.append(header)
        for row in sub[sub["year"] == last].itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.segment:<16} {row.unit:<17}{values}")
        lines.append("")
        lines.append("Totals by year [GWh]")
        lines.append(f"{'region':<7} {'year':<6}" + "".join(f"{c:>11}" for c in cols))
        totals = sub[sub["segment"] == "total"]
        for row in totals.itertuples(index=False):
            values = "".join(f"{_fmt(getattr(row, c), row.unit):>11}" for c in cols)
            lines.append(f"{row.region:<7} {row.year:<6}{values}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")
