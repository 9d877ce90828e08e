"""Wall time of `forecast run` beside the same notebooks run one after another by hand.

The baseline is what a scheduler would do without the pipeline: for each notebook, the plain
``papermill`` command, then ``jupyter nbconvert --to html --no-input``, each a new process.
Figures are printed, never asserted.

Usage: ``python benchmarks/bench_pipeline.py [--draws N] [--jobs N]`` (defaults: the
notebooks' own draw count and 2 jobs, as ``make run``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def _declared(notebook: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=None, help="n_draws (default: notebooks')")
    parser.add_argument("--jobs", type=int, default=2, help="forecast run --jobs (default 2)")
    args = parser.parse_args(argv if argv is not None else [])

    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    data_dir = REPO / "data"
    draw_args = ["-p", "n_draws", str(args.draws)] if args.draws else []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        out = Path(tmp)

        pipeline_s = _timed([str(BIN / "forecast"), "run", "--output-dir", str(out / "runs"),
                             "--run-name", "bench", "--jobs", str(args.jobs), "--quiet",
                             *draw_args])
        manifest = json.loads((out / "runs" / "bench" / "manifest.json").read_text())

        seq = out / "sequential"
        seq.mkdir()
        rows = []
        for nb in notebooks:
            declared = _declared(nb)
            params = ["-p", "data_dir", str(data_dir), "-p", "output_dir", str(seq)]
            if args.draws and "n_draws" in declared:
                params += ["-p", "n_draws", str(args.draws)]
            executed = seq / nb.name
            pm_s = _timed([str(BIN / "papermill"), str(nb), str(executed), *params,
                           "--no-progress-bar", "--log-level", "ERROR"])
            html_s = _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                             str(executed)])
            rows.append((nb.stem, pm_s, html_s))

    sequential_s = sum(p + h for _, p, h in rows)
    draws = args.draws or "notebook default"
    print(f"notebooks: {len(notebooks)}; n_draws: {draws}; cores: {_cores()}")
    print(f"forecast run --jobs {args.jobs}:            {pipeline_s:7.1f} s wall")
    print(f"papermill + nbconvert, one by one: {sequential_s:7.1f} s wall "
          f"(papermill {sum(p for _, p, _ in rows):.1f} s, "
          f"nbconvert {sum(h for _, _, h in rows):.1f} s)")
    print(f"speed-up: {sequential_s / pipeline_s:.2f}x")
    print(f"{'notebook':<20}{'papermill [s]':>15}{'nbconvert [s]':>15}{'in run [s]':>12}")
    in_run = {n["name"].removesuffix(".ipynb"): n["duration_s"] for n in manifest["notebooks"]}
    for name, pm_s, html_s in rows:
        print(f"{name:<20}{pm_s:>15.1f}{html_s:>15.1f}{in_run.get(name, float('nan')):>12.1f}")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main(sys.argv[1:])
