"""Seeded random draws and the interval summaries every model and scenario reports."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["LEVELS", "QUANTILES", "central_interval", "summarise_draws", "t_scale"]

#: Quantiles reported in every projection table, in the column order users script against.
QUANTILES: dict[str, float] = {"p5": 0.05, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p95": 0.95}

#: Central interval levels every model reports.
LEVELS: tuple[float, ...] = (0.80, 0.95)


def t_scale(rng: np.random.Generator, df: float, shape: int | tuple[int, ...]) -> np.ndarray:
    """Factors ``sqrt(df / chi2_df)`` that make normal draws Student t (ones for inf df)."""
    if math.isinf(df):
        return np.ones(shape)
    return np.sqrt(df / rng.chisquare(df, shape))


def summarise_draws(draws: ArrayLike, axis: int = 0) -> dict[str, np.ndarray]:
    """``{"mean": ..., "p5": ..., ..., "p95": ...}`` (:data:`QUANTILES`) of draws along
    ``axis``, arrays with ``axis`` removed [unit of the draws]."""
    arr = np.asarray(draws, float)
    qs = np.quantile(arr, list(QUANTILES.values()), axis=axis)
    return {"mean": arr.mean(axis=axis), **dict(zip(QUANTILES, qs, strict=True))}


def central_interval(draws: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed ``(lower, upper)`` [unit of the draws] holding ``level`` in (0, 1) of
    the draws along the first axis."""
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.asarray(draws, float), [alpha, 1.0 - alpha], axis=0)
    return lo, hi
