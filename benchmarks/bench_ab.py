"""Whole ``forecast`` processes of this checkout against another source tree, in one run.

Usage::

    .venv/bin/python benchmarks/bench_ab.py [calibrate|draws ...] [--against SRC]
                                            [--repeats N] [--jobs N]

``--against`` is the ``src`` folder of another checkout (e.g. ``git worktree add /tmp/main
main``, then ``/tmp/main/src``); without it only this checkout is timed. Both trees run in
the same Python environment, alternating, so on a shared machine the ratio between them says
more than either time.

* ``calibrate`` (issue 21: at most 8 s on 2 CPUs): wall and CPU time (this process and its
  worker processes) of ``forecast calibrate`` on the shipped reference class with ``--jobs``
  (default 2); median of ``--repeats`` (default 3).
* ``draws`` (issue 21: at most 0.25 s): CPU time of ``forecast project --scenario base`` with
  100,000 draws minus the same with 1,000, in pairs run back to back, each pair in the other
  order than the one before; the median of ``--repeats`` pairs (default 30: the CPU time of one
  process varies by about 0.3 s, more than the draws cost, so 8 pairs gave medians from 0.1 to
  0.3 s), and the peak resident memory of the 100,000-draw process.

Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "src" / "forecast" / "data" / "reference_class" / "technology_ramps.csv"


def _run(src: Path, args: list[str]) -> tuple[float, float, float]:
    """Wall [s], CPU of the process and its children [s] and peak memory [MiB] of one
    ``python -m forecast`` run with ``src`` first on the path."""
    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "forecast", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{src}: forecast {' '.join(args)} failed:\n"
                         f"{proc.stderr.read().decode()}")
    proc.stderr.close()
    # wait4 counts the process itself; its worker processes (reaped by it) are included.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def calibrate(trees: dict[str, Path], repeats: int, jobs: int) -> None:
    out = tempfile.mkdtemp(prefix="bench_calibrate_")
    args = ["calibrate", "--reference", str(REFERENCE), "--output", out, "--jobs", str(jobs)]
    runs: dict[str, list[tuple[float, float, float]]] = {k: [] for k in trees}
    for _ in range(repeats):
        for label, src in trees.items():
            runs[label].append(_run(src, args))
    print(f"forecast calibrate --jobs {jobs}, median of {repeats} ({_load()})")
    walls = {}
    for label, rows in runs.items():
        walls[label] = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"  {label:<8} wall {walls[label]:6.2f} s  CPU {cpu:6.2f} s  "
              f"(walls {', '.join(f'{r[0]:.1f}' for r in rows)})")
    if len(walls) == 2:
        print(f"  ratio this/other: {walls['this'] / walls['other']:.2f}")


def draws(trees: dict[str, Path], repeats: int) -> None:
    base = ["project", "--scenario", "base", "--format", "csv", "--seed", "1", "--draws"]
    cost: dict[str, list[float]] = {k: [] for k in trees}
    peak: dict[str, list[float]] = {k: [] for k in trees}
    for i in range(repeats):
        for label, src in trees.items():
            # Alternating which of the pair runs first, so a drift of the machine's speed
            # within a pair cancels over the pairs instead of biasing the difference.
            order = ("1000", "100000") if i % 2 == 0 else ("100000", "1000")
            first, second = (_run(src, [*base, n]) for n in order)
            small, large = (first, second) if i % 2 == 0 else (second, first)
            cost[label].append(large[1] - small[1])
            peak[label].append(large[2])
    print(f"CPU of 99,000 extra draws in a whole `forecast project --scenario base`, median of "
          f"{repeats} pairs ({_load()})")
    for label in trees:
        print(f"  {label:<8} {statistics.median(cost[label]):6.3f} s  (smallest "
              f"{min(cost[label]):.3f} s; pairs "
              f"{', '.join(f'{c:.2f}' for c in cost[label])}); peak memory at 100,000 draws "
              f"{max(peak[label]):.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    argv = list(argv or [])

    def option(name: str, default: str | None) -> str | None:
        if name in argv:
            k = argv.index(name)
            value = argv[k + 1]
            del argv[k:k + 2]
            return value
        return default

    against = option("--against", None)
    repeats = option("--repeats", None)
    jobs = int(option("--jobs", "2") or 2)
    trees = {"this": ROOT / "src"}
    if against is not None:
        trees["other"] = Path(against).resolve()
    for what in argv or ["calibrate", "draws"]:
        if what == "calibrate":
            calibrate(trees, int(repeats or 3), jobs)
        elif what == "draws":
            draws(trees, int(repeats or 30))
        else:
            raise SystemExit(f"unknown benchmark {what!r}: calibrate or draws")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
