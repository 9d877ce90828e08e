"""Rolling forward is a data edit: a data folder with the next year's rows starts every command
from that year.

The next year here is SYNTHETIC: a copy of ``data/`` in a temporary folder gets 2025 rows whose
source is a test-only document and whose values the test chooses. They are not real figures
and never go into ``data/``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO, write_run

SOURCE = "test_only_synthetic_next_year.txt"
# Made-up next-year values [GWh, fraction]: segments sum to the total, as validation requires.
NEXT = {"power": 1000.0, "consumer": 100.0, "storage": 300.0, "total": 1400.0, "share": 0.8}


def _last_year() -> int:
    from forecast.report.parameters import last_observed_year

    return last_observed_year(DATA)


@pytest.fixture(scope="module")
def rolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ plus synthetic rows for the year after its last observed year."""
    folder = tmp_path_factory.mktemp("rolled") / "data"
    shutil.copytree(DATA, folder)
    year = _last_year() + 1
    with open(folder / "sources.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            [SOURCE, "Synthetic next-year figures for a test", "test suite", "",
             "Made-up numbers, not a real document."])
    rows = [["production", "China", seg, year, NEXT[seg], "GWh", "reported", "", SOURCE,
             f"synthetic {seg}", "", ""] for seg in ("power", "consumer", "storage", "total")]
    rows.append(["production_share_of_world", "China", "total", year, NEXT["share"], "fraction",
                 "reported", "", SOURCE, "synthetic share", "", ""])
    with open(folder / "history.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return folder


def _forecast(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "forecast", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False)


def test_validate_reads_the_new_year(rolled):
    proc = _forecast("validate", "--data-dir", rolled)
    assert proc.returncode == 0, proc.stderr
    year = _last_year() + 1
    assert f"{year} 1,400" in proc.stdout
    assert f"{year} 80.0%" in proc.stdout


def test_project_starts_after_the_new_year(rolled):
    year = _last_year() + 1
    proc = _forecast("project", "--scenario", "base", "--data-dir", rolled, "--format", "csv",
                     "--draws", "200")
    assert proc.returncode == 0, proc.stderr
    years = {int(r["year"]) for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert min(years) == year + 1
    # The synthetic year is history now: it cannot be a target year.
    refused = _forecast("project", "--scenario", "base", "--data-dir", rolled, "--year", year)
    assert refused.returncode == 3
    assert f"after {year}" in refused.stderr


def test_score_compares_an_earlier_run_with_the_new_year(rolled, tmp_path):
    year = _last_year() + 1
    run = write_run(tmp_path / "runs" / "earlier",
                    "scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95\n"
                    f"base,China,total,{year},GWh,1300,1200,1250,1300,1350,1400\n"
                    f"base,China,total,{year + 1},GWh,1500,1400,1450,1500,1550,1600\n",
                    last_observed_year=year - 1)
    out = tmp_path / "scores.csv"
    proc = _forecast("score", run, "--data-dir", rolled, "--output", out)
    assert proc.returncode == 0, proc.stderr
    # 1,300 / 1,400 - 1 = -0.0714286; 1,400 > 1,350: not covered; crps 2/5 of
    # (0.05*200 + 0.1*150 + 0.5*100 + 0.9*50 + 0.95*0) = 2/5 * 120 = 48.
    assert out.read_text().splitlines()[1:] == [
        f"earlier,base,China,total,{year},1250,1300,1350,1400,-0.0714286,false,48"]


@pytest.mark.slow
def test_run_starts_from_the_new_year(rolled, tmp_path):
    from forecast.run.pipeline import RunConfig, run

    year = _last_year() + 1
    folder = run(RunConfig(output_dir=tmp_path / "runs", run_name="rolled", quiet=True,
                           notebooks=["04_scenarios_2030.ipynb"],
                           # One scenario is enough to see where projections start.
                           parameters={"data_dir": str(rolled), "n_draws": 200,
                                       "scenario_names": ["base"]}))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["last_observed_year"] == year
    with open(folder / "tables" / "projections.csv", newline="") as handle:
        assert min(int(r["year"]) for r in csv.DictReader(handle)) == year + 1
