"""Plain words for everything a reviewer reads: one table of labels for the program's names.

A reviewer reads "Degrees of freedom left", not ``df_resid``. :data:`LABELS` is the one table
that tables (:func:`table`), figures and prose take their words from: table columns, series,
segments, variants of the data, models, notebook parameters and scenario assumptions; the
glossary (:func:`glossary_markdown`) explains the words a reviewer may not know. Names without
an entry are put in words by rule (:func:`label`, :func:`parameter_label`). Scenario names are
names, written as the scenario files write them.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.report.formatting import gwh, percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["GLOSSARY", "LABELS", "MODEL_LABELS", "PARAMETER_LABELS", "derivation_words",
           "glossary_markdown", "in_words", "label", "model_label", "parameter_label",
           "parameter_value", "parameters_words", "source_label", "table"]

#: Words for the dotted keys of scenario parameters
#: (:meth:`forecast.scenarios.Scenario.parameters`).
PARAMETER_LABELS: dict[str, str] = {
    "segments.power.cagr": "Power: growth rate", "segments.power.damping": "Power: growth damping",
    "segments.power.sales_target": "Power: EV sales in the target year",
    "segments.power.kwh_target": "Power: battery size per EV",
    "segments.consumer.cagr": "Consumer: growth rate",
    "segments.storage.cagr": "Storage: growth rate",
    "segments.storage.saturation": "Storage: saturation level",
    "segments.storage.rate": "Storage: steepness of the S-curve",
    "share.target": "China's world share in the target year",
    "caps.capacity.base": "Capacity: starting level",
    "caps.capacity.growth": "Capacity: growth rate",
    "caps.capacity.max_utilisation": "Capacity: highest utilisation",
}

#: Words for growth models and calibration methods (``logistic`` and ``logistic_free_k`` are
#: the same model, as :func:`forecast.models.make_model` builds it).
MODEL_LABELS: dict[str, str] = {
    "cagr_endpoint": "constant growth (first to last year)", "cagr_ls": "constant growth (fitted)",
    "linear": "straight line", "exponential": "exponential",
    "damped": "slowing growth (damped trend)", "logistic": "S-curve (logistic, fitted ceiling)",
    "gompertz": "S-curve (Gompertz, fitted ceiling)",
    "logistic_free_k": "S-curve (logistic, fitted ceiling)",
    "gompertz_free_k": "S-curve (Gompertz, fitted ceiling)", "bass": "diffusion (Bass)",
    "default": "calibrated default (technology ramp-ups)", "naive_last": "naive: last value held",
    "naive_last_growth": "naive: last year's growth kept",
    "naive_mean_growth": "naive: mean growth kept", "rw_pooled": "random walk (pooled errors)",
}

# Columns of the tables a run writes and the notebooks show (units in brackets where fixed).
_COLUMNS = {
    "scenario": "Scenario", "name": "Scenario", "description": "Description", "year": "Year",
    "region": "Region", "segment": "Segment", "series": "Series", "unit": "Unit", "kind": "Kind",
    "variant": "Variant", "value": "Value", "source": "Source document", "quote": "Quote",
    "derivation": "How it is derived", "note": "Note", "default": "Default reading",
    "check": "Check", "stated": "Stated", "computed": "Computed", "difference": "Difference",
    "tolerance": "Tolerance", "ok": "Passes", "detail": "Detail", "model": "Model",
    "method": "How it is estimated", "parameters": "Parameters", "n_obs": "Points fitted",
    "n_params": "Parameters estimated", "df_resid": "Degrees of freedom left",
    "rmse_log": "In-sample error (log scale)", "rmse_level": "In-sample error [GWh]",
    "aicc": "AICc", "mape_backtest": "Backtest error (MAPE)", "target_year": "Target year",
    "central": "Central value", "mean": "Mean", "p5": "5th percentile", "p10": "10th percentile",
    "p50": "Median", "p90": "90th percentile", "p95": "95th percentile", "lo80": "80% band: low",
    "hi80": "80% band: high", "lo95": "95% band: low", "hi95": "95% band: high",
    "caveat": "Caveat", "origin": "Last year fitted", "horizon": "Years ahead",
    "n_train": "Points fitted", "actual": "Actual", "forecast": "Forecast", "error": "Error",
    "abs_error": "Absolute error", "pct_error": "Error [%]", "abs_pct_error": "Absolute error [%]",
    "in80": "Inside the 80% band", "in95": "Inside the 95% band", "status": "Status",
    "reason": "Reason", "n_forecasts": "Forecasts", "n_skipped": "Skipped",
    "mae": "Mean absolute error", "mape": "Mean absolute percentage error",
    "rmse": "Root mean squared error", "coverage80": "Coverage of the 80% band",
    "coverage90": "Coverage of the 90% band", "coverage95": "Coverage of the 95% band",
    "market": "Market potential [GWh]", "market_basis": "Basis of the potential",
    "cumulative_multiple": "Multiple of the output so far", "p": "Innovation rate p",
    "q": "Imitation rate q", "peak_year": "Peak year", "n": "Forecasts scored",
    "mean_abs_log_error": "Mean absolute log error", "interval_score80": "80% interval score",
    "crps": "CRPS", "china_cagr": "China's growth to the target year [%/yr]",
    "published": "Published", "projected": "Projected median", "difference_pct": "Difference [%]",
    "main_cause": "Main cause", "parameter": "Assumption", "low": "Low value",
    "high": "High value", "total_at_low": "China's total at the low value [GWh]",
    "total_at_high": "China's total at the high value [GWh]", "swing": "Swing [GWh]",
    "basis": "Basis", "value_910": "With 910 GWh in 2023", "value_940": "With 940 GWh in 2023",
    "china": "China [GWh]", "share": "China's share of world", "world": "World [GWh]",
    "rest_of_world": "Rest of world [GWh]", "cap": "Ceiling", "covered80": "Inside the 80% band",
    "run": "Run", "scored": "Values scored", "spread": "Source of the spread",
    "publisher": "Publisher", "quantity": "Quantity", "case": "Case", "bound": "Bound",
    "gwh": "GWh", "gwh_low": "GWh, low end", "gwh_high": "GWh, high end",
    "fan_year": "Year compared", "p_above": "Probability the fan lies above",
    "arithmetic": "Conversion", "cell": "Technology and size", "horizon_group": "Years ahead",
    "median_log_error": "Median log error", "target": "Both targets",
}
_COLUMNS |= {f"{region}_{q}": f"{words}, {_COLUMNS[q].lower()}"
             for region, words in (("china", "China [GWh]"), ("world", "World [GWh]"),
                                   ("china_share", "China's share of world"))
             for q in ("p10", "p50", "p90")}

# Data series (data/series.csv, the reference class) and the history's segments and variants.
_SERIES = {
    "production": "production", "production_growth": "production growth",
    "production_share_of_world": "China's share of world production",
    "production_share": "share of production", "production_cagr": "production growth rate",
    "sales_revenue": "sales revenue", "sales_revenue_growth": "sales revenue growth",
    "export_value_cny": "export value (CNY)",
    "export_value_cny_growth": "export value growth (CNY)",
    "export_value_usd": "export value (USD)",
    "export_value_usd_growth": "export value growth (USD)",
    "export_value_share_of_battery_exports": "export value's share of battery exports",
    "export_volume": "export volume", "export_volume_growth": "export volume growth",
    "power_and_other_production": "power and other batteries' production",
    "power_and_other_production_growth": "power and other batteries' production growth",
    "battery_sales": "battery sales", "battery_sales_growth": "battery sales growth",
    "battery_sales_share": "share of battery sales", "battery_exports": "battery exports",
    "battery_exports_growth": "battery export growth",
    "battery_exports_share_of_sales": "exports' share of battery sales",
    "battery_exports_share": "share of battery exports",
    "power_installations": "power-battery installations",
    "power_installations_growth": "power-battery installation growth",
    "power_installations_share": "share of power-battery installations", "ev_sales": "EV sales",
    "ev_battery_demand": "EV battery demand", "ev_stock": "EV stock",
    "ev_share_of_car_sales": "EVs' share of car sales", "car_sales": "car sales",
    "share_of_world_power_battery_market": "share of the world power-battery market",
    "share_of_world_passenger_nev_market": "share of the world passenger NEV market",
    "ess_shipments": "energy-storage battery shipments",
    "ess_shipments_growth": "energy-storage battery shipment growth",
    "ess_shipments_share": "share of energy-storage battery shipments",
    "cylindrical_shipments": "cylindrical cell shipments",
    "cylindrical_shipments_growth": "cylindrical cell shipment growth",
    "cylindrical_shipment_share": "share of cylindrical cell shipments",
    "small_battery_shipment_share": "share of small-battery shipments",
    "storage_additions_power": "new storage capacity (power, GW)",
    "storage_additions_power_share": "share of new storage capacity (power)",
    "storage_additions_power_growth": "growth of new storage capacity (power)",
    "storage_additions_energy": "new storage capacity (energy, GWh)",
    "storage_additions_energy_growth": "growth of new storage capacity (energy)",
    "lithium_ion_share_of_new_type_storage": "lithium-ion's share of new-type storage",
    "listed_chain_revenue_h1": "listed supply-chain firms' revenue (first half)",
    "listed_chain_revenue_h1_growth": "listed supply-chain firms' revenue growth (first half)",
    "listed_chain_gross_margin_h1": "listed supply-chain firms' gross margin (first half)",
    "capacity": "production capacity", "tariff_rate": "tariff rate",
    "lfp_share_of_power_installations": "LFP's share of power-battery installations",
    "solar_electricity": "solar electricity", "wind_electricity": "wind electricity",
    "ev_car_sales": "electric-car sales",
}
_SEGMENTS = {
    "total": "total", "power": "power (EV)", "consumer": "consumer", "storage": "storage",
    "other": "other", "ternary": "ternary (NCM/NCA)", "lfp": "LFP", "top3": "top 3 makers",
    "top5": "top 5 makers", "top10": "top 10 makers", "chinese_makers": "Chinese makers",
    "korean_makers": "Korean makers", "japanese_makers": "Japanese makers",
    "panasonic": "Panasonic", "utility": "utility-scale", "behind_the_meter": "behind the meter",
    "new_type": "new-type storage", "pumped_hydro": "pumped hydro",
    "thermal_cold": "thermal and cold storage", "lithium_ion": "lithium-ion", "ev": "EV",
    "world_share": "world share", "ev_demand": "EV battery demand", "ev_sales": "EV sales",
    "kwh_per_vehicle": "battery size per EV", "uncapped_total": "total before the capacity cap",
}
# Cells of the calibration's conditional table: a technology's thirds by level (notebook 05).
_CELLS = {f"{tech}:{size}": f"{_SERIES[tech]}, {words} third"
          for tech in ("ev_car_sales", "solar_electricity", "wind_electricity")
          for size, words in (("small", "smallest"), ("mid", "middle"), ("large", "largest"))}
_VARIANTS = {
    "annual_series": "year-by-year series", "yoy_base": "base of the 2024 growth rate",
    "ev_volumes": "EV Volumes", "iea": "IEA",
}
# Notebook parameters (forecast.report.parameters.PARAMETERS), as the run's index lists them.
_NOTEBOOK_PARAMETERS = {
    "data_dir": "Data folder", "output_dir": "Run folder", "scenario_names": "Scenarios run",
    "n_draws": "Monte Carlo draws", "seed": "Random seed",
    "sensitivity_scenario": "Scenario of the sensitivity chart",
    "saturation": "Saturation level [GWh]", "share_cap": "Ceiling of China's world share",
    "mix_damping": "Yearly damping of the segment-mix trend", "lfp_cap": "Ceiling of LFP's share",
    "lfp_sigma": "Stated spread of the LFP trend", "earlier_runs": "Earlier runs scored",
    "reference_path": "Reference class file",
}
_NAMES = (_SERIES, _SEGMENTS, _CELLS, _VARIANTS, MODEL_LABELS)

#: The one table of labels: every name a reviewer's page shows, in words.
LABELS: dict[str, str] = {
    **{k: v[:1].upper() + v[1:] for names in _NAMES for k, v in names.items()},
    **_NOTEBOOK_PARAMETERS, **PARAMETER_LABELS, **_COLUMNS,
}

# Kinds of cross-check of the data (forecast.data.consistency_report).
_CHECKS = {
    "segments-sum": "segments add up to the total", "growth": "stated growth rate",
    "share": "stated share",
}
# Columns of free text that may name series, segments or models: the names put in words.
_TEXT_COLUMNS = ("detail", "reason", "caveat", "main_cause", "note", "basis")
# Modellers' shorthand in models' caveats and reasons, in words.
_SHORTHAND = tuple((re.compile(p), w) for p, w in (
    (r"\(t, (\d+) df\)", r"(Student t, \1 degrees of freedom)"),
    (r"\b1 df\b", "1 degree of freedom"), (r"\bdf\b", "degrees of freedom"),
    (r"\bnoise sd\b", "noise level"),
    (r"\bK\b", "the ceiling"), (r"\bphi\b", "damping")))
_PERCENTILES = re.compile(r"\bp(\d+)/p(\d+)\b")
# An identifier, with the size of a conditional-table cell (``ev_car_sales:small``) if any.
_IDENTIFIER = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(:[a-z]+)?\b")

# Columns whose cells are names (of series, segments, variants, models, assumptions), shown
# in words; other text cells (quotes, descriptions, scenario names) are shown as written.
_NAME_COLUMNS = ("series", "segment", "variant", "model", "method", "parameter", "cell")

_SEGMENT_WORDS = {"power": "Power", "consumer": "Consumer", "storage": "Storage",
                  "share": "China's world share", "capacity": "Capacity"}
_NAME_WORDS = {"cagr": "growth rate", "damping": "growth damping", "saturation":
               "saturation level", "rate": "steepness", "target": "target"}
_DOTTED = re.compile(r"[a-z_]+(?:\.[a-z_]+)+")
_REFERENCE = re.compile(r"\{([^{}:]+):([^{}:]+):([^{}:]+):(\d{4})\}")

# Model parameters (:meth:`forecast.models.base.BaseModel.format_params`) in words.
_MODEL_PARAMETERS = {
    "rate": "growth rate", "base": "start value", "level": "level", "slope": "slope",
    "log_slope": "log slope", "growth_last": "last growth rate", "damping": "damping",
    "saturation": "ceiling", "midpoint": "midpoint year", "growth_window": "window growth",
    "volatility": "volatility", "growth_next": "next year's growth",
    "growth_long_run": "long-run growth", "market": "market potential", "p": "p", "q": "q",
}
_PARAMETER_PART = re.compile(r"^\s*([A-Za-z_]\w*)=([^\s(]+)(?:\s*\(se ([^)]+)\))?\s*$")

#: Terms a reviewer meets in the notebooks, each explained in a sentence. Terms that are
#: labels of :data:`LABELS` are written exactly as the tables write them.
GLOSSARY: dict[str, str] = {
    "GWh": "gigawatt-hours of battery capacity produced in a year (1 GWh fills the batteries of "
           "about 15,000 electric cars of 66 kWh each).",
    "Scenario": "a stated story about how each battery segment grows and how China's share "
                "of world production moves, written in a file under data/scenarios.",
    LABELS["p50"]: "the middle of a scenario's simulated outcomes: half lie above, half below.",
    "80% band": "the range holding the middle 80% of simulated outcomes (10th to 90th "
                "percentile), written 'low to high'; the 90% band runs from the 5th to the 95th "
                "percentile.",
    LABELS["central"]: "the outcome with every uncertain assumption at its stated value and "
                       "no year-to-year variation.",
    "Segments": "power (electric-vehicle) batteries, consumer batteries (phones, laptops, "
                "tools) and energy-storage batteries.",
    "World share": "China's production divided by world production; world production is "
                   "derived from it.",
    "Growth damping": "how much a growth rate slows each year (0.9: each year's rate is 90% "
                      "of the previous year's).",
    "S-curve": "growth that starts fast and levels off towards a saturation level.",
    "Compound growth rate": "the constant yearly rate that turns a start value into an end "
                            "value over the years between them.",
    "Published outlook": "a projection stated in a source document; used for comparison, "
                         "never fitted.",
    LABELS["variant"]: "one of two values that documents give for the same figure; both are "
                       "kept, and the default reading is used unless a notebook says otherwise.",
    LABELS["df_resid"]: "data points minus estimated parameters; with none left, the data "
                        "cannot say how well a curve fits.",
    LABELS["mape"]: "the average size of a forecast's error as a share of the actual value, "
                    "in backtests that fit on early years and forecast later ones.",
    LABELS["coverage80"]: "the share of actual outcomes that fell inside a method's 80% band "
                          "(about 80% for an honest band).",
    "LFP / ternary": "the two main battery chemistries: lithium iron phosphate and "
                     "nickel-based (NCM/NCA) cells.",
}


def label(name: object) -> str:
    """Plain words for a name a page shows (column, series, segment, model, parameter):
    its :data:`LABELS` entry, else the name by rule (underscores become spaces, first letter
    capital); a non-text name (a year) as text."""
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
    for names in _NAMES:
        if text in names:
            return names[text]
    return label(text) if "_" in text or _DOTTED.fullmatch(text) else text


def in_words(text: object) -> object:
    """Free text with the program's names (series, segments, models, shorthand) put in
    words: ``"... segments new_type"`` reads ``"... segments new-type storage"``; other
    values as given."""
    if not isinstance(text, str):
        return text
    text = _PERCENTILES.sub(r"\1th and \2th percentiles", text)
    for pattern, words in _SHORTHAND:
        text = pattern.sub(words, text)
    return _IDENTIFIER.sub(
        lambda m: _CELLS.get(m.group(0)) or _word(m.group(1)) + (m.group(2) or ""), text)


def derivation_words(formula: object, series: str = "") -> str:
    """A derivation formula of the history in words.

    Parameters
    ----------
    formula : str
        The ``derivation`` cell (empty or NaN: ``""``), e.g.
        ``{battery_exports:China:other:2024} / (1 + {battery_exports_growth:China:other:2024})``.
    series : str
        The row's own series, whose value and growth read "the 2024 value", "the 2024 growth";
        other series are named with their region, segment and year.
    """
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
        parts.append(f"{_MODEL_PARAMETERS.get(key, key.replace('_', ' '))} {value}{spread}")
    return "; ".join(p for p in parts if p)


def table(frame: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]] | None = None, *,
          na_rep: str = "-", index: bool = False,
          names: Iterable[str] = _NAME_COLUMNS) -> Styler:
    """A table for a reviewer's page: columns and names in cells in words, ``yes``/``no`` for
    booleans, shares as percentages, values formatted as the report writes them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as computed (keys as written to CSV); it is not changed.
    formats : mapping, optional
        ``{column: formatter}`` by the frame's column names (e.g. ``{"value": gwh}``).
    na_rep : str
        Shown for missing values.
    index : bool
        Show the frame's index (its name and values in words too).
    names : iterable of str
        Columns whose cells are names to put in words.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    shown = frame.copy()
    names = set(names)
    if index and shown.index.name:
        shown = shown.rename_axis(label(shown.index.name))
    for column in shown.columns:
        values = shown[column]
        if column in names:
            shown[column] = values.map(lambda v: in_words(_word(v)) if isinstance(v, str) else v)
        elif column in _TEXT_COLUMNS:
            shown[column] = values.map(in_words)
        elif column == "check":
            shown[column] = values.map(lambda v: _CHECKS.get(v, v))
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
    styler = shown.style.format(na_rep=na_rep)
    for column, formatter in (formats or {}).items():
        if column in shown.columns:  # text already written (a percentage) stays as it is
            styler = styler.format(lambda v, f=formatter: v if isinstance(v, str) else f(v),
                                   subset=[column], na_rep=na_rep)
    styler = styler.format_index(label, axis="columns")
    return styler.format_index(_word, axis="index") if index else styler.hide(axis="index")


def source_label(data_dir: str | Path | None, documents: Sequence[str] | None = None) -> str:
    """Short citation of source documents for a figure's source note.

    Parameters
    ----------
    data_dir : str or Path or None
        Data folder holding ``sources.csv`` (``document, title, publisher, published``);
        None or empty: :func:`forecast.data.default_data_dir`.
    documents : sequence of str, optional
        Document file names to cite; default every document with a known publisher.

    Returns
    -------
    str
        E.g. ``"SMM Information & Technology (2025), doc 002"``; a document without a known
        publisher is cited by its title, one missing from the catalogue by its file name.
    """
    if data_dir is None or str(data_dir).strip() == "":
        from forecast import data

        data_dir = data.default_data_dir()
    catalogue: dict[str, dict[str, str]] = {}
    path = Path(data_dir) / "sources.csv"
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as handle:
            catalogue = {row["document"]: row for row in csv.DictReader(handle)}
    wanted = list(dict.fromkeys(documents)) if documents is not None else [
        d for d, row in catalogue.items()
        if (row.get("publisher") or "").strip() and not _unknown(row.get("publisher"))]
    parts = []
    for doc in wanted:
        row = catalogue.get(doc)
        if row is None:
            parts.append(doc)
            continue
        year = (row.get("published") or "").strip()[:4]
        parts.append(f"{_document_name(row)}{f' ({year})' if year else ''}, "
                     f"doc {doc.split('_', 1)[0]}")
    return "; ".join(parts)


def _unknown(publisher: str | None) -> bool:
    return (publisher or "").strip().lower().startswith("unknown")


def _document_name(row: Mapping[str, str]) -> str:
    """A document's publisher, else its title in quotes and its kind ("unknown (blog)")."""
    who = (row.get("publisher") or "").strip()
    if who and not _unknown(who):
        return who
    title = (row.get("title") or "").strip()
    kind = who[len("unknown"):].strip() if _unknown(who) else ""
    if not title:
        return f"unknown publisher {kind}".strip()
    return f"\u201c{title}\u201d{f' {kind}' if kind else ''}"


def parameter_label(key: str) -> str:
    """Plain words for a scenario parameter's dotted key: its :data:`PARAMETER_LABELS` entry,
    else part by part (``"segments.x.cagr"`` -> ``"X: growth rate"``)."""
    if key in PARAMETER_LABELS:
        return PARAMETER_LABELS[key]
    parts = [p for p in str(key).split(".") if p not in ("segments", "caps")]
    if not parts:
        return str(key)
    head = _SEGMENT_WORDS.get(parts[0], parts[0].replace("_", " ").capitalize())
    rest = " ".join(_NAME_WORDS.get(p, p.replace("_", " ")) for p in parts[1:])
    return f"{head}: {rest}" if rest else head


def parameter_value(key: str, value: float | str) -> str:
    """A scenario parameter's value in its unit: growth rates and shares in percent
    (``"22.0%/yr"``, ``"75.0%"``), levels in GWh, ``"from the data"`` for ``data``/``trend``."""
    if isinstance(value, str):
        return "from the data" if value == "data" else f"from the {value}"
    name = str(key).rsplit(".", 1)[-1]
    if name in ("cagr", "growth"):
        return f"{percent(value)}/yr"
    if name in ("target", "max_utilisation"):
        return percent(value)
    if name in ("saturation", "base"):
        return f"{gwh(value)} GWh"
    return f"{value:g}/yr" if name == "rate" else f"{value:g}"


def model_label(name: str) -> str:
    """Plain words for a growth model's registry name (the name in words if unknown)."""
    return MODEL_LABELS.get(str(name), str(name).replace("_", " "))


def glossary_markdown(terms: dict[str, str] | None = None) -> str:
    """The glossary as a Markdown list, one ``**term**: meaning`` line per term."""
    items = (terms if terms is not None else GLOSSARY).items()
    return "\n".join(f"* **{term}**: {meaning}" for term, meaning in items)
