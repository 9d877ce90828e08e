"""Run parameters: one declaration, one check, one line per refusal."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys

import pytest

from forecast.errors import ForecastError, ParameterError
from forecast.report import parameters
from forecast.report.parameters import PARAMETERS, check_parameters
from tests.conftest import DATA, REPO


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_draws": -5}, "n_draws must be a whole number >= 1, got -5"),
        ({"n_draws": 2.5}, "n_draws"),
        ({"n_draws": True}, "n_draws"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"target_year": "2030"}, "target_year"),
        ({"scenario_names": "base"}, "scenario_names must be a list"),
        ({"scenario_names": ["base", ""]}, "scenario_names"),
    ],
)
def test_check_run_parameters_refuses(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        check_parameters(kwargs)


def test_check_run_parameters_accepts_defaults():
    check_parameters({"n_draws": 500, "seed": 2030, "target_year": 2030,
                      "scenario_names": ["base"]})
    assert check_parameters({}) == {}


def test_declared_defaults_pass_and_come_back_normalised():
    defaults = {name: p.default for name, p in PARAMETERS.items()}
    assert check_parameters(defaults) == defaults
    out = check_parameters({"scenario_names": ("high", "base"), "share_cap": 1, "seed": 0})
    assert out == {"scenario_names": ["high", "base"], "seed": 0, "share_cap": 1.0}
    assert type(out["share_cap"]) is float
    assert list(check_parameters({"seed": 1, "data_dir": ""})) == ["data_dir", "seed"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"n_draws": 0}, "parameter n_draws must be a whole number >= 1, got 0"),
        ({"n_draws": "10000"}, "parameter n_draws must be a whole number >= 1, got '10000'"),
        ({"n_draws": 1_000_001}, "parameter n_draws must be at most 1,000,000"),
        ({"n_draws": 1_000_000, "target_year": 2040}, "target_year must be at most 2030"),
        ({"seed": datetime.date(2024, 1, 1)}, "parameter seed must be a whole number >= 0, got "
         "datetime.date(2024, 1, 1)"),
        ({"seed": False}, "parameter seed must be a whole number >= 0, got False"),
        ({"seed": 2**32}, "parameter seed must be at most 2**32 - 1 = 4294967295, got 4294967296"),
        ({"target_year": 2024}, "parameter target_year must be after 2024, the last observed year"),
        ({"target_year": 2030.0}, "parameter target_year must be a whole year, got 2030.0"),
        ({"target_year": 2031}, "parameter target_year must be at most 2030, 6 years after the "
         "last observed year"),
        ({"target_year": True}, "target_year must be a whole year, got True"),
        ({"scenario_names": ["nope"]}, "must be a list of known scenarios (base, capacity_limited"),
        ({"scenario_names": ["base", "base"]}, "a list of distinct scenario names"),
        ({"sensitivity_scenario": "nope"}, "sensitivity_scenario must be empty or one of the "
         "scenarios run (base, capacity_limited"),
        ({"sensitivity_scenario": "high", "scenario_names": ["base", "low"]},
         "sensitivity_scenario must be empty or one of the scenarios run (base, low), got 'high'"),
        ({"data_dir": "/nonexistent/x"}, "parameter data_dir must be a data folder holding "
         "history.csv, got '/nonexistent/x'"),
        ({"data_dir": 3}, "parameter data_dir must be a folder path (or empty), got 3"),
        ({"share_cap": 1.2}, "parameter share_cap must be a number in (0, 1] [fraction], got 1.2"),
        ({"mix_damping": 0}, "mix_damping must be a number in (0, 1], got 0"),
        ({"lfp_sigma": float("nan")}, "lfp_sigma must be a number in (0, inf) [logit], got nan"),
        ({"lfp_sigma": True}, "lfp_sigma must be a number in (0, inf) [logit], got True"),
        ({"n_draw": 5}, "unknown parameter 'n_draw'; declared: data_dir, "),
    ],
)
def test_refusals_name_the_parameter_and_value_in_one_line(values, message):
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        check_parameters(values)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ForecastError) and info.value.exit_code == 3


def test_output_dir_must_not_be_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    assert check_parameters({"output_dir": str(tmp_path / "new")}) == {
        "output_dir": str(tmp_path / "new")}
    with pytest.raises(ParameterError, match="output_dir must be a folder, not a file"):
        check_parameters({"output_dir": str(tmp_path / "f")})


def test_keyword_data_dir_takes_precedence(tmp_path):
    (tmp_path / "history.csv").write_text(
        "series,region,segment,year,value,unit,kind\n"
        "production,China,total,2030,1,GWh,reported\n"
        "production,China,total,2031,1,GWh,outlook\n")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "only.yaml").write_text("name: only\n")
    with pytest.raises(ParameterError, match="after 2030, the last observed year"):
        check_parameters({"target_year": 2030, "data_dir": "ignored"}, data_dir=tmp_path)
    assert check_parameters({"scenario_names": ["only"]}, data_dir=tmp_path) == {
        "scenario_names": ["only"]}


def test_last_observed_year_matches_the_loaded_history(history):
    from forecast import data

    assert parameters.last_observed_year(DATA) == data.get_series(history, "production").index.max()


def test_known_scenarios_are_the_resolvable_names():
    from forecast import scenarios

    assert parameters.known_scenarios(DATA / "scenarios") == list(
        scenarios.list_scenarios(DATA / "scenarios")["name"])


def test_the_most_draws_over_the_longest_horizon_fit_the_memory_budget():
    # So n_draws needs no check against target_year: raise MAX_HORIZON or MAX_DRAWS (or the
    # bytes per draw) past this and a combination check is needed again.
    most, horizon = parameters.MAX_DRAWS, parameters.MAX_HORIZON
    assert most * horizon * parameters.BYTES_PER_DRAW_YEAR <= parameters.MEMORY_BUDGET == 2**31
    last = parameters.last_observed_year(DATA)
    assert check_parameters({"n_draws": most, "target_year": last + horizon})["n_draws"] == most


def test_declaration_is_complete():
    for p in PARAMETERS.values():
        assert p.annotation in (int, float, str, list[str])
        assert p.metadata, "every parameter declares its domain: at least one rule"
        assert p.description and "\n" not in p.description


def test_checking_needs_no_pandas():
    code = ("import sys; from forecast.report.parameters import check_parameters as c; "
            "c({'n_draws': 5, 'seed': 1, 'target_year': 2030, 'scenario_names': ['base']}); "
            "print(sorted(m for m in ('pandas', 'numpy', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert out.strip() == "[]"


def test_one_horizon_policy_for_runs_projections_and_the_default_method():
    from forecast.models import DefaultMethod

    # The default method refuses what the parameters refuse: 2024 + 6 = 2030 and no later.
    assert DefaultMethod().horizons == parameters.MAX_HORIZON
    check_parameters({"target_year": 2030})
    with pytest.raises(ParameterError, match="at most 2030"):
        check_parameters({"target_year": 2035})


def test_hostile_values_are_refused_in_one_short_line():
    with pytest.raises(ParameterError, match="data_dir must be a folder path") as info:
        check_parameters({"data_dir": "/tmp/a\0b"})
    assert "\n" not in str(info.value)
    with pytest.raises(ParameterError) as info:
        check_parameters({"scenario_names": ["x" * 10_000_000]})
    # At most 100 characters of the value are quoted (the name and the rule come first).
    assert len(str(info.value)) < 250 and str(info.value).endswith(f"['{'x' * 98}...")
    with pytest.raises(ParameterError, match=r"unknown parameter 'a{100}\.\.\.'; declared"):
        check_parameters({"a" * 500: 1})


def test_read_parameters_takes_the_file_then_pairs_as_yaml(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("n_draws: 500\nseed: 1\n", encoding="utf-8")
    read = parameters.read_parameters(path, [("seed", "7"), ("data_dir", "a: b: c")])
    assert read == {"n_draws": 500, "seed": 7, "data_dir": "a: b: c"}
    assert parameters.read_parameters(None, {"seed": "7"}) == {"seed": "7"}


@pytest.mark.parametrize(("text", "message"), [
    ("seed: [", "not valid YAML"), ("- 1\n", "must be a mapping of names to values"),
    (None, "cannot read parameters file")])
def test_read_parameters_refuses_a_bad_file(tmp_path, text, message):
    path = tmp_path / "run.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ForecastError, match=message):
        parameters.read_parameters(path)


def test_run_parameter_label_is_the_help_text_before_what_empty_means():
    assert parameters.run_parameter_label("seed") == "Random seed"
    assert parameters.run_parameter_label("data_dir") == "Data folder"
    assert parameters.run_parameter_label("target_year") == "Last projected year [year]"
    assert parameters.run_parameter_label("sleep_s") == "sleep_s"  # a notebook's own parameter
