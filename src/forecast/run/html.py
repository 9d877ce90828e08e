"""HTML for reviewers: executed notebooks without code, and the run's index page.

Rendering happens in-process with nbconvert's :class:`~nbconvert.HTMLExporter` (no
``jupyter nbconvert`` subprocess per notebook), with input cells and prompts removed so
reviewers read prose, tables and figures only.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "HEADLINE_TABLE",
    "read_csv_rows",
    "render_notebook_html",
    "write_index",
]

#: Table (in ``tables/``) shown at the top of ``index.html``; written by 00_summary.
HEADLINE_TABLE = "headline.csv"


def render_notebook_html(notebook_path: str | Path, html_path: str | Path) -> Path:
    """Render an executed notebook to standalone HTML with the code hidden.

    Parameters
    ----------
    notebook_path : str or Path
        Executed ``.ipynb``.
    html_path : str or Path
        Where to write the HTML.

    Returns
    -------
    Path
        ``html_path``.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
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
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 70em; color: #222; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; }
td:first-child, th:first-child { text-align: left; }
.status-ok { color: #1a7f37; } .status-failed { color: #c0392b; font-weight: bold; }
.status-skipped { color: #888; }
.figures img { max-width: 32em; border: 1px solid #ddd; margin: 0.3em; }
code { background: #f5f5f5; padding: 0 0.2em; }
"""


def write_index(run_dir: str | Path, manifest: Mapping[str, Any], changes: str = "") -> Path:
    """Write ``index.html`` linking every notebook, table and figure of a run.

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
        (:func:`forecast.run.changes.changes_html`), shown after the headline.

    Returns
    -------
    Path
        The written ``index.html``.
    """
    root = Path(run_dir)
    status = str(manifest.get("status", "unknown"))
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>forecast run {html.escape(str(manifest.get('run_id', '')))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>forecast run <code>{html.escape(str(manifest.get('run_id', '')))}</code></h1>",
        f'<p>Status: <span class="status-{html.escape(status)}">{html.escape(status)}</span>'
        f" &middot; started {html.escape(str(manifest.get('started', '')))}"
        f" &middot; finished {html.escape(str(manifest.get('finished', '')))}"
        f" &middot; git {html.escape(str((manifest.get('git') or {}).get('commit')))}</p>",
    ]

    headline = root / "tables" / HEADLINE_TABLE
    parts.append("<h2>Headline</h2>")
    if headline.is_file():
        header, rows = read_csv_rows(headline)
        parts.append(_table_html(header, rows))
        parts.append(f"<p>{_link('tables/' + HEADLINE_TABLE, 'headline table (CSV)')}; "
                     "read the summary notebook for the assumptions and caveats.</p>")
    else:
        parts.append("<p>No headline table was produced (see the notebook statuses below).</p>")
    if changes:
        parts.append(changes)

    parts.append("<h2>Notebooks</h2>")
    nb_rows = []
    for entry in manifest.get("notebooks", []):
        name = str(entry.get("name", ""))
        stem = name.removesuffix(".ipynb")
        links = []
        if (root / f"{stem}.html").is_file():
            links.append(_link(f"{stem}.html", "report"))
        if (root / name).is_file():
            links.append(_link(name, "notebook"))
        st = str(entry.get("status", ""))
        duration = entry.get("duration_s")
        nb_rows.append(
            f"<tr><td>{html.escape(stem)}</td>"
            f'<td class="status-{html.escape(st)}">{html.escape(st)}</td>'
            f"<td>{'' if duration is None else f'{float(duration):.1f} s'}</td>"
            f"<td>{' &middot; '.join(links)}</td>"
            f"<td>{html.escape(str(entry.get('error') or ''))}</td></tr>"
        )
    parts.append(
        "<table><thead><tr><th>notebook</th><th>status</th><th>time</th><th>open</th>"
        "<th>error</th></tr></thead><tbody>" + "\n".join(nb_rows) + "</tbody></table>"
    )

    tables = sorted((root / "tables").glob("*.csv")) if (root / "tables").is_dir() else []
    parts.append("<h2>Tables</h2>")
    parts.append(
        "<ul>" + "".join(f"<li>{_link('tables/' + t.name, t.name)}</li>" for t in tables) + "</ul>"
        if tables else "<p>None.</p>"
    )

    figures = sorted((root / "figures").glob("*.png")) if (root / "figures").is_dir() else []
    parts.append("<h2>Figures</h2>")
    if figures:
        parts.append('<div class="figures">' + "".join(
            f'<a href="figures/{html.escape(f.name, quote=True)}">'
            f'<img src="figures/{html.escape(f.name, quote=True)}" alt="{html.escape(f.stem)}"'
            f' title="{html.escape(f.stem)}"></a>'
            for f in figures
        ) + "</div>")
    else:
        parts.append("<p>None.</p>")

    logs = sorted((root / "logs").glob("*.log")) if (root / "logs").is_dir() else []
    if logs:
        parts.append("<h2>Kernel logs</h2><p>What kernel processes printed outside the cells "
                     "(shutdown noise, crashes):</p>")
        parts.append("<ul>" + "".join(f"<li>{_link('logs/' + p.name, p.name)}</li>"
                                      for p in logs) + "</ul>")

    params = manifest.get("parameters") or {}
    parts.append("<h2>Parameters</h2>")
    parts.append(_table_html(["parameter", "value"],
                             [[str(k), repr(v)] for k, v in sorted(params.items())]))
    parts.append(f"<p>Inputs, hashes and package versions: {_link('manifest.json')}.</p>")
    parts.append("</body></html>")

    out = root / "index.html"
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return out
