"""What changed since the previous finished run in the same output folder.

Two runs are compared through what their folders record: the manifests (input files by
sha256, the data folder's digest, parameters, package versions) and the headline tables
(``tables/headline.csv``, one row per scenario). :func:`compare_runs` lists the differences,
:func:`changes_html` renders them for ``index.html``. Only JSON and CSV are read: this module
imports no model code and no pandas.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.report.formatting import gwh, percent, signed_percent

__all__ = [
    "HEADLINE_TABLE",
    "RunChanges",
    "changes_html",
    "compare_runs",
    "effective_parameters",
    "finished_run_dirs",
    "previous_run",
]

#: Headline table of a run (written by 00_summary), compared number by number.
HEADLINE_TABLE = "tables/headline.csv"
# Parameters that differ between any two runs by construction.
_IGNORED_PARAMETERS = frozenset({"output_dir", "earlier_runs"})
_MANIFEST = "manifest.json"
_NUMBER_RE = re.compile(r"^-?[\d,]*\.?\d+$")


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def finished_run_dirs(output_dir: str | Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Finished runs in an output folder (status ``ok``), oldest first.

    Hidden build folders (``.tmp-``), failed runs (``.failed``) and folders without a readable
    manifest are left out; order is the manifests' ``finished`` time, then the folder name.

    Parameters
    ----------
    output_dir : str or Path
        Folder holding run folders.
    exclude : sequence of str
        Folder names to leave out (the run being built).
    """
    folder = Path(output_dir)
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if (not path.is_dir() or path.name.startswith(".") or path.name.endswith(".failed")
                or path.name in exclude):
            continue
        manifest = _manifest(path)
        if manifest is not None and manifest.get("status") == "ok":
            found.append((str(manifest.get("finished") or ""), path.name, path))
    return [path for _, _, path in sorted(found)]


def previous_run(output_dir: str | Path, exclude: Sequence[str] = ()) -> Path | None:
    """The most recently finished run in ``output_dir`` (see :func:`finished_run_dirs`)."""
    runs = finished_run_dirs(output_dir, exclude)
    return runs[-1] if runs else None


@dataclass
class RunChanges:
    """Differences between a previous run and this one.

    Attributes
    ----------
    previous_id : str
        Run id of the previous run.
    inputs : list of (str, str)
        ``(file, "added" | "removed" | "changed")``, by sha256; files of the data folder are
        named ``<data>/<path>``, so runs on different data folders compare file by file.
    data_changed : bool or None
        Whether the data folder's digest differs (None when a manifest has none).
    parameters, packages : list of (str, str, str)
        ``(name, previous, now)`` for each that differs.
    headline : list of (str, str, str, str, str)
        ``(scenario, column, previous, now, change)`` for each headline cell that differs,
        numbers formatted as in the report (see :func:`_change`).
    """

    previous_id: str
    inputs: list[tuple[str, str]] = field(default_factory=list)
    data_changed: bool | None = None
    parameters: list[tuple[str, str, str]] = field(default_factory=list)
    packages: list[tuple[str, str, str]] = field(default_factory=list)
    headline: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        """True if no input, parameter, package or headline number changed."""
        return not (self.inputs or self.data_changed or self.parameters or self.packages
                    or self.headline)


def _shown(mapping: Mapping[str, Any], name: str) -> str:
    if name not in mapping:
        return "(none)"
    value = mapping[name]
    return value if isinstance(value, str) else json.dumps(value)


def _differing(old: Mapping[str, Any], new: Mapping[str, Any],
               ignore: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    names = sorted((set(old) | set(new)) - ignore)
    return [(n, _shown(old, n), _shown(new, n)) for n in names
            if n not in old or n not in new or old[n] != new[n]]


def effective_parameters(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a run's notebooks ran with: the defaults their parameters cells declare
    (``notebook_defaults``, source text read as Python literals), overridden by the run's
    ``parameters``."""
    values: dict[str, Any] = {}
    for defaults in (manifest.get("notebook_defaults") or {}).values():
        for name, text in (defaults or {}).items():
            try:
                values[name] = ast.literal_eval(str(text))
            except (ValueError, SyntaxError):
                values[name] = text
    values.update(manifest.get("parameters") or {})
    return values


def _data_relative(manifest: Mapping[str, Any]) -> dict[str, str]:
    """A manifest's input hashes keyed so that two data folders compare file by file: files
    inside the run's data folder as ``<data>/<path>``, the others (notebooks) as recorded."""
    inputs = manifest.get("inputs") or {}
    data_dir = (manifest.get("parameters") or {}).get("data_dir")
    root = manifest.get("root")
    if not data_dir:
        return dict(inputs)
    keyed = {}
    for key, digest in inputs.items():
        path = Path(key) if Path(key).is_absolute() or not root else Path(root) / key
        try:
            keyed["<data>/" + path.relative_to(data_dir).as_posix()] = digest
        except ValueError:
            keyed[key] = digest
    return keyed


def _inputs(old: Mapping[str, str], new: Mapping[str, str]) -> list[tuple[str, str]]:
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            out.append((name, "added"))
        elif name not in new:
            out.append((name, "removed"))
        elif old[name] != new[name]:
            out.append((name, "changed"))
    return out


def _read_headline(run_dir: Path) -> tuple[list[str], dict[str, list[str]]]:
    try:
        with open(run_dir / HEADLINE_TABLE, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError:
        return [], {}
    if not rows:
        return [], {}
    return rows[0], {row[0]: row for row in rows[1:] if row}


def _number(text: str) -> float | None:
    return float(text.replace(",", "")) if _NUMBER_RE.match(text.strip()) else None


def _change(column: str, old: str, new: str) -> tuple[str, str, str]:
    """A headline cell before and now as a reader sees them, and its change in words.

    Columns in percent (``[%]`` in the name) keep their text and change in points (``+0.5``);
    other numbers within [-1, 1] are fractions (shares, growth rates), shown in percent and
    changing in percentage points (``+2.7 pt``); larger ones are amounts [GWh], shown whole
    with separators and changing by ``+91 (+2.9%)``. Text (an interval) only "changed".
    """
    a, b = _number(old), _number(new)
    if a is None or b is None:
        return old, new, "changed"
    delta = b - a
    if "[%" in column:
        decimals = max(len(s.partition(".")[2]) for s in (old, new))
        return old, new, f"{delta:+.{decimals}f}" if delta else "0"
    if abs(a) <= 1 and abs(b) <= 1:
        return percent(a), percent(b), f"{100 * delta:+.1f} pt"
    relative = f" ({signed_percent(delta / a)})" if a else ""
    return gwh(a), gwh(b), f"{'+' if delta > 0 else ''}{gwh(delta)}{relative}"


def _headline(old_dir: Path, new_dir: Path) -> list[tuple[str, str, str, str, str]]:
    old_header, old_rows = _read_headline(old_dir)
    new_header, new_rows = _read_headline(new_dir)
    out = []
    for scenario in sorted(set(old_rows) | set(new_rows)):
        old_row = dict(zip(old_header, old_rows.get(scenario, []), strict=False))
        new_row = dict(zip(new_header, new_rows.get(scenario, []), strict=False))
        for column in dict.fromkeys([*new_header[1:], *old_header[1:]]):
            before, now = old_row.get(column, "(none)"), new_row.get(column, "(none)")
            if before != now:
                out.append((scenario, column, *_change(column, before, now)))
    return out


def compare_runs(previous_dir: str | Path, manifest: Mapping[str, Any],
                 run_dir: str | Path) -> RunChanges:
    """What changed from a previous run folder to this run.

    Parameters
    ----------
    previous_dir : str or Path
        The previous finished run folder.
    manifest : mapping
        This run's manifest (it may not be written yet).
    run_dir : str or Path
        This run's folder (its headline table is read).
    """
    old_dir, new_dir = Path(previous_dir), Path(run_dir)
    old = _manifest(old_dir) or {}
    old_data, new_data = old.get("data_sha256"), manifest.get("data_sha256")
    return RunChanges(
        previous_id=old_dir.name,
        inputs=_inputs(_data_relative(old), _data_relative(manifest)),
        data_changed=None if old_data is None or new_data is None else old_data != new_data,
        parameters=_differing(effective_parameters(old), effective_parameters(manifest),
                              _IGNORED_PARAMETERS),
        packages=_differing(old.get("packages") or {}, manifest.get("packages") or {}),
        headline=_headline(old_dir, new_dir),
    )


def _rows_html(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def changes_html(changes: RunChanges | None) -> str:
    """The "Changes since the previous run" section of ``index.html``.

    Names the previous run's id (linked as ``../<id>/index.html``, a sibling folder) and lists
    changed inputs, parameters, package versions and headline numbers; says so when nothing
    changed, or when there is no earlier finished run.
    """
    parts = ["<h2>Changes since the previous run</h2>"]
    if changes is None:
        parts.append("<p>No earlier finished run in this output folder.</p>")
        return "\n".join(parts)
    pid = html.escape(changes.previous_id)
    parts.append(f'<p>Compared with run <a href="../{html.escape(changes.previous_id, quote=True)}'
                 f'/index.html"><code>{pid}</code></a>.</p>')
    if changes.nothing:
        parts.append("<p>Nothing changed: same input files, parameters, package versions and "
                     "headline numbers.</p>")
        return "\n".join(parts)
    if changes.data_changed is not None:
        parts.append("<p>Data folder: " + ("changed" if changes.data_changed else "unchanged")
                     + " (sha256 of its files).</p>")
    sections = [
        ("Input files (by sha256)", ["file", "change"], changes.inputs),
        ("Parameters", ["parameter", "previous", "now"], changes.parameters),
        ("Package versions", ["package", "previous", "now"], changes.packages),
        ("Headline numbers", ["scenario", "column", "previous", "now", "change"],
         changes.headline),
    ]
    for title, header, rows in sections:
        if rows:
            parts.append(f"<h3>{html.escape(title)}</h3>")
            parts.append(_rows_html(header, rows))
        else:
            parts.append(f"<p>{html.escape(title)}: unchanged.</p>")
    return "\n".join(parts)
