"""Tests of the run's notebook parameters: YAML values, precedence, refusals."""

from __future__ import annotations

import pytest

from forecast.errors import ForecastError
from forecast.run import parameters


def test_parameter_values_are_yaml():
    assert parameters.parse_parameter_value("-5") == -5
    assert parameters.parse_parameter_value("500") == 500
    assert parameters.parse_parameter_value("[base, high]") == ["base", "high"]
    assert parameters.parse_parameter_value("0.5") == 0.5
    assert parameters.parse_parameter_value("a: b: c") == "a: b: c"


DECLARED = {
    "01_a.ipynb": {"n_draws": {}, "seed": {}, "output_dir": {}},
    "02_b.ipynb": {"scenario_names": {}, "seed": {}, "data_dir": {}},
}


def test_merge_precedence_file_then_cli_then_scenario():
    merged = parameters.merge_parameters(
        DECLARED,
        file_parameters={"seed": 1, "n_draws": 10, "scenario_names": ["low"]},
        cli_parameters=[("seed", "2")],
        scenarios=["base", "high"],
    )
    assert merged == {"seed": 2, "n_draws": 10, "scenario_names": ["base", "high"]}


def test_merge_refuses_unknown_and_reserved_parameters():
    with pytest.raises(ForecastError, match=r"unknown notebook parameter 'n_draw'.*n_draws"):
        parameters.merge_parameters(DECLARED, cli_parameters=[("n_draw", "5")])
    with pytest.raises(ForecastError, match="use --output-dir"):
        parameters.merge_parameters(DECLARED, cli_parameters=[("output_dir", "/tmp")])


def test_parameters_file_errors(tmp_path):
    good = tmp_path / "p.yaml"
    good.write_text("n_draws: 500\nscenario_names: [base]\n")
    assert parameters.load_parameters_file(good) == {"n_draws": 500, "scenario_names": ["base"]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ForecastError, match="must be a mapping"):
        parameters.load_parameters_file(bad)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n")
    with pytest.raises(ForecastError, match="not valid YAML"):
        parameters.load_parameters_file(broken)
    with pytest.raises(ForecastError, match="cannot read"):
        parameters.load_parameters_file(tmp_path / "missing.yaml")


def test_declared_parameters_match_papermill_inspection():
    """The ast reading of the parameters cells gives what papermill.inspect_notebook gives."""
    from pathlib import Path

    import papermill

    notebooks = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        assert parameters.notebook_parameters(notebook) == papermill.inspect_notebook(
            str(notebook)), notebook.name
