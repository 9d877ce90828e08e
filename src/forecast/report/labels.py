"""Plain words for everything a reviewer reads: "Degrees of freedom left", not ``df_resid``.

The words are data, ``labels.toml`` beside this module, read once on import (the run
parameters' are their declared help texts); names without an entry are put in words by rule
(:func:`label`, :func:`parameter_label`), and scenario names are written as the scenario files
write them.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.files import read_table
from forecast.report.formatting import gwh, percent
from forecast.report.parameters import PARAMETERS, run_parameter_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["GLOSSARY", "LABELS", "MODEL_LABELS", "PARAMETER_LABELS", "derivation_words",
           "glossary_markdown", "in_words", "label", "model_label", "parameter_label",
           "parameter_value", "parameters_words", "read_parameter_value", "source_label",
           "table"]

_WORDS = tomllib.loads(files("forecast.report").joinpath("labels.toml").read_text("utf-8"))
#: Words for the dotted keys of scenario parameters
#: (:meth:`forecast.scenarios.Scenario.parameters`).
PARAMETER_LABELS: dict[str, str] = _WORDS["parameters"]
#: Words for growth models and calibration methods.
MODEL_LABELS: dict[str, str] = _WORDS["models"]
_NAMES = ChainMap(*(_WORDS[k] for k in ("series", "segments", "cells", "variants")), MODEL_LABELS)

#: The one table of labels, for tables, figures and prose: every name a page shows, in words.
LABELS: dict[str, str] = {
    **{k: v[:1].upper() + v[1:] for k, v in _NAMES.items()},
    **{name: run_parameter_label(name) for name in PARAMETERS}, **PARAMETER_LABELS,
    **_WORDS["columns"],
}

# Columns of free text that may name series, segments or models: the names put in words.
_TEXT_COLUMNS = ("detail", "reason", "caveat", "main_cause", "note", "basis")
_SHORTHAND = tuple((re.compile(p), w) for p, w in _WORDS["shorthand"].items())
_PERCENTILES = re.compile(r"\bp(\d+)/p(\d+)\b")
# An identifier, with the size of a conditional-table cell (``ev_car_sales:small``) if any.
_IDENTIFIER = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(:[a-z]+)?\b")

# Columns whose cells are names (of series, segments, variants, models, assumptions), shown
# in words; other text cells (quotes, descriptions, scenario names) are shown as written.
_NAME_COLUMNS = ("series", "segment", "variant", "model", "method", "parameter", "cell")
_DOTTED = re.compile(r"[a-z_]+(?:\.[a-z_]+)+")
_REFERENCE = re.compile(r"\{([^{}:]+):([^{}:]+):([^{}:]+):(\d{4})\}")
_PARAMETER_PART = re.compile(r"^\s*([A-Za-z_]\w*)=([^\s(]+)(?:\s*\(se ([^)]+)\))?\s*$")

#: Terms a reviewer meets in the notebooks, each explained in a sentence.
GLOSSARY: dict[str, str] = _WORDS["glossary"]


def label(name: object) -> str:
    """Plain words for a name a page shows: its :data:`LABELS` entry, else the name with
    spaces for underscores and a capital first letter."""
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if _DOTTED.fullmatch(text):
        return parameter_label(text)
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _word(name: object) -> str:
    """A name in words as it reads inside a sentence or a cell (no capital added)."""
    text = str(name)
    if text in _NAMES:
        return _NAMES[text]
    return label(text) if "_" in text or _DOTTED.fullmatch(text) else text


def in_words(text: object) -> object:
    """Free text with the program's names (series, segments, models, shorthand) put in
    words; other values as given."""
    if not isinstance(text, str):
        return text
    text = _PERCENTILES.sub(r"\1th and \2th percentiles", text)
    for pattern, words in _SHORTHAND:
        text = pattern.sub(words, text)
    return _IDENTIFIER.sub(
        lambda m: _NAMES.get(m.group(0)) or _word(m.group(1)) + (m.group(2) or ""), text)


def derivation_words(formula: object, series: str = "") -> str:
    """A derivation formula of the history (``{series:region:segment:year} / (1 + ...)``) in
    words: the row's own ``series`` and its growth read "the 2024 value", "the 2024 growth"."""
    if not isinstance(formula, str) or not formula.strip():
        return ""

    def words(match: re.Match[str]) -> str:
        name, region, segment, year = match.groups()
        if name == series:
            return f"the {year} value"
        if name == f"{series}_growth":
            return f"the {year} growth"
        return f"{_word(name)} ({region}, {_word(segment)}, {year})"

    text = _REFERENCE.sub(words, formula)
    return (text.replace(" / ", " divided by ").replace(" - ", " minus ")
            .replace(" + ", " plus ").replace("(1 plus ", "(one plus "))


def parameters_words(text: object) -> str:
    """A model's parameter line (the ``parameters`` cell of
    :func:`forecast.evaluation.compare_models`) in words: ``"midpoint=2,021.8 (se 0.1451)"``
    reads ``"midpoint year 2021.8 ± 0.15"``; parts that do not parse are kept."""
    if not isinstance(text, str):
        return ""
    parts = []
    for part in text.split(";"):
        match = _PARAMETER_PART.match(part)
        if match is None:
            parts.append(part.strip())
            continue
        key, value, se = match.groups()
        if key.endswith("year") or key == "midpoint":
            value = value.replace(",", "")
        try:
            spread = f" ± {float(format(float(se.replace(',', '')), '.2g')):,g}" if se else ""
        except ValueError:
            spread = f" ± {se}"
        words = _WORDS["model_parameters"].get(key, key.replace("_", " "))
        parts.append(f"{words} {value}{spread}")
    return "; ".join(p for p in parts if p)


def table(frame: pd.DataFrame,
          formats: Mapping[str, Callable[[Any], str]] | None = None) -> Styler:
    """A styled copy of ``frame`` for a reviewer's page, its index hidden: column names and the
    cells of the name columns in words, ``yes``/``no`` for booleans, shares as percentages,
    ``formats`` (``{column: formatter}``) applied."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if column in _NAME_COLUMNS:
            shown[column] = values.map(lambda v: in_words(_word(v)) if isinstance(v, str) else v)
        elif column in _TEXT_COLUMNS:
            shown[column] = values.map(in_words)
        elif column == "check":
            shown[column] = values.map(lambda v: _WORDS["checks"].get(v, v))
        elif column == "parameters":
            shown[column] = values.map(parameters_words)
        elif column == "derivation" and "series" in frame.columns:
            shown[column] = [derivation_words(f, s) for f, s in
                             zip(values, frame["series"], strict=True)]
        elif len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
            shown[column] = values.map(lambda v: "yes" if v else "no")
    if {"value", "unit"} <= set(shown.columns):
        # Shares are written as percentages everywhere, also in a column of mixed units.
        share = (shown["unit"] == "fraction") & shown["value"].map(
            lambda v: isinstance(v, int | float) and math.isfinite(v))
        shown["value"] = shown["value"].astype(object)
        shown.loc[share, "value"] = shown.loc[share, "value"].map(percent)
        shown.loc[share, "unit"] = "%"
    # Other columns keep the default format; text already written (a percentage) stays as is.
    styler = shown.style.format({c: (lambda v, f=f: v if isinstance(v, str) else f(v))
                                 for c, f in (formats or {}).items()}, na_rep="-")
    return styler.format_index(label, axis="columns").hide(axis="index")


def source_label(data_dir: str | Path, documents: Sequence[str]) -> str:
    """Short citation of ``documents`` from ``<data_dir>/sources.csv``: ``"SMM Information &
    Technology (2025), doc 002"``; without a known publisher by its title, missing from the
    catalogue by its file name."""
    catalogue = {row["document"]: row for row in read_table(data_dir, "sources.csv")}
    parts = []
    for doc in dict.fromkeys(documents):
        row = catalogue.get(doc)
        if row is None:
            parts.append(doc)
            continue
        year = (row.get("published") or "").strip()[:4]
        parts.append(f"{_document_name(row)}{f' ({year})' if year else ''}, "
                     f"doc {doc.split('_', 1)[0]}")
    return "; ".join(parts)


def _document_name(row: Mapping[str, str]) -> str:
    """A document's publisher, else its title in quotes and its kind ("unknown (blog)")."""
    who = (row.get("publisher") or "").strip()
    unknown = who.lower().startswith("unknown")
    if who and not unknown:
        return who
    title = (row.get("title") or "").strip()
    kind = who[len("unknown"):].strip() if unknown else ""
    if not title:
        return f"unknown publisher {kind}".strip()
    return f"\u201c{title}\u201d{f' {kind}' if kind else ''}"


def parameter_label(key: str) -> str:
    """Plain words for a scenario parameter's dotted key (``"segments.x.cagr"`` -> ``"X: growth
    rate"``)."""
    if key in PARAMETER_LABELS:
        return PARAMETER_LABELS[key]
    parts = [p for p in str(key).split(".") if p not in ("segments", "caps")]
    if not parts:
        return str(key)
    head = _WORDS["parameter_heads"].get(parts[0], parts[0].replace("_", " ").capitalize())
    rest = " ".join(_WORDS["parameter_names"].get(p, p.replace("_", " ")) for p in parts[1:])
    return f"{head}: {rest}" if rest else head


def _unit(key: str) -> str:
    return _WORDS["parameter_units"].get(str(key).rsplit(".", 1)[-1], "")


def parameter_value(key: str, value: float | str) -> str:
    """A scenario parameter's value in its unit: growth rates and shares in percent
    (``"22.0%/yr"``, ``"75.0%"``), levels in GWh, ``"from the data"`` for ``data``/``trend``."""
    if isinstance(value, str):
        return f"from the {value}"
    unit = _unit(key)
    if unit.startswith("%"):
        return percent(value) + unit[1:]
    return f"{gwh(value)}{unit}" if unit == " GWh" else f"{value:g}{unit}"


def read_parameter_value(key: str, text: str) -> float | None:
    """A value typed as :func:`parameter_value` writes it, in the parameter's unit (``"30"``
    or ``"30.0%/yr"`` for a growth rate, ``"2,000 GWh"``); None if not a finite number."""
    cleaned = text.replace(",", "").replace("GWh", "").replace("/yr", "").strip()
    share = cleaned.endswith("%") or _unit(key).startswith("%")
    try:
        value = float(cleaned.rstrip("%").strip())
    except ValueError:
        return None
    return (value / 100.0 if share else value) if math.isfinite(value) else None


def model_label(name: str) -> str:
    """Plain words for a growth model's registry name (the name in words if unknown)."""
    return MODEL_LABELS.get(str(name), str(name).replace("_", " "))


def glossary_markdown() -> str:
    """:data:`GLOSSARY` as a Markdown list, one ``**term**: meaning`` line per term."""
    return "\n".join(f"* **{term}**: {meaning}" for term, meaning in GLOSSARY.items())
