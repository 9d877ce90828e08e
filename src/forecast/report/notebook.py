"""The one call every notebook makes after its ``parameters`` cell, ``nb = setup(globals())``,
and the :class:`NotebookContext` it returns."""

from __future__ import annotations

import copy
import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from forecast import data
from forecast.errors import ParameterError
from forecast.report import figures, labels, tables
from forecast.report.parameters import PARAMETERS, check_parameters

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

    from forecast.scenarios import Scenario

__all__ = ["NOTEBOOK_FOLDER", "NotebookContext", "ScenarioRun", "align_text_columns",
           "resolve_path", "setup", "style_tables"]

#: Folder of a project that holds its notebooks (JupyterLab's working directory).
NOTEBOOK_FOLDER = "notebooks"
_LOG = logging.getLogger("forecast.notebooks")  # not stdout: reviewers read outputs, not logs
_MAX_COLWIDTH = 120  # widest text column pandas shows [characters]
# Numbers as the report writes them ("3,115", "-0.4%", "2,602-3,925") and missing values.
_NUMBER_RE = re.compile(r"[\s\d.,%+\-\u2212\u2013()]*|nan|NaN|inf|-inf|None|<NA>|NaT")
_LONG_TEXT = 50  # characters beyond which a text column gets room to wrap


def resolve_path(path: str | Path, cwd: str | Path | None = None) -> Path:
    """An absolute path for a notebook's path parameter, relative to the project root when
    ``cwd`` (default: the current folder) is a ``notebooks/`` folder beside ``pyproject.toml``:
    papermill and ``forecast run`` start kernels in the project root, JupyterLab in
    ``notebooks/``, and ``data_dir = "data"`` names the same folder from both."""
    given = Path(path).expanduser()
    if given.is_absolute():
        return given
    here = Path(cwd or Path.cwd()).resolve()
    in_notebooks = here.name == NOTEBOOK_FOLDER and (here.parent / "pyproject.toml").is_file()
    return ((here.parent if in_notebooks else here) / given).resolve()


def _resolve_paths(value: Any, cwd: str | Path | None) -> Any:
    """A path parameter with its relative paths resolved; empty paths and other types as given."""
    if isinstance(value, list | tuple):
        return [_resolve_paths(v, cwd) for v in value]
    if isinstance(value, str | PathLike) and str(value).strip():
        return str(resolve_path(value, cwd))
    return value


@dataclass(frozen=True)
class ScenarioRun:
    """The scenarios a notebook projects (:meth:`NotebookContext.project_scenarios`)."""

    catalogue: pd.DataFrame
    names: list[str]
    chosen: list[Scenario]
    projections: pd.DataFrame
    colors: dict[str, str]


@dataclass(frozen=True)
class NotebookContext:
    """What :func:`setup` gives a notebook: its checked parameters, the absolute data folder and
    run folder (None writes nothing), the history and the citation of all its documents."""

    params: dict[str, Any]
    data_dir: Path
    output_dir: Path | None
    history: pd.DataFrame
    source: str

    @property
    def scenario_dir(self) -> Path:
        """``<data_dir>/scenarios``."""
        return self.data_dir / "scenarios"

    def sources_of(self, *series: str) -> str:
        """Citation of the documents behind the history rows of some ``series``: a figure's
        source note names what it plots."""
        rows = self.history[self.history["series"].isin(series)]
        return labels.source_label(self.data_dir, sorted(set(rows["source"])))

    def write_table(self, frame: pd.DataFrame, name: str) -> Path | None:
        """:func:`forecast.report.tables.write_table` into :attr:`output_dir`."""
        return tables.write_table(frame, self.output_dir, name)

    def write_tables(self, frames: Mapping[str, pd.DataFrame]) -> None:
        """Write several tables (:meth:`write_table`), logged, not printed."""
        for name, frame in frames.items():
            path = self.write_table(frame, name)
            _LOG.info("%s: %d rows -> %s", name, len(frame), path or "(not written)")

    def save_figure(self, fig: Figure, name: str) -> Path | None:
        """:func:`forecast.report.figures.save_figure` into :attr:`output_dir`."""
        return figures.save_figure(fig, self.output_dir, name)

    def project_scenarios(self) -> ScenarioRun:
        """Project the notebook's ``scenario_names`` (empty: all) to ``target_year`` with
        ``n_draws`` and ``seed``, parameters the notebook must declare."""
        from forecast import scenarios

        needed = ("scenario_names", "n_draws", "seed", "target_year")
        missing = [n for n in needed if n not in self.params]
        if missing:
            raise ParameterError(f"parameter {missing[0]} is needed here; declare it in the "
                                 "notebook's parameters cell")
        given = {n: self.params[n] for n in needed}
        catalogue = scenarios.list_scenarios(self.scenario_dir)
        names = list(given.pop("scenario_names")) or list(catalogue["name"])
        chosen = [scenarios.resolve_scenario(n, self.scenario_dir) for n in names]
        projections = pd.concat([scenarios.project(sc, self.history, **given) for sc in chosen],
                                ignore_index=True)
        return ScenarioRun(catalogue, names, chosen, projections, figures.scenario_colors(names))


def align_text_columns(styler: Styler) -> Styler:
    """``styler`` with its text columns aligned left and wrapping (16em to 36em wide where a
    cell is longer than a short phrase). A column is text when most of its non-empty cells are
    strings that are not numbers as the report writes them."""
    styles = []
    for j in range(styler.data.shape[1]):
        values = list(styler.data.iloc[:, j])
        words = [v.strip() for v in values if isinstance(v, str)]
        filled = len(values) - words.count("")
        if 2 * sum(1 for v in words if v and not _NUMBER_RE.fullmatch(v)) > filled:
            styles.append({"selector": f".col{j}",
                           "props": "text-align: left; white-space: normal"})
            if any(len(v) > _LONG_TEXT for v in words):
                styles.append({"selector": f"td.col{j}",
                               "props": "min-width: 16em; max-width: 36em"})
    return styler.set_table_styles(styles, overwrite=False)


def style_tables() -> None:
    """Make every pandas ``Styler`` of this process escape its cells' text as HTML, so text
    from data files (``<script>``) is shown, not run, and show every one this IPython kernel
    displays through :func:`align_text_columns` (on a copy; the notebook's object is not
    changed). The option ``styler.format.escape`` covers only a Styler's default formats, so
    ``Styler.format`` and ``format_index`` take ``escape="html"`` unless a call names another."""
    from IPython import get_ipython
    from pandas.io.formats.style import Styler

    pd.set_option("styler.format.escape", "html")
    for name in ("format", "format_index"):
        if not isinstance(vars(Styler).get(name), functools.partialmethod):  # once a process
            setattr(Styler, name, functools.partialmethod(getattr(Styler, name), escape="html"))
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(
            Styler, lambda styler: align_text_columns(copy.copy(styler))._repr_html_())


def setup(namespace: Mapping[str, Any], *, cwd: str | Path | None = None) -> NotebookContext:
    """Check a notebook's parameters (:func:`~forecast.report.parameters.check_parameters`), read
    from ``namespace`` (its ``globals()``, never written), resolve its paths from ``cwd``
    (:func:`resolve_path`), style figures and tables, and load the history."""
    given = {
        name: _resolve_paths(namespace[name], cwd) if PARAMETERS[name].json_schema_extra["path"]
        else namespace[name]
        for name in PARAMETERS if name in namespace
    }
    data_text = str(given.get("data_dir") or "")
    data_dir = Path(data_text) if data_text else data.default_data_dir().resolve()
    params = check_parameters(given, data_dir=data_dir)
    out_text = str(params.get("output_dir") or "").strip()
    output_dir = Path(out_text) if out_text else None
    figures.set_house_style()
    pd.set_option("display.max_colwidth", _MAX_COLWIDTH)
    style_tables()
    history = data.load_history(data_dir)
    source = labels.source_label(data_dir, sorted(set(history["source"])))
    return NotebookContext(params, data_dir, output_dir, history, source)
