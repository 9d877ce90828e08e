"""HTML for reviewers: executed notebooks without code, and the run's index page.

Notebook pages are rendered in-process with nbconvert's :class:`~nbconvert.HTMLExporter` (no
``jupyter nbconvert`` subprocess per notebook) from their reviewer view
(:mod:`forecast.run.reviewer`: no code, no printed output, no modeller instructions). They
keep JupyterLab's styles for markdown and tables but load nothing from the network (no
require.js, MathJax or Mermaid from a CDN), so they open offline without console errors, and
each links back to the run's ``index.html``.

``index.html`` leads with the headline table and what each scenario assumes, then links every
notebook page, figure and table of the run; it fits a laptop screen (1366 px) without
horizontal scrolling.
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.run.reviewer import reviewer_notebook

__all__ = [
    "HEADLINE_TABLE",
    "SCENARIO_TABLE",
    "read_csv_rows",
    "render_notebook_html",
    "write_index",
]

#: Table (in ``tables/``) shown at the top of ``index.html``; written by 00_summary.
HEADLINE_TABLE = "headline.csv"
#: Table (in ``tables/``) of the scenarios run, with what each assumes (``name``,
#: ``description``); written by 04_scenarios_2030.
SCENARIO_TABLE = "scenarios.csv"

# Extends JupyterLab's page: its styles for markdown and DataFrame tables, without the scripts
# it loads from a CDN (the pages need none), and with a link back to the run's index.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}<style type="text/css">{{ resources.reviewer_css }}</style>
{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook reviewer" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{%- if resources.index_href %}
<nav class="reviewer-nav"><a href="{{ resources.index_href | e }}">&larr; run index</a></nav>
{%- endif %}
<main>
{%- endblock body_header -%}
"""

# Readable line length, figures and tables that fit a laptop screen (1366 px) without
# horizontal scrolling of the page: a table wider than the column scrolls by itself.
_NOTEBOOK_CSS = """
body.reviewer { background: #fff; }
body.reviewer main { max-width: 80rem; margin: 0 auto; padding: 0.5rem 1.5rem 3rem; }
.reviewer-nav { max-width: 80rem; margin: 0 auto; padding: 0.75rem 1.5rem 0;
                font: 14px system-ui, -apple-system, "Segoe UI", sans-serif; }
.reviewer .jp-Cell { padding-left: 0; padding-right: 0; }
.reviewer .jp-RenderedHTMLCommon { padding-left: 0; padding-right: 0; }
.reviewer .jp-OutputArea-output { overflow-x: auto; max-width: 100%; }
.reviewer .jp-RenderedMarkdown > :not(table) { max-width: 62rem; }
.reviewer img { max-width: 100%; height: auto; }
.reviewer .jp-RenderedHTMLCommon table { margin: 0.5em 0 1em 0; font-size: 13px;
  font-variant-numeric: tabular-nums; }
.reviewer .jp-RenderedHTMLCommon thead th { border-bottom: 1px solid #888;
  vertical-align: bottom; }
.reviewer .jp-RenderedHTMLCommon td, .reviewer .jp-RenderedHTMLCommon th {
  padding: 0.3em 0.7em; vertical-align: top; }
.reviewer .jp-RenderedHTMLCommon td:not(.text) { white-space: nowrap; }
.reviewer .jp-RenderedHTMLCommon .text { text-align: left; }
.reviewer .jp-RenderedHTMLCommon .text.long { min-width: 16em; max-width: 36em; }
.reviewer .jp-RenderedHTMLCommon tbody tr:nth-child(odd) { background: #f6f6f6; }
.reviewer .jp-RenderedHTMLCommon tbody tr:hover { background: #e8f0fb; }
"""


def _first_heading(cells: Iterable[Mapping[str, Any]], fallback: str) -> str:
    """A notebook's first markdown heading, without the ``#`` marks (its page title)."""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            for line in text.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip() or fallback
    return fallback


def render_notebook_html(notebook_path: str | Path, html_path: str | Path, *,
                         index_href: str | None = "index.html") -> Path:
    """Render an executed notebook as its reviewer view: standalone HTML without code.

    Parameters
    ----------
    notebook_path : str or Path
        Executed ``.ipynb``.
    html_path : str or Path
        Where to write the HTML.
    index_href : str or None
        Link to the run's index page at the top of the page (relative to ``html_path``);
        None for no link.

    Returns
    -------
    Path
        ``html_path``.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    view = reviewer_notebook(nb)
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"reviewer.html.j2": _TEMPLATE})],
        template_file="reviewer.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {
        "metadata": {"name": _first_heading(nb.cells, Path(notebook_path).stem)},
        "reviewer_css": _NOTEBOOK_CSS,
        "index_href": index_href,
    }
    body, _ = exporter.from_notebook_node(view, resources=resources)
    out = Path(html_path)
    out.write_text(body, encoding="utf-8")
    return out


def read_csv_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a small CSV file, as strings."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def _table_html(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _link(href: str, text: str | None = None) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text or href)}</a>'


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       padding: 1.5rem 1.5rem 3rem; max-width: 72rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; }
.meta { color: #555; font-size: 0.9rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5em 0 1em 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.8em; text-align: right;
         vertical-align: top; }
thead th { border-bottom: 2px solid #888; vertical-align: bottom; background: #f6f6f6; }
td:first-child, th:first-child { text-align: left; }
td.text, th.text, .params td, .params th { text-align: left; }
tbody tr:hover { background: #f3f7fc; }
.headline td { white-space: nowrap; }
.headline .median { font-weight: 600; display: block; }
.headline .band { color: #555; font-size: 0.85em; display: block; }
.note { color: #555; font-size: 0.9rem; max-width: 52rem; }
.scenarios li { margin: 0.25em 0; max-width: 52rem; }
.status-ok { color: #1a7f37; } .status-failed { color: #c0392b; font-weight: bold; }
.status-skipped, .status-interrupted { color: #888; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr));
           gap: 1rem; }
.figures figure { margin: 0; }
.figures img { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; }
.figures figcaption { font-size: 0.85rem; color: #555; overflow-wrap: anywhere; }
code { background: #f5f5f5; padding: 0 0.2em; overflow-wrap: anywhere; }
"""

# Numeric headline columns (forecast.report.headline): each quantity as p10, p50 and p90.
_BANDS = (("china", "China {year} [GWh]", "gwh"), ("world", "World {year} [GWh]", "gwh"),
          ("china_share", "China's share of world", "percent"))


def _number(text: str | None) -> float | None:
    try:
        return float(str(text))
    except ValueError:
        return None


def _band_cell(row: Mapping[str, str], prefix: str, kind: str) -> str:
    """Median over its 80% interval, one value when the interval's ends print the same."""
    from forecast.report.formatting import gwh, percent

    fmt = gwh if kind == "gwh" else percent
    values = [_number(row.get(f"{prefix}_{q}")) for q in ("p50", "p10", "p90")]
    if values[0] is None:
        return "<td></td>"
    cell = f'<span class="median">{html.escape(fmt(values[0]))}</span>'
    if values[1] is not None and values[2] is not None:
        low, high = fmt(values[1]), fmt(values[2])
        if low != high:
            cell += f'<span class="band">{html.escape(low)} to {html.escape(high)}</span>'
    return f"<td>{cell}</td>"


def _headline_numeric(rows: Sequence[Mapping[str, str]], last_year: object,
                      bands: str = "") -> str:
    from forecast.report.formatting import percent

    year = rows[0].get("year", "") if rows else ""
    growth = (f"China growth {last_year}-{year} [per year]" if last_year and year
              else "China growth [per year]")
    heads = ["scenario", *(title.format(year=year) for _, title, _ in _BANDS), growth]
    body = []
    for row in rows:
        cagr = _number(row.get("china_cagr"))
        body.append(
            f"<tr><td>{html.escape(str(row.get('scenario', '')))}</td>"
            + "".join(_band_cell(row, prefix, kind) for prefix, _, kind in _BANDS)
            + f"<td>{'' if cagr is None else html.escape(percent(cagr))}</td></tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return (f'<div class="scroll"><table class="headline"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
            '<p class="note">Production and share: the median of the Monte Carlo draws (bold) '
            f"over its 80% interval (p10 to p90). {html.escape(bands)}</p>")


def _bands_text(root: Path) -> str:
    """What the bands are, with the run's decomposition figures when it wrote them."""
    from forecast.report.bands import SPREAD_TABLE, bands_sentence

    path = root / "tables" / SPREAD_TABLE
    if not path.is_file():
        return bands_sentence(None)
    header, rows = read_csv_rows(path)
    return bands_sentence([dict(zip(header, r, strict=False)) for r in rows])


def _headline_html(root: Path, manifest: Mapping[str, Any]) -> str:
    """The headline table, formatted; a CSV of another layout is shown as it is."""
    path = root / "tables" / HEADLINE_TABLE
    if not path.is_file():
        return "<p>No headline table was produced (see the notebook statuses below).</p>"
    header, rows = read_csv_rows(path)
    if {"scenario", "china_p50"} <= set(header):
        table = _headline_numeric([dict(zip(header, r, strict=False)) for r in rows],
                                  manifest.get("last_observed_year"), _bands_text(root))
    else:
        table = f'<div class="scroll">{_table_html(header, rows)}</div>'
    return table + (f"<p>{_link('tables/' + HEADLINE_TABLE, 'headline table (CSV)')}; "
                    "the summary notebook gives the assumptions and caveats.</p>")


def _scenarios_html(root: Path) -> str:
    """One line per scenario saying what it assumes, from the run's scenario table."""
    path = root / "tables" / SCENARIO_TABLE
    if not path.is_file():
        return ""
    header, rows = read_csv_rows(path)
    if "description" not in header or not ({"name", "scenario"} & set(header)):
        return ""
    key = header.index("name" if "name" in header else "scenario")
    text = header.index("description")
    items = "".join(f"<li><strong>{html.escape(r[key])}</strong>: {html.escape(r[text])}</li>"
                    for r in rows if len(r) > max(key, text))
    return ("<h2>What each scenario assumes</h2>"
            f'<ul class="scenarios">{items}</ul>'
            f"<p>{_link('tables/' + SCENARIO_TABLE, 'scenario table (CSV)')}.</p>")


def _notebook_title(path: Path, fallback: str) -> str:
    """The page title of a notebook file (read as JSON: the index needs no nbformat)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return fallback
    return _first_heading(cells, fallback)


def _notebooks_html(root: Path, manifest: Mapping[str, Any]) -> str:
    rows = []
    for entry in manifest.get("notebooks", []):
        name = str(entry.get("name", ""))
        stem = name.removesuffix(".ipynb")
        title = _notebook_title(root / name, stem)
        page = (_link(f"{stem}.html", title) if (root / f"{stem}.html").is_file()
                else html.escape(title))
        source = _link(name, "notebook") if (root / name).is_file() else ""
        st = str(entry.get("status", ""))
        duration = entry.get("duration_s")
        rows.append(
            f'<tr><td class="text">{page}</td>'
            f'<td class="status-{html.escape(st)}">{html.escape(st)}</td>'
            f"<td>{'' if duration is None else f'{float(duration):.1f} s'}</td>"
            f"<td>{source}</td>"
            f'<td class="text">{html.escape(str(entry.get("error") or ""))}</td></tr>')
    return ('<div class="scroll"><table><thead><tr><th>page</th><th>status</th><th>time</th>'
            '<th>source</th><th class="text">error</th></tr></thead><tbody>'
            + "\n".join(rows) + "</tbody></table></div>")


def _figures_html(root: Path, manifest: Mapping[str, Any]) -> str:
    """Every figure, grouped under the notebook page that draws it (``NN_`` prefix)."""
    figures = sorted((root / "figures").glob("*.png")) if (root / "figures").is_dir() else []
    if not figures:
        return "<p>None.</p>"
    groups: dict[str, list[Path]] = {}
    titles: dict[str, str] = {}
    for entry in manifest.get("notebooks", []):
        stem = str(entry.get("name", "")).removesuffix(".ipynb")
        titles[stem.split("_", 1)[0] + "_"] = stem
    for fig in figures:
        prefix = fig.name.split("_", 1)[0] + "_"
        groups.setdefault(prefix if prefix in titles else "", []).append(fig)
    parts = []
    for prefix, figs in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0])):
        stem = titles.get(prefix)
        if stem is not None:
            title = _notebook_title(root / f"{stem}.ipynb", stem)
            page = f"{stem}.html"
            parts.append("<h3>" + (_link(page, title) if (root / page).is_file()
                                   else html.escape(title)) + "</h3>")
        else:
            parts.append("<h3>Other figures</h3>")
        parts.append('<div class="figures">' + "".join(
            f'<figure><a href="figures/{html.escape(f.name, quote=True)}">'
            f'<img src="figures/{html.escape(f.name, quote=True)}" alt="{html.escape(f.stem)}"'
            f'></a><figcaption>{html.escape(f.name)}</figcaption></figure>'
            for f in figs) + "</div>")
    return "\n".join(parts)


def _tables_html(root: Path) -> str:
    tables = sorted((root / "tables").glob("*.csv")) if (root / "tables").is_dir() else []
    if not tables:
        return "<p>None.</p>"
    rows = []
    for path in tables:
        header, body = read_csv_rows(path)
        rows.append(f'<tr><td>{_link("tables/" + path.name, path.name)}</td>'
                    f"<td>{len(body):,}</td>"
                    f'<td class="text">{html.escape(", ".join(header))}</td></tr>')
    return ('<div class="scroll"><table><thead><tr><th>table</th><th>rows</th>'
            '<th class="text">columns</th></tr></thead><tbody>' + "\n".join(rows)
            + "</tbody></table></div>")


def write_index(run_dir: str | Path, manifest: Mapping[str, Any], changes: str = "") -> Path:
    """Write ``index.html``: headline, scenarios, and links to every page, table and figure.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (paths in the page are relative to it, so the folder can be moved or
        served as static files).
    manifest : mapping
        The run manifest (see :mod:`forecast.run.pipeline`); its ``notebooks`` entries give the
        status and duration shown.
    changes : str
        HTML section on what changed since the previous run
        (:func:`forecast.run.changes.changes_html`), shown after the scenarios.

    Returns
    -------
    Path
        The written ``index.html``.
    """
    root = Path(run_dir)
    run_id = html.escape(str(manifest.get("run_id", "")))
    status = str(manifest.get("status", "unknown"))
    git = manifest.get("git") or {}
    commit = str(git.get("commit") or "unknown")[:12] + (" (modified)" if git.get("dirty") else "")
    duration = manifest.get("duration_s")
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>forecast run {run_id}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>forecast run <code>{run_id}</code></h1>",
        f'<p class="meta">Status: <span class="status-{html.escape(status)}">'
        f"{html.escape(status)}</span>"
        f" &middot; started {html.escape(str(manifest.get('started', '')))}"
        f" &middot; finished {html.escape(str(manifest.get('finished', '')))}"
        + ("" if duration is None else f" ({float(duration):.0f} s)")
        + f" &middot; code {html.escape(commit)}</p>",
        "<h2>Headline</h2>",
        _headline_html(root, manifest),
        _scenarios_html(root),
    ]
    if changes:
        parts.append(changes)
    parts += [
        "<h2>Notebook pages</h2>",
        _notebooks_html(root, manifest),
        "<h2>Figures</h2>",
        _figures_html(root, manifest),
        "<h2>Tables</h2>",
        _tables_html(root),
    ]

    logs = sorted((root / "logs").glob("*.log")) if (root / "logs").is_dir() else []
    if logs:
        parts.append("<h2>Kernel logs</h2><p>What kernel processes printed outside the cells "
                     "(shutdown noise, crashes):</p>")
        parts.append("<ul>" + "".join(f"<li>{_link('logs/' + p.name, p.name)}</li>"
                                      for p in logs) + "</ul>")

    params = manifest.get("parameters") or {}
    parts.append("<h2>Parameters</h2>")
    values = _table_html(["parameter", "value"],
                         [[str(k), repr(v)] for k, v in sorted(params.items())])
    parts.append('<div class="scroll">' + values.replace("<table>", '<table class="params">', 1)
                 + "</div>")
    parts.append(f"<p>Inputs, hashes and package versions: {_link('manifest.json')}.</p>")
    parts.append("</body></html>")

    out = root / "index.html"
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return out
