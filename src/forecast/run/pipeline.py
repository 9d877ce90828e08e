"""Execute the project's notebooks with papermill into a reproducible run folder.

``forecast run`` calls :func:`run_cli`; scripts and tests call :func:`run` with a
:class:`RunConfig`. A run:

1. reads the notebooks' ``parameters`` cells and merges the user's parameters
   (``-f params.yaml``, then ``-p KEY VALUE``, then ``--scenario``) over their defaults
   (:mod:`forecast.run.parameters`); ``data_dir`` and ``output_dir`` are always passed as
   absolute paths;
2. builds everything in a hidden ``<output_dir>/.tmp-<run-id>`` (see :mod:`forecast.run.folder`);
3. executes independent notebooks in a small thread pool, each in its own ``forecast``
   kernel started in the repository root (:mod:`forecast.run.kernels`), with a per-cell
   timeout, and renders each executed notebook to HTML without code as soon as it finishes
   (:mod:`forecast.run.execute`);
4. writes ``manifest.json`` (:mod:`forecast.run.manifest`) and ``index.html``
   (:mod:`forecast.run.html`), then renames the folder to ``<run-id>`` -- or, if a notebook
   failed, to ``<run-id>.failed`` and raises :class:`~forecast.errors.RunError` naming the
   notebook, the cell and the error.

Only the final path goes to stdout (printed by the CLI). Progress lines go to the
``forecast.run`` logger (:data:`LOGGER`, level INFO); ``forecast run`` shows them on stderr.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forecast.data.loader import default_data_dir
from forecast.errors import ForecastError, ParameterError, RunError
from forecast.run.changes import changes_html, compare_runs, finished_run_dirs, previous_run
from forecast.run.execute import NotebookResult, execute_notebook
from forecast.run.folder import (
    RunFolder,
    check_output_dir,
    claim_run_folder,
    remove_stale_builds,
    validate_run_name,
)
from forecast.run.kernels import (
    KERNEL_NAME,
    LiveKernels,
    check_kernel,
    remove_stale_socket_dirs,
)
from forecast.run.manifest import (
    LAYOUT_VERSION,
    MANIFEST_NAME,
    data_digest,
    git_state,
    hash_files,
    input_files,
    package_versions,
    write_manifest,
)
from forecast.run.parameters import (
    load_parameters_file,
    merge_parameters,
    notebook_parameters,
)

__all__ = [
    "LOGGER",
    "NOTEBOOK_RE",
    "ProgressFn",
    "RunConfig",
    "discover_notebooks",
    "find_project_root",
    "run",
    "run_cli",
]

#: Notebooks the pipeline runs: ``NN_name.ipynb`` in the notebooks folder.
NOTEBOOK_RE = re.compile(r"^\d{2}_[A-Za-z0-9_]+\.ipynb$")

ProgressFn = Callable[[str], None]

#: Logger of the run's progress: a line per started and finished notebook, and per stale build
#: folder removed (INFO).
LOGGER = logging.getLogger("forecast.run")


@dataclass(frozen=True)
class RunConfig:
    """Everything a run is asked to do (the ``forecast run`` options).

    Attributes
    ----------
    output_dir : str or Path, optional
        Folder holding run folders (default ``<root>/outputs/runs``).
    run_name : str, optional
        Name of the run folder (default: UTC timestamp). Must be a plain, new folder name.
    parameters : sequence of (key, value) or mapping, optional
        Notebook parameters; string values of pairs are parsed as YAML.
    parameters_file : str or Path, optional
        YAML mapping of notebook parameters (overridden by ``parameters``).
    scenarios : sequence of str, optional
        Scenario names (the ``scenario_names`` parameter; default: the notebooks' default,
        all scenarios).
    jobs : int
        Notebooks executed in parallel (>= 1).
    timeout : int
        Per-cell timeout [s] (>= 1).
    quiet : bool
        No progress lines (neither logged nor passed to ``progress``).
    notebook_dir : str or Path, optional
        Folder of the notebooks (default ``<root>/notebooks``).
    notebooks : sequence of str, optional
        Subset of notebook file names to run (default: all ``NN_name.ipynb``).
    root : str or Path, optional
        Repository root: kernels' working directory (default: :func:`find_project_root`).
    kernel_name : str
        Jupyter kernel.
    progress : callable, optional
        Receives one line per started and finished notebook (default: :data:`LOGGER`, at
        INFO; ``forecast run`` shows it on stderr).
    """

    output_dir: str | Path | None = None
    run_name: str | None = None
    parameters: Sequence[Sequence[str]] | Mapping[str, Any] | None = None
    parameters_file: str | Path | None = None
    scenarios: Sequence[str] | None = None
    jobs: int = 2
    timeout: int = 600
    quiet: bool = False
    notebook_dir: str | Path | None = None
    notebooks: Sequence[str] | None = None
    root: str | Path | None = None
    kernel_name: str = KERNEL_NAME
    progress: ProgressFn | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunConfig:
        """The configuration of parsed ``forecast run`` options."""
        return cls(
            output_dir=args.output_dir,
            run_name=args.run_name,
            parameters=[tuple(pair) for pair in (args.parameter or [])],
            parameters_file=args.parameters_file,
            scenarios=args.scenario,
            jobs=args.jobs,
            timeout=args.timeout,
            quiet=args.quiet,
        )


@dataclass(frozen=True)
class _Plan:
    """A checked configuration: resolved paths, notebooks and merged parameters."""

    config: RunConfig
    root: Path
    sources: list[Path]
    declared: dict[str, dict[str, Any]]
    user: dict[str, Any]
    data_dir: Path
    out_root: Path


# --------------------------------------------------------------------------- discovery


def find_project_root(start: str | Path | None = None) -> Path:
    """The repository root: the first of ``start`` (default: cwd) and its parents holding a
    ``notebooks/`` folder with project notebooks, else the checkout this module lives in.

    Raises
    ------
    RunError
        If no notebooks folder can be found (e.g. a non-editable install run outside the
        repository).
    """
    here = Path(start or Path.cwd()).resolve()
    candidates = [here, *here.parents, Path(__file__).resolve().parents[3]]
    for cand in candidates:
        nb_dir = cand / "notebooks"
        if nb_dir.is_dir() and any(NOTEBOOK_RE.match(p.name) for p in nb_dir.glob("*.ipynb")):
            return cand
    raise RunError(
        f"cannot find the project's notebooks/ folder from {here}; run from the repository root"
    )


def discover_notebooks(notebook_dir: str | Path) -> list[Path]:
    """Project notebooks (``NN_name.ipynb``) in ``notebook_dir``, sorted by name."""
    folder = Path(notebook_dir)
    found = sorted(p.resolve() for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if not found:
        raise RunError(f"no notebooks named NN_name.ipynb in {folder}")
    return found


def _select_notebooks(nb_dir: Path, wanted: Sequence[str] | None) -> list[Path]:
    sources = discover_notebooks(nb_dir)
    if wanted is None:
        return sources
    names = {n if n.endswith(".ipynb") else f"{n}.ipynb" for n in wanted}
    missing = names - {p.name for p in sources}
    if missing:
        raise ForecastError(f"no such notebook(s) in {nb_dir}: {', '.join(sorted(missing))}")
    return [p for p in sources if p.name in names]


def _plan(config: RunConfig) -> _Plan:
    """Check the options and parameters; nothing is written.

    Raises
    ------
    ForecastError
        Invalid options (exit code 3).
    """
    if int(config.jobs) < 1:
        raise ForecastError(f"--jobs must be at least 1, got {config.jobs}")
    if int(config.timeout) < 1:
        raise ForecastError(f"--timeout must be at least 1 second, got {config.timeout}")
    if config.run_name is not None:
        validate_run_name(config.run_name)
    root = Path(config.root).resolve() if config.root is not None else find_project_root()
    nb_dir = (Path(config.notebook_dir).resolve() if config.notebook_dir is not None
              else root / "notebooks")
    sources = _select_notebooks(nb_dir, config.notebooks)

    declared = {p.name: notebook_parameters(p) for p in sources}
    file_params = load_parameters_file(config.parameters_file) if config.parameters_file else None
    user = merge_parameters(declared, file_params, config.parameters, config.scenarios)

    data_dir = (Path(str(user["data_dir"])).expanduser().resolve()
                if str(user.get("data_dir") or "").strip() else default_data_dir(root).resolve())
    if not data_dir.is_dir():
        raise ForecastError(f"parameter data_dir: data folder {data_dir} does not exist")
    user["data_dir"] = str(data_dir)
    _check_values(user, data_dir)

    if config.output_dir is not None:
        out_root = check_output_dir(Path(config.output_dir).expanduser().resolve())
    else:
        out_root = check_output_dir(root / "outputs" / "runs", create_parents=True)
    sources, user = _track_record(config, sources, declared, user, out_root)
    declared = {p.name: declared[p.name] for p in sources}
    return _Plan(config, root, sources, declared, user, data_dir, out_root)


def _track_record(config: RunConfig, sources: list[Path], declared: Mapping[str, Any],
                  user: dict[str, Any], out_root: Path) -> tuple[list[Path], dict[str, Any]]:
    """A notebook declaring ``earlier_runs`` (06_track_record) runs only with something to score.

    Its runs are the ones the user named, else the finished runs of the output folder; with
    neither it is left out, unless it was asked for by name (``RunConfig.notebooks``).
    """
    scorers = [p for p in sources if "earlier_runs" in declared[p.name]]
    if not scorers or user.get("earlier_runs") or config.notebooks is not None:
        return sources, user
    earlier = [str(path) for path in finished_run_dirs(out_root)]
    if not earlier:
        return [p for p in sources if p not in scorers], user
    return sources, {**user, "earlier_runs": earlier}


def _check_values(user: Mapping[str, Any], data_dir: Path) -> None:
    """Check the user's values against the one declaration of the run parameters.

    The notebooks check theirs the same way (:func:`forecast.report.notebook.setup`); here a
    bad value is refused before any kernel starts. Parameters a notebook declares beyond
    :data:`~forecast.report.parameters.PARAMETERS` (test notebooks) are the notebook's concern.

    Raises
    ------
    ParameterError
        One line naming the parameter and the value (exit code 3).
    """
    from forecast.report.parameters import PARAMETERS, check_parameters

    check_parameters({k: v for k, v in user.items() if k in PARAMETERS}, data_dir=data_dir)


# --------------------------------------------------------------------------- execution


@contextmanager
def _quiet_loggers() -> Iterator[None]:
    """Silence papermill's and nbclient's chatter for the duration of a run.

    Their errors too ("Timeout waiting for execute reply"): the run reports each notebook's
    outcome in one progress line and the failure in one error line.
    """
    loggers = [logging.getLogger(n) for n in ("papermill", "traitlets", "nbclient")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def _progress_on_stderr(quiet: bool) -> Iterator[None]:
    """Show the run's progress log on stderr, one line per record, unless ``quiet``.

    The library only logs (a script or notebook calling :func:`run` decides where progress
    goes); the CLI adds this handler for the duration of the command.
    """
    if quiet:
        yield
        return
    # A StreamHandler writes each record whole under a lock: worker threads log concurrently.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _output_hashes(folder: Path) -> dict[str, str]:
    files = [p for sub in ("tables", "figures") for p in sorted((folder / sub).glob("*"))
             if p.is_file()]
    return hash_files(files, folder)


def _last_observed_year(data_dir: Path) -> int | None:
    """The data folder's last observed year of China's production; None if it has none."""
    from forecast.report.parameters import last_observed_year

    try:
        return last_observed_year(data_dir)
    except ParameterError:
        return None


def _new_manifest(plan: _Plan, folder: RunFolder,
                  user_with_out: Mapping[str, Any]) -> dict[str, Any]:
    config = plan.config
    return {
        "run_id": folder.run_id,
        "status": "running",
        "started": _now(),
        "finished": None,
        "parameters": {**plan.user, "output_dir": str(folder.final_path)},
        # Defaults as written in each parameters cell, for parameters the run did not set.
        "notebook_defaults": {
            name: {k: v["default"] for k, v in params.items() if k not in user_with_out}
            for name, params in plan.declared.items()
        },
        "options": {"jobs": int(config.jobs), "timeout_s": int(config.timeout),
                    "kernel": config.kernel_name},
        "inputs": hash_files(input_files(plan.data_dir, plan.sources), plan.root),
        # Layout 2 (README, Outputs): what scoring this run later needs.
        "layout_version": LAYOUT_VERSION,
        "last_observed_year": _last_observed_year(plan.data_dir),
        "data_sha256": data_digest(plan.data_dir),
        "packages": package_versions(),
        "git": git_state(plan.root),
        "root": str(plan.root),
        "notebooks": [],
        "outputs": {},
    }


def _execute_all(plan: _Plan, folder: RunFolder, results: dict[str, NotebookResult],
                 say: ProgressFn, live: LiveKernels) -> NotebookResult | None:
    """Execute the notebooks in a thread pool; fills ``results``; returns the first failure.

    On KeyboardInterrupt (Ctrl-C, or SIGTERM in :func:`run_cli`) the running cells are
    interrupted, notebooks not started are cancelled, and the interrupt is re-raised once
    the pool has stopped.
    """
    config = plan.config
    sources = plan.sources
    build = folder.tmp_path
    position = {src.name: f"[{i}/{len(sources)}] {src.name}" for i, src in enumerate(sources, 1)}
    first_failure: NotebookResult | None = None
    pending: dict[Future[NotebookResult], Path] = {}
    stop = threading.Event()

    def task(src: Path) -> NotebookResult:
        # Checked by the worker itself: a queued notebook may be picked up before the main
        # thread sees the failure and cancels it.
        if stop.is_set():
            return results[src.name]
        say(f"forecast run: {position[src.name]} started")
        res = execute_notebook(
            src,
            build / src.name,
            results[src.name].parameters,
            paths={str(folder.final_path): str(build)},
            cwd=plan.root,
            timeout=int(config.timeout),
            kernel_name=config.kernel_name,
            html_path=build / f"{src.stem}.html",
            log_path=build / "logs" / f"{src.stem}.kernel.log",
            should_stop=stop.is_set,
            live=live,
        )
        if res.status != "ok":
            stop.set()
        # Reported by the worker, before it takes the next notebook, so lines keep their order.
        line = f"forecast run: {position[src.name]} {res.status} in {res.duration_s:.1f} s"
        say(f"{line}: {res.error}" if res.error else line)
        return res

    try:
        with ThreadPoolExecutor(max_workers=min(int(config.jobs), len(sources))) as pool:
            pending.update({pool.submit(task, src): src for src in sources})
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        src = pending.pop(fut)
                        if fut.cancelled():
                            continue
                        res = fut.result()
                        results[src.name] = res
                        if res.status not in ("ok", "skipped") and first_failure is None:
                            first_failure = res
                            # Fail fast: notebooks not yet started are skipped.
                            stop.set()
                            for other in pending:
                                other.cancel()
            except KeyboardInterrupt:
                stop.set()
                live.stop()
                for other in pending:
                    other.cancel()
                # Running cells get KeyboardInterrupt, so the pool's shutdown does not wait
                # for whole notebooks to finish. Repeated: a kernel registered just now may
                # still be between cells, where ipykernel ignores the signal.
                while any(not fut.done() for fut in pending):
                    live.interrupt_all()
                    wait(pending, timeout=1.0)
                raise
    except BaseException:
        # The pool has waited for running notebooks; keep what they reported.
        for fut, src in pending.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                results[src.name] = fut.result()
        raise
    return first_failure


def run(config: RunConfig) -> Path:
    """Execute the notebooks into a new run folder and return its path.

    Parameters
    ----------
    config : RunConfig
        What to run and where.

    Returns
    -------
    Path
        The finished run folder.

    Raises
    ------
    ForecastError
        Invalid options (exit code 3): bad run name, existing run, unknown parameter,
        missing data folder. Nothing is written.
    RunError
        A notebook failed or timed out (exit code 4); the run is kept as ``<run-id>.failed``.
    """
    plan = _plan(config)
    check_kernel(config.kernel_name)
    say = (lambda _line: None) if config.quiet else (config.progress or LOGGER.info)

    remove_stale_builds(plan.out_root, say)
    remove_stale_socket_dirs()
    folder = claim_run_folder(plan.out_root, config.run_name)
    # Notebooks and manifest record the folder the run ends up in; the notebooks write into
    # the build folder (the rename makes the run appear complete or not at all).
    user_with_out = {**plan.user, "output_dir": str(folder.final_path)}
    results = {
        p.name: NotebookResult(
            name=p.name,
            status="skipped",
            parameters={k: v for k, v in user_with_out.items() if k in plan.declared[p.name]},
        )
        for p in plan.sources
    }
    manifest = _new_manifest(plan, folder, user_with_out)

    t_start = time.perf_counter()
    try:
        with _quiet_loggers():
            first_failure = _execute_all(plan, folder, results, say, LiveKernels())
    except BaseException:
        _close(folder, manifest, results, plan.sources, status="interrupted", t_start=t_start)
        raise

    if first_failure is not None:
        failed_dir = _close(folder, manifest, results, plan.sources, status="failed",
                            t_start=t_start)
        raise RunError(
            f"notebook {first_failure.name} failed in {first_failure.error}; "
            f"executed notebook kept in {failed_dir / first_failure.name}"
        )
    return _close(folder, manifest, results, plan.sources, status="ok", t_start=t_start)


def _close(folder: RunFolder, manifest: dict[str, Any], results: Mapping[str, NotebookResult],
           sources: Sequence[Path], *, status: str, t_start: float) -> Path:
    """Write manifest and index, then move the build folder to its final or failed name."""
    from forecast.run.html import write_index

    build = folder.tmp_path
    manifest["status"] = status
    manifest["finished"] = _now()
    manifest["duration_s"] = round(time.perf_counter() - t_start, 3)
    manifest["notebooks"] = [asdict(results[p.name]) for p in sources]
    if build.is_dir():
        logs = build / "logs"
        if logs.is_dir() and not any(logs.iterdir()):
            logs.rmdir()
        manifest["kernel_logs"] = sorted(
            p.relative_to(build).as_posix() for p in logs.glob("*.log")) if logs.is_dir() else []
        manifest["outputs"] = _output_hashes(build)
        previous = previous_run(folder.output_dir, exclude=[folder.run_id])
        manifest["previous_run"] = previous.name if previous else None
        write_manifest(build / MANIFEST_NAME, manifest)
        write_index(build, manifest, changes_html(
            compare_runs(previous, manifest, build) if previous else None))
        return folder.finish() if status == "ok" else folder.fail()
    return folder.failed_path


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run_cli(args: argparse.Namespace) -> Path:
    """Run from parsed ``forecast run`` options (see :func:`forecast.cli.build_parser`).

    SIGTERM (a scheduler's timeout or stop) and SIGHUP (the terminal closed) are handled like
    Ctrl-C: running cells are interrupted, kernels and their temporary files are cleaned up,
    and the run is kept as ``<run-id>.failed`` with status "interrupted"; the CLI then exits
    with 130.
    """
    config = RunConfig.from_args(args)
    with _progress_on_stderr(config.quiet):
        if threading.current_thread() is not threading.main_thread():
            return run(config)
        signals = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
        previous = {signum: signal.signal(signum, _raise_interrupt) for signum in signals}
        try:
            return run(config)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
