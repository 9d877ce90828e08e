"""Input files refused before they are read, and every input of a run checked in one call
(:func:`check_inputs`). A file is refused unread if it is not a regular file (a FIFO would
block, ``/dev/zero`` never ends) or is above its size limit (:func:`read_text`,
:func:`check_file`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forecast.errors import DataValidationError, ForecastError, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forecast.scenarios import Scenario

__all__ = [
    "MAX_DATA_FILE_BYTES", "MAX_REFERENCE_FILE_BYTES", "MAX_SCENARIO_FILE_BYTES", "MAX_YAML_DEPTH",
    "MAX_YAML_NODES", "check_file", "check_inputs", "check_path", "check_reference", "check_yaml",
    "read_scenario_text", "read_text",
]  # fmt: skip

#: Largest CSV file of a data folder [bytes] (the shipped history.csv is 26 KB).
MAX_DATA_FILE_BYTES = 8 * 1024**2
#: Largest scenario file [bytes] (the shipped ones are 2-4 KB).
MAX_SCENARIO_FILE_BYTES = 1024**2
#: Largest reference-class CSV [bytes] (the shipped one is 174 KB; pandas holds about ten
#: times a CSV's size while reading it).
MAX_REFERENCE_FILE_BYTES = 32 * 1024**2
#: Most values a scenario file may expand to, aliases counted at each use [values].
MAX_YAML_NODES = 10_000
#: Deepest nesting of mappings and lists in a scenario file [levels].
MAX_YAML_DEPTH = 32

#: Builds the error of a refused file from a rule name and a message.
Fail = Callable[[str, str], ForecastError]

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def check_path(path: str | Path, fail: Fail) -> Path:
    """``path`` as a Path, refused (rule ``path``) when it holds a NUL byte (no file has
    such a name; Python would raise ``ValueError`` deep in a loader)."""
    text = os.fspath(path)
    if "\x00" in str(text):
        raise fail("path", "the path contains a NUL byte")
    return Path(text)


def _os_call(fail: Fail, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``, with a missing or unreadable file refused through ``fail``."""
    try:
        return call(*args)
    except FileNotFoundError:
        raise fail("missing-file", "file not found") from None
    except OSError as exc:
        raise fail("unreadable", f"cannot read the file ({exc.strerror or exc})") from None


def _refuse_kind(mode: int, size: int, limit: int, fail: Fail) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise fail("not-a-file", f"{kind}, not a regular file; refused without reading it")
    if size > limit:
        raise fail("file-size", f"{size:,} bytes, above the limit of {limit:,} bytes for this "
                   "kind of file; refused without reading it")


def check_file(path: str | Path, limit: int, fail: Fail) -> Path:
    """Refuse a missing file, a file that is not regular, or one above ``limit`` [bytes], from
    its status alone (``os.stat``, following symbolic links); ``fail(rule, message)`` builds
    the error (rules ``path``, ``missing-file``, ``not-a-file``, ``file-size``, ``unreadable``)."""
    path = check_path(path, fail)
    st = _os_call(fail, path.stat)
    _refuse_kind(st.st_mode, st.st_size, limit, fail)
    return path


def read_text(path: str | Path, limit: int, fail: Fail, encoding: str = "utf-8") -> str:
    """A regular file's text in ``encoding``, at most ``limit`` [bytes], refused through ``fail``
    with the rules of :func:`check_file` and ``encoding``. Checked on the open descriptor, opened
    without blocking (a FIFO swapped in after a check cannot hang the read), and at most
    ``limit + 1`` bytes read (a growing file is refused)."""
    path = check_path(path, fail)
    fd = _os_call(fail, os.open, path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        _refuse_kind(st.st_mode, st.st_size, limit, fail)
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        _refuse_kind(st.st_mode, len(raw), limit, fail)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise fail("encoding", f"not UTF-8 text ({exc.reason})") from None


def check_yaml(text: str, fail: Fail) -> None:
    """Refuse YAML that expands to more than :data:`MAX_YAML_NODES` values or nests deeper
    than :data:`MAX_YAML_DEPTH`, from its event stream (nothing is built).

    An alias counts as many values as the node it names, so nested aliases ("billion laughs")
    are measured by what they would expand to, and an alias to a node that contains it is
    refused. Syntax errors are left to the loader, which reports their line.
    """
    import yaml

    # libyaml stops at its own limits (1,000 levels): then PyYAML's parser measures it.
    for loader in filter(None, (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)):
        try:
            _measure_yaml(yaml.parse(text, Loader=loader), fail)
            return
        except yaml.YAMLError:
            pass


def _measure_yaml(events: Iterable[Any], fail: Fail) -> None:
    """Count the values a YAML event stream expands to, and its depth (see :func:`check_yaml`)."""
    import yaml

    sizes: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []
    total = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise fail("yaml-alias", f"alias *{event.anchor} refers to a node that "
                           "contains it (a recursive structure)")
            total += sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            total += 1
            open_nodes.append((event.anchor, total - 1))
            if len(open_nodes) > MAX_YAML_DEPTH:
                raise fail("yaml-depth", f"mappings and lists nest deeper than "
                           f"{MAX_YAML_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_nodes.pop()
            if anchor:
                sizes[anchor] = total - start
        if total > MAX_YAML_NODES:
            raise fail("yaml-size", f"the YAML expands to more than {MAX_YAML_NODES:,} "
                       "values (aliases counted at each use); refused as a YAML bomb")


def read_scenario_text(path: str | Path) -> str:
    """A scenario file's text after the file checks and :func:`check_yaml`; a refusal is a
    :class:`ScenarioError` naming the file (key ``-``)."""
    def fail(rule: str, message: str) -> ForecastError:
        return ScenarioError(path, "-", message)

    text = read_text(path, MAX_SCENARIO_FILE_BYTES, fail)
    check_yaml(text, fail)
    return text


def check_inputs(
    data_dir: str | Path,
    scenario_dir: str | Path,
    scenarios: Sequence[str] | None = None,
    target_year: int | None = None,
    reference: str | Path | None = None,
    history: pd.DataFrame | None = None,
) -> list[Scenario]:
    """Validate everything a run reads, before any work starts, with the loaders' own rules.

    The data folder (and its outlooks file if there is one), every scenario file of
    ``scenario_dir`` (chosen or not), each chosen scenario resolved against the history for
    ``target_year`` [year], and the reference class if given; the chosen scenarios are returned.
    The first problem raises a :class:`ForecastError`, one line naming the file and the rule.

    Parameters
    ----------
    data_dir, scenario_dir : str or Path
        Data folder and scenario folder.
    scenarios : sequence of str, optional
        Names or paths of the scenarios a run projects (default, None or empty: every file).
    target_year : int, optional
    reference : str or Path, optional
        Reference-class CSV a run reads; None skips it.
    history : DataFrame, optional
        ``data_dir``'s :func:`forecast.data.load_history`, when the caller has it (not read again).
    """
    from forecast import data
    from forecast.data.outlooks import OUTLOOKS_FILE, load_outlooks
    from forecast.scenarios import catalog

    if history is None:
        history = data.load_history(data_dir)
    listed = catalog.list_scenarios(scenario_dir)["path"]
    prepared = catalog.prepare_all(scenarios or listed, history, target_year, scenario_dir)
    chosen = [p.scenario for p in prepared]
    outlooks = Path(history.attrs["data_dir"]) / OUTLOOKS_FILE
    if outlooks.exists():
        load_outlooks(check_file(outlooks, MAX_DATA_FILE_BYTES,
                                 partial(DataValidationError, outlooks)))
    if reference not in (None, ""):
        check_reference(reference)
    return chosen


def check_reference(path: str | Path) -> pd.DataFrame:
    """A reference-class CSV read and validated (:func:`forecast.data.reference.load_reference`)
    once it is refused unread (:class:`DataValidationError`) if it is not a regular file or is
    above :data:`MAX_REFERENCE_FILE_BYTES`."""
    from forecast.data.reference import load_reference

    return load_reference(check_file(path, MAX_REFERENCE_FILE_BYTES,
                                     partial(DataValidationError, path)))
