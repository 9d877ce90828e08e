"""HTML for reviewers: a notebook's reviewer view rendered by nbconvert's
:class:`~nbconvert.HTMLExporter` with ``templates/reviewer.html.j2`` (JupyterLab's styles,
nothing from the network), and ``index.html`` from ``templates/index.html.j2`` by Jinja2 with
autoescaping, so every text from a data or scenario file is escaped."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forecast.files import write_atomic
from forecast.run.folder import HEADLINE_TABLE, SCENARIO_TABLE, read_table

__all__ = ["REVIEWER_MIME_TYPES", "REVIEWER_REMOVED_CELL_TAGS", "TEMPLATES",
           "render_notebook_html", "write_index"]

#: Folder of the page templates.
TEMPLATES = Path(__file__).with_name("templates")
#: Cells left out of a page whole: modeller instructions and parameter cells.
REVIEWER_REMOVED_CELL_TAGS = frozenset(
    {"modeller", "remove_cell", "parameters", "injected-parameters"})
#: What a reviewer sees of an output, in the order nbconvert's HTML exporter prefers them; an
#: output with none of them (printed text, a plain-text result, a widget) is left out.
REVIEWER_MIME_TYPES = ("text/html", "text/markdown", "image/svg+xml", "text/latex",
                       "image/png", "image/jpeg")


def _title(cells: list[Mapping[str, Any]], fallback: str) -> str:
    """The first markdown heading of a notebook's ``cells``, without the ``#`` marks."""
    for cell in cells:
        source = cell.get("source", "") if cell.get("cell_type") == "markdown" else ""
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip() or fallback
    return fallback


def render_notebook_html(notebook_path: Path, html_path: Path, *,
                         paths: Mapping[str, str] | None = None,
                         index_href: str | None = "index.html") -> Path:
    """Render an executed notebook's reviewer view as standalone HTML, with ``paths`` (the
    build folder) written as shown (the final one) and a link to ``index_href`` (None: none)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    text = Path(notebook_path).read_text(encoding="utf-8")
    for actual, shown in (paths or {}).items():
        text = text.replace(json.dumps(actual)[1:-1], json.dumps(shown)[1:-1])
    notebook = nbformat.reads(text, as_version=4)
    resources = {"metadata": {"name": _title(notebook.cells, Path(notebook_path).stem)},
                 "index_href": index_href}
    TagRemovePreprocessor(enabled=True, remove_cell_tags=set(REVIEWER_REMOVED_CELL_TAGS),
                          remove_all_outputs_tags={"remove_output"}).preprocess(notebook, {})
    for cell in notebook.cells:
        if cell.cell_type == "code":  # errors stay: a failed notebook's page says why
            cell.outputs = [out for out in cell.outputs if out.output_type == "error"
                            or set(out.get("data", ())) & set(REVIEWER_MIME_TYPES)]
    # A code cell left without output is not drawn: no empty block on the page.
    notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or c.outputs]
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATES)],
                            template_file="reviewer.html.j2", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            config=Config(NbConvertBase={
                                "display_data_priority": list(REVIEWER_MIME_TYPES)}))
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    Path(html_path).write_text(body, encoding="utf-8")
    return Path(html_path)


def _page(root: Path, stem: str) -> dict[str, Any]:
    """A notebook of the run folder: its title and, where they exist, its page and source."""
    try:
        cells = json.loads((root / f"{stem}.ipynb").read_text(encoding="utf-8")).get("cells", [])
        title = _title(cells, stem)
    except (OSError, ValueError, AttributeError):
        title = stem
    return {"title": title, "page": f"{stem}.html" if (root / f"{stem}.html").is_file() else None,
            "source": f"{stem}.ipynb" if (root / f"{stem}.ipynb").is_file() else None}


def write_index(run_dir: Path, manifest: Mapping[str, Any], changes: Any = None) -> Path:
    """Write ``index.html``: headline, scenarios, changes since the previous run (a
    :class:`~forecast.run.changes.RunChanges` or None), and relative links to every page,
    figure, table and log, so the folder can be moved or served."""
    import jinja2

    from forecast.report.bands import SPREAD_TABLE, bands_sentence, number
    from forecast.report.formatting import gwh, percent
    from forecast.report.parameters import run_parameter_label

    root = Path(run_dir)
    notebooks = [{**entry, **_page(root, str(entry.get("name", "")).removesuffix(".ipynb"))}
                 for entry in manifest.get("notebooks", [])]
    # Figures under the page that draws them (by ``NN_`` prefix), then the others.
    pages = {str(n.get("name", "")).split("_", 1)[0] + "_": n for n in notebooks}
    figures: dict[str, list[Path]] = {}
    for fig in sorted((root / "figures").glob("*.png")):
        prefix = fig.name.split("_", 1)[0] + "_"
        figures.setdefault(prefix if prefix in pages else "", []).append(fig)
    tables = []
    for path in sorted((root / "tables").glob("*.csv")):
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
        tables.append({"name": path.name, "rows": max(len(rows) - 1, 0),
                       "columns": len(rows[0]) if rows else 0})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals.update(gwh=gwh, percent=percent)
    env.filters.update(number=number, label=run_parameter_label, repr=repr)
    page = env.get_template("index.html.j2").render(
        m=manifest, changes=changes, notebooks=notebooks, headline=read_table(root, HEADLINE_TABLE),
        scenarios=[r for r in read_table(root, SCENARIO_TABLE) if r.get("description") is not None],
        bands=bands_sentence(read_table(root, f"tables/{SPREAD_TABLE}") or None),
        figures=[(pages.get(prefix, {"title": "Other figures"}), files) for prefix, files
                 in sorted(figures.items(), key=lambda kv: (kv[0] == "", kv[0]))],
        tables=tables, logs=sorted(p.name for p in root.glob("logs/*.log")))
    return write_atomic(root / "index.html", page)
