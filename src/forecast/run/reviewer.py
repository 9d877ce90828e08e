"""The reviewer view of an executed notebook: what a reader of the HTML page sees.

:func:`reviewer_notebook` removes the cells tagged ``modeller`` or ``remove_cell``, the
parameter cells and the outputs of cells tagged ``remove_output`` (nbconvert's
:class:`~nbconvert.preprocessors.TagRemovePreprocessor`), then printed output, text-only
results and code cells left empty (:class:`ReviewerOutputs`). Errors stay, so a failed
notebook's page says why. :func:`align_tables` marks tables' text columns so words align left
and numbers right.
"""

from __future__ import annotations

import copy
import html
import itertools
import re
from collections.abc import Mapping
from typing import Any

from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

__all__ = ["REVIEWER_MIME_TYPES", "REVIEWER_REMOVED_CELL_TAGS", "REVIEWER_REMOVED_OUTPUT_TAGS",
           "ReviewerOutputs", "align_tables", "reviewer_notebook"]

#: Cells left out of the reviewer view whole: modeller instructions and parameter cells.
REVIEWER_REMOVED_CELL_TAGS = frozenset(
    {"modeller", "remove_cell", "parameters", "injected-parameters"})
#: Cells whose outputs are left out of the reviewer view.
REVIEWER_REMOVED_OUTPUT_TAGS = frozenset({"remove_output"})
#: Output representations a reviewer sees; an output with none of them is left out.
REVIEWER_MIME_TYPES = ("text/html", "text/markdown", "text/latex",
                       "image/png", "image/jpeg", "image/svg+xml", "image/gif")

_TABLE_RE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW_RE = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S | re.I)
_CELL_RE = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S | re.I)
# Numbers as the report writes them ("3,115", "-0.4%", "2,602-3,925") and missing values.
_NUMBER_RE = re.compile(r"[\s\d.,%+\-\u2212\u2013()]*|nan|NaN|inf|-inf|None|<NA>|NaT")
_LONG_TEXT = 50  # characters beyond which a text cell gets room to wrap (class ``long``)


def _plain(content: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", content)).strip()


def _is_text(value: str) -> bool:
    return bool(value) and not _NUMBER_RE.fullmatch(value)


def _align_table(table: str) -> str:
    """Mark one table's text columns (class ``text``): a column is text when most of its
    non-empty body cells hold words; with merged cells each body cell is judged alone."""
    rows = [list(_CELL_RE.finditer(row.group(2))) for row in _ROW_RE.finditer(table)]
    merged = re.search(r"\b(rowspan|colspan)\s*=", table, re.I) is not None
    body = [r for r in rows if any(c.group(1).lower() == "td" for c in r)]
    text_columns = set()
    for j in range(0 if merged else max((len(r) for r in body), default=0)):
        filled = [v for v in (_plain(r[j].group(3)) for r in body if j < len(r)) if v]
        if filled and 2 * sum(_is_text(v) for v in filled) > len(filled):
            text_columns.add(j)

    def cell(match: re.Match[str], column: int) -> str:
        tag, attrs, content = match.groups()
        plain = _plain(content)
        if not (column in text_columns if not merged else
                tag.lower() == "td" and _is_text(plain)):
            return match.group(0)
        names = "text long" if len(plain) > _LONG_TEXT else "text"
        found = re.search(r"""class\s*=\s*(["'])""", attrs)
        attrs = (attrs[:found.end()] + names + " " + attrs[found.end():] if found
                 else f'{attrs} class="{names}"')
        return f"<{tag}{attrs}>{content}</{tag}>"

    def row(match: re.Match[str]) -> str:
        cells = itertools.count()
        inner = _CELL_RE.sub(lambda m: cell(m, next(cells)), match.group(2))
        return match.group(1) + inner + match.group(3)

    return _ROW_RE.sub(row, table)


def align_tables(fragment: str) -> str:
    """``fragment`` (HTML) with the cells of its tables' text columns in class ``text``
    (``text long`` beyond a short phrase), which the reviewer stylesheet aligns left."""
    return _TABLE_RE.sub(lambda m: _align_table(m.group(0)), fragment)


def _shown(output: Mapping[str, Any]) -> bool:
    if output.get("output_type") == "stream":
        return False
    if output.get("output_type") in ("display_data", "execute_result"):
        return any(mime in output.get("data", {}) for mime in REVIEWER_MIME_TYPES)
    return True  # errors: a failed notebook's page says why


class ReviewerOutputs(Preprocessor):
    """Drop printed output, text-only results and code cells left without output; rich
    results keep only :data:`REVIEWER_MIME_TYPES` (a widget shows its static fallback)."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Filter ``nb``'s outputs in place (see the class)."""
        kept = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.get("outputs", []) if _shown(out)]
                for out in cell.outputs:
                    if "data" in out:
                        out["data"] = {mime: value for mime, value in out["data"].items()
                                       if mime in REVIEWER_MIME_TYPES}
                        if "<table" in str(out["data"].get("text/html", "")):
                            out["data"]["text/html"] = align_tables(str(out["data"]["text/html"]))
                if not cell.outputs:
                    continue  # nothing a reviewer sees: no empty block on the page
            kept.append(cell)
        nb.cells = kept
        return nb, resources


def reviewer_notebook(notebook: Any) -> Any:
    """The reviewer view (module docstring) of an executed ``NotebookNode``, as a copy."""
    view, resources = TagRemovePreprocessor(
        enabled=True, remove_cell_tags=set(REVIEWER_REMOVED_CELL_TAGS),
        remove_all_outputs_tags=set(REVIEWER_REMOVED_OUTPUT_TAGS),
    ).preprocess(copy.deepcopy(notebook), {})
    return ReviewerOutputs(enabled=True).preprocess(view, resources)[0]
