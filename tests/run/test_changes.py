"""What changed since the previous finished run: inputs, parameters, packages, scenario set and
the headline numbers that moved beyond their Monte Carlo error."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from forecast.evaluation.scoring import quantile_standard_error
from forecast.run import folder as runfolder
from forecast.run import html

HEADER = ("scenario,year,china_p10,china_p50,china_p90,world_p10,world_p50,world_p90,"
          "china_share_p10,china_share_p50,china_share_p90,china_cagr\n")
BASE = "base,2030,2600,3100,3900,3500,4200,5200,0.70,0.745,0.78,0.171\n"
LOW = "low,2030,1900,2050,2200,2700,2900,3100,0.66,0.695,0.73,0.095\n"


def _manifest(**overrides: object) -> dict[str, object]:
    manifest: dict[str, object] = {
        "status": "ok", "finished": "2026-01-01T00:00:00+00:00", "data_sha256": "a" * 64,
        "root": "/repo", "inputs": {"/d/history.csv": "1" * 64, "notebooks/00.ipynb": "2" * 64},
        "parameters": {"data_dir": "/d", "output_dir": "/runs/old"},
        "notebook_defaults": {"00_summary.ipynb": {"n_draws": "10_000", "seed": "2030"}},
        "packages": {"numpy": "2.4.6", "pandas": "3.1.1"},
    }
    return manifest | overrides


def _run(folder: Path, rows: str = BASE + LOW, **overrides: object) -> Path:
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "headline.csv").write_text(HEADER + rows, encoding="utf-8")
    (folder / "manifest.json").write_text(
        json.dumps({"run_id": folder.name, **_manifest(**overrides)}), encoding="utf-8")
    return folder


def _compare(old: Path, new: Path) -> html.RunChanges:
    return html.compare_runs(old, json.loads((new / "manifest.json").read_text()), new)


def test_finished_runs_leave_out_builds_failures_and_latest(tmp_path):
    _run(tmp_path / "a", finished="2026-01-01T00:00:00+00:00")
    _run(tmp_path / "b", finished="2026-03-01T00:00:00+00:00")
    _run(tmp_path / "c.failed", finished="2026-04-01T00:00:00+00:00")
    _run(tmp_path / ".tmp-d", finished="2026-05-01T00:00:00+00:00")
    _run(tmp_path / "e", status="failed", finished="2026-06-01T00:00:00+00:00")
    (tmp_path / "latest").symlink_to("b")
    assert runfolder.finished_run_dirs(tmp_path) == [tmp_path / "a", tmp_path / "b"]
    assert runfolder.finished_run_dirs(tmp_path / "missing") == []


def test_quantile_standard_error_matches_the_order_statistic_error_of_real_draws():
    # Log-normal draws: the formula's density is exact, so its error must match the spread of
    # the p90 of many independent runs of n draws.
    rng = np.random.default_rng(1)
    n, sigma = 2000, 0.6
    p90s = np.quantile(np.exp(rng.normal(0.0, sigma, size=(600, n))), 0.9, axis=1)
    z = 1.2815515655446004
    band = {"p10": math.exp(-sigma * z), "p50": 1.0, "p90": math.exp(sigma * z)}
    se = quantile_standard_error("p90", band, n)
    # By hand: sqrt(0.09 / 2000) * p90 * sigma / phi(z90) = 0.006708 * 2.1574 * 0.6 / 0.17550
    assert se == pytest.approx(0.0067082 * 2.15739 * 0.6 / 0.175498, rel=1e-4)
    assert float(np.std(p90s)) == pytest.approx(se, rel=0.1)


def test_nothing_changed(tmp_path):
    old = _run(tmp_path / "old")
    new = _run(tmp_path / "new", parameters={"data_dir": "/d", "output_dir": "/runs/new"})
    found = _compare(old, new)
    assert found.nothing and found.previous_id == "old" and found.within_noise == 0


def test_monte_carlo_noise_is_not_a_change(tmp_path):
    # A new seed moves China's p90 by 40 GWh; its standard error at 10,000 draws is
    # sqrt(.09/1e4) * 3900 * ln(3900/3100)/z90 / phi(z90) = 0.003 * 3900 * 0.17917 / 0.17550
    # = 11.9 GWh per run, so 3 x sqrt(2) x 11.9 = 50.7 GWh: not reported. 3,100 -> 3,300 is.
    old = _run(tmp_path / "old")
    new = _run(tmp_path / "new", rows=BASE.replace("3900", "3940").replace("3100", "3300") + LOW,
               parameters={"data_dir": "/d", "output_dir": "/x", "seed": 7})
    found = _compare(old, new)
    quantities = [(s, q) for s, q, *_ in found.headline]
    assert ("base", "China [GWh], median") in quantities
    assert ("base", "China [GWh], 90th percentile") not in quantities and found.within_noise >= 1
    row = next(r for r in found.headline if r[1] == "China [GWh], median")
    assert row == ("base", "China [GWh], median", "3,100", "3,300", "+200 (+6.5%)")
    # Parameters in words, numbers as the report writes them.
    assert ("Random seed", "2,030", "7") in found.parameters


def test_scenario_set_changes_are_one_line_and_everything_is_listed(tmp_path):
    old = _run(tmp_path / "old")
    new = _run(tmp_path / "new", rows=BASE.replace("0.745", "0.80"),
               data_sha256="b" * 64,
               inputs={"/d/history.csv": "9" * 64, "/d/extra.csv": "3" * 64},
               packages={"numpy": "2.5.0", "pandas": "3.1.1"})
    found = _compare(old, new)
    assert found.scenarios == "Scenarios removed low."
    assert found.data_changed is True
    assert found.inputs == [("<data>/extra.csv", "added"), ("<data>/history.csv", "changed"),
                            ("notebooks/00.ipynb", "removed")]
    assert found.packages == [("numpy", "2.4.6", "2.5.0")]
    assert ("base", "China's share of world, median", "74.5%", "80.0%", "+5.5 pt") in found.headline
    assert all(r[0] == "base" for r in found.headline)  # no "(none)" rows for low


def test_index_shows_the_changes_escaped(tmp_path):
    old = _run(tmp_path / "old")
    new = _run(tmp_path / "new", rows=BASE.replace("base", "<b>x</b>") + LOW)
    found = _compare(old, new)
    page = html.write_index(new, {"run_id": "new", "status": "ok"}, found).read_text()
    assert "Scenarios added &lt;b&gt;x&lt;/b&gt;; removed base." in page
    assert "<b>x</b>" not in page and 'href="../old/index.html"' in page
