"""Track record: earlier runs' forecasts scored against the actuals that arrived since.

Each row of a finished run's ``tables/projections.csv`` whose (region, segment, year) has an
observed value in a later data folder gives one row of :data:`SCORE_COLUMNS`: ``error`` =
p50 / actual - 1 [fraction], ``covered80`` = p10 <= actual <= p90, and ``crps`` from the five
stored quantiles [unit of the row] (coarse in the tails, but the same rule for every run).
Run folder layouts (:data:`LAYOUTS`): **1** has no ``layout_version`` in
``manifest.json``, **2** adds ``last_observed_year`` and ``data_sha256``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast import data
from forecast.errors import ForecastError, first_line, quote
from forecast.evaluation.frames import csv_text
from forecast.evaluation.scoring import crps_quantiles
from forecast.files import check_folder, write_atomic, write_error
from forecast.inputs import check_file, check_path
from forecast.layout import (
    FAILED_SUFFIX,
    LAYOUT_VERSION,
    MANIFEST_NAME,
    PROJECTIONS_TABLE,
    TMP_PREFIX,
)

__all__ = [
    "LAYOUTS", "MAX_TABLE_BYTES", "REQUIRED_COLUMNS", "SCORE_COLUMNS",
    "RunFolderError", "RunRecord", "actuals", "check_output", "quantile_levels",
    "read_run", "read_runs", "score_records", "score_runs", "scores_by_run", "write_scores",
]  # fmt: skip

#: Columns of a score table, in order.
SCORE_COLUMNS = ("run", "scenario", "region", "segment", "year", "p10", "p50", "p90", "actual",
                 "error", "covered80", "crps")
#: Run folder layouts this module can read (1: no ``layout_version`` in the manifest).
LAYOUTS = tuple(range(1, LAYOUT_VERSION + 1))
#: Columns of the projections table that scoring needs.
REQUIRED_COLUMNS = ("scenario", "region", "segment", "year", "p10", "p50", "p90")

#: Largest projections table or manifest read from a run folder [bytes] (a run's
#: projections table is about 50 KB).
MAX_TABLE_BYTES = 32 * 1024**2
_QUANTILE_RE = re.compile(r"^p(\d{1,2})$")
# Projection (region, segment) -> (series, region, segment) of the history.
_SERIES = {("China", s): ("production", "China", s)
           for s in ("power", "consumer", "storage", "total")}
_SERIES["China", "world_share"] = ("production_share_of_world", "China", "total")


class RunFolderError(ForecastError):
    """A folder that is not a finished run of a readable layout (one line, exit code 3)."""


@dataclass(frozen=True)
class RunRecord:
    """A finished run folder read for scoring: its ``run_id`` (the manifest's, else the folder
    name), ``layout``, ``manifest`` and ``projections`` table."""

    run_id: str
    layout: int
    manifest: dict[str, Any] = field(repr=False)
    projections: pd.DataFrame = field(repr=False)

    @property
    def last_observed_year(self) -> int:
        """The manifest's (layout 2), else the year before the first projected one [year]."""
        stated = self.manifest.get("last_observed_year")
        return int(stated) if stated is not None else int(self.projections["year"].min()) - 1


def _refuse(path: Path, reason: str) -> RunFolderError:
    """The one-line refusal of a run folder."""
    return RunFolderError(f"{path}: {reason}")


def _read_manifest(path: Path) -> tuple[dict[str, Any], int]:
    """The manifest of a finished run (status ``ok``) and its layout."""
    file = path / MANIFEST_NAME
    if not file.is_file():
        raise _refuse(path, f"no {MANIFEST_NAME}; not a finished run folder")
    check_file(file, MAX_TABLE_BYTES,
               lambda _, message: _refuse(path, f"{MANIFEST_NAME}: {message}"))
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _refuse(path, f"{MANIFEST_NAME} cannot be read ({quote(str(exc))})") from None
    if not isinstance(manifest, dict):
        raise _refuse(path, f"{MANIFEST_NAME} is not a JSON object")
    status = manifest.get("status")
    if status != "ok":
        raise _refuse(path, f"run status is {status!r}, not 'ok'; only finished runs are scored")
    version = manifest.get("layout_version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _refuse(path, f"layout_version {version!r} in {MANIFEST_NAME} is not a whole number")
    if version not in LAYOUTS:
        raise _refuse(path, f"run folder layout {version} is not one this forecast reads "
                      f"({', '.join(map(str, LAYOUTS))}); score it with the forecast that wrote it")
    return manifest, version


def read_run(run_dir: str | Path) -> RunRecord:
    """Read a finished run folder (written by ``forecast run``) for scoring.

    Raises
    ------
    RunFolderError
        One line: not a folder, a build or failed folder, no or unreadable manifest, status
        other than ``ok``, an unknown layout, no projections table, a manifest or table that
        is not a regular file or is above :data:`MAX_TABLE_BYTES`, or a projections table
        that is empty, lacks :data:`REQUIRED_COLUMNS`, or holds a ``year`` that is not whole
        or a quantile or ``mean`` that is not finite (naming the row and the column).
    """
    path = Path(run_dir)
    if not path.is_dir():
        raise _refuse(path, "not a folder")
    name = path.resolve().name
    if name.startswith(TMP_PREFIX):
        raise _refuse(path, "a run still being built (or killed while building), not a "
                      "finished run")
    if name.endswith(FAILED_SUFFIX):
        raise _refuse(path, "a failed run, not a finished run")
    manifest, layout = _read_manifest(path)
    if not (path / PROJECTIONS_TABLE).exists():
        raise _refuse(path, f"no {PROJECTIONS_TABLE}; nothing to score")
    return RunRecord(str(manifest.get("run_id") or name), layout, manifest,
                     _read_projections(path, layout))


def _read_projections(path: Path, layout: int) -> pd.DataFrame:
    """``tables/projections.csv`` of a run, every cell scoring reads checked (see
    :func:`read_run`)."""
    table = path / PROJECTIONS_TABLE
    check_file(table, MAX_TABLE_BYTES, lambda _, message: _refuse(path, f"{PROJECTIONS_TABLE}: "
                                                                  f"{message}"))
    try:
        raw = pd.read_csv(table, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise _refuse(path, f"{PROJECTIONS_TABLE} is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _refuse(path, f"{PROJECTIONS_TABLE} is not a readable CSV "
                      f"({quote(first_line(exc))})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise _refuse(path, f"{PROJECTIONS_TABLE} (layout {layout}) lacks column(s) "
                      f"{', '.join(missing)} that scoring needs")
    if raw.empty:
        raise _refuse(path, f"{PROJECTIONS_TABLE} has no rows")
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
        raw[column] = values.astype("int64") if column == "year" else values
    return raw


def read_runs(run_dirs: Iterable[str | Path]) -> tuple[list[RunRecord], list[str]]:
    """The runs read (:func:`read_run`), in the order given, and one line per folder refused
    (why): notebook ``06_track_record`` keeps going past them, :func:`score_runs` does not."""
    records, refused = [], []
    for path in run_dirs:
        try:
            records.append(read_run(path))
        except RunFolderError as exc:
            refused.append(str(exc))
    return records, refused


def actuals(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Observed values of ``data_dir`` (default :func:`forecast.data.default_data_dir`) a
    projection can be scored against; a DataValidationError if the folder breaks a rule.

    They are the observed rows (``reported``, ``derived``; default variants): China ``power``,
    ``consumer``, ``storage``, ``total`` -> ``production`` [GWh]; China ``world_share`` ->
    ``production_share_of_world`` [fraction]; World ``total`` -> China's production over its
    world share [GWh]; no other World segment.

    Returns
    -------
    pandas.DataFrame
        ``region, segment, year, actual, unit``: one row per observed year of each series.
    """
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
    except KeyError:  # no world total without China's share of it
        pass
    else:
        frames.append(pd.DataFrame({"region": "World", "segment": "total",
                                    "year": world["year"].astype("int64"),
                                    "actual": world["world"].astype(float), "unit": "GWh"}))
    columns = ["region", "segment", "year", "actual", "unit"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def quantile_levels(columns: Iterable[str]) -> dict[str, float]:
    """Quantile columns of a projections table and their levels: ``p10`` -> 0.1 [fraction]."""
    matches = [m for m in map(_QUANTILE_RE.match, map(str, columns)) if m and int(m[1]) > 0]
    return dict(sorted(((m[0], int(m[1]) / 100.0) for m in matches), key=lambda item: item[1]))


def score_runs(run_dirs: Sequence[str | Path], data_dir: str | Path | None = None) -> pd.DataFrame:
    """Score every projection row of finished ``run_dirs`` that has an actual in ``data_dir``
    (:func:`actuals`); all folders are read first, and one that is not a finished run of a
    readable layout refuses the call (:class:`RunFolderError`), so does a data folder that
    breaks a rule.

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS`, rows in the order of the runs and of their projections tables;
        empty (with those columns) when nothing matches.
    """
    return score_records([read_run(path) for path in run_dirs], actuals(data_dir))


def score_records(records: Sequence[RunRecord], observed: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_runs` of runs already read (:func:`read_run`) against :func:`actuals`."""
    frames = []
    for record in records:
        f = record.projections.merge(observed[["region", "segment", "year", "actual"]],
                                     on=["region", "segment", "year"], how="inner")
        levels = quantile_levels(f.columns)
        f["run"] = record.run_id
        f["error"] = f["p50"] / f["actual"] - 1.0
        f["covered80"] = f["actual"].between(f["p10"], f["p90"])
        f["crps"] = crps_quantiles(f["actual"].to_numpy(), f[list(levels)].to_numpy(),
                                   list(levels.values())) if len(f) else []
        frames.append(f[list(SCORE_COLUMNS)])
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if scores.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SCORE_COLUMNS})
    return scores


def check_output(output: str | Path, run_dirs: Sequence[str | Path] = (),
                 data_dir: str | Path | None = None) -> Path:
    """Refuse a score file inside a folder holding a ``manifest.json`` (finished runs are
    read-only) or a run folder given, or over a file of the data folder (links resolved).

    Raises
    ------
    ForecastError
        One line naming ``--output`` and the folder or file it would overwrite (exit code 3).
    """
    out = check_path(output, lambda _, message: ForecastError(f"--output {quote(str(output))}: "
                                                              f"{message}"))
    target = out.resolve()
    for folder in target.parents:
        if (folder / MANIFEST_NAME).is_file():
            raise ForecastError(f"--output {out}: inside the run folder {folder}, which the "
                                "tool never writes to once it is finished; name a file "
                                "elsewhere")
    for run in run_dirs:
        if target == Path(run).resolve() or Path(run).resolve() in target.parents:
            raise ForecastError(f"--output {out}: inside the run folder {run} being scored; "
                                "name a file elsewhere")
    data_folder = Path(data.default_data_dir() if data_dir in (None, "") else data_dir).resolve()
    if target.exists() and target.is_relative_to(data_folder):
        raise ForecastError(f"--output {out}: would overwrite a file of the data folder "
                            f"{data_folder}; name a file elsewhere")
    return out


def write_scores(scores: pd.DataFrame, output: str | Path) -> Path:
    """Write a score table as CSV atomically (:func:`forecast.files.write_atomic`).

    ``covered80`` is written ``true``/``false``; floats with 6 significant digits.

    Raises
    ------
    ForecastError
        One line: the output's folder does not exist, is a file or cannot be written, or
        :func:`check_output` refuses it; :class:`~forecast.errors.RunError` (exit 4) when
        the disk or quota is full.
    """
    out = check_output(output)
    folder = out.parent
    check_folder(folder, f"--output {out}: folder")
    if not folder.is_dir():
        raise ForecastError(f"--output {out}: folder {folder} does not exist")
    if out.is_dir():
        raise ForecastError(f"--output {out} is a folder; name a file")
    frame = scores.copy()
    frame["covered80"] = frame["covered80"].map({True: "true", False: "false"})
    try:
        return write_atomic(out, csv_text(frame))
    except OSError as exc:
        raise write_error(f"--output {out}: cannot write in {folder}", exc) from exc


def scores_by_run(scores: pd.DataFrame) -> pd.DataFrame:
    """Per run and scenario of :func:`score_runs`: ``run, scenario, scored`` (rows),
    ``covered80`` [fraction], ``mean_abs_error`` [fraction] and ``mean_crps_gwh`` [GWh]
    (``world_share`` rows, in fractions, are left out of the CRPS so that it stays in GWh)."""
    columns = ["run", "scenario", "scored", "covered80", "mean_abs_error", "mean_crps_gwh"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    frame = scores.assign(abs_error=scores["error"].abs(),
                          crps_gwh=scores["crps"].where(scores["segment"] != "world_share"))
    out = frame.groupby(["run", "scenario"], sort=False).agg(
        scored=("year", "size"), covered80=("covered80", "mean"),
        mean_abs_error=("abs_error", "mean"), mean_crps_gwh=("crps_gwh", "mean"))
    return out.reset_index()[columns]
