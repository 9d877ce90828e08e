"""Scenario explorer redraw time: a slider moved, the fan re-projected and redrawn.

Target (issue 12): well under a second per redraw. A redraw is what the explorer's slider
callback does: ``update`` (re-evaluate every draw with the new value) and ``redraw`` (the live
figure's axes redrawn and rendered to PNG within the layout computed once). The static figure
(a new figure laid out and saved) is timed for comparison. Figures are printed, never asserted.

Run: ``.venv/bin/python benchmarks/bench_explorer.py``.
"""

from __future__ import annotations

import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

REPEATS = 15


def _redraw(explorer, key: str, value: float) -> tuple[float, float, float]:
    """Milliseconds of one re-projection and of redrawing the live figure as PNG (wall clock),
    and of both in CPU time (what the redraw costs on a machine shared with other work)."""
    start, cpu = time.perf_counter(), time.process_time()
    explorer.update({key: value})
    projected = time.perf_counter()
    png = explorer.redraw()
    drawn, cpu_end = time.perf_counter(), time.process_time()
    assert png[:4] == b"\x89PNG"
    return (projected - start) * 1e3, (drawn - projected) * 1e3, (cpu_end - cpu) * 1e3


def _static_ms(explorer) -> float:
    """Milliseconds of a new laid-out figure saved as PNG (the static view, for comparison)."""
    start = time.perf_counter()
    fig = explorer.figure()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    return (time.perf_counter() - start) * 1e3


def main() -> None:
    from forecast import data
    from forecast.report.explorer import DEFAULT_DRAWS, ScenarioExplorer

    history = data.load_history()
    for n_draws in (DEFAULT_DRAWS, 10_000):
        start = time.perf_counter()
        explorer = ScenarioExplorer("base", history, target_year=2030, n_draws=n_draws)
        built = (time.perf_counter() - start) * 1e3
        _redraw(explorer, "segments.power.cagr", 0.22)  # warm-up: fonts, style
        values = np.linspace(0.10, 0.35, REPEATS)
        times = [_redraw(explorer, "segments.power.cagr", float(v)) for v in values]
        project = statistics.median(t[0] for t in times)
        draw = statistics.median(t[1] for t in times)
        worst = max(a + b for a, b, _ in times)
        cpu = statistics.median(t[2] for t in times)
        static = statistics.median(_static_ms(explorer) for _ in range(3))
        print(f"explorer base, {n_draws:>6,} draws: build {built:5.0f} ms; redraw median "
              f"{project + draw:5.0f} ms (re-project {project:5.1f} ms + draw {draw:4.0f} ms), "
              f"slowest {worst:5.0f} ms of {REPEATS}; CPU {cpu:4.0f} ms; static figure "
              f"{static:5.0f} ms")


if __name__ == "__main__":
    main()
