"""The command line: help, version, usage errors, and a light start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from forecast import cli
from tests.conftest import REPO


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("validate", "scenarios", "project", "run"):
        assert command in out
    assert "Exit codes" in out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.startswith("forecast ")


def test_import_and_help_stay_light():
    """`import forecast` and the CLI parser must not load the heavy scientific stack."""
    code = (
        "import sys, forecast, forecast.cli\n"
        "forecast.cli.build_parser()\n"
        "heavy = {'pandas', 'numpy', 'scipy', 'statsmodels', 'matplotlib', 'papermill'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_submodule_access():
    import forecast

    assert forecast.data.load_history is not None
    with pytest.raises(AttributeError):
        forecast.nope  # noqa: B018


def test_readme_and_help_list_every_option_and_exit_code(capsys):
    """Every option of every command is in the README; every exit code in both."""
    import re

    readme = (REPO / "README.md").read_text()
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, cli.argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert re.search(rf"(?<![\w-]){option}(?![\w-])", readme), (name, option)
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    run_help = capsys.readouterr().out
    for code in (0, 1, 2, 3, 4, 130):
        assert re.search(rf"^\| {code} \|", readme, re.M), code
        assert re.search(rf"\b{code} ", " ".join(parser.epilog.split())), code
        assert re.search(rf"\b{code} ", " ".join(run_help.split())), code
