"""Notebook parameters of a run: what the notebooks declare and what the user sets.

The user's values come, in increasing precedence, from ``-f params.yaml``, ``-p KEY VALUE``
and ``--scenario NAME``; each must be declared in some notebook's ``parameters`` cell.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.errors import ForecastError

__all__ = [
    "RESERVED_PARAMETERS",
    "SCENARIO_PARAMETER",
    "default_data_dir",
    "load_parameters_file",
    "merge_parameters",
    "notebook_parameters",
    "parse_parameter_value",
]

#: Notebook parameter that ``--scenario NAME`` sets (a list of scenario names).
SCENARIO_PARAMETER = "scenario_names"
#: Parameters the pipeline sets itself.
RESERVED_PARAMETERS = frozenset({"output_dir"})


def notebook_parameters(path: str | Path) -> dict[str, dict[str, str]]:
    """Parameters declared in a notebook's ``parameters`` cell (papermill's inference).

    Returns
    -------
    dict
        ``{name: {"name", "inferred_type_name", "default", "help"}}`` (defaults as source text).
    """
    import papermill

    return papermill.inspect_notebook(str(path))


def parse_parameter_value(text: str) -> Any:
    """Parse a ``-p KEY VALUE`` value as YAML (``500`` -> int, ``[a, b]`` -> list)."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        # A value YAML cannot parse (e.g. "a: b: c") is meant as a plain string.
        return text


def load_parameters_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping of notebook parameters (``-f params.yaml``).

    Raises
    ------
    ForecastError
        If the file is missing, is not valid YAML, or is not a mapping with string keys.
    """
    import yaml

    file = Path(path)
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ForecastError(f"{file}: cannot read parameters file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise ForecastError(f"{file}: not valid YAML ({first})") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ForecastError(f"{file}: parameters file must be a mapping of names to values")
    return dict(loaded)


def merge_parameters(
    declared: Mapping[str, Mapping[str, Any]],
    file_parameters: Mapping[str, Any] | None = None,
    cli_parameters: Sequence[Sequence[str]] | Mapping[str, Any] | None = None,
    scenarios: Sequence[str] | None = None,
) -> dict[str, Any]:
    """User parameters in precedence order: file < ``-p`` < ``--scenario``.

    Parameters
    ----------
    declared : mapping
        ``{notebook name: {parameter name: ...}}`` from :func:`notebook_parameters`.
    file_parameters : mapping, optional
        From ``-f params.yaml``.
    cli_parameters : sequence of (key, value) or mapping, optional
        ``-p KEY VALUE`` pairs (values are YAML text) or already-typed values.
    scenarios : sequence of str, optional
        ``--scenario`` names; sets the ``scenario_names`` parameter.

    Raises
    ------
    ForecastError
        For a parameter no notebook declares, or for ``output_dir`` (use ``--output-dir``).
    """
    merged: dict[str, Any] = dict(file_parameters or {})
    if isinstance(cli_parameters, Mapping):
        merged.update(cli_parameters)
    else:
        for key, value in cli_parameters or ():
            merged[str(key)] = parse_parameter_value(str(value))
    if scenarios:
        merged[SCENARIO_PARAMETER] = [str(s) for s in scenarios]

    known = set().union(*(set(p) for p in declared.values())) if declared else set()
    for key in merged:
        if key in RESERVED_PARAMETERS:
            raise ForecastError(f"parameter '{key}' is set by the pipeline; use --output-dir")
        if key not in known:
            raise ForecastError(
                f"unknown notebook parameter '{key}'; the notebooks accept: "
                + ", ".join(sorted(known - RESERVED_PARAMETERS))
            )
    return merged


def default_data_dir(root: Path) -> Path:
    """``$FORECAST_DATA_DIR`` if set, else ``<root>/data`` (absolute)."""
    env = os.environ.get("FORECAST_DATA_DIR", "").strip()
    return (Path(env) if env else root / "data").expanduser().resolve()
