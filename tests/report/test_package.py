"""The report package: a complete ``__all__`` everywhere, and a light import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "forecast" / "report"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_"))


def _public_names(path: Path) -> set[str]:
    """Top-level functions, classes and constants a module defines (not the ones it imports)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_")}


def test_package_all_lists_every_module():
    import forecast.report

    assert sorted(forecast.report.__all__) == MODULES


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_complete(name):
    module = importlib.import_module(f"forecast.report.{name}")
    assert set(module.__all__) == _public_names(PACKAGE / f"{name}.py")
    assert all(hasattr(module, n) for n in module.__all__)


def test_importing_the_package_loads_no_pandas():
    code = ("import sys, forecast.report; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
