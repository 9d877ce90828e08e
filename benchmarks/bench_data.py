"""Start-up and data-layer timings: `forecast --help`, `import forecast`, load + validate."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    exe = Path(sys.executable).parent / "forecast"
    help_ms = _median_ms(
        lambda: subprocess.run([str(exe), "--help"], capture_output=True, check=True), 5
    )
    import_ms = _median_ms(
        lambda: subprocess.run([sys.executable, "-c", "import forecast"], check=True), 5
    )
    python_ms = _median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    print(f"forecast --help            {help_ms:8.1f} ms (median of 5, whole process)")
    print(f"python -c 'import forecast' {import_ms:7.1f} ms (bare interpreter: {python_ms:.1f} ms)")

    from forecast import data
    from forecast.data import schema
    from forecast.data.consistency import check_dataset

    paths = REPO / "data"

    def load_uncached() -> None:
        catalogue = schema.parse_series(paths / "series.csv")
        sources = schema.parse_sources(paths / "sources.csv")
        variants = schema.parse_variants(paths / "variants.csv")
        rows = schema.parse_history(paths / "history.csv", catalogue, sources, variants)
        check_dataset(paths / "history.csv", rows, catalogue, variants)

    load_uncached()
    print(f"parse + validate all data  {_median_ms(load_uncached, 20):8.2f} ms (median of 20)")
    data.load_history(paths)
    print(f"load_history (cached)      {_median_ms(lambda: data.load_history(paths), 50):8.2f} ms")


if __name__ == "__main__":
    main()
