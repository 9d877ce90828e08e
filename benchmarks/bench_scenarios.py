"""Scenario timings: 100,000 Monte Carlo draws of every shipped scenario, and a sweep.

Target (issue 4): 100,000 draws of a full scenario well under a second; a 1,000-scenario
sweep in seconds. Target (issue 11): 100,000 draws of one scenario with process noise take at
most 0.25 s more than 1,000 draws. Figures are printed, never asserted. Run with
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
    _process_noise_cost(history, table.set_index("name").loc["base", "path"])


def _process_noise_cost(history: object, path: str) -> None:
    """100,000 against 1,000 draws of base with process noise (issue 11: at most +0.25 s)."""
    import dataclasses

    from forecast import scenarios
    from forecast.scenarios import noise, preparation, projection

    prepared = preparation.prepare(scenarios.load_scenario(path), history)
    assert prepared.noise is not None  # base carries the calibrated year-to-year variation
    quiet = dataclasses.replace(prepared, noise=None)
    small = _median_s(lambda: projection.simulate(prepared, 1_000, 1), repeats=7)
    large = _median_s(lambda: projection.simulate(prepared, N_DRAWS, 1), repeats=7)
    large_quiet = _median_s(lambda: projection.simulate(quiet, N_DRAWS, 1), repeats=7)
    whole_small = _median_s(lambda: scenarios.project(path, history, n_draws=1_000, seed=1))
    whole_large = _median_s(lambda: scenarios.project(path, history, n_draws=N_DRAWS, seed=1))
    n_years = len(prepared.years)
    rng = np.random.default_rng(1)
    t_noise = _median_s(lambda: noise.process_noise(
        prepared.noise, n_years, ("power", "consumer", "storage"), N_DRAWS, rng))
    print("base with process noise (median of runs) [s]")
    print(f"  simulate: 1,000 draws {small:.3f}, 100,000 draws {large:.3f}, "
          f"difference {large - small:.3f} (target <= 0.25)")
    print(f"  project() with the table: 1,000 draws {whole_small:.3f}, 100,000 draws "
          f"{whole_large:.3f}, difference {whole_large - whole_small:.3f}")
    print(f"  100,000 draws without the noise: {large_quiet:.3f}; the noise alone: {t_noise:.3f}")


if __name__ == "__main__":
    main()
