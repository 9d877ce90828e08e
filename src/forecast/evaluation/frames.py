"""What the evaluation tables share: checked input series, seeded streams, band columns and
text cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecast.data.outlooks import FORMULA_START
from forecast.errors import ModelError
from forecast.models import uncertainty

__all__ = ["BAND_COLUMNS", "COVERAGE_COLUMNS", "FLOAT_FORMAT", "band_columns", "cell_stream",
           "csv_text", "neutralise_formulas", "observed_series"]

#: printf format of floats in tables: 6 significant digits keep GWh to 0.1 and shares to 1e-6
#: and hide last-bit noise that would make diffs between machines unreadable.
FLOAT_FORMAT = "%.6g"
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as spreadsheet formulas.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``); numeric columns, non-text
    cells and text that is a plain number (``-0.5``, ``+3``) are unchanged.
    """
    text_columns = [c for c in frame.columns
                    if frame[c].dtype == object or str(frame[c].dtype).startswith("str")]
    out = frame.copy()
    for column in text_columns:
        out[column] = frame[column].map(_neutral)
    out.columns = [_neutral(c) for c in frame.columns]
    return out


def csv_text(frame: pd.DataFrame, float_format: str = FLOAT_FORMAT) -> str:
    """``frame`` as CSV text, its formulas neutralised, without the index, floats as
    ``float_format`` and ``\\n`` line ends: equal frames give equal bytes."""
    return neutralise_formulas(frame).to_csv(index=False, float_format=float_format,
                                             lineterminator="\n")


def band_columns(level: float) -> tuple[str, str]:
    """Names of the lower and upper band columns of a level: ``0.8`` -> ``("lo80", "hi80")``."""
    pct = round(level * 100)
    return f"lo{pct}", f"hi{pct}"


#: ``lo80, hi80, lo95, hi95``.
BAND_COLUMNS: list[str] = [c for level in uncertainty.LEVELS for c in band_columns(level)]
#: ``in80, in95``: 1 where the actual lies inside the band.
COVERAGE_COLUMNS: list[str] = [f"in{round(level * 100)}" for level in uncertainty.LEVELS]


def cell_stream(seed: int, *keys: int | str) -> np.random.Generator:
    """A random stream for one (origin, model) cell from the seed and its keys: independent of
    which other cells run, so a table does not change when models are added or reordered."""
    words = [int(seed)] + [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys]
    return np.random.default_rng(words)


def observed_series(years: ArrayLike, values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """An observed series as float arrays sorted by year: years [year], values [value unit];
    a ModelError when the two differ in length or hold NaN."""
    t = np.asarray(years, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if t.size != v.size:
        raise ModelError(f"years and values differ in length ({t.size} vs {v.size})")
    if np.isnan(v).any() or np.isnan(t).any():
        raise ModelError("years and values must not contain NaN")
    order = np.argsort(t, kind="stable")
    return t[order], v[order]
