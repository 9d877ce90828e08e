"""Hostile and careless input: every case ends with the exit code the README states and one
short line, never a traceback, a hang or a partial write; nothing from a data or scenario file
runs in a browser or a spreadsheet.

Refusals run ``forecast.cli.main`` in the test's process (``forecast_main`` of
tests/conftest.py: exit code, stdout, stderr and a bound on time, without an interpreter start
per case); what needs a process of its own runs one: ``forecast validate`` as a whole, the
signals that stop ``forecast calibrate`` and its workers, and a whole run.

Data folders here are copies of the repository's ``data/`` with one file made hostile; the
synthetic run folders hold made-up numbers (no real observation is added).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

DATA = REPO / "data"
REFERENCE = REPO / "src" / "forecast" / "data" / "reference_class" / "technology_ramps.csv"
#: A refusal that reads no file body takes about a second on a loaded 2-core machine.
REFUSAL_S = 20.0


def _forecast(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "forecast", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, check=False, **kwargs)


def _refused(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 3, one ``error:`` line on stderr holding every needle, no traceback."""
    assert proc.returncode == 3, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ data folder


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _huge(path: Path) -> None:
    # Sparse: 9 MiB on paper, nothing on disk; refused from its size before a byte is read.
    with open(path, "ab") as handle:
        handle.truncate(9 * 1024**2)


@pytest.mark.parametrize(("damage", "needles"), [
    (_fifo, ["sources.csv", "[not-a-file] a FIFO"]),
    (_zero, ["sources.csv", "[not-a-file] a character device"]),
    (_huge, ["sources.csv", "[file-size]", "8,388,608"]),
], ids=["fifo", "dev-zero", "9-MiB"])
def test_validate_refuses_unreadable_data_files_unread(forecast_main, data_copy, damage, needles):
    damage(data_copy / "sources.csv")
    start = time.perf_counter()
    _refused(forecast_main("validate", "--data-dir", str(data_copy), timeout=60), *needles)
    assert time.perf_counter() - start < REFUSAL_S


@pytest.mark.parametrize(("value", "rule"), [
    ("1e308", "[magnitude] '1e308'"), ("-1e13", "[magnitude] '-1e13'"),
    ("1e-300", "[magnitude] '1e-300'"), ("nan", "[not-a-number] 'nan'"),
    ("inf", "[not-a-number] 'inf'"),
])
def test_values_a_projection_cannot_carry_are_refused_by_validation(forecast_main, data_copy,
                                                                   value, rule):
    # Row 6 of history.csv is China's 2024 production (1,170 GWh).
    _replace_in(data_copy / "history.csv", ",2024,1170,GWh,", f",2024,{value},GWh,")
    for command in (["validate"], ["project", "--scenario", "base"]):
        proc = forecast_main(*command, "--data-dir", str(data_copy))
        _refused(proc, "history.csv, row 6, column 'value'", rule)
        assert proc.stdout == ""


def test_a_nul_byte_in_a_path_is_one_line(forecast_main):
    # No process can be given such an argument (argv strings end at a NUL byte).
    _refused(forecast_main("validate", "--data-dir", "da\x00ta"), "the path contains a NUL byte",
             "da\\x00ta")
    _refused(forecast_main("score", "runs/r\x00", "--output", "s.csv"), "RUN_DIR", "NUL byte")
    _refused(forecast_main("calibrate", "--reference", str(REFERENCE), "--output", "o\x00ut"),
             "--output", "NUL byte")


def test_check_inputs_refuses_a_nul_byte_in_data_dir():
    from forecast.errors import DataValidationError
    from forecast.inputs import check_inputs

    with pytest.raises(DataValidationError, match="NUL byte"):
        check_inputs("da\x00ta", "scenarios")


# ------------------------------------------------------------------ scenario files


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("make", "needles"), [
    (lambda p: os.mkfifo(p), ["a FIFO, not a regular file"]),
    (lambda p: p.symlink_to("/dev/zero"), ["a character device"]),
    (lambda p: p.write_text("x: '" + "a" * (1024**2) + "'\n"),
     ["above the limit of 1,048,576 bytes"]),
    (lambda p: p.write_text(_bomb()), ["YAML bomb", "10,000 values"]),
    (lambda p: p.write_text("a: &a [1, *a]\n"), ["alias *a refers to a node that contains it"]),
    (lambda p: p.write_text("[" * 100_000 + "]" * 100_000 + "\n"), ["deeper than 32 levels"]),
], ids=["fifo", "dev-zero", "1-MiB", "billion-laughs", "recursive-alias", "deep"])
def test_hostile_scenario_files_are_refused_by_every_command(forecast_main, data_copy, make,
                                                             needles):
    bad = data_copy / "scenarios" / "zz_bad.yaml"
    make(bad)
    for command in (["scenarios", "--scenario-dir", str(data_copy / "scenarios")],
                    ["validate", "--data-dir", str(data_copy)]):
        start = time.perf_counter()
        _refused(forecast_main(*command, timeout=60), "zz_bad.yaml", *needles)
        assert time.perf_counter() - start < REFUSAL_S


@pytest.mark.parametrize(("edit", "needles"), [
    (lambda d: _replace_in(d / "scenarios" / "high.yaml", "\n  power:\n", "\n  powr:\n"),
     ["high.yaml", "segments.powr", "unknown key"]),
    (lambda d: shutil.copy(d / "scenarios" / "base.yaml", d / "scenarios" / "base2.yaml"),
     ["base2.yaml", "'base' is also the name of"]),
    (lambda d: _replace_in(d / "scenarios" / "low.yaml", "target_year: 2030",
                           "target_year: 2020"), ["low.yaml", "target_year"]),
], ids=["unknown-segment", "two-files-one-name", "target-before-data"])
def test_validate_checks_the_scenario_files(forecast_main, data_copy, edit, needles):
    assert forecast_main("validate", "--data-dir", str(data_copy)).returncode == 0
    edit(data_copy)
    _refused(forecast_main("validate", "--data-dir", str(data_copy)), *needles)


def test_validate_reports_the_scenarios_and_reference_it_checked():
    proc = _forecast("validate")
    assert proc.returncode == 0, proc.stderr
    assert "scenarios: 7 valid in" in proc.stdout and "reference class:" in proc.stdout


# ------------------------------------------------------------------ bounded messages


def test_error_lines_quote_at_most_about_100_characters_of_a_value(forecast_main, data_copy):
    # 100,000 characters: a process's argument may hold at most 128 KiB.
    proc = forecast_main("project", "--scenario", "x" * 100_000)
    line = _refused(proc, "100,000 characters")
    assert len(line) < 700
    proc = forecast_main("calibrate", "--reference", str(REFERENCE), "--output", "o",
                     "--window", "9" * 4000)
    assert len(_refused(proc, "--window")) < 700
    _replace_in(data_copy / "history.csv", ",2024,1170,GWh,", f",2024,{'7' * 100_000}x,GWh,")
    assert len(_refused(forecast_main("validate", "--data-dir", str(data_copy)),
                        "100,001 characters")) < 700


# ------------------------------------------------------------------ score


RUN_PROJECTIONS = """scenario,region,segment,year,unit,mean,p5,p10,p50,p90,p95
base,China,total,2024,GWh,1150,1000,1100,1150,1250,1300
base,China,total,2025,GWh,1400,1200,1300,1400,1500,1600
"""


def _run_folder(root: Path, run_id: str = "r1", projections: str = RUN_PROJECTIONS) -> Path:
    """A finished run folder with made-up projections (one of 2024, which has an actual)."""
    run = root / "runs" / "r1"
    (run / "tables").mkdir(parents=True)
    (run / "tables" / "projections.csv").write_text(projections)
    (run / "manifest.json").write_text(json.dumps(
        {"status": "ok", "run_id": run_id, "layout_version": 2, "last_observed_year": 2023,
         "finished": "2026-01-01T00:00:00+00:00"}))
    return run


def test_score_never_writes_into_a_run_folder_or_over_an_input(forecast_main, tmp_path,
                                                               data_copy):
    run = _run_folder(tmp_path)
    other = _run_folder(tmp_path / "elsewhere")
    link = tmp_path / "link"
    link.symlink_to(run)
    before = {p: _sha(p) for p in [*run.rglob("*.*"), *other.rglob("*.*"),
                                   data_copy / "history.csv"] if p.is_file()}
    for output, needle in [(run / "manifest.json", "inside the run folder"),
                           (run / "tables" / "scores.csv", "inside the run folder"),
                           (other / "scores.csv", "inside the run folder"),
                           (link / "scores.csv", "inside the run folder"),
                           (run, "inside the run folder"),
                           (data_copy / "history.csv", "would overwrite a file of the data")]:
        _refused(forecast_main("score", str(run), "--data-dir", str(data_copy), "--output",
                               str(output)), "--output", needle)
    assert before == {p: _sha(p) for p in before}
    assert sorted(p.name for p in run.rglob("*")) == ["manifest.json", "projections.csv",
                                                      "tables"]
    ok = forecast_main("score", str(run), "--data-dir", str(data_copy), "--output",
                       str(tmp_path / "scores.csv"))
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize(("projections", "needles"), [
    (RUN_PROJECTIONS.replace(",1150,1250,", ",abc,1250,"),
     ["projections.csv, row 2, column 'p50'", "'abc' is not a finite number"]),
    (RUN_PROJECTIONS.replace(",1150,1250,", ",nan,1250,"),
     ["projections.csv, row 2, column 'p50'", "'nan' is not a finite number"]),
    (RUN_PROJECTIONS.replace(",2025,GWh,", ",20x5,GWh,"),
     ["row 3, column 'year'", "'20x5' is not a whole year"]),
    (RUN_PROJECTIONS.replace(",1400,1200,", ",1e999,1200,"),
     ["row 3, column 'mean'", "'1e999'"]),
    ("", ["projections.csv is empty"]),
    (RUN_PROJECTIONS.splitlines()[0] + "\n", ["projections.csv has no rows"]),
    ("scenario,region,segment,year,p10\nbase,China,total,2024,1\n",
     ["lacks column(s) p50, p90"]),
    ('a,"b\n', ["projections.csv"]),
], ids=["text-quantile", "nan-quantile", "text-year", "overflow", "empty", "header-only",
        "missing-columns", "broken-csv"])
def test_score_refuses_malformed_projection_tables(forecast_main, tmp_path, projections, needles):
    run = _run_folder(tmp_path, projections=projections)
    proc = forecast_main("score", str(run), "--output", str(tmp_path / "s.csv"))
    _refused(proc, str(run), *needles)
    assert not (tmp_path / "s.csv").exists()


def test_scores_csv_neutralises_a_formula_run_id(forecast_main, tmp_path):
    run = _run_folder(tmp_path, run_id='=HYPERLINK("http://evil.example","x")')
    out = tmp_path / "scores.csv"
    proc = forecast_main("score", str(run), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    body = out.read_text().splitlines()[1:]
    assert body and all(line.startswith("\"'=HYPERLINK(") for line in body), body
    # Numbers keep their sign: the 2024 median error is 1150 / 1170 - 1 < 0.
    assert ",-0.017094" in body[0]


# ------------------------------------------------------------------ calibrate


@pytest.mark.parametrize(("option", "value", "needles"), [
    ("--window", "1000", ["--window 1000", "spans 40 years (1985-2024)", "at most 39 points"]),
    ("--horizons", "1000000000", ["--horizons 1000000000", "spans 40 years"]),
], ids=["window", "horizons"])
def test_calibrate_refuses_what_the_reference_cannot_hold(forecast_main, tmp_path, option, value,
                                                         needles):
    proc = forecast_main("calibrate", "--reference", str(REFERENCE), "--output",
                     str(tmp_path / "out"), option, value)
    _refused(proc, *needles)
    assert not (tmp_path / "out").exists()


def test_calibrate_refuses_a_reference_that_is_not_a_bounded_file(forecast_main, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("series,year,value\n")
    with open(huge, "ab") as handle:
        handle.truncate(33 * 1024**2)
    for path, needle in [("/dev/zero", "a character device"), (huge, "[file-size]")]:
        _refused(forecast_main("calibrate", "--reference", str(path), "--output",
                               str(tmp_path / "out"), timeout=60), needle)
    assert not (tmp_path / "out").exists()


def test_calibrate_jobs_are_capped_at_the_cpus_available(monkeypatch, tmp_path):
    from forecast import cli
    from forecast.evaluation import calibration

    seen = {}

    def fake(reference, window, horizons, min_growth, jobs):
        seen["jobs"] = jobs
        raise cli.ForecastError("stop here")

    monkeypatch.setattr(calibration, "calibrate", fake)
    monkeypatch.setattr(cli, "_stop_on_signals", lambda: None)
    for jobs in ("1000000", None):
        argv = ["calibrate", "--reference", str(REFERENCE), "--output", str(tmp_path / "o")]
        assert cli.main(argv + (["--jobs", jobs] if jobs else [])) == 3
        assert seen["jobs"] == len(os.sched_getaffinity(0))
    assert cli.main([*argv, "--jobs", "1"]) == 3 and seen["jobs"] == 1


def _descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid``, from ``ps`` (zombies count as ended)."""
    rows = subprocess.run(["ps", "-eo", "pid=,ppid=,stat="], capture_output=True, text=True,
                          check=True).stdout.split("\n")
    parent, alive = {}, set()
    for row in rows:
        if row.strip():
            child, par, stat = row.split()
            parent[int(child)] = int(par)
            if not stat.startswith("Z"):
                alive.add(int(child))
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parent.items() if p in frontier} - found
        found |= frontier
    return found & alive


def _alive(pids: set[int]) -> set[int]:
    rows = subprocess.run(["ps", "-o", "pid=,stat=", "-p", ",".join(map(str, pids))],
                          capture_output=True, text=True, check=False).stdout.split("\n")
    return {int(r.split()[0]) for r in rows if r.strip() and not r.split()[1].startswith("Z")}


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_calibrate_stopped_by_a_signal_ends_all_its_workers(tmp_path, signum):
    proc = subprocess.Popen([sys.executable, "-m", "forecast", "calibrate", "--reference",
                             str(REFERENCE), "--output", str(tmp_path / "out"), "--jobs", "2"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The forkserver, the resource tracker and at least one worker (its child).
        deadline = time.monotonic() + 240
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 4 and proc.poll() is None:
            time.sleep(0.5)
            workers = _descendants(proc.pid)
        assert len(workers) >= 4, f"workers never started: {workers}"
        time.sleep(2)
        workers = _descendants(proc.pid)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err[-2000:]
        assert err.strip() == "error: interrupted"
        deadline = time.monotonic() + 15
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _alive(workers)
        assert not (tmp_path / "out").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ escaping


def test_csv_tables_neutralise_formulas_but_not_numbers(tmp_path):
    import pandas as pd

    from forecast.evaluation.frames import neutralise_formulas
    from forecast.report.tables import write_table

    frame = pd.DataFrame({
        "note": ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+cmd", "-2+3",
                 "@SUM(A1)", "\tx", "plain", "-0.5"],
        "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, -9.0],
    })
    path = write_table(frame, tmp_path, "t")
    back = pd.read_csv(path, keep_default_na=False)
    assert list(back["note"]) == ["'" + v for v in frame["note"][:6]] + ["plain", "-0.5"]
    assert list(back["value"]) == list(frame["value"])
    assert neutralise_formulas(pd.DataFrame({"=x": ["\rx", 1]})).to_dict("list") == \
        {"'=x": ["'\rx", 1]}


def test_conflicts_table_of_a_hostile_data_folder_is_neutralised(data_copy, tmp_path):
    from forecast import data
    from forecast.report.tables import write_table

    _replace_in(data_copy / "history.csv", '"In 2023, China', '"=cmd|\' /C calc\'!A0 In 2023, '
                'China')
    frame = data.conflicts(data_copy)
    assert frame["quote"].str.startswith("=cmd").any()
    text = write_table(frame, tmp_path, "conflicts").read_text()
    assert "\n=cmd" not in text and ",=cmd" not in text and "'=cmd" in text


def test_styled_tables_and_prose_escape_text_after_setup():
    import pandas as pd

    from forecast.report.formatting import as_stated, markdown_text
    from forecast.report.notebook import setup

    setup({})
    frame = pd.DataFrame({"description": ["<script>alert(1)</script>"], "value": [1.5]})
    for styler in (frame.style, frame.style.hide(axis="index").format({"value": as_stated}),
                   frame.style.format(precision=3),
                   frame.set_index("description").T.style.format_index(str, axis=1)):
        html = styler.to_html()
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert markdown_text("<b>x</b> [a](javascript:1)\n# h") == \
        "&lt;b&gt;x&lt;/b&gt; \\[a\\]\\(javascript:1\\) \\# h"


@pytest.mark.slow
def test_a_run_shows_hostile_text_and_writes_no_formula(tmp_path, data_copy):
    """A whole run on a data folder whose scenario description is a script and whose history
    holds formulas: every page shows the script as text, every table quotes the formulas."""
    base = data_copy / "scenarios" / "base.yaml"
    text = base.read_text(encoding="utf-8")
    start = text.index("description: >-\n")
    end = text.index("\nrationale:")
    base.write_text(text[:start] + 'description: <script>alert(1)</script> =HYPERLINK("x")'
                    + text[end:], encoding="utf-8")
    _replace_in(data_copy / "history.csv", '"In 2023, China', '"=cmd|\' /C calc\'!A0 In 2023, '
                'China')
    proc = _forecast("run", "--output-dir", str(tmp_path / "runs"), "--run-name", "hostile",
                     "--scenario", "base", "-p", "data_dir", str(data_copy), "-p", "n_draws",
                     "200", "--quiet", timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = tmp_path / "runs" / "hostile"
    pages = {p.name: p.read_text(encoding="utf-8") for p in run.glob("*.html")}
    assert {"00_summary.html", "04_scenarios_2030.html", "index.html"} <= set(pages)
    for name, html in pages.items():
        assert "<script>alert(1)" not in html, name
    for name in ("00_summary.html", "04_scenarios_2030.html"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[name], name
    for table in ("history", "conflicts"):
        body = (run / "tables" / f"{table}.csv").read_text(encoding="utf-8")
        assert ",\"'=cmd|" in body and ",\"=cmd" not in body, table


@pytest.mark.parametrize(("code", "exit_code"), [(errno.ENOSPC, 4), (errno.EACCES, 3)],
                         ids=["full-disk", "no-permission"])
def test_score_reports_a_failed_write_in_one_line(forecast_main, tmp_path, monkeypatch, code,
                                                  exit_code):
    from forecast.evaluation import track_record

    def fail(path, text):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(track_record, "write_atomic", fail)
    run, out = _run_folder(tmp_path), tmp_path / "scores.csv"
    proc = forecast_main("score", str(run), "--output", str(out))
    assert proc.returncode == exit_code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"({os.strerror(code)})"), proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
