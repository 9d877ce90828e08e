"""The real notebooks: committed form, and `forecast run` end to end.

The whole pipeline runs ONCE per test session (``main_run`` / ``run_dir`` of tests/conftest.py,
shared between pytest-xdist workers) and many tests assert on that run folder. A second
identical run checks that tables are byte-identical; a deliberately broken run and an
interrupted one check failure handling.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from tests.conftest import REPO, RUN_DRAWS, top_level_names

NOTEBOOK_DIR = REPO / "notebooks"
# Every notebook in the folder: `forecast run` executes them all, in name order.
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))
# 06_track_record runs only when the output folder holds earlier finished runs (a fresh one
# holds none); tests/test_track_record_notebook.py executes it.
RUN_NOTEBOOKS = [n for n in NOTEBOOKS if n != "06_track_record"]
QUANTILE_COLS = ["p5", "p10", "p50", "p90", "p95"]


def _table(run_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(run_dir / "tables" / f"{name}.csv")


# --------------------------------------------------------------------------- committed form


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_committed_clean_with_kernel_and_parameters(name):
    import papermill

    path = NOTEBOOK_DIR / f"{name}.ipynb"
    raw = json.loads(path.read_text(encoding="utf-8"))
    # nbformat only warns about a missing cell id (and papermill prints that warning on
    # every run), so the committed file is checked as written.
    ids = [c.get("id") for c in raw["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), ids
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {"name": "forecast", "display_name": "Python (forecast)",
                                         "language": "python"}
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code_cells)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    # Nothing is computed before the parameters: only prose precedes them.
    assert all(c.cell_type == "markdown" for c in nb.cells[: tagged[0]])
    params = papermill.inspect_notebook(str(path))
    assert {"data_dir", "output_dir"} <= set(params)
    for p in params.values():
        assert p["inferred_type_name"] != "None", p  # typed
        assert p["help"], p  # commented
    assert params["data_dir"]["default"] == '""' and params["output_dir"]["default"] == '""'
    if name not in ("01_history", "06_track_record"):
        assert {"target_year", "n_draws", "seed"} <= set(params)
    if name in ("00_summary", "04_scenarios_2030"):
        assert params["scenario_names"]["inferred_type_name"] == "list[str]"
    # Thin: markdown explains, code calls forecast; no cell is a wall of code.
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 3
    assert max(len(c.source.splitlines()) for c in code_cells) <= 45


def _code_after_parameters(path: Path) -> list[str]:
    """Sources of the code cells after the ``parameters`` cell, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = next(i for i, c in enumerate(cells)
                  if "parameters" in c.get("metadata", {}).get("tags", []))
    return ["".join(c["source"]) for c in cells[tagged + 1:] if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_setup_is_one_short_library_call(name):
    first = _code_after_parameters(NOTEBOOK_DIR / f"{name}.ipynb")[0]
    assert len(first.splitlines()) <= 5, first
    assert "setup(globals())" in first


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_follows_the_declaration(name):
    import ast

    import papermill

    from forecast.report.parameters import PARAMETERS

    for key, p in papermill.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb")).items():
        assert key in PARAMETERS, f"{name}: {key} is not declared in forecast.report.parameters"
        declared = PARAMETERS[key]
        kind = {int: "int", float: "float", str: "str"}.get(declared.annotation, "list[str]")
        assert p["inferred_type_name"] == kind, key
        assert ast.literal_eval(p["default"]) == declared.default, key
        assert p["help"] == declared.description, key


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_import_only_existing_forecast_modules(name):
    """Every forecast module a notebook imports exists, and every name it imports from one is
    a submodule or a top-level name of that module."""
    import ast
    import importlib.util

    for source in _code_after_parameters(NOTEBOOK_DIR / f"{name}.ipynb"):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names if a.name.startswith("forecast")]
                assert all(importlib.util.find_spec(m) for m in modules), modules
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("forecast"):
                spec = importlib.util.find_spec(node.module)
                assert spec is not None and spec.origin, node.module
                defined = top_level_names(Path(spec.origin), imports=True)
                for alias in node.names:
                    sub = importlib.util.find_spec(f"{node.module}.{alias.name}") if \
                        spec.submodule_search_locations else None
                    assert sub is not None or alias.name in defined, \
                        f"{name}: from {node.module} import {alias.name}"


# --------------------------------------------------------------------------- forecast run


@pytest.mark.slow
def test_run_prints_only_the_run_path(main_run, run_dir):
    assert main_run["stdout"].splitlines() == [str(run_dir)]
    assert run_dir == Path(main_run["out"]) / "main"
    progress = [ln for ln in main_run["stderr"].splitlines() if ln.startswith("forecast run: [")
                and not ln.endswith(" started")]
    assert len(progress) == len(RUN_NOTEBOOKS)
    assert all(re.search(r"\.ipynb ok in \d+\.\d s$", ln) for ln in progress)
    assert not [p for p in Path(main_run["out"]).iterdir() if p.name not in ("main", "latest")]
    assert (Path(main_run["out"]) / "latest").resolve() == run_dir.resolve()


@pytest.mark.slow
def test_run_folder_contents(run_dir):
    for name in RUN_NOTEBOOKS:
        assert (run_dir / f"{name}.ipynb").is_file()
        assert (run_dir / f"{name}.html").is_file()
    assert (run_dir / "index.html").is_file() and (run_dir / "manifest.json").is_file()
    assert {p.name for p in run_dir.iterdir() if p.is_dir()} <= {"tables", "figures", "logs"}
    tables = {p.stem for p in (run_dir / "tables").glob("*.csv")}
    assert {"projections", "backtest", "model_comparison", "headline", "history",
            "reconciliation", "sensitivity", "share_world", "segment_mix",
            "spread_decomposition", "outlooks_vs_fans"} <= tables
    figures = sorted((run_dir / "figures").glob("*.png"))
    assert {f.name[:2] for f in figures} == {n[:2] for n in RUN_NOTEBOOKS}
    assert all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in figures)


@pytest.mark.slow
def test_manifest_fields_and_hashes(run_dir):
    m = json.loads((run_dir / "manifest.json").read_text())
    assert m["run_id"] == "main" and m["status"] == "ok"
    assert m["started"] <= m["finished"] and m["duration_s"] > 0
    assert m["parameters"]["n_draws"] == RUN_DRAWS
    assert m["parameters"]["output_dir"] == str(run_dir)
    assert m["parameters"]["data_dir"] == str(REPO / "data")
    assert m["options"] == {"jobs": 2, "timeout_s": 600, "kernel": "forecast"}
    assert m["notebook_defaults"]["04_scenarios_2030.ipynb"] == {
        "scenario_names": "[]", "target_year": "2030", "seed": "2030",
        "sensitivity_scenario": '""'}
    assert "n_draws" not in m["notebook_defaults"]["02_growth.ipynb"]
    assert re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
    for pkg in ("numpy", "pandas", "papermill", "nbconvert", "forecast", "python"):
        assert m["packages"][pkg]
    expected = {
        p.relative_to(REPO).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in [*(REPO / "data").glob("*.csv"), *(REPO / "data" / "scenarios").glob("*.yaml"),
                  *(NOTEBOOK_DIR / f"{n}.ipynb" for n in RUN_NOTEBOOKS)]
    }
    assert m["inputs"] == expected
    assert [n["name"] for n in m["notebooks"]] == [f"{n}.ipynb" for n in RUN_NOTEBOOKS]
    assert all(n["status"] == "ok" and n["duration_s"] > 0 and n["error"] is None
               for n in m["notebooks"])
    for rel, digest in m["outputs"].items():
        assert hashlib.sha256((run_dir / rel).read_bytes()).hexdigest() == digest
    assert "tables/projections.csv" in m["outputs"]
    # The reference-class calibration notebook 05 read: its key, and the entry in the
    # session's cache folder (tests/conftest.py).
    from forecast.data.reference import default_reference_path
    from forecast.evaluation.calibration import FAST_METHODS
    from forecast.evaluation.calibration_cache import cache_dir, cache_key

    shipped = default_reference_path()
    key = cache_key(shipped, {"methods": list(FAST_METHODS), "seed": 2030,
                              "reference_class": str(shipped), "pit": True, "jobs": None})
    assert m["calibration_cache_key"] == key
    assert (run_dir / "tables" / "calibration_cache_key.csv").read_text() == f"key\n{key}\n"
    assert (cache_dir() / key / "forecasts.csv").is_file()


@pytest.mark.slow
def test_html_has_outputs_but_no_code(run_dir):
    for name in RUN_NOTEBOOKS:
        page = (run_dir / f"{name}.html").read_text()
        body = page.split("<body", 1)[1]
        assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body
        assert "In&nbsp;[" not in body
        assert "plots.finish(" not in body and "import pandas" not in body
        assert "<img" in body and "data:image/png;base64" in body
        assert "jp-RenderedMarkdown" in body
    # The summary's scenario column is text, aligned left by the table's own style.
    summary = (run_dir / "00_summary.html").read_text()
    assert re.search(r"#T_\w+ \.col0 \{\s*text-align: left;", summary)
    index = (run_dir / "index.html").read_text()
    for name in RUN_NOTEBOOKS:
        assert f'href="{name}.html"' in index and f'href="{name}.ipynb"' in index
    assert 'href="tables/projections.csv"' in index and 'href="manifest.json"' in index
    headline = _table(run_dir, "headline")
    assert all(f"<td>{s}</td>" in index for s in headline["scenario"])


@pytest.mark.slow
def test_executed_notebooks_got_the_parameters_and_no_errors(run_dir):
    for name in RUN_NOTEBOOKS:
        nb = nbformat.read(str(run_dir / f"{name}.ipynb"), as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert f'output_dir = "{run_dir}"' in injected[0].source  # the final folder
        if name != "01_history":
            assert f"n_draws = {RUN_DRAWS}" in injected[0].source
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                  if o.output_type == "error"]
        assert errors == []


# --------------------------------------------------------------------------- tables


@pytest.mark.slow
def test_history_table_matches_the_source_document(run_dir):
    h = _table(run_dir, "history")
    china = h[(h["series"] == "production") & (h["segment"] == "total") & (h["kind"] != "outlook")]
    # Document 002: 324, 738, 910 (annual series), 1,170 GWh.
    assert china.set_index("year")["value"].to_dict() == {2021: 324, 2022: 738, 2023: 910,
                                                           2024: 1170}
    world = _table(run_dir, "world_production").set_index("year")
    # 1170 / 0.76 = 1539.47 GWh; 324 / 0.57 = 568.421 GWh.
    assert world.loc[2024, "world"] == pytest.approx(1539.47, abs=0.01)
    assert world.loc[2021, "world"] == pytest.approx(568.421, abs=0.001)
    conflicts = _table(run_dir, "conflicts")
    c2023 = conflicts[(conflicts["series"] == "production") & (conflicts["year"] == 2023)]
    assert sorted(c2023["value"]) == [910, 940]


@pytest.mark.slow
def test_projections_table(run_dir):
    from forecast.scenarios import PROJECTION_COLUMNS, list_scenarios

    p = _table(run_dir, "projections")
    assert list(p.columns) == list(PROJECTION_COLUMNS)
    assert not p.isna().any().any()
    assert set(p["scenario"]) == set(list_scenarios(REPO / "data" / "scenarios")["name"])
    assert sorted(p["year"].unique()) == list(range(2025, 2031))
    q = p[QUANTILE_COLS].to_numpy()
    assert (q[:, :-1] <= q[:, 1:] + 1e-9).all()
    totals = p[(p["segment"] == "total") & (p["year"] == 2030)].pivot(
        index="scenario", columns="region", values="p50")
    assert totals["China"].between(1170, 10_000).all()
    assert (totals["World"] >= totals["China"]).all()
    share = p[p["segment"] == "world_share"]
    assert share[QUANTILE_COLS].stack().between(0, 1).all()


@pytest.mark.slow
def test_headline_table(run_dir):
    from forecast.report.headline import HEADLINE_COLUMNS

    hl = _table(run_dir, "headline")
    assert tuple(hl.columns) == HEADLINE_COLUMNS
    hl = hl.set_index("scenario")
    assert not hl.isna().any().any()
    # Numbers in numeric columns, never a range as text ("2,605-3,908").
    assert all(pd.api.types.is_numeric_dtype(hl[c]) for c in hl.columns)
    assert (hl["year"] == 2030).all()
    for region in ("china", "world", "china_share"):
        assert (hl[f"{region}_p10"] <= hl[f"{region}_p50"]).all()
        assert (hl[f"{region}_p50"] <= hl[f"{region}_p90"]).all()
    # Growth from 1,170 GWh in 2024 to the median: (p50 / 1170) ** (1 / 6) - 1.
    assert hl["china_cagr"].to_numpy() == pytest.approx(
        (hl["china_p50"] / 1170.0) ** (1 / 6) - 1, rel=1e-5)
    # 'published' holds China's share at 2024's 76%, without uncertainty.
    assert hl.loc["published", ["china_share_p10", "china_share_p90"]].tolist() == \
        pytest.approx([0.76, 0.76])
    assert hl["china_share_p50"].between(0.4, 1.0).all()


@pytest.mark.slow
def test_backtest_table(run_dir):
    from forecast.evaluation.backtest import BACKTEST_COLUMNS

    bt = _table(run_dir, "backtest")
    assert list(bt.columns) == BACKTEST_COLUMNS
    ok = bt[bt["status"] == "ok"]
    assert not ok[["model", "origin", "year", "actual", "forecast", "error"]].isna().any().any()
    assert set(ok["origin"]) == {2022, 2023}
    assert ok.groupby("year")["actual"].first().to_dict() == {2023: 910, 2024: 1170}
    # naive_last from origin 2022 forecasts 738 GWh for 2023 and 2024.
    naive = ok[(ok["model"] == "naive_last") & (ok["origin"] == 2022)]
    assert naive["forecast"].tolist() == [738, 738]
    assert (ok["error"] - (ok["forecast"] - ok["actual"])).abs().max() < 0.01


@pytest.mark.slow
def test_model_comparison_table(run_dir):
    from forecast.evaluation import COMPARISON_COLUMNS

    cmp = _table(run_dir, "model_comparison").set_index("model")
    assert list(cmp.reset_index().columns) == COMPARISON_COLUMNS
    assert {"cagr_endpoint", "linear", "exponential", "damped", "logistic_free_k",
            "gompertz_free_k", "default"} <= set(cmp.index)
    fitted = cmp.dropna(subset=["central"])
    assert not fitted[["p50", "lo80", "hi80", "lo95", "hi95"]].isna().any().any()
    assert (fitted["lo95"] <= fitted["lo80"]).all() and (fitted["hi80"] <= fitted["hi95"]).all()
    # OLS on levels: slope 1355 / 5 = 271 GWh/yr, 785.5 + 271 * 7.5 = 2818 GWh in 2030.
    assert cmp.loc["linear", "central"] == pytest.approx(2818.0, abs=0.01)
    # End-point CAGR: 1170 * (1170 / 324) ** 2 = 15,256.9 GWh in 2030.
    assert cmp.loc["cagr_endpoint", "central"] == pytest.approx(15256.9, abs=0.1)
    # No published outlook is held as a ceiling: the S-curves are make_model's, ceiling fitted.
    assert "logistic" not in cmp.index and "3,800" not in " ".join(cmp["parameters"].dropna())
    # One number per quantity: the default method's band is the one notebook 05 draws.
    from forecast import data
    from forecast.models import DefaultMethod

    china = data.get_series(data.load_history(REPO / "data"), "production")
    fan = DefaultMethod().fit(china.index, china.to_numpy()).forecast_frame([2030])
    assert cmp.loc["default", ["p50", "lo80", "hi80"]].tolist() == pytest.approx(
        fan[["p50", "p10", "p90"]].iloc[0].tolist(), rel=1e-5)


@pytest.mark.slow
def test_bass_sensitivity_table(run_dir):
    from forecast.evaluation import BASS_COLUMNS

    bass = _table(run_dir, "bass_sensitivity")
    assert list(bass.columns) == BASS_COLUMNS
    assert list(bass["market_basis"]) == ["estimated"] + ["assumed"] * (len(bass) - 1)
    # Assumed potentials are multiples of 324 + 738 + 910 + 1,170 = 3,142 GWh.
    assumed = bass[bass["market_basis"] == "assumed"]
    assert (assumed["market"] - 3142.0 * assumed["cumulative_multiple"]).abs().max() < 1e-3
    assert assumed["central"].is_monotonic_increasing


@pytest.mark.slow
def test_share_tables(run_dir):
    ws = _table(run_dir, "share_world")
    assert not ws[QUANTILE_COLS].isna().any().any()
    assert ws[QUANTILE_COLS].stack().between(0.0, 0.9).all()  # below the default cap of 90%
    # The 2021-2024 trend is rising: every median is above the 76% of 2024.
    assert (ws["p50"] > 0.76).all() and ws["p50"].is_monotonic_increasing
    mix = _table(run_dir, "segment_mix")
    assert mix.groupby("year")["central"].sum().sub(1).abs().max() < 1e-5
    chem = _table(run_dir, "chemistry_mix")
    assert chem[QUANTILE_COLS].stack().between(0, 0.95).all()


@pytest.mark.slow
def test_reconciliation_and_sensitivity_tables(run_dir):
    rec = _table(run_dir, "reconciliation")
    china = rec[(rec["region"] == "China") & (rec["segment"] == "total")]
    assert (china["published"] == 3800).all()
    assert (china["difference"] - (china["projected"] - china["published"])).abs().max() < 0.05
    sens = _table(run_dir, "sensitivity")
    assert not sens[["central", "low", "high", "total_at_low", "total_at_high"]].isna().any().any()
    assert (sens["swing"].diff().dropna() <= 1e-9).all()  # largest swing first


@pytest.mark.slow
def test_two_runs_give_byte_identical_tables(again_run, run_dir):
    """Also when the notebooks share kernels differently (one job against two): a reused
    kernel leaves nothing of the notebook before it in the tables or the figures."""
    assert again_run["rc"] == 0, again_run["stderr"][-3000:]
    assert again_run["stderr"] == ""  # --quiet
    other = Path(again_run["stdout"].strip())
    for kind in ("tables", "figures"):
        first = sorted(p.name for p in (run_dir / kind).iterdir())
        assert sorted(p.name for p in (other / kind).iterdir()) == first
        for name in first:
            assert (other / kind / name).read_bytes() == (run_dir / kind / name).read_bytes(), \
                name


# --------------------------------------------------------------------------- failures


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "args", "message"),
    [
        # Bad parameters and inputs are refused before any notebook starts
        # (tests/test_cli_contract.py); a one-second cell timeout fails 00 while it runs
        # (its projection of every scenario with 100,000 draws takes seconds on any machine).
        ("too_slow", ["--timeout", "1", "-p", "n_draws", "100000"],
         r"timed out after 1 s \(--timeout\)"),
    ],
)
def test_failing_notebook_exits_4_and_keeps_it(shared_result, forecast_run, key, args, message):
    def build(out: Path) -> dict[str, Any]:
        return forecast_run(out, "--run-name", key, "--jobs", "1", *args)

    res = shared_result(key, build)
    out = Path(res["out"])
    assert res["rc"] == 4
    last = res["stderr"].strip().splitlines()[-1]
    assert res["stdout"].strip().splitlines() == [last]  # the failure line, for wrappers
    assert re.match(r"error: notebook 00_summary\.ipynb failed in cell In \[\d+\]: ", last)
    assert re.search(message, last)
    kept = out / f"{key}.failed" / "00_summary.ipynb"
    assert last.endswith(f"executed notebook kept in {kept}")
    assert not (out / key).exists() and not (out / f".tmp-{key}").exists()
    executed = nbformat.read(str(kept), as_version=4)
    assert executed.metadata.papermill.parameters.output_dir == str(out / f"{key}.failed")
    m = json.loads((out / f"{key}.failed" / "manifest.json").read_text())
    assert m["status"] == "failed"
    assert {n["name"]: n["status"] for n in m["notebooks"]}["01_history.ipynb"] == "skipped"


@pytest.mark.slow
def test_plain_papermill_from_the_notebooks_folder(tmp_path):
    """As JupyterLab runs it: cwd notebooks/, default paths, nothing written."""
    out = tmp_path / "summary.ipynb"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("papermill")), "notebooks/00_summary.ipynb",
         str(out), "--cwd", "notebooks", "-p", "n_draws", "200", "--no-progress-bar"],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = nbformat.read(str(out), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "forecast"
    assert not (NOTEBOOK_DIR / "tables").exists() and not (NOTEBOOK_DIR / "figures").exists()
    text = "".join(o.get("text", "") + json.dumps(o.get("data", {}))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "published" in text and "76.0%" in text  # published holds the 2024 share


# --------------------------------------------------------------------------- reviewer text


def _outputs_text(path: Path, *, skip_tag: str | None = None) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "".join(
        o.get("text", "") + json.dumps(o.get("data", {}))
        for c in nb.cells if c.cell_type == "code"
        and (skip_tag is None or skip_tag not in c.metadata.get("tags", []))
        for o in c.outputs)


@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if n[:2] in ("00", "01", "02", "03", "04")])
def test_modeller_instructions_are_tagged(name):
    """The part-B reviewer view removes cells tagged 'modeller': parameter instructions are."""
    cells = json.loads((NOTEBOOK_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and ("The next cell" in text
                                                or "papermill" in text):
            assert "modeller" in cell.get("metadata", {}).get("tags", []), text[:80]
        if "print(" in text:
            assert "modeller" in cell.get("metadata", {}).get("tags", []), text[:80]


@pytest.mark.slow
def test_reviewer_outputs_have_no_printed_lines_and_consistent_numbers(run_dir):
    from forecast import data
    from forecast.report.labels import GLOSSARY

    for name in [n for n in NOTEBOOKS if n[:2] in ("00", "01", "02", "03", "04")]:
        nb = nbformat.read(str(run_dir / f"{name}.ipynb"), as_version=4)
        streams = [o for c in nb.cells if c.cell_type == "code"
                   and "modeller" not in c.metadata.get("tags", [])
                   for o in c.outputs if o.output_type == "stream" and o.name == "stdout"]
        assert streams == [], (name, streams[:1])
        text = _outputs_text(run_dir / f"{name}.ipynb")
        assert "-0.0%" not in text and "by at most 0.0%" not in text, name
        assert not re.search(r"(?<![\d,])(\d[\d,]*)-\1(?![\d,])", text), name  # "3,809-3,809"
    summary = _outputs_text(run_dir / "00_summary.ipynb")
    counts = data.load_dataset(REPO / "data").counts()  # what `forecast validate` says
    assert (f"{counts['observations']} observations from {counts['documents']} documents"
            in summary.replace("\\n", " "))
    for term in GLOSSARY:
        assert f"**{term}**" in summary, term


@pytest.mark.slow
def test_one_number_per_quantity_across_the_run(run_dir):
    """A quantity shown on two pages is the same number on both: the headline, the scenario
    projections and the reconciliation give each scenario's China 2030 median; notebooks 02
    and 05 give the default method's 2030 band."""
    head = _table(run_dir, "headline").set_index("scenario")
    proj = _table(run_dir, "projections").query(
        "region == 'China' and segment == 'total' and year == 2030").set_index("scenario")
    recon = _table(run_dir, "reconciliation").query(
        "region == 'China' and segment == 'total' and year == 2030").set_index("scenario")
    for name in head.index:
        assert head.loc[name, "china_p50"] == pytest.approx(proj.loc[name, "p50"], rel=1e-5)
        assert recon.loc[name, "projected"] == pytest.approx(proj.loc[name, "p50"], rel=1e-5)
    comparison = _table(run_dir, "model_comparison").set_index("model").loc["default"]
    fan = _table(run_dir, "calibration_fans").query("model == 'default' and year == 2030")
    assert [comparison["p50"], comparison["lo80"], comparison["hi80"]] == pytest.approx(
        fan[["p50", "p10", "p90"]].iloc[0].tolist(), rel=1e-5)
