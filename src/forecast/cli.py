"""The ``forecast`` command line. Its exit codes (the README's table says more than the
parser's epilog) and the last line ``forecast run`` prints are a contract scripts rely on.

Heavy libraries (pandas, scipy, papermill) are imported inside the commands, so
``forecast --help`` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from forecast import __version__
from forecast.errors import ForecastError, ParameterError, quote

__all__ = ["build_parser", "main"]


def _cmd_validate(args: argparse.Namespace) -> None:
    """``forecast validate``: the data folder, the scenario files and the reference class, with
    the checks ``forecast run`` makes before it starts (:func:`forecast.inputs.check_inputs`)."""
    from forecast import data
    from forecast.data.reference import default_reference_path
    from forecast.inputs import check_inputs, check_reference

    history = data.load_history(args.data_dir)
    data_dir = Path(history.attrs["data_dir"])
    folder = args.scenario_dir or data_dir / "scenarios"
    reference = default_reference_path()
    if args.scenario_dir is None and not folder.is_dir():
        check_reference(reference)
        checked = f"scenarios: no folder {folder}; none checked"
    else:
        chosen = check_inputs(data_dir, folder, reference=reference, history=history)
        checked = f"scenarios: {len(chosen)} valid in {folder}: {', '.join(c.name for c in chosen)}"
    print(data.summary_text(history))
    print(checked)
    print(f"reference class: {reference} valid")


def _cmd_scenarios(args: argparse.Namespace) -> None:
    from forecast import scenarios

    table = scenarios.list_scenarios(args.scenario_dir)
    width = max((len(n) for n in table["name"]), default=4)
    for name, description in zip(table["name"], table["description"], strict=True):
        print(f"{name:<{width}}  {description}")


#: Options of ``forecast project`` by the run parameter each sets (and is checked as).
_PROJECT_OPTIONS = {"n_draws": "--draws", "seed": "--seed", "target_year": "--year"}


def _cmd_project(args: argparse.Namespace) -> None:
    """``forecast project``: ``--draws``, ``--seed``, ``--year`` are checked as the parameters
    they set, naming the option, before the models are imported (which takes seconds)."""
    from forecast.report.parameters import check_parameters

    values = {parameter: getattr(args, option[2:]) for parameter, option in _PROJECT_OPTIONS.items()
              if getattr(args, option[2:]) is not None}
    try:
        check_parameters(values, data_dir=args.data_dir)
    except ParameterError as exc:
        message = str(exc)
        for parameter, option in _PROJECT_OPTIONS.items():
            message = message.replace(f"parameter {parameter} ", f"{option} ")
        raise ParameterError(message) from exc

    from forecast import scenarios

    frame = scenarios.project_named(args.scenario, args.scenario_dir, args.data_dir, args.year,
                                    args.draws, args.seed)
    if args.format == "csv":
        sys.stdout.write(scenarios.projection_to_csv(frame))
    else:
        print(scenarios.projection_to_text(frame))


def _cmd_run(args: argparse.Namespace) -> None:
    """Execute the notebooks into a new run folder. Options, parameters and input files are
    checked before any notebook starts (exit 3, nothing written). The last stdout line is the
    run folder, or the error line on failure; <output-dir>/latest points to the newest
    successful run.

    Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid option, parameter or input, 4 a
    notebook failed or the disk filled up, 130 interrupted (SIGINT, SIGTERM, SIGHUP; the run is
    kept as <run-id>.failed)."""
    from forecast.run.pipeline import RunConfig, run

    _stop_on_signals()
    print(run(RunConfig(
        output_dir=args.output_dir, run_name=args.run_name, parameters=args.parameter,
        parameters_file=args.parameters_file, scenarios=args.scenario, jobs=args.jobs,
        timeout=args.timeout, quiet=args.quiet,
        progress=lambda line: sys.stderr.write(f"{line}\n"))))  # one write: threads


def _cmd_calibrate(args: argparse.Namespace) -> None:
    from forecast.data.reference import load_reference
    from forecast.evaluation import calibration
    from forecast.files import check_folder

    def number(option: str, text: str, kind: type, low: float, rule: str) -> float:
        with contextlib.suppress(ValueError):
            value = kind(text)
            if low <= value < float("inf"):
                return value
        raise ParameterError(f"{option} must be {rule}; got {quote(text)}")

    window = number("--window", args.window, int, 2, "an integer >= 2")
    horizons = number("--horizons", args.horizons, int, 1, "an integer >= 1")
    min_growth = number("--min-growth", args.min_growth, float, -1 + 1e-12,
                        "a finite growth rate > -1 (e.g. 0.15 for 15%/yr)")
    cpus = calibration.usable_cpus()
    jobs = cpus if args.jobs is None else min(
        number("--jobs", args.jobs, int, 1, "an integer >= 1"), cpus)
    _check_reference_span(args.reference, window, horizons)
    check_folder(args.output, "--output")  # before calibrating, not after
    _stop_on_signals()
    forecasts, summary = calibration.calibrate(args.reference, window, horizons, min_growth,
                                               jobs=jobs)
    conditional = calibration.conditional_table(forecasts, load_reference(args.reference))
    paths = calibration.write_calibration(forecasts, summary, args.output, conditional)
    print(calibration.summary_text(summary))
    print(f"wrote {', '.join(str(p) for p in paths)}")


def _check_reference_span(reference: Path, window: int, horizons: int) -> None:
    """Refuse a reference CSV above its size limit (unread), and a ``--window`` or
    ``--horizons`` above the years it (or the shipped class) spans less one: a window needs a
    year after it, and a horizon of 1e9 years would allocate that many columns."""
    from forecast.data.reference import default_reference_path
    from forecast.inputs import check_reference

    paths = [reference, default_reference_path()]
    for path in dict.fromkeys(p for p in paths if p == reference or Path(p).exists()):
        years = check_reference(path)["year"]
        span = int(years.max() - years.min()) + 1
        if window > span - 1:
            raise ParameterError(f"--window {quote(window)}: {path} spans {span} years "
                                 f"({int(years.min())}-{int(years.max())}), so a window holds "
                                 f"at most {span - 1} points with a year after them")
        if horizons > span - 1:
            raise ParameterError(f"--horizons {quote(horizons)}: {path} spans {span} years, so "
                                 f"no year is more than {span - 1} years after another")


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP, unless inherited as ignored (``nohup``), interrupt like Ctrl-C."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, signal.default_int_handler)


def _cmd_score(args: argparse.Namespace) -> None:
    """One row per projection of each run that has an observed value in the data folder: p10,
    p50, p90, the actual, error = p50 / actual - 1, covered80 (p10 <= actual <= p90) and a
    CRPS from the run's quantiles. Written as CSV to --output (atomically) and shown as a
    table.

    Exit codes: 0 ok (also when nothing has an actual yet: the file holds the header only), 1
    internal error, 2 usage, 3 a folder is not a finished run (or of a layout this version
    cannot read, or its projections table is malformed), the data folder breaks a rule, or
    --output's folder is unusable or --output lies inside a run folder or would overwrite a
    data file."""
    from forecast.evaluation import track_record
    from forecast.report.track_record import scores_text

    track_record.check_output(args.output, args.run_dirs, args.data_dir)
    scores = track_record.score_runs(args.run_dirs, args.data_dir)
    out = track_record.write_scores(scores, args.output)
    print(scores_text(scores))
    if scores.empty:
        print(f"no projection of these runs has an actual in the data folder yet; wrote the "
              f"header only to {out}")
    else:
        print(f"{len(scores)} scored projections written to {out}")


def _described(command: object) -> dict[str, str]:
    """A subcommand's ``--help`` description and epilog (exit codes): its docstring's two."""
    description, epilog = str(command.__doc__).split("\n\n")
    return {"description": description, "epilog": epilog}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="forecast",
        description="Lithium-ion battery production: validated history, growth and share "
        "models, and 2030 scenarios run through papermill notebooks.",
        epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input (a file, option or "
        "parameter; nothing is run), 4 run failed, 130 interrupted (Ctrl-C or SIGTERM).")
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="validate the data files, the scenario files and the "
                       "reference class, and print a summary")
    p.add_argument("--data-dir", type=Path, help="data folder (default: ./data)")
    p.add_argument("--scenario-dir", type=Path,
                   help="scenario folder (default: <data-dir>/scenarios, when it exists)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("scenarios", help="list the scenarios with one-line descriptions")
    p.add_argument("--scenario-dir", type=Path, help="scenario folder (default: ./data/scenarios)")
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser("project", help="project one scenario to the target year")
    p.add_argument("--scenario", required=True, help="scenario name or path to a YAML file")
    p.add_argument("--year", type=int,
                   help="target year, after the last observed one (default: the scenario's)")
    p.add_argument("--draws", type=int, default=10_000,
                   help="Monte Carlo draws, 1..1,000,000 within a 2 GiB budget (default 10000)")
    p.add_argument("--seed", type=int, default=2030,
                   help="random seed, 0..4294967295 (default 2030)")
    p.add_argument("--format", choices=["table", "csv"], default="table", help="output format")
    p.add_argument("--data-dir", type=Path, help="data folder (default: ./data)")
    p.add_argument("--scenario-dir", type=Path,
                   help="scenario folder (default: <data-dir>/scenarios)")
    p.set_defaults(func=_cmd_project)

    p = sub.add_parser("run", help="execute the notebooks with papermill into a new run folder",
                       **_described(_cmd_run))
    p.add_argument("--scenario", action="append", metavar="NAME",
                   help="scenario to include (repeatable; default: all)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                   metavar=("KEY", "VALUE"), help="notebook parameter (value parsed as YAML; "
                   "repeatable), e.g. -p n_draws 20000")
    p.add_argument("-f", "--parameters-file", type=Path, help="YAML file of notebook parameters")
    p.add_argument("--output-dir", type=Path, help="where run folders go (default: outputs/runs)")
    p.add_argument("--run-name", help="name of the run folder (default: timestamp)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed in parallel")
    p.add_argument("--timeout", type=int, default=600, help="per-cell timeout [s]")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines on stderr (errors are still printed)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("calibrate", help="score every method's rolling-window forecasts on a "
                       "reference class of technology ramp-ups")
    p.add_argument("--reference", type=Path, required=True, metavar="PATH",
                   help="reference CSV with columns series, year, value")
    p.add_argument("--window", default="4", help="points per window (integer >= 2; default 4)")
    p.add_argument("--horizons", default="6", help="years ahead (integer >= 1; default 6)")
    p.add_argument("--min-growth", default="0.15",
                   help="smallest end-point growth of a window [fraction/yr] (default 0.15)")
    p.add_argument("--output", type=Path, required=True, metavar="DIR",
                   help="folder for forecasts.csv, summary.csv and conditional.csv")
    p.add_argument("--jobs", help="worker processes (integer >= 1, at most the "
                   "CPUs available: a larger number uses them all; default: every CPU "
                   "available); the tables are identical for any number")
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser("score", help="score earlier runs' projections against the actuals now "
                       "in the data", **_described(_cmd_score))
    p.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR",
                   help="finished run folder (repeatable)")
    p.add_argument("--data-dir", type=Path, help="data folder with the actuals (default: ./data)")
    p.add_argument("--output", type=Path, required=True, metavar="FILE",
                   help="CSV file of the scores (written atomically)")
    p.set_defaults(func=_cmd_score)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``forecast`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        _check_path_options(args)
        args.func(args)
    except ForecastError as exc:
        return _fail(args, f"error: {exc}", exc.exit_code)
    except KeyboardInterrupt:
        return _fail(args, "error: interrupted", 130)
    return 0


def _check_path_options(args: argparse.Namespace) -> None:
    """Refuse a path option holding a NUL byte in one line, before the OS raises ValueError."""
    for dest, value in vars(args).items():
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, Path) and "\x00" in str(path):
                option = "RUN_DIR" if dest == "run_dirs" else "--" + dest.replace("_", "-")
                raise ForecastError(f"{option} {quote(str(path))}: the path contains a NUL byte")


def _fail(args: argparse.Namespace, line: str, code: int) -> int:
    """Print the failure line on stderr and, for ``run`` off a terminal, as stdout's last line
    too (a wrapper reading ``tail -n 1`` gets the outcome on failure as on success)."""
    print(line, file=sys.stderr, flush=True)
    if args.func is _cmd_run and not sys.stdout.isatty():
        print(line, flush=True)
    return code
