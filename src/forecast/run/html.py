"""HTML for reviewers: executed notebooks without code, and the run's index page.

Notebook pages are the reviewer view (:mod:`forecast.run.reviewer`) rendered by nbconvert's
:class:`~nbconvert.HTMLExporter` with ``templates/reviewer.html.j2`` (JupyterLab's styles,
nothing loaded from the network). ``index.html`` is ``templates/index.html.j2`` rendered by
Jinja2 with autoescaping, so every text from a data or scenario file is escaped.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forecast.run.manifest import HEADLINE_TABLE, SCENARIO_TABLE, write_atomic

__all__ = ["TEMPLATES", "parameter_label", "render_notebook_html", "write_index"]

#: Folder of the page templates.
TEMPLATES = Path(__file__).with_name("templates")
# Headline quantities shown as a median over its band: (column prefix, heading, kind).
_BANDS = (("china", "China {year} [GWh]", "gwh"), ("world", "World {year} [GWh]", "gwh"),
          ("china_share", "China's share of world", "percent"))


def parameter_label(name: str) -> str:
    """A run parameter in words: its help text, capitalised (the name if it has none)."""
    from forecast.report.parameters import PARAMETERS

    parameter = PARAMETERS.get(name)
    return parameter.description[:1].upper() + parameter.description[1:] if parameter else name


def _title(cells: list[Mapping[str, Any]], fallback: str) -> str:
    """A notebook's first markdown heading, without the ``#`` marks."""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip() or fallback
    return fallback


def _notebook_title(path: Path, fallback: str) -> str:
    try:
        return _title(json.loads(path.read_text(encoding="utf-8")).get("cells", []), fallback)
    except (OSError, ValueError, AttributeError):
        return fallback


def render_notebook_html(notebook_path: Path, html_path: Path, *,
                         paths: Mapping[str, str] | None = None,
                         index_href: str | None = "index.html") -> Path:
    """Render an executed notebook's reviewer view as standalone HTML without code.

    ``paths`` maps paths in the notebook to the paths the page shows (the run's final folder
    instead of its build folder); ``index_href`` is the link back to the index (None: none).
    """
    import nbformat
    from nbconvert import HTMLExporter

    from forecast.run.reviewer import reviewer_notebook

    text = Path(notebook_path).read_text(encoding="utf-8")
    for actual, shown in (paths or {}).items():
        text = text.replace(json.dumps(actual)[1:-1], json.dumps(shown)[1:-1])
    notebook = nbformat.reads(text, as_version=4)
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATES)],
                            template_file="reviewer.html.j2", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    resources = {"metadata": {"name": _title(notebook.cells, Path(notebook_path).stem)},
                 "index_href": index_href}
    body, _ = exporter.from_notebook_node(reviewer_notebook(notebook), resources=resources)
    Path(html_path).write_text(body, encoding="utf-8")
    return Path(html_path)


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def _headline(root: Path, last_year: object) -> dict[str, Any] | None:
    """Header and rows of the headline table: each quantity a (median, "p10 to p90") pair; a
    table of another layout as it is."""
    from forecast.report.formatting import gwh, percent

    rows = _rows(root / HEADLINE_TABLE)
    if not rows or "china_p50" not in rows[0]:
        return {"header": list(rows[0]), "rows": [list(r.values()) for r in rows]} if rows else None

    def number(text: str | None) -> float | None:
        try:
            return float(str(text))
        except ValueError:
            return None

    body = []
    for row in rows:
        cells: list[Any] = [row.get("scenario", "")]
        for prefix, _, kind in _BANDS:
            fmt = gwh if kind == "gwh" else percent
            mid, low, high = (number(row.get(f"{prefix}_{q}")) for q in ("p50", "p10", "p90"))
            band = "" if low is None or high is None or fmt(low) == fmt(high) else (
                f"{fmt(low)} to {fmt(high)}")
            cells.append("" if mid is None else (fmt(mid), band))
        cagr = number(row.get("china_cagr"))
        body.append([*cells, "" if cagr is None else percent(cagr)])
    year = rows[0].get("year", "")
    growth = f"China growth {last_year}-{year} [per year]" if last_year and year else (
        "China growth [per year]")
    return {"header": ["scenario", *(t.format(year=year) for _, t, _ in _BANDS), growth],
            "rows": body}


def _figures(root: Path, stems: list[str]) -> list[dict[str, Any]]:
    """Figures grouped under the notebook page that draws them (by ``NN_`` prefix)."""
    by_prefix = {stem.split("_", 1)[0] + "_": stem for stem in stems}
    groups: dict[str, list[Path]] = {}
    for fig in sorted((root / "figures").glob("*.png")):
        prefix = fig.name.split("_", 1)[0] + "_"
        groups.setdefault(prefix if prefix in by_prefix else "", []).append(fig)
    out = []
    for prefix, files in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0])):
        stem = by_prefix.get(prefix)
        out.append({"title": _notebook_title(root / f"{stem}.ipynb", stem) if stem
                    else "Other figures", "files": files,
                    "page": f"{stem}.html" if (root / f"{stem}.html").is_file() else None})
    return out


def _tables(root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((root / "tables").glob("*.csv")):
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
        out.append({"name": path.name, "rows": max(len(rows) - 1, 0),
                    "columns": len(rows[0]) if rows else 0})
    return out


def write_index(run_dir: Path, manifest: Mapping[str, Any], changes: Any = None) -> Path:
    """Write ``index.html``: headline, scenarios, changes since the previous run (a
    :class:`~forecast.run.changes.RunChanges` or None), and relative links to every page,
    figure, table and log, so the folder can be moved or served."""
    import jinja2

    from forecast.report.bands import SPREAD_TABLE, bands_sentence

    root = Path(run_dir)
    notebooks = []
    for entry in manifest.get("notebooks", []):
        stem = str(entry.get("name", "")).removesuffix(".ipynb")
        notebooks.append({**entry, "title": _notebook_title(root / f"{stem}.ipynb", stem),
                          "page": f"{stem}.html" if (root / f"{stem}.html").is_file() else None,
                          "source": f"{stem}.ipynb" if (root / f"{stem}.ipynb").is_file()
                          else None})
    git = manifest.get("git") or {}
    scenarios = [{"name": r.get("name") or r.get("scenario") or "",
                  "description": r["description"], "bands": r.get("bands") or ""}
                 for r in _rows(root / SCENARIO_TABLE) if r.get("description") is not None]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("index.html.j2").render(
        m=manifest, changes=changes, notebooks=notebooks, scenarios=scenarios,
        commit=str(git.get("commit") or "unknown")[:12] + (" (modified)" if git.get("dirty")
                                                            else ""),
        headline=_headline(root, manifest.get("last_observed_year")),
        bands=bands_sentence(_rows(root / "tables" / SPREAD_TABLE) or None),
        figures=_figures(root, [page["name"].removesuffix(".ipynb") for page in notebooks]),
        tables=_tables(root), logs=sorted(p.name for p in root.glob("logs/*.log")),
        parameters=[(parameter_label(k), repr(v))
                    for k, v in sorted((manifest.get("parameters") or {}).items())])
    return write_atomic(root / "index.html", page)
