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
    # A term that is a label is written exactly as the tables write it.
    for name in ("p50", "central", "variant", "df_resid", "mape", "coverage80"):
        assert labels.LABELS[name] in labels.GLOSSARY, name


def test_every_column_and_parameter_a_run_shows_has_words():
    """The index lists the run's tables and parameters: each name needs an entry, not the
    fallback rule (which would print "Df resid")."""
    from forecast.data.loader import CONFLICT_COLUMNS
    from forecast.data.schema import HISTORY_COLUMNS
    from forecast.evaluation.backtest import BACKTEST_COLUMNS, PERFORMANCE_COLUMNS
    from forecast.evaluation.calibration import SUMMARY_COLUMNS
    from forecast.evaluation.comparison import BASS_COLUMNS, COMPARISON_COLUMNS
    from forecast.evaluation.track_record import SCORE_COLUMNS
    from forecast.report.headline import HEADLINE_COLUMNS
    from forecast.report.parameters import PARAMETERS
    from forecast.scenarios.outlooks import COMPARISON_COLUMNS as OUTLOOK_COLUMNS
    from forecast.scenarios.projection import PROJECTION_COLUMNS
    from forecast.scenarios.reconciliation import RECONCILE_COLUMNS
    from forecast.scenarios.spread import SPREAD_COLUMNS

    names = {*CONFLICT_COLUMNS, *HISTORY_COLUMNS, *BACKTEST_COLUMNS, *PERFORMANCE_COLUMNS,
             *SUMMARY_COLUMNS, *BASS_COLUMNS, *COMPARISON_COLUMNS, *SCORE_COLUMNS,
             *HEADLINE_COLUMNS, *PARAMETERS, *PROJECTION_COLUMNS, *RECONCILE_COLUMNS,
             "value_910", "value_940", "total_at_low", "total_at_high", "swing", "china",
             "rest_of_world", "world", "share", *SPREAD_COLUMNS, *OUTLOOK_COLUMNS}
    missing = sorted(n for n in names if n not in labels.LABELS)
    assert missing == []
    assert all("_" not in labels.label(n) for n in names)
    assert labels.label("df_resid") == "Degrees of freedom left"
    assert labels.label("china_p10") == "China [GWh], 10th percentile"


def test_table_shows_names_in_words_and_booleans_as_yes_no():
    import pandas as pd

    frame = pd.DataFrame({
        "series": ["battery_exports"], "segment": ["behind_the_meter"], "variant": ["yoy_base"],
        "default": [True], "value": [1234.5],
        "derivation": ["{battery_exports:China:other:2024} / "
                       "(1 + {battery_exports_growth:China:other:2024})"],
        "detail": ["storage_additions_power China 2023: segments new_type + pumped_hydro"]})
    html = labels.table(frame, {"value": "{:,.0f}".format}).to_html()
    shares = pd.DataFrame({"value": [0.286, 910.0], "unit": ["fraction", "GWh"]})
    shown = labels.table(shares, {"value": "{:,.0f}".format}).to_html()
    assert ">28.6%<" in shown and ">910<" in shown and ">fraction<" not in shown
    for text in ("Series", "battery exports", "behind the meter", "base of the 2024 growth rate",
                 "Default reading", ">yes<", "1,234", "How it is derived",
                 "the 2024 value divided by (one plus the 2024 growth)",
                 "new storage capacity (power, GW) China 2023: segments new-type storage + "
                 "pumped hydro"):
        assert text in html, text
    import re

    cells = re.findall(r">([^<>]+)<", html.split("<thead>")[1])
    assert not [c for c in cells if "_" in c]


def test_parameters_words_and_derivations():
    text = labels.parameters_words("saturation=1,239.9 (se 310.0918); midpoint=2,021.3 "
                                   "(se 0.3715)")
    assert text == "ceiling 1,239.9 ± 310; midpoint year 2021.3 ± 0.37"
    assert labels.derivation_words("{power_installations_share:World:chinese_makers:2024} - "
                                   "0.037", "power_installations_share") == \
        "the 2024 value minus 0.037"


def test_a_document_without_a_publisher_is_cited_by_its_title():
    from forecast import data

    text = labels.source_label(data.default_data_dir(), ["003_2fb2d5760ffa397f.txt"])
    assert text.startswith("\u201cChina, Europe and the U.S.: regional battery strategies\u201d")
    assert "unknown" not in text and text.endswith("doc 003")


def test_source_label_cites_publisher_year_and_document(tmp_path):
    (tmp_path / "sources.csv").write_text(
        "document,title,publisher,published\n"
        "002_abc.txt,Talk,SMM Information & Technology,2025\n"
        "004_def.txt,Press,BAKTH,2025-11-20\n"
        "001_x.txt,Blog,unknown,\n"
        "003_y.txt,Regional strategies,unknown (blog),\n"
    )
    assert labels.source_label(tmp_path, ["002_abc.txt"]) == (
        "SMM Information & Technology (2025), doc 002")
    assert labels.source_label(tmp_path, ["009_new.txt", "002_abc.txt", "002_abc.txt"]) == (
        "009_new.txt; SMM Information & Technology (2025), doc 002")
    # A document without a known publisher is cited by its title and kind, never "unknown".
    assert labels.source_label(tmp_path, ["003_y.txt", "001_x.txt"]) == (
        "\u201cRegional strategies\u201d (blog), doc 003; \u201cBlog\u201d, doc 001")


def test_models_shorthand_in_words():
    text = labels.in_words("3 parameters from 4 points: 1 df left; noise sd pooled with the "
                           "reference class (t, 3 df); K estimated within [1,228, 11,700]")
    assert text == ("3 parameters from 4 points: 1 degree of freedom left; noise level pooled "
                    "with the reference class (Student t, 3 degrees of freedom); the ceiling "
                    "estimated within [1,228, 11,700]")
    assert labels.in_words("p10/p90 of normal") == "10th and 90th percentiles of normal"


@pytest.mark.parametrize(
    ("key", "value"),
    [("segments.power.cagr", 0.22), ("share.target", 0.75), ("segments.storage.saturation", 1500.0),
     ("segments.power.damping", 0.9), ("segments.storage.rate", 0.5)],
)
def test_a_value_reads_back_as_it_is_written(key, value):
    assert labels.read_parameter_value(key, labels.parameter_value(key, value)) == \
        pytest.approx(value)
    assert labels.read_parameter_value(key, "lots") is None


def test_a_share_or_growth_rate_is_typed_in_percent():
    assert labels.read_parameter_value("share.target", "72") == pytest.approx(0.72)
    assert labels.read_parameter_value("segments.power.damping", "90%") == pytest.approx(0.9)
    assert labels.read_parameter_value("segments.power.damping", "0.9") == pytest.approx(0.9)
