"""Time every growth model on the China series: fit + 10,000 draws, and 100,000 draws.

Run as ``.venv/bin/python benchmarks/bench_models.py``; prints a table (median of several
repeats, milliseconds). Target from the issue: a fit plus 10,000 draws in milliseconds.
The data are the literal 2021-2024 China production values so the script needs no data
folder; the backtest and comparison timings use the same series.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

YEARS = np.array([2021, 2022, 2023, 2024])
CHINA_GWH = np.array([324.0, 738.0, 910.0, 1170.0])  # document 002
TARGET = np.arange(2025, 2031)


def _median_ms(func: Callable[[], object], repeats: int) -> float:
    func()  # warm-up: imports and first-call caches are not what we measure
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def _configs() -> dict[str, object]:
    from forecast.models import (
        BassDiffusion,
        DampedTrend,
        EndpointCAGR,
        ExponentialTrend,
        GompertzCurve,
        LeastSquaresCAGR,
        LinearTrend,
        LogisticCurve,
    )

    return {
        "cagr_endpoint": EndpointCAGR(),
        "cagr_ls": LeastSquaresCAGR(),
        "linear": LinearTrend(),
        "exponential": ExponentialTrend(),
        "logistic (K=3800)": LogisticCurve(saturation=3800.0),
        "logistic (K free)": LogisticCurve(),
        "gompertz (K=3800)": GompertzCurve(saturation=3800.0),
        "gompertz (K free)": GompertzCurve(),
        "damped (phi profiled)": DampedTrend(),
        "damped (phi=0.8)": DampedTrend(damping=0.8),
        "bass (m=30000)": BassDiffusion(market=30_000.0),
        "bass (m free)": BassDiffusion(),
    }


def main(repeats: int = 7) -> int:
    """Print the timing table; returns 0 (exit code)."""
    from sklearn.base import clone

    print(f"growth models on China 2021-2024 (n=4), projecting {TARGET[0]}-{TARGET[-1]}; "
          f"median of {repeats} repeats")
    print(f"{'model':<24}{'fit [ms]':>10}{'fit+10k draws [ms]':>20}{'100k draws [ms]':>17}"
          f"{'df':>4}")
    for name, template in _configs().items():
        fit_ms = _median_ms(lambda t=template: clone(t).fit(YEARS, CHINA_GWH), repeats)
        both_ms = _median_ms(
            lambda t=template: clone(t).fit(YEARS, CHINA_GWH).sample(TARGET, 10_000, seed=1),
            repeats,
        )
        fitted = clone(template).fit(YEARS, CHINA_GWH)
        draw_ms = _median_ms(lambda m=fitted: m.sample(TARGET, 100_000, seed=1), repeats)
        print(f"{name:<24}{fit_ms:>10.2f}{both_ms:>20.2f}{draw_ms:>17.2f}{fitted.df_resid_:>4}")

    from forecast.evaluation import backtest, comparison

    models = backtest.default_models(saturation=3800.0)
    bt_ms = _median_ms(
        lambda: backtest.rolling_origin(YEARS, CHINA_GWH, models, n_draws=4_000), 3
    )
    cmp_ms = _median_ms(
        lambda: comparison.compare_models(
            YEARS, CHINA_GWH, models, target_year=int(TARGET[-1]), n_draws=10_000
        ),
        3,
    )
    print(f"rolling-origin backtest, {len(models)} models + naive: {bt_ms:.1f} ms")
    print(f"model comparison incl. backtest, {len(models)} models: {cmp_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
