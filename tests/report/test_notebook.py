"""The notebooks' setup call: parameters checked, folders resolved, history loaded, tables
shown with their text columns left-aligned."""

from __future__ import annotations

import re

import pytest

from forecast.errors import ParameterError
from forecast.report import notebook
from forecast.report.notebook import NotebookContext, align_text_columns, resolve_path, setup
from tests.conftest import DATA, REPO


def test_relative_paths_mean_the_same_folder_from_the_root_and_from_notebooks(tmp_path):
    assert resolve_path("data", REPO) == DATA
    assert resolve_path("data", REPO / "notebooks") == DATA
    assert resolve_path("out/x", tmp_path) == tmp_path / "out" / "x"
    assert resolve_path(tmp_path / "abs", REPO / "notebooks") == tmp_path / "abs"
    # A folder merely named notebooks, outside a project, is not special.
    (tmp_path / "notebooks").mkdir()
    assert resolve_path("data", tmp_path / "notebooks") == tmp_path / "notebooks" / "data"


def test_setup_reads_only_declared_parameters_and_writes_nothing_back(tmp_path):
    namespace = {"data_dir": "data", "output_dir": "", "n_draws": 50, "seed": 1,
                 "In": ["x"], "np": object(), "_": None}
    before = dict(namespace)
    nb = setup(namespace, cwd=REPO / "notebooks")
    assert namespace == before
    assert isinstance(nb, NotebookContext)
    assert nb.params == {"data_dir": str(DATA), "output_dir": "", "n_draws": 50,
                         "seed": 1}
    assert nb.data_dir == DATA and nb.output_dir is None
    assert nb.scenario_dir == DATA / "scenarios"
    assert set(nb.history["year"]) >= {2021, 2024}
    assert "doc 002" in nb.source
    assert nb.write_table(nb.history.head(1), "h") is None


def test_setup_defaults_and_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_DATA_DIR", str(DATA))
    assert setup({"output_dir": "  "}).output_dir is None
    nb = setup({"data_dir": "", "output_dir": "run"})
    assert nb.data_dir == DATA and nb.output_dir == tmp_path / "run"
    assert nb.params["output_dir"] == str(tmp_path / "run")
    path = nb.write_table(nb.history.head(2), "history_head")
    assert path == tmp_path / "run" / "tables" / "history_head.csv" and path.is_file()


@pytest.mark.parametrize(
    ("namespace", "message"),
    [
        ({"n_draws": True}, "parameter n_draws must be a whole number >= 1, got True"),
        ({"target_year": 2020}, "parameter target_year must be after 2024"),
        # Relative paths are reported resolved: where the notebook looked.
        ({"data_dir": "no/such/folder"}, "parameter data_dir must be a data folder holding "
         f"history.csv, got '{REPO}/no/such/folder'"),
    ],
)
def test_setup_refuses_bad_parameters(namespace, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        setup(namespace, cwd=REPO)


def test_project_scenarios_is_the_projection_of_each_scenario():
    from forecast import scenarios

    params = {"scenario_names": ["published", "base"], "target_year": 2030, "n_draws": 200,
              "seed": 7}
    nb = setup(params, cwd=REPO)
    run = nb.project_scenarios()
    assert run.names == ["published", "base"] and [s.name for s in run.chosen] == run.names
    assert list(run.catalogue["name"]) == sorted(run.catalogue["name"])
    assert set(run.colors) == {"published", "base"}
    direct = scenarios.project(scenarios.resolve_scenario("base", nb.scenario_dir), nb.history,
                               n_draws=200, seed=7, target_year=2030)
    ours = run.projections[run.projections["scenario"] == "base"].reset_index(drop=True)
    assert ours.equals(direct)
    every = setup({**params, "scenario_names": []}, cwd=REPO).project_scenarios()
    assert every.names == list(every.catalogue["name"])


def test_project_scenarios_needs_its_parameters_declared():
    nb = setup({"n_draws": 10}, cwd=REPO)
    with pytest.raises(ParameterError, match="parameter scenario_names is needed here"):
        nb.project_scenarios()


def test_every_path_parameter_is_resolved(tmp_path):
    (tmp_path / "run_a").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    nb = setup({"data_dir": str(DATA), "earlier_runs": ["run_a"]},
               cwd=tmp_path / "notebooks")
    assert nb.params["earlier_runs"] == [str(tmp_path / "run_a")]
    with pytest.raises(ParameterError, match="earlier_runs must be a list of run folders"):
        setup({"earlier_runs": ["run_a"]}, cwd=REPO)


def _styles(styler) -> dict[str, str]:
    return {s["selector"]: "; ".join(f"{k}: {v}" for k, v in s["props"])
            for s in styler.table_styles or []}


def test_text_columns_align_left_and_numbers_right():
    import pandas as pd

    frame = pd.DataFrame({
        "scenario": ["base", "low", "high"], "p50": [3115.0, float("nan"), 2050.0],
        "band": ["2,602-3,925", "-0.4%", "nan"], "mixed": ["22.0%/yr", "0.9", "4.0%/yr"],
        "note": ["", "a sentence longer than a short phrase, so that its column may wrap", ""]})
    styles = _styles(align_text_columns(frame.style.format({"p50": "{:,.0f}".format})))
    assert styles == {".col0": "text-align: left; white-space: normal",
                      ".col3": "text-align: left; white-space: normal",
                      ".col4": "text-align: left; white-space: normal",
                      "td.col4": "min-width: 16em; max-width: 36em"}


def test_setup_makes_ipython_show_every_styler_aligned(monkeypatch):
    import IPython
    import pandas as pd
    from IPython.core.formatters import DisplayFormatter

    shell = type("Shell", (), {"display_formatter": DisplayFormatter()})()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    notebook.style_tables()
    styler = pd.DataFrame({"scenario": ["base"], "p50": [3115.0]}).style
    html = shell.display_formatter.formatters["text/html"](styler)
    assert re.search(r"#T_\w+ \.col0 \{\s*text-align: left;", html) and ".col1" not in html
    assert not styler.table_styles  # the notebook's own object is left as it was
