"""The report package: a complete ``__all__`` everywhere, and a light import."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.conftest import REPO, top_level_names

PACKAGE = REPO / "src" / "forecast" / "report"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_"))


def test_package_all_lists_every_module():
    import forecast.report

    assert sorted(forecast.report.__all__) == MODULES


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_complete(name):
    module = importlib.import_module(f"forecast.report.{name}")
    public = {n for n in top_level_names(PACKAGE / f"{name}.py") if not n.startswith("_")}
    assert set(module.__all__) == public
    assert all(hasattr(module, n) for n in module.__all__)


def test_importing_the_package_loads_no_pandas():
    code = ("import sys, forecast.report; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
