"""The one atomic writer: a file, or several that belong together, complete or unchanged."""

from __future__ import annotations

import pytest

from forecast.files import write_all_atomic, write_atomic


def test_write_atomic_replaces_and_leaves_no_scratch(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old\n")
    assert write_atomic(target, "new\r\n") == target
    assert target.read_bytes() == b"new\r\n"  # newlines as given
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_a_failed_write_of_several_files_changes_none(tmp_path):
    first, second = tmp_path / "forecasts.csv", tmp_path / "missing" / "summary.csv"
    first.write_text("earlier\n")
    with pytest.raises(OSError):
        write_all_atomic({first: "later\n", second: "later\n"})
    assert first.read_text() == "earlier\n"
    assert [p.name for p in tmp_path.iterdir()] == ["forecasts.csv"]


def test_several_files_are_all_written(tmp_path):
    paths = write_all_atomic({tmp_path / "x.csv": "1\n", tmp_path / "y.csv": "2\n"})
    assert [p.read_text() for p in paths] == ["1\n", "2\n"]
