"""HTML for reviewers: a notebook's page by nbconvert's :class:`~nbconvert.HTMLExporter` with
``templates/reviewer.html.j2`` (JupyterLab's styles, nothing from the network), and
``index.html`` from ``templates/index.html.j2`` by Jinja2 with autoescaping, so every text from
a data or scenario file is escaped; the index says what changed since the previous run."""

from __future__ import annotations

import ast
import csv
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast.files import read_table, write_atomic
from forecast.layout import HEADLINE_TABLE, SCENARIO_TABLE
from forecast.report.bands import SPREAD_TABLE, bands_sentence, number
from forecast.report.formatting import gwh, percent, signed_percent
from forecast.report.labels import label
from forecast.report.parameters import run_parameter_label
from forecast.run.folder import read_manifest

__all__ = ["MC_SIGMAS", "REVIEWER_MIME_TYPES", "REVIEWER_REMOVED_CELL_TAGS", "TEMPLATES",
           "RunChanges", "compare_runs", "render_notebook_html", "write_index"]

#: Folder of the page templates.
TEMPLATES = Path(__file__).with_name("templates")
#: Cells left out of a page whole: modeller instructions and parameter cells.
REVIEWER_REMOVED_CELL_TAGS = ("modeller", "remove_cell", "parameters", "injected-parameters")
#: What a reviewer sees of an output, in the order nbconvert's HTML exporter prefers them; an
#: output with none of them (printed text, a plain-text result, a widget) is left out.
REVIEWER_MIME_TYPES = ("text/html", "text/markdown", "image/svg+xml", "text/latex",
                       "image/png", "image/jpeg")
#: Standard errors of the difference a headline change must exceed to be reported.
MC_SIGMAS = 3.0
_NOT_SET = "(not set)"


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


def _cell_change(column: str, old: Mapping[str, str], new: Mapping[str, str],
                 draws: tuple[int, int] | None) -> tuple[str, str, str, str] | None:
    """``(quantity, before, now, change)`` of a headline cell that differs; None when it
    moved within the Monte Carlo error of ``draws`` (before, now)."""
    # Here, not at the top: both load pandas and the models (0.5 s), which a run whose
    # headline did not change never needs.
    from forecast.evaluation.scoring import quantile_standard_error
    from forecast.report.headline import HEADLINE_COLUMNS, QUANTILES

    driver = "china_p50" if column == "china_cagr" else column
    prefix, _, level = driver.rpartition("_")
    a, b = number(old.get(column)), number(new.get(column))
    if a is None or b is None or driver not in HEADLINE_COLUMNS:  # another layout
        return (column, str(old.get(column, "")), str(new.get(column, "")), "changed")
    bands = [{q: number(row.get(f"{prefix}_{q}")) for q in QUANTILES} for row in (old, new)]
    if draws and all(v is not None for band in bands for v in band.values()):
        se = [quantile_standard_error(level, band, n)  # type: ignore[arg-type]
              for band, n in zip(bands, draws, strict=True)]
        moved = bands[1][level] - bands[0][level]  # type: ignore[operator]
        if abs(moved) <= MC_SIGMAS * math.hypot(*se):
            return None
    what = label(column)  # as the headline table's glossary names it
    if column == "china_cagr" or prefix == "china_share":  # rates: the change in points
        return (what, percent(a), percent(b), signed_percent(b - a).replace("%", " pt"))
    relative = f" ({signed_percent((b - a) / a)})" if a else ""
    return (what, gwh(a), gwh(b), f"{'+' if b > a else ''}{gwh(b - a)}{relative}")


def compare_runs(previous_dir: str | Path, manifest: Mapping[str, Any],
                 run_dir: str | Path) -> RunChanges:
    """What changed from the finished run in ``previous_dir`` to this run (``manifest``,
    ``run_dir``). A headline quantile, which moves by chance alone when the seed or ``n_draws``
    differ, counts when it moved by more than :data:`MC_SIGMAS` standard errors of the
    difference (each run's by :func:`~forecast.evaluation.scoring.quantile_standard_error`);
    the growth rate follows the median."""
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
    cells = [(n, c) for n in now if n in before for c in now[n]
             if c not in ("scenario", "year") and before[n].get(c) != now[n][c]]
    for name, column in cells:
        if found := _cell_change(column, before[name], now[name], draws):
            changes.headline.append((name, *found))
        else:
            changes.within_noise += 1
    return changes


def _title(cells: list[Mapping[str, Any]], fallback: str) -> str:
    """The first markdown heading of a notebook's ``cells``, without the ``#`` marks."""
    sources = (cell.get("source", "") for cell in cells if cell.get("cell_type") == "markdown")
    lines = (ln for s in sources for ln in ("".join(s) if isinstance(s, list) else s).splitlines())
    heading = next((line for line in lines if line.startswith("#")), "")
    return heading.lstrip("#").strip() or fallback


def render_notebook_html(notebook_path: Path, html_path: Path) -> Path:
    """Render an executed notebook's reviewer view as standalone HTML, with a link to the
    run's ``index.html``."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    notebook = nbformat.read(notebook_path, as_version=4)
    resources = {"metadata": {"name": _title(notebook.cells, Path(notebook_path).stem)}}
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
    return write_atomic(html_path, body)


def _page(root: Path, stem: str) -> dict[str, Any]:
    """A notebook of the run folder: its title and, where they exist, its page and source."""
    try:
        cells = json.loads((root / f"{stem}.ipynb").read_text(encoding="utf-8")).get("cells", [])
        title = _title(cells, stem)
    except (OSError, ValueError, AttributeError):
        title = stem
    return {"title": title, "page": f"{stem}.html" if (root / f"{stem}.html").is_file() else None,
            "source": f"{stem}.ipynb" if (root / f"{stem}.ipynb").is_file() else None}


def write_index(run_dir: Path, manifest: Mapping[str, Any],
                changes: RunChanges | None = None) -> Path:
    """Write ``index.html``: headline, scenarios, changes since the previous run (None: there
    is none), and relative links to every page, figure, table and log, so the folder can be
    moved or served."""
    import jinja2

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
