"""Track record: earlier runs' forecasts scored against the actuals that arrived since.

A finished run folder keeps its projections in ``tables/projections.csv`` (columns
``scenario, region, segment, year, unit, mean, p5, p10, p50, p90, p95``) and what went into it
in ``manifest.json``. When a later data folder holds an observed value for a projected
(region, segment, year), :func:`score_runs` compares the two, one row per projection row:

``run, scenario, region, segment, year, p10, p50, p90, actual, error, covered80, crps``

* ``error`` = p50 / actual - 1 [fraction]: the median's relative error.
* ``covered80``: whether p10 <= actual <= p90 (the 80% central interval holds the actual).
* ``crps``: the continuous ranked probability score approximated from the stored quantiles
  [unit of the row]: twice the mean pinball loss over the quantile levels the table holds
  (:func:`forecast.evaluation.scoring.crps_quantiles`, i.e. ``scoringrules.crps_quantile``;
  Berrisch & Ziel 2023). With the five levels 5, 10, 50, 90 and 95% it is coarse in the
  tails, but it is the same rule for every run, so vintages compare fairly; lower is better.

Actuals
-------
Only observed rows count (kinds ``reported`` and ``derived``, never ``outlook``), with the
default variant where documents disagree (:func:`forecast.data.load_history`). A projection's
(region, segment) maps to the history as follows (:func:`actuals`):

* China ``power``, ``consumer``, ``storage``, ``total`` -> series ``production`` of that
  segment [GWh];
* China ``world_share`` -> ``production_share_of_world`` [fraction];
* World ``total`` -> China's production divided by its share of world production [GWh]
  (:func:`forecast.data.implied_world_production`; the history has no world production
  series of its own). World segments have no observed counterpart and are not scored.

Run folder layouts
------------------
``forecast run`` writes ``layout_version`` into ``manifest.json``. What this module reads:

* **layout 1** (no ``layout_version``; runs before the track record existed): ``manifest.json``
  with ``status`` and ``run_id``, ``tables/projections.csv``. Scored when that table has the
  columns scoring needs (:data:`REQUIRED_COLUMNS`), else refused in one line.
* **layout 2**: as layout 1, plus ``last_observed_year`` (the last year of observed China
  production in the run's data folder) and ``data_sha256`` (digest of the data folder's files,
  see :func:`forecast.run.manifest.data_digest`) in the manifest.

A folder that is not a finished run (a ``.tmp-`` build folder, a ``.failed`` run, no manifest,
a status other than ``ok``, no projections table) or a layout newer than :data:`LAYOUTS` is
refused with :class:`RunFolderError` (exit code 3).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import ForecastError, quote
from forecast.evaluation.frames import neutralise_formulas
from forecast.evaluation.scoring import crps_quantiles
from forecast.inputs import check_file, check_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LAYOUTS",
    "MAX_TABLE_BYTES",
    "PROJECTIONS_TABLE",
    "REQUIRED_COLUMNS",
    "SCORE_COLUMNS",
    "RunFolderError",
    "RunRecord",
    "actuals",
    "check_output",
    "finished_runs",
    "quantile_levels",
    "read_run",
    "read_runs",
    "score_records",
    "score_runs",
    "summarise",
    "write_scores",
]

#: Columns of a score table, in order.
SCORE_COLUMNS = ("run", "scenario", "region", "segment", "year", "p10", "p50", "p90", "actual",
                 "error", "covered80", "crps")
#: Where a run folder keeps its projections.
PROJECTIONS_TABLE = "tables/projections.csv"
#: Run folder layouts this module can read (1: no ``layout_version`` in the manifest).
LAYOUTS = (1, 2)
#: Columns of the projections table that scoring needs.
REQUIRED_COLUMNS = ("scenario", "region", "segment", "year", "p10", "p50", "p90")

_MANIFEST = "manifest.json"
#: Largest projections table or manifest read from a run folder [bytes] (a run's
#: projections table is about 50 KB).
MAX_TABLE_BYTES = 32 * 1024**2
_TMP_PREFIX = ".tmp-"
_FAILED_SUFFIX = ".failed"
_QUANTILE_RE = re.compile(r"^p(\d{1,2})$")
# Projection (region, segment) -> (series, region, segment) of the history.
_SERIES = {
    ("China", "power"): ("production", "China", "power"),
    ("China", "consumer"): ("production", "China", "consumer"),
    ("China", "storage"): ("production", "China", "storage"),
    ("China", "total"): ("production", "China", "total"),
    ("China", "world_share"): ("production_share_of_world", "China", "total"),
}
_FLOAT_FORMAT = "%.6g"


class RunFolderError(ForecastError):
    """A folder that cannot be scored: not a finished run, or a layout this version cannot
    read. ``str()`` is one line naming the folder (exit code 3)."""


@dataclass(frozen=True)
class RunRecord:
    """A finished run folder, read for scoring.

    Attributes
    ----------
    path : Path
        The run folder.
    run_id : str
        The manifest's ``run_id`` (the folder name if the manifest has none).
    layout : int
        Run folder layout (1 when the manifest has no ``layout_version``).
    manifest : dict
        The manifest as written.
    projections : pandas.DataFrame
        ``tables/projections.csv``.
    """

    path: Path
    run_id: str
    layout: int
    manifest: dict[str, Any] = field(repr=False)
    projections: pd.DataFrame = field(repr=False)

    @property
    def last_observed_year(self) -> int:
        """The run's last observed year: the manifest's (layout 2), else the year before its
        first projected year (layout 1) [year]."""
        stated = self.manifest.get("last_observed_year")
        if stated is not None:
            return int(stated)
        return int(self.projections["year"].min()) - 1

    @property
    def finished(self) -> str:
        """When the run finished (ISO 8601 UTC, as in the manifest; empty if unknown)."""
        return str(self.manifest.get("finished") or "")


def _refuse(path: Path, reason: str) -> RunFolderError:
    return RunFolderError(f"{path}: {reason}")


def _read_manifest(path: Path) -> dict[str, Any]:
    file = path / _MANIFEST
    if not file.is_file():
        raise _refuse(path, f"no {_MANIFEST}; not a finished run folder")
    check_file(file, MAX_TABLE_BYTES, lambda _, message: _refuse(path, f"{_MANIFEST}: {message}"))
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _refuse(path, f"{_MANIFEST} cannot be read ({quote(str(exc))})") from None
    if not isinstance(manifest, dict):
        raise _refuse(path, f"{_MANIFEST} is not a JSON object")
    return manifest


def _layout(path: Path, manifest: dict[str, Any]) -> int:
    version = manifest.get("layout_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _refuse(path, f"layout_version {version!r} in {_MANIFEST} is not a whole number")
    if version not in LAYOUTS:
        raise _refuse(path, f"run folder layout {version} is not one this forecast reads "
                      f"({', '.join(map(str, LAYOUTS))}); score it with the forecast that wrote it")
    return version


def read_run(run_dir: str | Path) -> RunRecord:
    """Read a finished run folder for scoring.

    Parameters
    ----------
    run_dir : str or Path
        A run folder written by ``forecast run``.

    Returns
    -------
    RunRecord

    Raises
    ------
    RunFolderError
        One line: not a folder, a build (``.tmp-``) or failed (``.failed``) folder, no or
        unreadable manifest, status other than ``ok``, an unknown layout, no projections table,
        a manifest or table that is not a regular file or is above :data:`MAX_TABLE_BYTES`,
        or a projections table that is empty, lacks the columns scoring needs, or holds a
        ``year`` that is not a whole number or a quantile or ``mean`` that is not a finite
        number (the line names the row and the column).
    """

    path = Path(run_dir)
    if not path.is_dir():
        raise _refuse(path, "not a folder")
    name = path.resolve().name
    if name.startswith(_TMP_PREFIX):
        raise _refuse(path, "a run still being built (or killed while building), not a "
                      "finished run")
    if name.endswith(_FAILED_SUFFIX):
        raise _refuse(path, "a failed run, not a finished run")
    manifest = _read_manifest(path)
    status = manifest.get("status")
    if status != "ok":
        raise _refuse(path, f"run status is {status!r}, not 'ok'; only finished runs are scored")
    layout = _layout(path, manifest)
    table = path / PROJECTIONS_TABLE
    if not table.exists():
        raise _refuse(path, f"no {PROJECTIONS_TABLE}; nothing to score")
    projections = _read_projections(path, layout)
    run_id = str(manifest.get("run_id") or name)
    return RunRecord(path, run_id, layout, manifest, projections)


def _read_projections(path: Path, layout: int) -> pd.DataFrame:
    """``tables/projections.csv`` of a run, every cell scoring reads checked: ``year`` a whole
    number, each quantile column (and ``mean``) a finite number; one line names the file, the
    row (the header is row 1) and the column of the first bad cell."""
    import numpy as np
    import pandas as pd

    table = path / PROJECTIONS_TABLE
    check_file(table, MAX_TABLE_BYTES, lambda _, message: _refuse(path, f"{PROJECTIONS_TABLE}: "
                                                                  f"{message}"))
    try:
        raw = pd.read_csv(table, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise _refuse(path, f"{PROJECTIONS_TABLE} is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise _refuse(path, f"{PROJECTIONS_TABLE} is not a readable CSV ({quote(first)})") \
            from None
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise _refuse(path, f"{PROJECTIONS_TABLE} (layout {layout}) lacks column(s) "
                      f"{', '.join(missing)} that scoring needs")
    if raw.empty:
        raise _refuse(path, f"{PROJECTIONS_TABLE} has no rows")
    frame = raw.copy()
    for column in ["year", *(c for c in ("mean",) if c in raw.columns),
                   *quantile_levels(raw.columns)]:
        values = pd.to_numeric(raw[column].str.strip(), errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if column == "year":
            bad |= values != np.round(values)
        if bad.any():
            i = int(bad.argmax())
            what = "a whole year" if column == "year" else "a finite number"
            raise _refuse(path, f"{PROJECTIONS_TABLE}, row {i + 2}, column '{column}': "
                          f"{quote(raw[column].iloc[i])} is not {what}")
        frame[column] = values.astype("int64") if column == "year" else values
    return frame


def read_runs(run_dirs: Iterable[str | Path]) -> tuple[list[RunRecord], list[str]]:
    """Read several run folders, keeping going past those that cannot be scored.

    For a report over many runs (notebook ``06_track_record``): one folder of an unreadable
    layout should not stop the others being scored. :func:`score_runs` refuses instead.

    Returns
    -------
    (list of RunRecord, list of str)
        The runs read, in the order given, and one line per folder refused (why).
    """
    records, refused = [], []
    for path in run_dirs:
        try:
            records.append(read_run(path))
        except RunFolderError as exc:
            refused.append(str(exc))
    return records, refused


def finished_runs(output_dir: str | Path, exclude: Iterable[str] = ()) -> list[RunRecord]:
    """Every finished, scorable run in an output folder, oldest first.

    Build folders, failed runs and folders this version cannot score are skipped silently
    (they are not part of the track record); order is the manifests' ``finished`` time, then
    the run id.

    Parameters
    ----------
    output_dir : str or Path
        Folder holding run folders (``forecast run --output-dir``).
    exclude : iterable of str
        Run ids to leave out (e.g. the run being built).
    """
    folder = Path(output_dir)
    skip = set(exclude)
    records = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_symlink() or not path.is_dir() or path.name in skip:  # `latest`
            continue
        try:
            record = read_run(path)
        except (RunFolderError, ValueError):
            continue
        if record.run_id not in skip:
            records.append(record)
    return sorted(records, key=lambda r: (r.finished, r.run_id))


def actuals(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Observed values a projection can be scored against.

    Parameters
    ----------
    data_dir : str or Path, optional
        Data folder (default: :func:`forecast.data.default_data_dir`).

    Returns
    -------
    pandas.DataFrame
        ``region, segment, year, actual, unit``: one row per observed year of each projected
        series listed in the module docstring; values in GWh, or fraction for ``world_share``.

    Raises
    ------
    DataValidationError
        The data folder breaks a rule.
    """
    import pandas as pd

    from forecast import data

    history = data.load_history(data_dir)
    frames = []
    for (region, segment), (series, h_region, h_segment) in _SERIES.items():
        try:
            values = data.get_series(history, series, h_region, h_segment)
        except KeyError:
            continue
        frames.append(pd.DataFrame({"region": region, "segment": segment,
                                    "year": values.index.astype("int64"),
                                    "actual": values.to_numpy(dtype=float),
                                    "unit": values.attrs["unit"]}))
    try:
        world = data.implied_world_production(history)
    except KeyError:
        world = None
    if world is not None and len(world):
        frames.append(pd.DataFrame({"region": "World", "segment": "total",
                                    "year": world["year"].astype("int64"),
                                    "actual": world["world"].astype(float), "unit": "GWh"}))
    columns = ["region", "segment", "year", "actual", "unit"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def quantile_levels(columns: Iterable[str]) -> dict[str, float]:
    """Quantile columns of a projections table and their levels: ``p10`` -> 0.1 [fraction]."""
    found = {}
    for column in columns:
        match = _QUANTILE_RE.match(str(column))
        if match and 0 < int(match.group(1)) < 100:
            found[str(column)] = int(match.group(1)) / 100.0
    return dict(sorted(found.items(), key=lambda item: item[1]))


def _score_one(record: RunRecord, observed: pd.DataFrame) -> pd.DataFrame:
    frame = record.projections.copy()
    frame["year"] = frame["year"].astype("int64")
    merged = frame.merge(observed[["region", "segment", "year", "actual"]],
                         on=["region", "segment", "year"], how="inner")
    levels = quantile_levels(merged.columns)
    merged["run"] = record.run_id
    merged["error"] = merged["p50"] / merged["actual"] - 1.0
    merged["covered80"] = (merged["p10"] <= merged["actual"]) & (merged["actual"] <= merged["p90"])
    merged["crps"] = crps_quantiles(merged["actual"].to_numpy(), merged[list(levels)].to_numpy(),
                                    list(levels.values())) if len(merged) else []
    return merged[list(SCORE_COLUMNS)]


def score_runs(run_dirs: Sequence[str | Path], data_dir: str | Path | None = None) -> pd.DataFrame:
    """Score every projection row of some runs that has an actual in a data folder.

    Parameters
    ----------
    run_dirs : sequence of str or Path
        Finished run folders (each is read with :func:`read_run` before anything is scored,
        so one bad folder refuses the whole call).
    data_dir : str or Path, optional
        Data folder holding the actuals (default: :func:`forecast.data.default_data_dir`).

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, in the runs' order given, then scenario, region, segment and
        year as in each projections table; empty (with those columns) when nothing matches.

    Raises
    ------
    RunFolderError
        A folder is not a finished run of a readable layout.
    DataValidationError
        The data folder breaks a rule.
    """
    records = [read_run(path) for path in run_dirs]
    return score_records(records, actuals(data_dir))


def score_records(records: Sequence[RunRecord], observed: pd.DataFrame) -> pd.DataFrame:
    """Score runs already read (:func:`read_run`) against actuals (:func:`actuals`).

    Returns
    -------
    pandas.DataFrame
        As :func:`score_runs`.
    """
    import pandas as pd

    frames = [_score_one(record, observed) for record in records]
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if scores.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SCORE_COLUMNS})
    return scores.reset_index(drop=True)


def check_output(output: str | Path, run_dirs: Sequence[str | Path] = (),
                 data_dir: str | Path | None = None) -> Path:
    """Refuse a score file that would overwrite something a run or the scoring reads.

    Finished runs are read-only to the tool: ``output`` may not lie inside any folder holding
    a ``manifest.json`` (a run folder, finished or failed, whether or not it is being scored)
    or inside a run folder given, nor overwrite a file of the data folder. Paths are compared
    after resolving symbolic links.

    Raises
    ------
    ForecastError
        One line naming ``--output`` and the folder or file it would overwrite (exit code 3).
    """
    out = check_path(output, lambda _, message: ForecastError(f"--output {quote(str(output))}: "
                                                              f"{message}"))
    target = out.resolve()
    for folder in target.parents:
        if (folder / _MANIFEST).is_file():
            raise ForecastError(f"--output {out}: inside the run folder {folder}, which the "
                                "tool never writes to once it is finished; name a file "
                                "elsewhere")
    for run in run_dirs:
        if target == Path(run).resolve() or Path(run).resolve() in target.parents:
            raise ForecastError(f"--output {out}: inside the run folder {run} being scored; "
                                "name a file elsewhere")
    from forecast.data import default_data_dir

    data = Path(default_data_dir() if data_dir in (None, "") else data_dir).resolve()
    if target.exists() and target.is_relative_to(data):
        raise ForecastError(f"--output {out}: would overwrite a file of the data folder "
                            f"{data}; name a file elsewhere")
    return out


def write_scores(scores: pd.DataFrame, output: str | Path) -> Path:
    """Write a score table as CSV atomically (a temporary file renamed over ``output``).

    ``covered80`` is written ``true``/``false``; floats with 6 significant digits.

    Raises
    ------
    ForecastError
        The output's folder does not exist or cannot be written, or it lies inside a run
        folder (:func:`check_output`; one line).
    """
    out = check_output(output)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ForecastError(f"--output {out}: folder {folder} does not exist")
    if out.is_dir():
        raise ForecastError(f"--output {out} is a folder; name a file")
    frame = scores.copy()
    frame["covered80"] = frame["covered80"].map({True: "true", False: "false"})
    text = neutralise_formulas(frame).to_csv(index=False, float_format=_FLOAT_FORMAT,
                                             lineterminator="\n")
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ForecastError(f"--output {out}: cannot write in {folder} "
                            f"({exc.strerror or exc})") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        # mkstemp makes the file private (0600); give it a new file's usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Per run and scenario: rows scored, 80% coverage, mean |error| and mean CRPS of GWh rows.

    Returns
    -------
    pandas.DataFrame
        ``run, scenario, scored, covered80 [fraction], mean_abs_error [fraction],
        mean_crps_gwh [GWh]`` (``world_share`` rows, in fractions, are left out of the CRPS
        mean so that it stays in one unit).
    """
    import pandas as pd

    columns = ["run", "scenario", "scored", "covered80", "mean_abs_error", "mean_crps_gwh"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    frame = scores.assign(abs_error=scores["error"].abs(),
                          crps_gwh=scores["crps"].where(scores["segment"] != "world_share"))
    out = frame.groupby(["run", "scenario"], sort=False).agg(
        scored=("year", "size"), covered80=("covered80", "mean"),
        mean_abs_error=("abs_error", "mean"), mean_crps_gwh=("crps_gwh", "mean"))
    return out.reset_index()[columns]
