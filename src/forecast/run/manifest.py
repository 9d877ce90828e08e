"""What went into a run (input hashes, package versions, git commit) and where its outputs are:
if two manifests list the same inputs, packages and parameters, the tables match."""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from forecast.files import sha256_file, write_atomic

__all__ = ["HEADLINE_TABLE", "LAYOUT_VERSION", "MANIFEST_NAME", "PACKAGES", "SCENARIO_TABLE",
           "calibration_key", "data_digest", "git_state", "hash_files", "input_files",
           "package_versions", "read_manifest", "read_table", "write_manifest"]

#: Distributions whose versions can change the numbers or the rendering of a run.
PACKAGES = ("forecast", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
            "seaborn", "pyyaml", "pydantic", "papermill", "nbclient", "nbconvert", "nbformat",
            "ipykernel", "jupyter_client")
#: The manifest inside a run folder.
MANIFEST_NAME = "manifest.json"
#: One row per scenario (:func:`forecast.report.headline.headline_table`, by 00_summary).
HEADLINE_TABLE = "tables/headline.csv"
#: The scenarios run and what each assumes (``name``, ``description``).
SCENARIO_TABLE = "tables/scenarios.csv"
#: Version of the run folder layout: 2 added ``layout_version``, ``last_observed_year``,
#: ``data_sha256`` and ``previous_run``; a manifest without ``layout_version`` is layout 1.
LAYOUT_VERSION = 2
#: The key of the reference-class calibration 05_calibration read (a column ``key``).
CALIBRATION_KEY_TABLE = "tables/calibration_cache_key.csv"
_INPUTS = ("*.csv", "scenarios/*.yaml", "scenarios/*.yml")


def _data_files(data_dir: str | Path) -> list[Path]:
    return sorted({p for pattern in _INPUTS for p in Path(data_dir).glob(pattern) if p.is_file()})


def input_files(data_dir: Path, notebooks: Iterable[Path]) -> list[Path]:
    """What a run reads: the data folder's CSVs and scenario files and the notebooks, sorted."""
    return sorted({p.resolve() for p in [*_data_files(data_dir), *notebooks]})


def data_digest(data_dir: str | Path) -> str:
    """sha256 of the lines ``<sha256>  <relative path>`` of a data folder's CSV and scenario
    files, sorted: any edit changes it, moving the folder does not."""
    lines = "".join(f"{sha256_file(p)}  {p.relative_to(data_dir).as_posix()}\n"
                    for p in _data_files(data_dir))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def hash_files(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Each file's sha256, keyed by its path relative to ``root`` (absolute outside it)."""
    root = root.resolve()
    return {(p.relative_to(root) if p.is_relative_to(root) else p).as_posix(): sha256_file(p)
            for p in (Path(f).resolve() for f in files)}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None if not installed), and Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(root: Path) -> dict[str, Any]:
    """Commit at ``root`` and whether tracked files differ from it (None, None outside git)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit.strip() if commit else None,
            "dirty": None if status is None else bool(status.strip())}


def read_table(run_dir: str | Path, name: str) -> list[dict[str, str]]:
    """The rows of a run's CSV table ``name`` (``tables/...``); none if it is unreadable."""
    try:
        with (Path(run_dir) / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def calibration_key(run_dir: Path) -> str | None:
    """The calibration cache key a run's notebooks used (None if none wrote it)."""
    rows = read_table(run_dir, CALIBRATION_KEY_TABLE)
    return rows[0].get("key") if len(rows) == 1 else None


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> Path:
    """Write the manifest atomically as indented JSON with sorted keys (stable diffs)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    return write_atomic(Path(path), text + "\n")


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """``manifest.json`` of a run folder; empty if it is missing or not a JSON object."""
    try:
        data = json.loads((Path(run_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
