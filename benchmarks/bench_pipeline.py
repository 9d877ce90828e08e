"""Wall time of `forecast run` beside the same notebooks run one after another by hand.

The baseline is what a scheduler would do without the pipeline: for each notebook the run
executed (without earlier runs to score it skips ``06_track_record``), the plain
``papermill`` command, then ``jupyter nbconvert --to html --no-input``, each a new process.
Each repeat times both, the pipeline first in odd repeats and second in even ones (so the one
repeat after an edit of the package, whose calibration cache is cold, costs the pipeline);
the figures are medians over repeats, wall time and the CPU time of the processes. Figures
are printed, never asserted.

Usage: ``python benchmarks/bench_pipeline.py [--draws N] [--jobs N] [--repeat N]``
(defaults: the notebooks' own draw count, 2 jobs as ``make run``, 3 repeats).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a command (its processes and the kernels they waited for)."""
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, _cpu() - cpu


def _declared(notebook: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def _pipeline(out: Path, args: argparse.Namespace) -> tuple[float, float, dict[str, float]]:
    draw_args = ["-p", "n_draws", str(args.draws)] if args.draws else []
    wall, cpu = _timed([str(BIN / "forecast"), "run", "--output-dir", str(out / "runs"),
                        "--run-name", "bench", "--jobs", str(args.jobs), "--quiet", *draw_args])
    manifest = json.loads((out / "runs" / "bench" / "manifest.json").read_text())
    return wall, cpu, {n["name"].removesuffix(".ipynb"): n["duration_s"]
                       for n in manifest["notebooks"]}


def _sequential(out: Path, args: argparse.Namespace, notebooks: list[Path]
                ) -> tuple[float, float, list[tuple[str, float, float]]]:
    seq = out / "sequential"
    seq.mkdir()
    rows, cpu = [], 0.0
    for nb in notebooks:
        params = ["-p", "data_dir", str(REPO / "data"), "-p", "output_dir", str(seq)]
        if args.draws and "n_draws" in _declared(nb):
            params += ["-p", "n_draws", str(args.draws)]
        executed = seq / nb.name
        pm_s, pm_cpu = _timed([str(BIN / "papermill"), str(nb), str(executed), *params,
                               "--no-progress-bar", "--log-level", "ERROR"])
        html_s, html_cpu = _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html",
                                   "--no-input", str(executed)])
        rows.append((nb.stem, pm_s, html_s))
        cpu += pm_cpu + html_cpu
    return sum(p + h for _, p, h in rows), cpu, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=None, help="n_draws (default: notebooks')")
    parser.add_argument("--jobs", type=int, default=2, help="forecast run --jobs (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats (default 3)")
    args = parser.parse_args(argv if argv is not None else [])

    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pipe, seq = [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            out = Path(tmp)
            if i % 2 == 0:
                pipe.append(_pipeline(out, args))
                # The same notebooks as the run: without earlier runs it skips the track record.
                notebooks = [nb for nb in notebooks if nb.stem in pipe[-1][2]]
                seq.append(_sequential(out, args, notebooks))
            else:
                seq.append(_sequential(out, args, notebooks))
                pipe.append(_pipeline(out, args))
        print(f"repeat {i + 1}: forecast run {pipe[-1][0]:.1f} s (CPU {pipe[-1][1]:.1f} s), "
              f"one by one {seq[-1][0]:.1f} s (CPU {seq[-1][1]:.1f} s): "
              f"{pipe[-1][0] / seq[-1][0]:.2f}x", flush=True)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    run_s, seq_s = med([p[0] for p in pipe]), med([s[0] for s in seq])
    run_cpu, seq_cpu = med([p[1] for p in pipe]), med([s[1] for s in seq])
    draws = args.draws or "notebook default"
    print(f"notebooks: {len(notebooks)}; n_draws: {draws}; cores: {_cores()}; "
          f"medians of {args.repeat} repeats")
    print(f"forecast run --jobs {args.jobs}:            {run_s:7.1f} s wall, {run_cpu:6.1f} s CPU")
    print(f"papermill + nbconvert, one by one: {seq_s:7.1f} s wall, {seq_cpu:6.1f} s CPU")
    print(f"run / one by one: {run_s / seq_s:.2f}x wall (median of repeats' ratios "
          f"{med([p[0] / s[0] for p, s in zip(pipe, seq, strict=True)]):.2f}x), "
          f"{run_cpu / seq_cpu:.2f}x CPU")
    print(f"{'notebook':<20}{'papermill [s]':>15}{'nbconvert [s]':>15}{'in run [s]':>12}")
    for k, (name, *_) in enumerate(seq[0][2]):
        pm_s = med([s[2][k][1] for s in seq])
        html_s = med([s[2][k][2] for s in seq])
        in_run = med([p[2].get(name, float("nan")) for p in pipe])
        print(f"{name:<20}{pm_s:>15.1f}{html_s:>15.1f}{in_run:>12.1f}")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main(sys.argv[1:])
