"""Wall time of ``forecast calibrate`` on the shipped reference class (target: < 60 s).

Run as ``.venv/bin/python benchmarks/bench_calibration.py [--quick]``. Prints the time of
each method over every window of ``data/reference/technology_ramps.csv`` (4-year windows
growing >= 15%/yr, 6 years ahead; 1,000 draws per growth-model forecast), the total, and the
default method's leave-one-series-out summary. ``--quick`` times only the default method and
its benchmark (162 leave-one-series-out calibrations each).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

TARGET_S = 60.0
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "technology_ramps.csv"


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    from forecast.evaluation.calibration import BENCHMARK, DEFAULT, calibrate, summary_text
    from forecast.models import GROWTH_MODELS

    imported = time.perf_counter() - start
    methods = [DEFAULT, BENCHMARK] + ([] if "--quick" in argv else list(GROWTH_MODELS))
    print(f"imports: {imported:.1f} s")
    summaries = []
    for method in methods:
        t0 = time.perf_counter()
        summaries.append(calibrate(REFERENCE, methods=[method])[1])
        print(f"{method:<15}{time.perf_counter() - t0:>8.1f} s")
    total = time.perf_counter() - start
    verdict = "within" if total < TARGET_S else "OVER"
    print(f"total (imports + every method, one process): {total:.1f} s -- {verdict} the "
          f"{TARGET_S:.0f} s target")
    print(summary_text(summaries[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
