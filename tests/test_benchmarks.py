"""The benchmark scripts ``make bench`` runs: ``benchmarks/bench.py`` calls each one's
``main()`` with no arguments, so none may require one (read from the source: importing a
benchmark starts nothing, but running one takes minutes)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script", sorted(BENCHMARKS.glob("bench_*.py")), ids=lambda p: p.stem)
def test_bench_py_can_call_main_with_no_arguments(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    main = next(node for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name == "main")
    positional = [*main.args.posonlyargs, *main.args.args]
    required = positional[:len(positional) - len(main.args.defaults)]
    required += [a for a, d in zip(main.args.kwonlyargs, main.args.kw_defaults, strict=True)
                 if d is None]
    assert not required, f"{script.name}: main() requires {[a.arg for a in required]}"
