"""`forecast scenarios` and `forecast project` through forecast.cli.main: output and exit codes."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from forecast.cli import main

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "data"
SCENARIO_DIR = DATA_DIR / "scenarios"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scenarios_lists_names_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "scenarios", "--scenario-dir", str(SCENARIO_DIR))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "base",
        "capacity_limited",
        "demand_led",
        "high",
        "low",
        "published",
        "regionalisation",
    ]
    assert "Bottom-up from demand" in out


def test_project_csv(capsys: pytest.CaptureFixture[str]) -> None:
    args = (
        "project",
        "--scenario",
        "published",
        "--format",
        "csv",
        "--draws",
        "50",
        "--data-dir",
        str(DATA_DIR),
    )
    code, out, err = run(capsys, *args)
    assert code == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out))
    row = frame[(frame.region == "China") & (frame.segment == "total") & (frame.year == 2030)]
    # The draws vary from year to year around the outlook's path, 823 * 1.2**6 + 94 * 1.05**6
    # + 254 * 1.3**6 = 3,809.443 GWh (document 002), with a long right tail.
    assert row["p5"].iloc[0] < 3809.443 < row["p95"].iloc[0]
    assert row["mean"].iloc[0] > row["p50"].iloc[0]
    code, again, _ = run(capsys, *args)
    assert again == out


def test_project_table_with_year_and_seed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "project",
        "--scenario",
        "demand_led",
        "--year",
        "2027",
        "--draws",
        "500",
        "--seed",
        "3",
        "--data-dir",
        str(DATA_DIR),
    )
    assert code == 0 and err == ""
    assert "Scenario demand_led: projection to 2027" in out
    assert "ev_demand" in out and "2028" not in out


def test_project_accepts_a_file_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "project", "--scenario", str(SCENARIO_DIR / "low.yaml"), "--draws", "100"
    )
    assert code == 0
    assert "Scenario low" in out


def test_unknown_scenario_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "project", "--scenario", "nope", "--data-dir", str(DATA_DIR))
    assert code == 3 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "unknown scenario 'nope' (known: base, capacity_limited" in err


def test_broken_scenario_exits_3_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (SCENARIO_DIR / "base.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "base.yaml"
    broken.write_text(text.replace("cagr: 0.04", "cagr: -1.2"), encoding="utf-8")
    code, out, err = run(
        capsys,
        "project",
        "--scenario",
        "base",
        "--scenario-dir",
        str(tmp_path),
        "--data-dir",
        str(DATA_DIR),
    )
    assert code == 3 and out == ""
    assert err == (
        f"error: {broken}: key 'segments.consumer.cagr': -1.2 is out of range: "
        "must be a growth rate above -1 (-100%/yr) or 'data'\n"
    )
    code, out, err = run(capsys, "scenarios", "--scenario-dir", str(tmp_path))
    assert code == 3 and "segments.consumer.cagr" in err


def test_invalid_yaml_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(SCENARIO_DIR / "base.yaml", tmp_path / "base.yaml")
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "scenarios", "--scenario-dir", str(tmp_path))
    assert code == 3
    assert err.startswith(f"error: {tmp_path / 'bad.yaml'}: key '-': invalid YAML at line")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # Checked by the CLI before projecting (commit 9832a84): the message names the option.
        (("--year", "2024"), "--year must be after 2024, the last observed year of"),
        (("--draws", "0"), "--draws must be a whole number >= 1, got 0"),
    ],
)
def test_bad_options_exit_3(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    code, _, err = run(capsys, "project", "--scenario", "base", "--data-dir", str(DATA_DIR), *args)
    assert code == 3
    assert words in err and err.count("\n") == 1
