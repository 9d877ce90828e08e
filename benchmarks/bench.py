"""Run every benchmark script in this folder (``bench_*.py``) and print their figures.

Usage: ``python benchmarks/bench.py [NAME ...]`` (names without the ``bench_`` prefix, e.g.
``models scenarios``); ``make bench`` runs them all. Figures are printed, never asserted:
performance targets are read by people, not enforced by timed tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in names]
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        spec = importlib.util.spec_from_file_location(script.stem, script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main()
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
