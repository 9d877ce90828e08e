"""What went into a run: input hashes, package versions, git commit, timings.

The manifest is the record a reviewer or a later run compares against: if two manifests
list the same input hashes, package versions and parameters, the tables must match.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "LAYOUT_VERSION",
    "MANIFEST_NAME",
    "PACKAGES",
    "data_digest",
    "git_state",
    "hash_files",
    "input_files",
    "package_versions",
    "read_manifest",
    "sha256_file",
    "write_manifest",
]

#: Distributions whose versions can change the numbers or the rendering of a run.
PACKAGES: tuple[str, ...] = (
    "forecast",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "pyyaml",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
)

#: Name of the manifest file inside a run folder.
MANIFEST_NAME = "manifest.json"
#: Version of the run folder layout (README, Outputs). 2 added ``layout_version``,
#: ``last_observed_year``, ``data_sha256`` and ``previous_run`` to the manifest; runs without
#: ``layout_version`` are layout 1 (read by :mod:`forecast.evaluation.track_record`).
LAYOUT_VERSION = 2

_INPUT_PATTERNS: tuple[str, ...] = ("*.csv", "scenarios/*.yaml", "scenarios/*.yml")


def sha256_file(path: str | Path) -> str:
    """Hex sha256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path, notebooks: Iterable[Path]) -> list[Path]:
    """The files a run reads: data CSVs, scenario YAMLs and the notebooks, sorted.

    Parameters
    ----------
    data_dir : Path
        Data folder (``data/*.csv`` and ``data/scenarios/*.yaml`` are hashed).
    notebooks : iterable of Path
        Source notebooks executed by the run.
    """
    files: set[Path] = set()
    for pattern in _INPUT_PATTERNS:
        files.update(p.resolve() for p in Path(data_dir).glob(pattern) if p.is_file())
    files.update(Path(nb).resolve() for nb in notebooks)
    return sorted(files)


def data_digest(data_dir: str | Path) -> str:
    """One sha256 for a data folder: of the lines ``<sha256>  <path>`` of its CSV and scenario
    files (paths relative to the folder, sorted), so editing, adding or removing any of them
    changes it, and moving the folder does not."""
    root = Path(data_dir)
    files = sorted({p for pattern in _INPUT_PATTERNS for p in root.glob(pattern) if p.is_file()})
    lines = "".join(f"{sha256_file(p)}  {p.relative_to(root).as_posix()}\n" for p in files)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def hash_files(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Map each file (relative to ``root`` when inside it, else absolute) to its sha256."""
    return {_display_path(Path(f), root): sha256_file(f) for f in files}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None if not installed), plus Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(root: Path) -> dict[str, Any]:
    """Commit of the repository at ``root`` and whether tracked files differ from it.

    Returns ``{"commit": None, "dirty": None}`` outside a git checkout or without git, so a
    run from an unpacked release still works.
    """
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True, text=True, timeout=20, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> Path:
    """Write the manifest as indented JSON with sorted keys (stable diffs between runs)."""
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")
    return Path(path)


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """Load ``manifest.json`` from a run folder."""
    return json.loads((Path(run_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
