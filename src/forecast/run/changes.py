"""What changed since the previous finished run in the same output folder: a diff of the two
manifests (input files, data digest, parameters, packages) and of the two headline tables.
A headline quantile, which moves by chance alone when the seed or ``n_draws`` differ, is
reported when it moves by more than ``3 sqrt(se_before^2 + se_now^2)``, each ``se`` its Monte
Carlo standard error (:func:`~forecast.evaluation.scoring.quantile_standard_error`); the growth
rate follows the median."""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.report.bands import number
from forecast.report.formatting import gwh, percent, signed_percent
from forecast.report.parameters import run_parameter_label
from forecast.run.folder import FAILED_SUFFIX, HEADLINE_TABLE, read_manifest, read_table

__all__ = ["MC_SIGMAS", "RunChanges", "compare_runs", "finished_run_dirs"]

#: Standard errors of the difference a headline change must exceed to be reported.
MC_SIGMAS = 3.0
_NOT_SET = "(not set)"
_LEVELS = ("p10", "p50", "p90")
_WHAT = {"china": "China [GWh]", "world": "World [GWh]", "china_share": "China's world share"}


def finished_run_dirs(output_dir: str | Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """Finished runs (status ``ok``, no ``latest`` link) in a folder, oldest first."""
    folder = Path(output_dir)
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if (path.is_symlink() or not path.is_dir() or path.name.startswith(".")
                or path.name.endswith(FAILED_SUFFIX) or path.name in exclude):
            continue
        manifest = read_manifest(path)
        if manifest.get("status") == "ok":
            found.append((str(manifest.get("finished") or ""), path.name, path))
    return [path for *_, path in sorted(found)]


@dataclass
class RunChanges:
    """From run ``previous_id`` to this one: data digest changed (None: unknown), files
    ``(file, "added" | "removed" | "changed")``, parameters (in words) and packages ``(name,
    before, now)``, scenarios added and removed (a line), headline cells ``(scenario, quantity,
    before, now, change)`` beyond the Monte Carlo error and how many moved within it."""

    previous_id: str
    data_changed: bool | None = None
    inputs: list[tuple[str, str]] = field(default_factory=list)
    parameters: list[tuple[str, str, str]] = field(default_factory=list)
    packages: list[tuple[str, str, str]] = field(default_factory=list)
    scenarios: str = ""
    headline: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    within_noise: int = 0

    @property
    def nothing(self) -> bool:
        """True if nothing a reader should look at changed."""
        return not (self.data_changed or self.inputs or self.parameters or self.packages
                    or self.scenarios or self.headline)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(key, before, now)`` of every key whose values differ; ``(not set)`` where missing."""
    return [(key, old.get(key, _NOT_SET), new.get(key, _NOT_SET))
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value if isinstance(value, str) else json.dumps(value)


def _parameters(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters a run's notebooks ran with: their declared defaults, then the run's."""
    values: dict[str, Any] = {}
    for defaults in (manifest.get("notebook_defaults") or {}).values():
        for name, text in (defaults or {}).items():
            try:
                values[name] = ast.literal_eval(str(text))
            except (ValueError, SyntaxError):
                values[name] = text
    values |= dict(manifest.get("parameters") or {})
    return {k: v for k, v in values.items() if k not in ("output_dir", "earlier_runs")}


def _inputs(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Input hashes keyed so that two data folders compare file by file."""
    data_dir = (manifest.get("parameters") or {}).get("data_dir")
    root = Path(str(manifest.get("root") or "/"))
    keyed = {}
    for key, digest in (manifest.get("inputs") or {}).items():
        inside = data_dir and (root / key).is_relative_to(data_dir)
        keyed[f"<data>/{(root / key).relative_to(data_dir).as_posix()}" if inside else key] = (
            digest)
    return keyed


def _number(text: str | None) -> float | None:
    value = number(text)
    return value if value is not None and math.isfinite(value) else None


def _points(delta: float) -> str:
    text = percent(abs(delta)).removesuffix("%")
    return f"{'+' if delta > 0 else '-' if text.strip('0.') else ''}{text} pt"


def _cell_change(column: str, old: Mapping[str, str], new: Mapping[str, str],
                 draws: tuple[int, int] | None) -> tuple[str, str, str, str] | None:
    """``(quantity, before, now, change)`` of a headline cell that differs; None when it
    moved within the Monte Carlo error of ``draws`` (before, now)."""
    driver = "china_p50" if column == "china_cagr" else column
    prefix, _, level = driver.rpartition("_")
    a, b = _number(old.get(column)), _number(new.get(column))
    if a is None or b is None or level not in _LEVELS or prefix not in _WHAT:
        return (column, str(old.get(column, "")), str(new.get(column, "")), "changed")
    bands = [{q: _number(row.get(f"{prefix}_{q}")) for q in _LEVELS} for row in (old, new)]
    if draws and all(v is not None for band in bands for v in band.values()):
        # Here, not at the top: the evaluation package loads pandas and the models (0.5 s),
        # which a run that changed nothing never needs.
        from forecast.evaluation.scoring import quantile_standard_error

        se = [quantile_standard_error(level, band, n)  # type: ignore[arg-type]
              for band, n in zip(bands, draws, strict=True)]
        moved = bands[1][level] - bands[0][level]  # type: ignore[operator]
        if abs(moved) <= MC_SIGMAS * math.hypot(*se):
            return None
    if column == "china_cagr":
        return ("China growth per year", percent(a), percent(b), _points(b - a))
    what = f"{_WHAT[prefix]}, {'median' if level == 'p50' else level}"
    if prefix == "china_share":
        return (what, percent(a), percent(b), _points(b - a))
    relative = f" ({signed_percent((b - a) / a)})" if a else ""
    return (what, gwh(a), gwh(b), f"{'+' if b > a else ''}{gwh(b - a)}{relative}")


def compare_runs(previous_dir: str | Path, manifest: Mapping[str, Any],
                 run_dir: str | Path) -> RunChanges:
    """What changed from the run in ``previous_dir`` to this run (``manifest``, ``run_dir``)."""
    old = read_manifest(previous_dir)
    digests = old.get("data_sha256"), manifest.get("data_sha256")
    packages = [{k.replace("_", "-"): v for k, v in (m.get("packages") or {}).items()}
                for m in (old, manifest)]
    before, now = ({row["scenario"]: row for row in read_table(folder, HEADLINE_TABLE)
                    if row.get("scenario")} for folder in (previous_dir, run_dir))
    moved = [f"{what} {', '.join(sorted(names))}" for what, names in (
        ("added", set(now) - set(before)), ("removed", set(before) - set(now))) if names]
    old_p, new_p = _parameters(old), _parameters(manifest)
    changes = RunChanges(
        Path(previous_dir).name, None if None in digests else digests[0] != digests[1],
        [(name, "added" if a == _NOT_SET else "removed" if b == _NOT_SET else "changed")
         for name, a, b in _diff(_inputs(old), _inputs(manifest))],
        [(run_parameter_label(n), _shown(a), _shown(b)) for n, a, b in _diff(old_p, new_p)],
        [(n, _shown(a), _shown(b)) for n, a, b in _diff(*packages)],
        f"Scenarios {'; '.join(moved)}." if moved else "")
    counts = (old_p.get("n_draws"), new_p.get("n_draws"))
    draws = counts if all(isinstance(n, int) and n > 0 for n in counts) else None
    for name in [n for n in now if n in before]:
        for column in [c for c in now[name] if c not in ("scenario", "year")]:
            if before[name].get(column) == now[name].get(column):
                continue
            found = _cell_change(column, before[name], now[name], draws)
            if found is None:
                changes.within_noise += 1
            else:
                changes.headline.append((name, *found))
    return changes
