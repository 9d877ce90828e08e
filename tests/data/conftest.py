"""Fixtures the data tests share: a writable copy of the shipped data, and the check that
`forecast validate` refuses a folder the way the CLI contract says."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from forecast import cli
from tests.conftest import DATA


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped data folder (without scenarios) to break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("scenarios"))
    return target


@pytest.fixture
def refused(capsys: pytest.CaptureFixture[str]) -> Callable[[Path], str]:
    """``forecast validate`` on a folder that must be refused: exit 3, nothing on stdout, one
    line on stderr and no traceback. Returns that line."""

    def run(folder: Path) -> str:
        code = cli.main(["validate", "--data-dir", str(folder)])
        out, err = capsys.readouterr()
        assert (code, out) == (3, ""), err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        return err

    return run
