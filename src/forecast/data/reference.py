"""The reference class: annual series of technologies in their fast-growth phase.

``reference_class/technology_ramps.csv``, package data (provenance in its ``SOURCE.md``),
holds solar and wind generation [TWh] and electric-car sales [vehicles] by country;
``world_totals.csv`` each technology's world total per year. The default method and ``forecast
calibrate`` borrow from it what four annual points cannot say: how growth decelerates after a
fast window and how forecast errors widen with the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from forecast.data.schema import YEAR_RANGE, Column, parse_number, parse_year
from forecast.errors import DataValidationError, ParameterError, first_line

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REFERENCE_FILE", "REFERENCE_YEARS", "WORLD_TOTALS_FILE", "ReferenceWindows",
    "check_window_options", "default_reference_path", "extract_windows", "load_reference",
    "load_world_totals", "read_csv", "refuse_first", "series_technology", "world_share",
]  # fmt: skip

REFERENCE_FILE = Path("reference_class") / "technology_ramps.csv"
WORLD_TOTALS_FILE = Path("reference_class") / "world_totals.csv"
#: Years a reference class may hold: technologies ramped up long before batteries did.
REFERENCE_YEARS = (1800, YEAR_RANGE[1])


def default_reference_path(name: Path = REFERENCE_FILE) -> Path:
    """The shipped reference class (or ``name`` beside it), from the installed package."""
    return Path(str(files("forecast.data").joinpath(name.as_posix())))


def read_csv(path: Path, columns: Sequence[str], what: str) -> pd.DataFrame:
    """A CSV file as text cells indexed by row (header = 1, blank rows counted and dropped, as
    in ``history.csv``), refused in one line (rules ``missing-file``, ``csv``, ``columns``,
    ``empty``) when it is missing, unreadable, lacks a column or has no rows."""
    import pandas as pd

    if not path.is_file():
        raise DataValidationError(path, "missing-file", f"{what} file not found")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                          skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataValidationError(path, "csv", f"not a readable CSV file: {first_line(exc)}") \
            from None
    for col in columns:
        if col not in raw.columns:
            raise DataValidationError(path, "columns", f"missing column {col!r} (required: "
                                      f"{', '.join(columns)})", column=col)
    raw.index += 2
    raw = raw[(raw.apply(lambda column: column.str.strip()) != "").any(axis=1)]
    if raw.empty:
        raise DataValidationError(path, "empty", "the file has a header but no rows")
    return raw


def refuse_first(path: Path, bad: pd.Series, rule: str, column: str,
                 message: Callable[[int], str]) -> None:
    """Raise ``message(i)`` for the first ``bad`` row, ``i`` its position, ``bad`` indexed by
    row as :func:`read_csv`'s frames are."""
    at = np.flatnonzero(bad.to_numpy(bool))
    if at.size:
        raise DataValidationError(path, rule, message(int(at[0])), row=int(bad.index[at[0]]),
                                  column=column)


def load_reference(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a reference-class CSV (default :func:`default_reference_path`).

    Returns
    -------
    pandas.DataFrame
        Every column of the file; ``series`` text, ``year`` int64 [calendar year], ``value``
        float64 [the series' unit, e.g. TWh or vehicles], sorted by series and year.

    Raises
    ------
    DataValidationError
        One line naming file, row (header = 1), column and rule: :func:`read_csv`'s, an
        empty series name (``required``), a year or value as ``history.csv`` refuses it
        (:class:`~forecast.data.schema.Column`; years within :data:`REFERENCE_YEARS`), a
        value not > 0 (``range``), or a (series, year) twice (``duplicate``).
    """
    return _read_checked(Path(default_reference_path() if path is None else path), "series")


def load_world_totals(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate world totals, ``technology, year, value`` [TWh or vehicles] (default
    the shipped ones), as and with the rules of :func:`load_reference`."""
    return _read_checked(Path(default_reference_path(WORLD_TOTALS_FILE) if path is None
                              else path), "technology")


def _read_checked(path: Path, key: str) -> pd.DataFrame:
    """Read a ``<key>, year, value`` CSV and check it (see :func:`load_reference`)."""
    raw = read_csv(path, (key, "year", "value"), "reference")
    names = raw[key].str.strip()
    refuse_first(path, names == "", "required", key, lambda _: f"{key} name is empty")
    years = Column("year", partial(parse_year, years=REFERENCE_YEARS)).read_cells(
        path, raw["year"].str.strip()).astype(np.int64)
    value = Column("value", parse_number).read_cells(path, raw["value"].str.strip())
    refuse_first(path, ~(value > 0), "range", "value",
                  lambda i: "value must be a finite number > 0 (growth is measured on "
                  f"logarithms), got {raw['value'].iloc[i]!r}")
    frame = raw.assign(**{key: names}, year=years, value=value)
    refuse_first(path, frame.duplicated([key, "year"]), "duplicate", "year",
                  lambda i: f"{key} {names.iloc[i]!r} has year {years.iloc[i]} twice")
    return frame.sort_values([key, "year"], kind="stable").reset_index(drop=True)


def series_technology(frame: pd.DataFrame) -> np.ndarray:
    """The technology of each row: the ``technology`` column, else the ``<technology>:``
    prefix of ``series`` (the whole name when it has no colon)."""
    if "technology" in frame.columns:
        return frame["technology"].astype(str).str.strip().to_numpy(str)
    return frame["series"].astype(str).str.split(":", n=1).str[0].str.strip().to_numpy(str)


def world_share(frame: pd.DataFrame, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each row of ``frame`` (:func:`load_reference`) as a share of its technology's world
    total (:func:`load_world_totals`, default the shipped ones) in the same year.

    Returns
    -------
    pandas.DataFrame
        Columns ``series, technology, year, value, world, share``: ``world`` [the technology's
        unit] and ``share = value / world`` [fraction], NaN where the world total is not known;
        rows in the order of ``frame``.
    """
    import pandas as pd

    totals = load_world_totals() if totals is None else totals
    left = pd.DataFrame({"series": frame["series"].to_numpy(str),
                         "technology": series_technology(frame),
                         "year": frame["year"].to_numpy(np.int64),
                         "value": frame["value"].to_numpy(float)})
    right = pd.DataFrame({"technology": series_technology(totals),
                          "year": totals["year"].to_numpy(np.int64),
                          "world": totals["value"].to_numpy(float)})
    out = left.merge(right, on=["technology", "year"], how="left", validate="many_to_one")
    out["share"] = out["value"] / out["world"]
    return out


def check_window_options(window: int, horizons: int, min_growth: float) -> None:
    """A ParameterError unless ``window`` is an integer >= 2, ``horizons`` one >= 1 and
    ``min_growth`` a finite number > -1 [fraction/yr]."""
    for name, val, low in (("window", window, 2), ("horizons", horizons, 1)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < low:
            raise ParameterError(f"{name} must be an integer >= {low}; got {val!r}")
    try:
        g = float(min_growth)
    except (TypeError, ValueError):
        raise ParameterError(f"min_growth must be a number; got {min_growth!r}") from None
    if not math.isfinite(g) or g <= -1.0:
        raise ParameterError(f"min_growth must be a finite growth rate > -1; got {min_growth!r}")


@dataclass(frozen=True, eq=False)
class ReferenceWindows:
    """Rolling windows of a reference class (:func:`extract_windows`, whose arguments
    ``window``, ``horizons``, ``min_growth`` and ``min_share`` it keeps).

    Attributes
    ----------
    series, technology : ndarray of str, shape (n,)
        Series name and technology (:func:`series_technology`) of each window.
    origin : ndarray of int, shape (n,)
        Last year of each window [calendar year].
    values, actual : ndarray, shape (n, window) and (n, horizons)
        The window's values, oldest first, and those 1..H years after the origin (NaN where
        there is none) [series unit].
    share : ndarray, shape (n,)
        The series' share of its technology's world total in the origin year [fraction]; NaN
        where the world total is not known.
    """

    series: np.ndarray
    origin: np.ndarray
    values: np.ndarray
    actual: np.ndarray
    window: int
    horizons: int
    min_growth: float
    technology: np.ndarray
    share: np.ndarray
    min_share: float = 0.0

    def __len__(self) -> int:
        return int(self.origin.size)

    def subset(self, mask: np.ndarray) -> ReferenceWindows:
        arrays = ("series", "origin", "values", "actual", "technology", "share")
        return replace(self, **{name: getattr(self, name)[mask] for name in arrays})


def extract_windows(
    frame: pd.DataFrame, window: int = 4, horizons: int = 6, min_growth: float = 0.15,
    *, min_share: float = 0.0, totals: pd.DataFrame | None = None,
) -> ReferenceWindows:
    """Every complete window of ``window`` consecutive years of every series whose end-point
    growth ``(v_t / v_{t-w+1}) ** (1 / (w - 1)) - 1`` is at least ``min_growth`` and that has
    an actual ``1 .. horizons`` years ahead (something to score); ordered by series, then origin.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``series, year, value`` as returned by :func:`load_reference`.
    window, horizons : int
        Points per window (>= 2) and years ahead to collect actuals for (>= 1).
    min_growth : float
        Smallest end-point growth over the window [fraction/yr], e.g. 0.15.
    min_share : float
        Smallest share of its technology's world total in the origin year [fraction], e.g.
        0.001: established series only. Above 0, a window with no known world total is dropped.
    totals : pandas.DataFrame, optional
        World totals (:func:`load_world_totals`); default the shipped ones.
    """
    check_window_options(window, horizons, min_growth)
    names = frame["series"].to_numpy(str)
    years = frame["year"].to_numpy(np.int64)
    values = frame["value"].to_numpy(float)
    uniq, idx = np.unique(names, return_inverse=True)
    y0 = int(years.min())
    span = int(years.max()) - y0 + 1
    # A series x year grid with the future padded by NaN, so that every window and its
    # actuals are one strided view, not a loop over series and origins.
    grid = np.full((uniq.size, span + horizons), np.nan)
    grid[idx, years - y0] = values
    shares = np.full((uniq.size, span), np.nan)
    shares[idx, years - y0] = world_share(frame, totals)["share"].to_numpy(float)
    tech = np.empty(uniq.size, dtype=object)
    tech[idx] = series_technology(frame)
    view = np.lib.stride_tricks.sliding_window_view(grid, window + horizons, axis=1)
    view = view[:, : span - window + 1]  # origins whose window lies inside the data
    win, fut = view[..., :window], view[..., window:]
    share = shares[:, window - 1:]
    complete = np.all(np.isfinite(win), axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = (win[..., -1] / win[..., 0]) ** (1.0 / (window - 1)) - 1.0
    keep = complete & (growth >= float(min_growth) - 1e-12)
    keep &= np.any(np.isfinite(fut), axis=2)
    if min_share > 0:
        keep &= np.nan_to_num(share, nan=-1.0) >= float(min_share)
    s_idx, o_idx = np.nonzero(keep)
    return ReferenceWindows(
        series=uniq[s_idx],
        origin=(o_idx + y0 + window - 1).astype(np.int64),
        values=win[s_idx, o_idx].copy(),
        actual=fut[s_idx, o_idx].copy(),
        window=int(window),
        horizons=int(horizons),
        min_growth=float(min_growth),
        technology=tech[s_idx].astype(str),
        share=share[s_idx, o_idx].copy(),
        min_share=float(min_share),
    )
