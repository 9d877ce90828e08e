"""The reviewer view of a notebook page and the index page, on hand-made notebooks and tables
(no kernel: outputs are written into the notebook as an executed one would hold them)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from forecast.run import html as render

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")


def _tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def _executed() -> nbformat.NotebookNode:
    table = "<table><tr><th>name</th><th>p50</th></tr><tr><td>base</td><td>3,115</td></tr></table>"
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 09 · A page\nProse a reviewer reads."),
        _tagged(new_markdown_cell("**Parameters.** The next cell holds the parameters"),
                "modeller"),
        _tagged(new_code_cell("n_draws = 100"), "parameters"),
        _tagged(new_code_cell("n_draws = 2000"), "injected-parameters"),
        new_code_cell("print('written')", outputs=[
            new_output("stream", name="stdout", text="projections: 402 rows -> projections.csv\n"),
            new_output("stream", name="stderr", text="a warning\n")]),
        new_code_cell("model.summary()", outputs=[
            new_output("execute_result", data={"text/plain": "SUMMARY DUMP"}, execution_count=3)]),
        new_code_cell("frame", outputs=[new_output(
            "execute_result", data={"text/plain": "FRAME AS TEXT", "text/html": table},
            execution_count=4)]),
        new_code_cell("fig", outputs=[
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("display_data", data={"text/plain": "<Figure size 640x480>"})]),
        _tagged(new_code_cell("noisy()", outputs=[
            new_output("display_data", data={"text/markdown": "HIDDEN OUTPUT"})]), "remove_output"),
        _tagged(new_markdown_cell("INTERNAL NOTE"), "remove_cell"),
        new_code_cell("explorer", outputs=[new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2},
            "text/plain": "VBox(...)"})]),
        new_code_cell("1 / 0", outputs=[new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero",
            traceback=["ZeroDivisionError: division by zero"])]),
    ]
    return nb


def test_reviewer_view_keeps_prose_tables_figures_and_errors_only(tmp_path):
    path = tmp_path / "09_page.ipynb"
    nbformat.write(_executed(), str(path))
    before = path.read_bytes()
    body = render.render_notebook_html(path, tmp_path / "09_page.html").read_text()
    body = body.split("<body", 1)[1]
    assert path.read_bytes() == before  # the executed notebook is left as it was
    cells = re.findall(r'class="jp-Cell jp-(\w+)Cell', body)
    assert cells == ["Markdown", "Code", "Code", "Code"]  # prose, frame, fig, 1 / 0
    assert body.count("jp-OutputArea-child") == 3  # the table, the figure, the error
    assert 'data-mime-type="text/html"' in body and "jp-RenderedImage" in body
    assert "ZeroDivisionError" in body


def test_rendered_page_has_no_code_no_printed_output_and_loads_nothing(tmp_path):
    path = tmp_path / "09_page.ipynb"
    nbformat.write(_executed(), str(path))
    page = render.render_notebook_html(path, tmp_path / "09_page.html").read_text()
    body = page.split("<body", 1)[1]
    for hidden in ("Parameters.", "n_draws", "402 rows", "a warning", "SUMMARY DUMP",
                   "FRAME AS TEXT", "&lt;Figure", "HIDDEN OUTPUT", "INTERNAL NOTE", "VBox",
                   "print(", "model.summary", "jp-InputPrompt", "jp-OutputPrompt",
                   "jp-InputArea-editor"):
        assert hidden not in body, hidden
    assert "Prose a reviewer reads." in page and "data:image/png;base64," in page
    assert "<td>base</td>" in page and "ZeroDivisionError" in page
    assert "<title>09 · A page</title>" in page
    assert '<a href="index.html">' in page
    assert "<script src=" not in page and "cdnjs" not in page  # nothing from the network


def _run_folder(tmp_path: Path, headline: str) -> Path:
    (tmp_path / "tables").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "tables" / "headline.csv").write_text(headline)
    (tmp_path / "tables" / "scenarios.csv").write_text(
        "name,description\nbase,Central view: power growth slows.\n"
        'published,"The published outlook, <about> 3,800 GWh."\n')
    (tmp_path / "figures" / "09_fan.png").write_bytes(b"png")
    (tmp_path / "figures" / "zz_other.png").write_bytes(b"png")
    nb = new_notebook()
    nb.cells = [new_markdown_cell("intro"), new_markdown_cell("## 09 · A page title")]
    nbformat.write(nb, str(tmp_path / "09_page.ipynb"))
    (tmp_path / "09_page.html").write_text("x")
    return tmp_path


MANIFEST = {"run_id": "r", "status": "ok", "last_observed_year": 2024, "duration_s": 61.2,
            "git": {"commit": "0123456789abcdef0123", "dirty": True},
            "notebooks": [{"name": "09_page.ipynb", "status": "ok", "duration_s": 3.0}]}


def test_index_formats_numeric_headline_and_says_what_scenarios_assume(tmp_path):
    root = _run_folder(tmp_path, (
        "scenario,year,china_p10,china_p50,china_p90,world_p10,world_p50,world_p90,"
        "china_share_p10,china_share_p50,china_share_p90,china_cagr\n"
        "base,2030,2602.33,3115.41,3924.66,3477.36,4179.76,5299.53,0.708687,0.744645,"
        "0.774876,0.177303\n"
        "published,2030,3809.2,3809.2,3809.2,5012,5012,5012,0.76,0.76,0.76,-0.00001\n"))
    page = render.write_index(root, MANIFEST).read_text()
    assert "<th>China 2030 [GWh]</th>" in page and "China growth 2024-2030 [%/yr]" in page
    assert '<span class="median">3,115</span><span class="band">2,602 to 3,925</span>' in page
    assert '<span class="median">74.5%</span><span class="band">70.9% to 77.5%</span>' in page
    # No uncertainty: one value, not "3,809 to 3,809"; no negative zero.
    assert '<span class="median">3,809</span></td>' in page and "3,809 to 3,809" not in page
    assert "<td>0.0%</td>" in page and "-0.0%" not in page
    assert "<td>base</td>" in page  # one row per scenario, named as in the CSV
    assert "<strong>published</strong>: The published outlook, &lt;about&gt; 3,800 GWh." in page
    assert page.index("What each scenario assumes") < page.index(
        "<h2>Changes since the previous run</h2>") < page.index("No earlier finished run")
    assert '<a href="09_page.html">09 · A page title</a>' in page
    assert '<img src="figures/09_fan.png"' in page and "<h3>Other figures</h3>" in page
    assert page.index("figures/09_fan.png") < page.index("figures/zz_other.png")
    assert "0123456789ab (modified)" in page and "(61 s)" in page
    assert 'name="viewport"' in page and "max-width: 100%" in page


def test_index_shows_a_headline_of_another_layout_as_it_is(tmp_path):
    root = _run_folder(tmp_path, "scenario,China 2030 median [GWh]\nbase,3115\n")
    page = render.write_index(root, {**MANIFEST, "notebooks": []}).read_text()
    assert "<th>China 2030 median [GWh]</th>" in page and "<td>3115</td>" in page
    assert "<strong>base</strong>" in page
