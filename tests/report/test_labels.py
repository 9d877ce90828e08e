"""Plain-language labels: no dotted keys or jargon on figures, and the glossary."""

from __future__ import annotations

import pytest

from forecast.report import labels


def test_every_shipped_scenario_parameter_has_words():
    from forecast import scenarios

    for name in scenarios.list_scenarios()["name"]:
        for key in scenarios.resolve_scenario(name).parameters():
            assert key in labels.PARAMETER_LABELS, key
            text = labels.parameter_label(key)
            assert "." not in text and "_" not in text and "cagr" not in text.lower(), text


@pytest.mark.parametrize(
    ("key", "text"),
    [("segments.power.damping", "Power: growth damping"),
     ("segments.storage.cagr", "Storage: growth rate"),
     ("segments.wind.cagr", "Wind: growth rate"),
     ("caps.capacity.new_thing", "Capacity: new thing")],
)
def test_parameter_label(key, text):
    assert labels.parameter_label(key) == text


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [("segments.power.cagr", 0.22, "22.0%/yr"), ("share.target", 0.75, "75.0%"),
     ("segments.storage.saturation", 1500.0, "1,500 GWh"), ("segments.power.damping", 0.9, "0.9"),
     ("segments.power.cagr", "data", "from the data"), ("share.target", "trend", "from the trend")],
)
def test_parameter_value_in_its_unit(key, value, text):
    assert labels.parameter_value(key, value) == text


def test_model_labels_cover_the_default_models():
    from forecast import evaluation

    for name in evaluation.default_models(saturation=3800.0):
        assert name in labels.MODEL_LABELS
        assert "_" not in labels.model_label(name)


def test_glossary_explains_the_terms_figures_use():
    text = labels.glossary_markdown()
    for term in ("GWh", "Median", "80% band", "Scenario", "Growth damping", "Published outlook"):
        assert f"* **{term}**: " in text
    assert len(text.splitlines()) == len(labels.GLOSSARY)
