"""Scenario files: every validation rule gives one ScenarioError naming the file and the key."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from forecast.errors import ScenarioError
from forecast.scenarios.preparation import prepare
from forecast.scenarios.schema import DATA, load_scenario, parse_scenario

VALID: dict[str, Any] = {
    "name": "probe",
    "description": "A valid scenario used as the starting point of each broken one.",
    "target_year": 2030,
    "segments": {
        "power": {"model": "compound", "cagr": 0.2},
        "consumer": {"model": "damped", "cagr": 0.05, "damping": 0.9},
        "storage": {"model": "logistic", "saturation": 1500, "rate": 0.4},
    },
    "share": {"model": "linear", "target": 0.7, "by": 2030},
    "caps": {"capacity": {"base": 2000, "base_year": 2025, "growth": 0.05, "max_utilisation": 0.8}},
    "uncertain": {
        "segments.power.cagr": {"dist": "normal", "sd": 0.03},
        "share.target": {"dist": "triangular", "low": 0.6, "high": 0.8},
    },
}


def write(tmp_path: Path, doc: Any, name: str = "probe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def mutate(changes: dict[str, Any]) -> dict[str, Any]:
    """VALID with dotted keys set (value ``...`` deletes the key)."""
    doc = copy.deepcopy(VALID)
    for dotted, value in changes.items():
        # Keys of `uncertain` contain dots themselves: "uncertain|segments.power.cagr|sd".
        parts = dotted.split("|") if "|" in dotted else dotted.split(".")
        node = doc
        for part in parts[:-1]:
            node = node[part]
        if value is ...:
            del node[parts[-1]]
        else:
            node[parts[-1]] = value
    return doc


def test_valid_file_loads_with_its_parameters(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, VALID))
    assert sc.name == "probe"
    assert sc.target_year == 2030
    assert sc.anchor == "china"
    assert sc.parameters() == {
        "segments.power.cagr": 0.2,
        "segments.consumer.cagr": 0.05,
        "segments.consumer.damping": 0.9,
        "segments.storage.saturation": 1500.0,
        "segments.storage.rate": 0.4,
        "share.target": 0.7,
        "caps.capacity.base": 2000.0,
        "caps.capacity.growth": 0.05,
        "caps.capacity.max_utilisation": 0.8,
    }
    assert sc.uncertain["share.target"].dist == "triangular"


def test_trend_target_with_its_fitted_distribution_loads(tmp_path: Path) -> None:
    doc = mutate({"share.target": "trend", "share.cap": 0.9,
                  "uncertain|share.target": {"dist": "fitted", "low": 0.7}})
    sc = load_scenario(write(tmp_path, doc))
    assert sc.parameters()["share.target"] == "trend"
    assert sc.share.cap == 0.9
    assert sc.uncertain["share.target"].dist == "fitted"
    assert sc.uncertain["share.target"].low == 0.7


def test_data_marker_is_kept_for_resolution(tmp_path: Path) -> None:
    doc = mutate(
        {
            "segments.power.cagr": "data",
            "caps.capacity.base": "data",
            "caps.capacity.base_year": ...,
        }
    )
    sc = load_scenario(write(tmp_path, doc))
    assert sc.parameters()["segments.power.cagr"] == DATA
    assert sc.capacity is not None and sc.capacity.base_year is None


BROKEN = [
    # (changes to VALID, key named in the message, words in the message)
    ({"colour": "blue"}, "colour", "unknown key"),
    ({"segments.power.growth": 0.2}, "segments.power.growth", "unknown key"),
    # a key spelled like a model or a distribution is a key, not a tag of pydantic's location
    ({"normal": 1}, "normal", "unknown key"),
    ({"segments.power.hold": 1}, "segments.power.hold", "not used by model 'compound'"),
    ({"uncertain|normal": 5}, "uncertain.normal", "must be a mapping with a 'dist'"),
    ({"segments.wind": {"model": "compound", "cagr": 0.1}}, "segments.wind", "unknown key"),
    # a misspelt segment is named, not the segment it leaves missing
    ({"segments.storage": ..., "segments.storag": {"model": "compound", "cagr": 0.1}},
     "segments.storag", "unknown key"),
    ({"segments.power.cagr": "fast"}, "segments.power.cagr", "must be a number"),
    ({"segments.power.cagr": True}, "segments.power.cagr", "must be a number"),
    ({"segments.power.cagr": -1.0}, "segments.power.cagr", "above -1"),
    ({"segments.power.cagr": -1.5}, "segments.power.cagr", "above -1"),
    ({"segments.power.cagr": ...}, "segments.power.cagr", "missing parameter"),
    ({"segments.power.model": "magic"}, "segments.power.model", "must be one of"),
    ({"segments.storage": ...}, "segments.storage", "missing .*every scenario models power"),
    ({"segments.consumer": 0.05}, "segments.consumer", "must be a mapping"),
    (
        {
            "segments.storage.model": "ev_demand",
            "segments.storage.sales_target": 40,
            "segments.storage.kwh_target": 60,
        },
        "segments.storage.model",
        "only the power",
    ),
    ({"segments.consumer.damping": 1.5}, "segments.consumer.damping", r"\(0, 1\]"),
    ({"segments.storage.saturation": 0}, "segments.storage.saturation", "positive"),
    ({"share.target": 1.2}, "share.target", r"\[0, 1\]"),
    ({"share.target": -0.1}, "share.target", r"\[0, 1\]"),
    ({"share.target": 0}, "share.target", "above 0"),
    ({"share.model": "hold"}, "share.target", "not used"),
    ({"share.by": "soon"}, "share.by", "whole year"),
    ({"target_year": ...}, "target_year", "missing .*year to project to"),
    ({"target_year": "2030"}, "target_year", "whole year"),
    ({"target_year": 2030.5}, "target_year", "whole year"),
    ({"anchor": "europe"}, "anchor", "must be one of"),
    ({"name": "Base Case"}, "name", "a-z"),
    ({"description": ...}, "description", "missing"),
    ({"description": 42}, "description", "non-empty text"),
    ({"caps.capacity.base_year": ...}, "caps.capacity.base_year", "required"),
    ({"caps.capacity.max_utilisation": 1.2}, "caps.capacity.max_utilisation", r"\(0, 1\]"),
    ({"caps.capacity.growth": -2}, "caps.capacity.growth", "above -1"),
    (
        {"uncertain|segments.power.saturation": {"dist": "normal", "sd": 1}},
        "uncertain.segments.power.saturation",
        "not a numeric parameter",
    ),
    (
        {"uncertain|segments.power.cagr|dist": "cauchy"},
        "uncertain.segments.power.cagr.dist",
        "must be one of",
    ),
    ({"uncertain|segments.power.cagr|sd": 0}, "uncertain.segments.power.cagr.sd", "> 0"),
    (
        {"uncertain|segments.power.cagr|sd": "wide"},
        "uncertain.segments.power.cagr.sd",
        "must be a number",
    ),
    (
        {"uncertain|segments.power.cagr|shape": 2},
        "uncertain.segments.power.cagr.shape",
        "unknown key",
    ),
    ({"uncertain|share.target|high": 1.5}, "uncertain.share.target.high", "outside"),
    (
        {"uncertain|share.target|low": 0.9, "uncertain|share.target|high": 0.8},
        "uncertain.share.target.high",
        "greater than low",
    ),
    (
        {"uncertain|share.target|low": 0.72},
        "uncertain.share.target",
        "central value 0.7 lies outside",
    ),
    ({"uncertain": ["segments.power.cagr"]}, "uncertain", "must be a mapping"),
    ({"share.target": "soon"}, "share.target", "must be a number or 'data' or 'trend'"),
    ({"share.cap": 0.9}, "share.cap", "only used with 'target: trend'"),
    (
        {"share.target": "trend", "share.cap": 1.5, "uncertain|share.target": {"dist": "fitted"}},
        "share.cap",
        r"must be in \(0, 1\]",
    ),
    ({"share.target": "trend"}, "uncertain.share.target.dist", "use 'dist: fitted'"),
    (
        {"uncertain|segments.power.cagr": {"dist": "fitted"}},
        "uncertain.segments.power.cagr.dist",
        "only of it",
    ),
    (
        {"share.target": "trend", "uncertain|share.target": {"dist": "fitted", "sd": 0.1}},
        "uncertain.share.target.sd",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("changes", "key", "words"), BROKEN, ids=[b[1] + ":" + b[2] for b in BROKEN]
)
def test_each_broken_file_names_file_and_key(
    tmp_path: Path, changes: dict[str, Any], key: str, words: str
) -> None:
    path = write(tmp_path, mutate(changes))
    with pytest.raises(ScenarioError, match=words) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: key '{key}': ")
    assert info.value.key == key
    assert info.value.exit_code == 3


def test_target_year_must_follow_last_observed_year(tmp_path: Path, history) -> None:
    path = write(tmp_path, mutate({"target_year": 2024, "share.by": 2024}))
    with pytest.raises(
        ScenarioError,
        match=re.escape(
            f"{path}: key 'target_year': target year 2024 is not after the last observed year 2024"
        ),
    ):
        prepare(load_scenario(path), history)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n", ""])
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"key '-': the file must contain a mapping"):
        load_scenario(path)


def test_invalid_yaml_syntax_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsegments: {power: [1, 2\n", encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"broken.yaml: key '-': invalid YAML at line \d+"
    ) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


def test_yaml_tags_do_not_construct_objects(tmp_path: Path) -> None:
    path = tmp_path / "tag.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"tag.yaml: key '-': invalid YAML"):
        load_scenario(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope.yaml: key '-': file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_parse_accepts_a_document_without_a_file() -> None:
    sc = parse_scenario(copy.deepcopy(VALID), "inline")
    assert sc.path == "inline"
    with pytest.raises(ScenarioError, match=r"^inline: key 'segments'"):
        parse_scenario(mutate({"segments": ...}), "inline")


def test_ev_demand_targets_refer_to_the_target_year_unless_stated() -> None:
    ev = {"model": "ev_demand", "sales_target": 40, "kwh_target": 60}
    no_cagr = {"uncertain|segments.power.cagr": ...}
    sc = parse_scenario(mutate({"target_year": 2032, "segments.power": ev, **no_cagr}), "inline")
    assert sc.segments["power"].anchor_year == 2032
    stated = mutate({"segments.power": {**ev, "anchor_year": 2029}, **no_cagr})
    stated = parse_scenario(stated, "inline")
    assert stated.segments["power"].anchor_year == 2029
