"""Wall time of ``forecast calibrate`` on the shipped reference class (target: 8 s on 2 CPUs).

Run as ``.venv/bin/python benchmarks/bench_calibration.py [--jobs N] [--per-method]
[--quick]``. Times what ``forecast calibrate`` computes -- every method over every window of
the shipped ``technology_ramps.csv`` (4-year windows growing >= 15%/yr, 6 years ahead;
1,000 draws per growth-model forecast) on ``--jobs`` worker processes (default every CPU) --
and prints the total with the machine's load average, since on a shared machine the wall
time says as much about the other processes as about this one. ``--per-method`` adds each
method's time in this process alone (its CPU cost; ``--quick`` only the default method and
its benchmark, 162 leave-one-series-out calibrations each).
"""

from __future__ import annotations

import os
import sys
import time

from forecast.data.reference import default_reference_path

TARGET_S = 8.0
REFERENCE = default_reference_path()


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    argv = [] if argv is None else argv  # bench.py calls it with no options
    start = time.perf_counter()
    from forecast.evaluation.calibration import BENCHMARK, DEFAULT, calibrate, summary_text
    from forecast.models import GROWTH_MODELS

    imported = time.perf_counter() - start
    print(f"imports: {imported:.1f} s; {_load()}")
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else None
    summary = None
    if "--quick" not in argv:
        t0 = time.perf_counter()
        summary = calibrate(REFERENCE, jobs=jobs)[1]
        total = imported + time.perf_counter() - t0
        verdict = "within" if total < TARGET_S else "OVER"
        print(f"total (imports + every method, {jobs or os.cpu_count()} jobs): {total:.1f} s "
              f"-- {verdict} the {TARGET_S:.0f} s target; {_load()}")
    if "--per-method" in argv or "--quick" in argv:
        growth = [] if "--quick" in argv else [m for m in GROWTH_MODELS if m != DEFAULT]
        cpu = 0.0
        for method in [DEFAULT, BENCHMARK, *growth]:
            t0, c0 = time.perf_counter(), time.process_time()
            part = calibrate(REFERENCE, methods=[method], jobs=1)[1]
            cpu += time.process_time() - c0
            summary = part if summary is None else summary
            print(f"{method:<15}{time.perf_counter() - t0:>8.1f} s wall"
                  f"{time.process_time() - c0:>8.1f} s CPU")
        print(f"CPU time of the methods in one process: {cpu:.1f} s; {_load()}")
    print(summary_text(summary[summary["method"] == DEFAULT]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
