"""Notebook parameters of a run: what the notebooks declare and what the user sets.

The user's values come, in increasing precedence, from ``-f params.yaml``, ``-p KEY VALUE``
and ``--scenario NAME``; each must be declared in some notebook's ``parameters`` cell.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.errors import ForecastError

__all__ = [
    "RESERVED_PARAMETERS",
    "SCENARIO_PARAMETER",
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
    """Parameters declared in a notebook's ``parameters`` cell.

    Reads the cell's assignments (``name: type = default  # help``) with :mod:`ast`, as
    papermill's ``inspect_notebook`` does, without importing papermill (seconds), so bad
    options are refused quickly.

    Returns
    -------
    dict
        ``{name: {"name", "inferred_type_name", "default", "help"}}`` (defaults as source text;
        type ``"None"`` when not annotated).

    Raises
    ------
    ForecastError
        If the notebook cannot be read or its parameters cell is not valid Python.
    """
    file = Path(path)
    try:
        cells = json.loads(file.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError) as exc:
        raise ForecastError(f"{file}: cannot read notebook ({exc})") from exc
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return _declared(source if isinstance(source, str) else "".join(source), file)
    return {}


def _declared(source: str, file: Path) -> dict[str, dict[str, str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ForecastError(f"{file}: parameters cell is not valid Python ({exc.msg})") from exc
    lines = source.splitlines()
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, annotation = node.target, ast.get_source_segment(source, node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, annotation = node.targets[0], "None"
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        value = node.value
        rest = lines[value.end_lineno - 1][value.end_col_offset:].strip()  # type: ignore[operator]
        found[target.id] = {
            "name": target.id,
            "inferred_type_name": annotation or "None",
            "default": ast.get_source_segment(source, value) or "",
            "help": rest[1:].strip() if rest.startswith("#") else "",
        }
    return found


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

