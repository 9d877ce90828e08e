"""The reviewer view of an executed notebook: what a reader of the HTML page sees.

:func:`reviewer_notebook` removes the cells tagged ``modeller`` or ``remove_cell``, the
``parameters`` and ``injected-parameters`` cells and the outputs of cells tagged
``remove_output`` (nbconvert's :class:`~nbconvert.preprocessors.TagRemovePreprocessor`), then
printed output and text-only results, and code cells left empty (:class:`ReviewerOutputs`).
Errors stay, so a failed notebook's page says why. :func:`align_tables` marks tables' text
columns so words align left and numbers right. The exporter hides the remaining inputs.
"""

from __future__ import annotations

import copy
import html
import itertools
import re
from collections.abc import Mapping
from typing import Any

from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

__all__ = [
    "REVIEWER_MIME_TYPES",
    "REVIEWER_REMOVED_CELL_TAGS",
    "REVIEWER_REMOVED_OUTPUT_TAGS",
    "ReviewerOutputs",
    "align_tables",
    "reviewer_notebook",
]

#: Cells left out of the reviewer view whole: modeller instructions and parameter cells.
REVIEWER_REMOVED_CELL_TAGS = frozenset(
    {"modeller", "remove_cell", "parameters", "injected-parameters"})
#: Cells whose outputs are left out of the reviewer view.
REVIEWER_REMOVED_OUTPUT_TAGS = frozenset({"remove_output"})
#: Output representations a reviewer sees; an output with none of them (only ``text/plain``,
#: or a live widget's model) is left out.
REVIEWER_MIME_TYPES = (
    "text/html", "text/markdown", "text/latex",
    "image/png", "image/jpeg", "image/svg+xml", "image/gif",
)


def _output_shown(output: Mapping[str, Any]) -> bool:
    kind = output.get("output_type")
    if kind == "stream":
        return False
    if kind in ("display_data", "execute_result"):
        return any(mime in output.get("data", {}) for mime in REVIEWER_MIME_TYPES)
    return True  # errors: a failed notebook's page says why


_TABLE_RE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW_RE = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S | re.I)
_CELL_RE = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]*>")
# Numbers as the report writes them: "3,115", "-0.4%", "2,602-3,925", "3,115 (2,602-3,925)",
# and the usual markers of a missing value.
_NUMBER_CELL_RE = re.compile(r"[\s\d.,%+\-\u2212\u2013()]*|nan|NaN|inf|-inf|None|<NA>|NaT")
#: Text cells longer than this many characters get room to wrap (class ``long``).
_LONG_TEXT = 50


def _cell_text(content: str) -> str:
    return html.unescape(_TAG_RE.sub("", content)).strip()


def _is_text(value: str) -> bool:
    return bool(value) and not _NUMBER_CELL_RE.fullmatch(value)


def _with_class(attrs: str, names: str) -> str:
    match = re.search(r"""class\s*=\s*(["'])""", attrs)
    if match:
        return attrs[:match.end()] + names + " " + attrs[match.end():]
    return f'{attrs} class="{names}"'


def _align_table(table: str) -> str:
    """Mark one table's text columns (class ``text``): a column is text when most of its
    non-empty body cells hold words; with merged cells each body cell is judged alone."""
    rows = [list(_CELL_RE.finditer(row.group(2))) for row in _ROW_RE.finditer(table)]
    merged = re.search(r"\b(rowspan|colspan)\s*=", table, re.I) is not None
    body = [r for r in rows if any(c.group(1).lower() == "td" for c in r)]
    text_columns: set[int] = set()
    if not merged:
        for j in range(max((len(r) for r in body), default=0)):
            values = [v for v in (_cell_text(r[j].group(3)) for r in body if j < len(r)) if v]
            if values and 2 * sum(_is_text(v) for v in values) > len(values):
                text_columns.add(j)

    def cell(match: re.Match[str], column: int) -> str:
        tag, attrs, content = match.groups()
        value = _cell_text(content)
        is_text = (column in text_columns) if not merged else (
            tag.lower() == "td" and _is_text(value))
        if not is_text:
            return match.group(0)
        names = "text long" if len(value) > _LONG_TEXT else "text"
        return f"<{tag}{_with_class(attrs, names)}>{content}</{tag}>"

    def row(match: re.Match[str]) -> str:
        cells = itertools.count()
        inner = _CELL_RE.sub(lambda m: cell(m, next(cells)), match.group(2))
        return match.group(1) + inner + match.group(3)

    return _ROW_RE.sub(row, table)


def align_tables(fragment: str) -> str:
    """``fragment`` (HTML) with the cells of its tables' text columns in class ``text``
    (``text long`` beyond a short phrase), which the reviewer stylesheet aligns left."""
    return _TABLE_RE.sub(lambda m: _align_table(m.group(0)), fragment)


class ReviewerOutputs(Preprocessor):
    """Drop printed output, text-only results and code cells left without output; rich
    results keep only :data:`REVIEWER_MIME_TYPES` (a widget shows its static fallback)."""

    def preprocess(self, notebook: Any, resources: dict[str, Any]
                   ) -> tuple[Any, dict[str, Any]]:
        kept = []
        for cell in notebook.cells:
            if cell.cell_type == "code":
                outputs = [out for out in cell.get("outputs", []) if _output_shown(out)]
                for out in outputs:
                    if "data" in out:
                        out["data"] = {mime: value for mime, value in out["data"].items()
                                       if mime in REVIEWER_MIME_TYPES}
                        if "<table" in str(out["data"].get("text/html", "")):
                            out["data"]["text/html"] = align_tables(str(out["data"]["text/html"]))
                cell.outputs = outputs
                if not outputs:
                    continue  # nothing a reviewer sees: no empty block on the page
            kept.append(cell)
        notebook.cells = kept
        return notebook, resources


def reviewer_notebook(notebook: Any) -> Any:
    """The reviewer view (module docstring) of an executed ``NotebookNode``, as a copy."""
    view = copy.deepcopy(notebook)
    resources: dict[str, Any] = {}
    view, resources = TagRemovePreprocessor(
        enabled=True,
        remove_cell_tags=set(REVIEWER_REMOVED_CELL_TAGS),
        remove_all_outputs_tags=set(REVIEWER_REMOVED_OUTPUT_TAGS),
    ).preprocess(view, resources)
    view, _ = ReviewerOutputs(enabled=True).preprocess(view, resources)
    return view
