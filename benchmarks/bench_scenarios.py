"""Scenario timings: 100,000 Monte Carlo draws of every shipped scenario, and a sweep.

Target (issue 4): 100,000 draws of a full scenario well under a second; a 1,000-scenario
sweep in seconds. Figures are printed, never asserted. Run with
``.venv/bin/python benchmarks/bench_scenarios.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

N_DRAWS = 100_000
N_SWEEP = 1_000
REPEATS = 3


def _median_s(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from forecast import data, scenarios
    from forecast.scenarios import preparation, projection, sampling

    history = data.load_history()
    table = scenarios.list_scenarios()
    # Warm-up: first calls import scipy.special and pandas internals.
    scenarios.project(table["path"].iloc[0], history, n_draws=100)

    print(f"100,000-draw projections (median of {REPEATS} runs) [s]")
    print(f"{'scenario':<18}{'draw':>8}{'evaluate':>10}{'summarise':>11}{'project()':>11}")
    for name, path in zip(table["name"], table["path"], strict=True):
        sc = scenarios.load_scenario(path)
        prepared = preparation.prepare(sc, history)
        params = sampling.draw_parameters(prepared, N_DRAWS, 1)
        paths = projection.evaluate(prepared, params)
        t_draw = _median_s(lambda p=prepared: sampling.draw_parameters(p, N_DRAWS, 1))
        t_eval = _median_s(lambda p=prepared, v=params: projection.evaluate(p, v))
        t_sum = _median_s(lambda p=prepared, x=paths: projection.summarise(p, x))
        t_all = _median_s(lambda s=sc: scenarios.project(s, history, n_draws=N_DRAWS, seed=1))
        print(f"{name:<18}{t_draw:>8.3f}{t_eval:>10.3f}{t_sum:>11.3f}{t_all:>11.3f}")

    rates = np.linspace(0.0, 0.4, N_SWEEP)
    target = {
        name: scenarios.load_scenario(p).target_year
        for name, p in zip(table["name"], table["path"], strict=True)
    }
    for name, only_target in (("base", False), ("base", True), ("demand_led", True)):
        years = [target[name]] if only_target else None
        path = table.set_index("name").loc[name, "path"]
        key = "segments.power.cagr" if name == "base" else "segments.power.sales_target"
        values = rates if name == "base" else np.linspace(20, 80, N_SWEEP)
        t = _median_s(
            lambda p=path, k=key, v=values, y=years: scenarios.sweep(p, {k: v}, history, years=y)
        )
        label = "all years" if years is None else f"{target[name]} only"
        print(f"sweep of {N_SWEEP:,} parameter sets of {name} ({label}): {t:.3f} s")

    t = _median_s(
        lambda: scenarios.sensitivity(table.set_index("name").loc["base", "path"], history)
    )
    print(f"sensitivity table of base: {t:.3f} s")


if __name__ == "__main__":
    main()
