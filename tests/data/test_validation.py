"""Every validation rule, fed a broken copy of the data, through `forecast validate`."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from forecast import cli
from forecast.data import consistency, schema
from forecast.errors import DataValidationError
from tests.conftest import DATA

FIELDS = list(schema.HISTORY_COLUMNS)


def _edit(path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows = change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _find(rows, series, year, segment="total", region="China", variant=None) -> int:
    for i, r in enumerate(rows):
        if (r["series"], r["region"], r["segment"], r["year"]) == (
            series,
            region,
            segment,
            str(year),
        ) and (variant is None or r["variant"] == variant):
            return i
    raise LookupError((series, year, segment))


def _set(series, year, column, value, segment="total", variant=None):
    def change(rows):
        rows[_find(rows, series, year, segment, variant=variant)][column] = value
        return rows

    return change


def _drop(series, year, segment="total"):
    def change(rows):
        del rows[_find(rows, series, year, segment)]
        return rows

    return change


def _duplicate(series, year, segment="total"):
    def change(rows):
        i = _find(rows, series, year, segment)
        return [*rows[: i + 1], dict(rows[i]), *rows[i + 1 :]]

    return change


def _line(series, year, segment="total", variant=None) -> int:
    with open(DATA / "history.csv", encoding="utf-8") as fh:
        return _find(list(csv.DictReader(fh)), series, year, segment, variant=variant) + 2


def _unchecked_power_2024(value):
    """Change 2024 power production and drop the growth and share stated for it, so that
    only the segment sum can catch the change."""

    def change(rows):
        rows = [
            r
            for r in rows
            if not (
                r["series"] in ("production_growth", "production_share") and r["segment"] == "power"
            )
        ]
        rows[_find(rows, "production", 2024, "power")]["value"] = str(value)
        return rows

    return change


# (rule, mutation, column, expected row or None, message fragment)
CASES = [
    ("range", _set("production", 2022, "value", "-738"), "value", ("production", 2022),
     "must be >= 0"),
    ("range", _set("production_share_of_world", 2024, "value", "76"), "value",
     ("production_share_of_world", 2024), r"0\.76, not 76"),
    ("missing-year", _drop("production", 2022), "year", None,
     "production China/total covers 2021-2024 but has no value for 2022"),
    ("duplicate", _duplicate("production", 2021), None, None, "already given on row"),
    ("not-a-number", _set("production", 2022, "value", "seven hundred"), "value",
     ("production", 2022), "'seven hundred' is not a number"),
    ("empty-value", _set("production", 2022, "value", ""), "value", ("production", 2022),
     "a value is required"),
    ("unknown-unit", _set("production", 2022, "unit", "MWh"), "unit", ("production", 2022),
     "'MWh' is not one of"),
    ("unit-mismatch", _set("production", 2022, "unit", "GW"), "unit", ("production", 2022),
     "is in GWh, not GW"),
    ("segments-sum", _unchecked_power_2024(900), "value", None,
     r"segments power \+ consumer \+ storage sum to 1248, not the total 1170"),
    ("not-a-year", _set("production", 2022, "year", "2O22"), "year", ("production", 2022),
     "not a four-digit year"),
    ("not-a-year", _set("production", 2022, "year", "2022.5"), "year", ("production", 2022),
     "not a four-digit year"),
    ("year-range", _set("production", 2022, "year", "1989"), "year", ("production", 2022),
     "1989 is outside 1990-2100"),
    ("unknown-kind", _set("production", 2022, "kind", "guess"), "kind", ("production", 2022),
     "'guess' is not one of"),
    ("unknown-series", _set("production", 2022, "series", "prodution"), "series",
     ("production", 2022), "not in series.csv"),
    ("unknown-source", _set("production", 2022, "source", "blog.txt"), "source",
     ("production", 2022), "not in sources.csv"),
    ("derivation-missing", _set("power_installations", 2023, "derivation", "", segment="lfp"),
     "derivation", ("power_installations", 2023, "lfp"), "must state its derivation"),
    ("derivation-check", _set("power_installations", 2023, "value", "300", segment="lfp"),
     "value", ("power_installations", 2023, "lfp"), "derivation gives 261"),
    ("growth-check", _set("production_growth", 2024, "value", "0.5", variant="annual_series"),
     "value", ("production_growth", 2024, "total", "annual_series"), "stated growth 50.0%"),
    ("share-check", _set("production_share", 2024, "value", "0.6", segment="power"), "value",
     ("production_share", 2024, "power"), "stated share 60.0%"),
    ("conflict-variant", _set("production", 2023, "variant", "", variant="yoy_base"),
     "variant", None, "each must name its variant"),
]


@pytest.mark.parametrize(
    ("rule", "mutate", "column", "where", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_history_gives_one_line_error(
    data_dir, refused, rule, mutate, column, where, message
):
    _edit(data_dir / "history.csv", mutate)
    err = refused(data_dir)
    assert str(data_dir / "history.csv") in err
    assert f"[{rule}]" in err
    assert "row " in err or rule == "missing-column"
    if column:
        assert f"column '{column}'" in err
    if where:
        assert f"row {_line(*where)}," in err or f"row {_line(*where)}:" in err
    assert re.search(message, err), err


def test_missing_column(data_dir, refused):
    text = (data_dir / "history.csv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(text))
    idx = rows[0].index("unit")
    kept = [[f for j, f in enumerate(r) if j != idx] for r in rows]
    with open(data_dir / "history.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(kept)
    err = refused(data_dir)
    assert "row 1, column 'unit': [missing-column]" in err


def test_unknown_column(data_dir, refused):
    path = data_dir / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",extra"] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = refused(data_dir)
    assert "column 'extra': [unknown-column]" in err


@pytest.mark.parametrize("content", ["", "\n\n", "series,region\n"])
def test_empty_or_headless_file(data_dir, refused, content):
    (data_dir / "history.csv").write_text(content, encoding="utf-8")
    err = refused(data_dir)
    assert "[empty-file]" in err or "[missing-column]" in err


def test_header_only_file(data_dir, refused):
    (data_dir / "history.csv").write_text(",".join(FIELDS) + "\n", encoding="utf-8")
    err = refused(data_dir)
    assert "[empty-file] the file has a header but no rows" in err


def test_unquoted_comma_gives_field_count(data_dir, refused):
    path = data_dir / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "production,China,total,2020,1,000,GWh,reported,,x.txt,q,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = refused(data_dir)
    assert "row 3: [field-count]" in err


def test_missing_file_and_folder(data_dir, refused, tmp_path):
    (data_dir / "series.csv").unlink()
    err = refused(data_dir)
    assert "series.csv: [missing-file]" in err
    err = refused(tmp_path / "nowhere")
    assert "[missing-folder]" in err


def test_catalogue_rules(data_dir, refused):
    path = data_dir / "series.csv"
    text = path.read_text(encoding="utf-8").replace(
        "production,GWh,amount", "production,GWh,lots", 1
    )
    path.write_text(text, encoding="utf-8")
    err = refused(data_dir)
    assert "series.csv, row 2, column 'quantity': [unknown-quantity]" in err


def test_shipped_data_validates(capsys):
    code = cli.main(["validate", "--data-dir", str(DATA)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "China production [GWh]: 2021 324, 2022 738, 2023 910, 2024 1,170" in out
    assert "CAGR 2021-2024: 53.4%" in out
    assert (
        "production China/total 2023: 910 GWh [annual_series, default] | 940 GWh [yoy_base]" in out
    )
    assert "conflicts: 4" in out


def test_a_whole_year_may_be_written_as_a_float_column_writes_it(data_dir):
    from forecast import data

    _edit(data_dir / "history.csv", _set("production", 2022, "year", "2022.0"))
    assert data.load_history(data_dir).equals(data.load_history(DATA))


def test_errors_are_data_validation_errors(data_dir):
    from forecast import data

    _edit(data_dir / "history.csv", _set("production", 2022, "value", "-1"))
    with pytest.raises(DataValidationError) as info:
        data.load_history(data_dir)
    err = info.value
    assert (err.rule, err.column, err.row) == ("range", "value", _line("production", 2022))
    assert isinstance(err, ValueError)


def test_derivation_evaluator_is_arithmetic_only():
    values = {("a", "X", "total", 2024): 10.0}
    assert consistency.evaluate_derivation("{a:X:total:2024} / (1 + 0.25)", values.get) == 8.0
    assert consistency.evaluate_derivation("-{a:X:total:2024} * 2 - 1", values.get) == -21.0
    with pytest.raises(ValueError, match="not an arithmetic"):
        consistency.evaluate_derivation("__import__('os').system('true')", values.get)
    with pytest.raises(KeyError):
        consistency.evaluate_derivation("{b:X:total:2024}", values.get)


def test_console_script_exit_code(data_dir):
    """The installed entry point, as a user runs it: one line on stderr, exit 3."""
    _edit(data_dir / "history.csv", _set("production", 2022, "value", "-738"))
    exe = Path(sys.executable).parent / "forecast"
    proc = subprocess.run(
        [str(exe), "validate", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
