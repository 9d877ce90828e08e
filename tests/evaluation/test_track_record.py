"""Scoring earlier runs against actuals: every column checked against values worked out by hand.

A tiny data folder and fake run folders hold hand-made numbers: every figure here is made up
for the tests (source ``test_only_synthetic.txt``); none is a real observation. The CLI cases
run ``forecast score`` in a real subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecast.errors import ForecastError
from forecast.evaluation import track_record as tr
from forecast.evaluation.scoring import crps_quantiles
from tests.conftest import REPO, SYNTHETIC_SOURCE, write_data, write_run

# China 2025: total 1,200 = power 800 + consumer 100 + storage 300 GWh; world share 80%, so
# World total 1,200 / 0.8 = 1,500 GWh. The 2026 outlook row must never be scored, nor the
# non-default variant (yoy_base) of the 2025 total.
HISTORY = f"""series,region,segment,year,value,unit,kind,variant,source,quote,derivation,note
production,China,total,2024,1000,GWh,reported,,{SYNTHETIC_SOURCE},total 1000,,
production,China,total,2025,1200,GWh,reported,annual_series,{SYNTHETIC_SOURCE},total 1200,,
production,China,total,2025,1250,GWh,reported,yoy_base,{SYNTHETIC_SOURCE},total 1250 as a base,,
production,China,power,2025,800,GWh,reported,,{SYNTHETIC_SOURCE},power 800,,
production,China,consumer,2025,100,GWh,reported,,{SYNTHETIC_SOURCE},consumer 100,,
production,China,storage,2025,300,GWh,reported,,{SYNTHETIC_SOURCE},storage 300,,
production,China,total,2026,5000,GWh,outlook,,{SYNTHETIC_SOURCE},outlook 5000,,
production_share_of_world,China,total,2025,0.8,fraction,reported,,{SYNTHETIC_SOURCE},share 80%,,
"""

PROJECTIONS = """scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95
base,China,total,2025,GWh,1150,1000,1100,1150,1250,1300
base,China,power,2025,GWh,900,820,850,900,950,980
base,China,world_share,2025,fraction,0.75,0.7,0.72,0.75,0.78,0.8
base,World,total,2025,GWh,1500,1400,1450,1500,1550,1600
base,World,power,2025,GWh,1000,900,950,1000,1050,1100
base,China,total,2026,GWh,1400,1200,1300,1400,1500,1600
low,China,total,2025,GWh,1200,1200,1200,1200,1200,1200
"""


# --------------------------------------------------------------------------- hand-worked scores
# Levels 5, 10, 50, 90, 95%. crps = 2/5 * sum of pinball losses, pinball(a, q, y) =
# a (y - q) if y >= q else (1 - a)(q - y).
#
# base China total 2025, actual 1,200, quantiles 1000 1100 1150 1250 1300:
#   0.05*200 + 0.1*100 + 0.5*50 + 0.1*50 + 0.05*100 = 10 + 10 + 25 + 5 + 5 = 55 -> crps 22
#   error 1150/1200 - 1 = -1/24; 1100 <= 1200 <= 1250: covered
# base China power 2025, actual 800, quantiles 820 850 900 950 980 (all above):
#   0.95*20 + 0.9*50 + 0.5*100 + 0.1*150 + 0.05*180 = 19 + 45 + 50 + 15 + 9 = 138 -> 55.2
#   error 900/800 - 1 = 0.125; 800 < 850: not covered
# base China world_share 2025, actual 0.8, quantiles .70 .72 .75 .78 .80 (all at or below):
#   0.05*.1 + 0.1*.08 + 0.5*.05 + 0.9*.02 + 0.95*0 = .005 + .008 + .025 + .018 = .056 -> .0224
#   error .75/.8 - 1 = -0.0625; .8 > .78: not covered
# base World total 2025, actual 1,200 / 0.8 = 1,500, quantiles 1400 1450 1500 1550 1600:
#   0.05*100 + 0.1*50 + 0 + 0.1*50 + 0.05*100 = 20 -> 8; error 0; covered
# low China total 2025: every quantile 1,200 = the actual: crps 0, error 0, covered
# Not scored: World power (no observed series), China total 2026 (only an outlook).
EXPECTED = [
    # run, scenario, region, segment, year, p10, p50, p90, actual, error, covered80, crps
    ("vintage-a", "base", "China", "total", 2025, 1100, 1150, 1250, 1200, -1 / 24, True, 22.0),
    ("vintage-a", "base", "China", "power", 2025, 850, 900, 950, 800, 0.125, False, 55.2),
    ("vintage-a", "base", "China", "world_share", 2025, .72, .75, .78, .8, -0.0625, False, .0224),
    ("vintage-a", "base", "World", "total", 2025, 1450, 1500, 1550, 1500, 0.0, True, 8.0),
    ("vintage-a", "low", "China", "total", 2025, 1200, 1200, 1200, 1200, 0.0, True, 0.0),
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_data(tmp_path / "data", HISTORY)


@pytest.fixture
def run_a(tmp_path: Path) -> Path:
    return write_run(tmp_path / "runs" / "vintage-a", PROJECTIONS)


@pytest.fixture
def later(tmp_path: Path) -> Path:
    """A run that projects only 2026, a year with no actual."""
    return write_run(tmp_path / "runs" / "later",
                     "scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95\n"
                     "base,China,total,2026,GWh,1400,1200,1300,1400,1500,1600\n")


def _assert_expected(scores: pd.DataFrame, expected=EXPECTED) -> None:
    assert list(scores.columns) == list(tr.SCORE_COLUMNS)
    assert len(scores) == len(expected)
    for (_, row), want in zip(scores.iterrows(), expected, strict=True):
        for column, value in zip(tr.SCORE_COLUMNS, want, strict=True):
            got = row[column]
            if isinstance(value, float):
                assert got == pytest.approx(value, abs=1e-12), (column, want)
            else:
                assert got == value, (column, want)


def test_every_column_matches_the_hand_worked_values(run_a, data_dir):
    _assert_expected(tr.score_runs([run_a], data_dir))


def test_quantile_crps_is_twice_the_mean_pinball_loss():
    # obs 10, quantiles 8, 9, 11 at 10, 50, 90%: 0.1*2 + 0.5*1 + 0.1*1 = 0.8 -> 2/3 * 0.8.
    assert crps_quantiles(10.0, [8.0, 9.0, 11.0], [0.1, 0.5, 0.9]) == pytest.approx(0.8 * 2 / 3)
    y = [1200.0, 800.0, 1500.0]
    q = [[1000, 1100, 1150, 1250, 1300], [820, 850, 900, 950, 980], [1400, 1450, 1500, 1550, 1600]]
    assert crps_quantiles(y, q, [0.05, 0.1, 0.5, 0.9, 0.95]) == pytest.approx([22.0, 55.2, 8.0])
    assert tr.quantile_levels(["year", "p5", "p50", "p10", "p95", "p90", "mean"]) == {
        "p5": 0.05, "p10": 0.1, "p50": 0.5, "p90": 0.9, "p95": 0.95}


def test_actuals_use_observed_rows_of_the_default_variant(data_dir):
    observed = tr.actuals(data_dir).set_index(["region", "segment", "year"])["actual"]
    assert observed[("China", "total", 2025)] == 1200.0  # annual_series, not yoy_base's 1,250
    assert ("China", "total", 2026) not in observed.index  # an outlook is not an actual
    assert observed[("World", "total", 2025)] == pytest.approx(1500.0)
    assert observed[("China", "world_share", 2025)] == 0.8


def test_written_file_and_several_runs(run_a, data_dir, tmp_path):
    run_b = write_run(tmp_path / "runs" / "vintage-b",
                      "scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95\n"
                      "base,China,consumer,2025,GWh,90,80,85,90,95,100\n")
    scores = tr.score_runs([run_a, run_b], data_dir)
    # consumer: actual 100 above every quantile: 2/5 (.05*20 + .1*15 + .5*10 + .9*5 + .95*0)
    # = 2/5 * 12 = 4.8; error 90/100 - 1 = -0.1; not covered.
    _assert_expected(scores, [*EXPECTED, ("vintage-b", "base", "China", "consumer", 2025,
                                          85, 90, 95, 100, -0.1, False, 4.8)])
    out = tr.write_scores(scores, tmp_path / "scores.csv")
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(tr.SCORE_COLUMNS)
    assert lines[1] == "vintage-a,base,China,total,2025,1100,1150,1250,1200,-0.0416667,true,22"
    assert lines[-1] == "vintage-b,base,China,consumer,2025,85,90,95,100,-0.1,false,4.8"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".scores.csv")]


def test_no_matching_actuals_is_an_empty_table(later, data_dir):
    scores = tr.score_runs([later], data_dir)
    assert scores.empty and list(scores.columns) == list(tr.SCORE_COLUMNS)


def test_summary_per_run_and_scenario(run_a, data_dir):
    summary = tr.scores_by_run(tr.score_runs([run_a], data_dir)).set_index("scenario")
    assert summary.loc["base", "scored"] == 4
    assert summary.loc["base", "covered80"] == 0.5
    assert summary.loc["base", "mean_abs_error"] == pytest.approx((1 / 24 + .125 + .0625) / 4)
    assert summary.loc["base", "mean_crps_gwh"] == pytest.approx((22 + 55.2 + 8) / 3)
    assert summary.loc["low", "mean_crps_gwh"] == 0.0


# --------------------------------------------------------------------------- layouts, refusals


def test_old_layout_is_scored_when_its_table_allows(tmp_path, data_dir):
    old = write_run(tmp_path / "runs" / "vintage-a", PROJECTIONS, layout=None)
    record = tr.read_run(old)
    assert record.layout == 1 and record.last_observed_year == 2024
    _assert_expected(tr.score_runs([old], data_dir))


def test_old_layout_without_the_quantiles_is_refused(tmp_path):
    old = write_run(tmp_path / "runs" / "old", "scenario,region,segment,year,unit,mean\n"
                    "base,China,total,2025,GWh,1150\n", layout=None)
    with pytest.raises(tr.RunFolderError, match=r"/old: tables/projections.csv \(layout 1\) "
                       r"lacks column\(s\) p10, p50, p90 that scoring needs$"):
        tr.read_run(old)


def test_a_projections_table_pandas_cannot_parse_is_refused_in_one_line(tmp_path):
    # A quote never closed: pandas' ParserError spans several lines; the refusal keeps the
    # first, quoted.
    folder = write_run(tmp_path / "runs" / "x", 'scenario,region\n"base,China\n')
    with pytest.raises(tr.RunFolderError, match=r"/x: tables/projections.csv is not a readable "
                       r"CSV \('.+'\)$") as info:
        tr.read_run(folder)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("name", "kwargs", "message"), [
    (".tmp-x", {}, "a run still being built"),
    ("x.failed", {}, "a failed run"),
    ("x", {"manifest": False}, "no manifest.json; not a finished run folder"),
    ("x", {"projections": None}, "no tables/projections.csv; nothing to score"),
    ("x", {"status": "running"}, "run status is 'running', not 'ok'"),
    ("x", {"layout": 3}, "run folder layout 3 is not one this forecast reads"),
])
def test_folders_that_are_not_finished_runs_are_refused(tmp_path, name, kwargs, message):
    folder = write_run(tmp_path / name, **{"projections": PROJECTIONS, **kwargs})
    with pytest.raises(tr.RunFolderError, match=message) as info:
        tr.read_run(folder)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- command line


def _score(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "forecast", "score", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_cli_scores_writes_the_file_and_prints_a_table(run_a, data_dir, tmp_path):
    out = tmp_path / "scores.csv"
    proc = _score(run_a, "--data-dir", data_dir, "--output", out)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == list(tr.SCORE_COLUMNS) and len(frame) == len(EXPECTED)
    assert frame["covered80"].tolist() == [w[10] for w in EXPECTED]
    assert frame["crps"].tolist() == pytest.approx([w[11] for w in EXPECTED])
    lines = proc.stdout.splitlines()
    assert lines[0].split() == list(tr.SCORE_COLUMNS)
    assert lines[1].split() == ["vintage-a", "base", "China", "total", "2025", "1,100", "1,150",
                                "1,250", "1,200", "-4.2%", "yes", "22"]
    assert str(out) in proc.stdout.splitlines()[-1]


def test_cli_without_matching_actuals_writes_the_header_and_one_note(later, data_dir,
                                                                     tmp_path):
    out = tmp_path / "scores.csv"
    proc = _score(later, "--data-dir", data_dir, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == ",".join(tr.SCORE_COLUMNS) + "\n"
    assert proc.stdout.splitlines()[0].split() == list(tr.SCORE_COLUMNS)
    notes = [ln for ln in proc.stdout.splitlines()[1:] if ln.strip()]
    assert len(notes) == 1 and "no projection" in notes[0]


@pytest.mark.parametrize(("name", "kwargs"), [
    (".tmp-x", {}), ("x.failed", {}), ("x", {"manifest": False}), ("x", {"projections": None}),
])
def test_cli_refuses_a_folder_that_is_not_a_finished_run(tmp_path, data_dir, run_a, name, kwargs):
    bad = write_run(tmp_path / "runs" / name, **{"projections": PROJECTIONS, **kwargs})
    out = tmp_path / "scores.csv"
    proc = _score(run_a, bad, "--data-dir", data_dir, "--output", out)
    assert proc.returncode == 3
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(f"error: {bad}")
    assert not out.exists()


def test_read_runs_keeps_going_past_unreadable_folders(run_a, tmp_path):
    bad = write_run(tmp_path / "runs" / "bad", PROJECTIONS, manifest=False)
    records, refused = tr.read_runs([bad, run_a])
    assert [r.run_id for r in records] == ["vintage-a"]
    assert refused == [f"{bad}: no manifest.json; not a finished run folder"]


def test_cli_scores_an_old_layout_or_refuses_it_in_one_line(tmp_path, data_dir):
    old = write_run(tmp_path / "runs" / "vintage-a", PROJECTIONS, layout=None)
    out = tmp_path / "scores.csv"
    proc = _score(old, "--data-dir", data_dir, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(out)) == len(EXPECTED)
    older = write_run(tmp_path / "runs" / "older", "scenario,region,segment,year,unit,mean\n"
                      "base,China,total,2025,GWh,1150\n", layout=None)
    proc = _score(older, "--data-dir", data_dir, "--output", tmp_path / "refused.csv")
    assert proc.returncode == 3
    assert proc.stderr == (f"error: {older}: tables/projections.csv (layout 1) lacks column(s) "
                           "p10, p50, p90 that scoring needs\n")
    assert not (tmp_path / "refused.csv").exists()


def test_unusable_output_is_refused_in_one_line(run_a, data_dir, tmp_path):
    scores = tr.score_runs([run_a], data_dir)
    with pytest.raises(ForecastError, match=r"folder .*/missing does not exist$"):
        tr.write_scores(scores, tmp_path / "missing" / "scores.csv")
    with pytest.raises(ForecastError, match=r"is a folder; name a file$"):
        tr.write_scores(scores, tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ForecastError, match=r"scores.csv: folder .*/file is a file, not a folder$"):
        tr.write_scores(scores, tmp_path / "file" / "scores.csv")
    out = tr.write_scores(scores, tmp_path / "scores.csv")
    assert out.stat().st_mode & 0o044  # readable by others like any new file (umask 022)
