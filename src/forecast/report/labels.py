"""Plain-language words for what figures and tables label: scenario assumptions, model names,
and a short glossary for the summary notebook.

A reviewer reads "Power: growth damping", not ``segments.power.damping``, and "share trend"
rather than a model's class name. Keys without an entry are turned into words by rule
(:func:`parameter_label`), so a new scenario parameter still gets a readable label.
"""

from __future__ import annotations

from forecast.report.formatting import gwh, percent

__all__ = [
    "GLOSSARY",
    "MODEL_LABELS",
    "PARAMETER_LABELS",
    "glossary_markdown",
    "model_label",
    "parameter_label",
    "parameter_value",
]

#: Words for the dotted keys of scenario parameters
#: (:meth:`forecast.scenarios.Scenario.parameters`).
PARAMETER_LABELS: dict[str, str] = {
    "segments.power.cagr": "Power: growth rate",
    "segments.power.damping": "Power: growth damping",
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

#: Words for the growth-model names of :func:`forecast.evaluation.default_models`.
MODEL_LABELS: dict[str, str] = {
    "cagr_endpoint": "constant growth (first to last year)",
    "cagr_ls": "constant growth (fitted)",
    "linear": "straight line",
    "exponential": "exponential",
    "damped": "slowing growth (damped trend)",
    "logistic": "S-curve (logistic, fixed ceiling)",
    "gompertz": "S-curve (Gompertz, fixed ceiling)",
    "logistic_free_k": "S-curve (logistic, fitted ceiling)",
    "gompertz_free_k": "S-curve (Gompertz, fitted ceiling)",
    "bass": "diffusion (Bass)",
    "default": "calibrated default (technology ramp-ups)",
}

_SEGMENT_WORDS = {"power": "Power", "consumer": "Consumer", "storage": "Storage",
                  "share": "China's world share", "capacity": "Capacity"}
_NAME_WORDS = {"cagr": "growth rate", "damping": "growth damping", "saturation":
               "saturation level", "rate": "steepness", "target": "target"}

#: Terms a reviewer meets in the notebooks, each explained in a sentence.
GLOSSARY: dict[str, str] = {
    "GWh": "gigawatt-hours of battery capacity produced in a year (1 GWh fills the batteries of "
           "about 15,000 electric cars of 66 kWh each).",
    "Scenario": "a stated story about how each battery segment grows and how China's share "
                "of world production moves, written in a file under data/scenarios.",
    "Median": "the middle of a scenario's simulated outcomes: half lie above, half below.",
    "80% band": "the range holding the middle 80% of simulated outcomes (10th to 90th "
                "percentile); the 90% band runs from the 5th to the 95th.",
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
    "LFP / ternary": "the two main battery chemistries: lithium iron phosphate and "
                     "nickel-based (NCM/NCA) cells.",
}


def parameter_label(key: str) -> str:
    """Plain words for a scenario parameter's dotted key.

    ``"segments.power.damping"`` -> ``"Power: growth damping"``; a key without an entry in
    :data:`PARAMETER_LABELS` is put in words part by part (``"segments.x.cagr"`` ->
    ``"X: growth rate"``).
    """
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
    if name == "rate":
        return f"{value:g}/yr"
    return f"{value:g}"


def model_label(name: str) -> str:
    """Plain words for a growth model's registry name (the name itself if unknown)."""
    return MODEL_LABELS.get(str(name), str(name).replace("_", " "))


def glossary_markdown(terms: dict[str, str] | None = None) -> str:
    """The glossary as a Markdown list, one ``**term**: meaning`` line per term."""
    items = (terms if terms is not None else GLOSSARY).items()
    return "\n".join(f"* **{term}**: {meaning}" for term, meaning in items)
