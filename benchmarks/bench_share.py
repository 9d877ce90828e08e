"""Share-model timings: fit, 10,000 draws and the forecast table of each share model.

Target (issue 3): fit + 10,000 draws in milliseconds. Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

N_DRAWS = 10_000
YEARS = np.arange(2025, 2031)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    from forecast.models import (
        LogitShare,
        LogRatioMix,
        segment_paths,
        shares_from_levels,
        two_part_share,
    )

    china_years = np.array([2021, 2022, 2023, 2024])
    china_share = np.array([0.57, 0.683, 0.71, 0.76])
    lfp = two_part_share([261.01, 409.0], [126.13, 139.0])
    mix_shares = shares_from_levels([[664.3, 91.0, 154.7], [823.0, 94.0, 254.0]])
    segments = ["power", "consumer", "storage"]

    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = []

    def logit_case(label: str, make: Callable[[], LogitShare], x, y) -> None:
        fitted = make().fit(x, y)
        cases.append(
            (label, lambda: make().fit(x, y), lambda: fitted.sample(YEARS, N_DRAWS, seed=1))
        )

    logit_case("LogitShare China share, 4 pts", lambda: LogitShare(), china_years, china_share)
    logit_case(
        "LogitShare China share, cap 0.85", lambda: LogitShare(cap=0.85), china_years, china_share
    )
    logit_case("LogitShare LFP, 2 pts, sigma 0.2", lambda: LogitShare(sigma=0.2), [2023, 2024], lfp)

    def make_mix() -> LogRatioMix:
        return LogRatioMix(damping={"storage": 0.7})

    mix = make_mix().fit([2023, 2024], mix_shares, segments)
    cases.append(
        (
            "LogRatioMix 3 segments, 2 yrs",
            lambda: make_mix().fit([2023, 2024], mix_shares, segments),
            lambda: mix.sample(YEARS, N_DRAWS, seed=1),
        )
    )

    print(f"{N_DRAWS:,} draws x {YEARS.size} years; median of 20 runs")
    print(f"{'model':<34}{'fit [ms]':>10}{'sample [ms]':>13}{'fit+sample':>12}")
    for label, fit, sample in cases:
        fit_ms = _median_ms(fit, 20)
        sample_ms = _median_ms(sample, 20)
        print(f"{label:<34}{fit_ms:>10.3f}{sample_ms:>13.3f}{fit_ms + sample_ms:>12.3f}")

    share_draws = mix.sample(YEARS, N_DRAWS, seed=1)
    total = 1170.0 * np.random.default_rng(2).lognormal(0.15, 0.05, (N_DRAWS, 1)) ** np.arange(
        1, YEARS.size + 1
    )
    paths_ms = _median_ms(lambda: segment_paths(total, share_draws), 20)
    print(f"{'segment_paths (10k x 6 x 3)':<34}{paths_ms:>10.3f} ms")
    china = LogitShare().fit(china_years, china_share)
    frame_ms = _median_ms(lambda: china.forecast_frame(YEARS, N_DRAWS, seed=1), 10)
    mix_frame_ms = _median_ms(lambda: mix.forecast_frame(YEARS, N_DRAWS, seed=1, total=total), 10)
    print(f"{'LogitShare.forecast_frame':<34}{frame_ms:>10.3f} ms")
    print(f"{'LogRatioMix.forecast_frame(total)':<34}{mix_frame_ms:>10.3f} ms")


if __name__ == "__main__":
    main()
