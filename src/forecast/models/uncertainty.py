"""Seeded random draws and the interval summaries every model and scenario reports."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["LEVELS", "QUANTILES", "central_interval", "make_rng", "summarise_draws"]

#: Quantiles reported in every projection table, in the column order users script against.
QUANTILES: dict[str, float] = {"p5": 0.05, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p95": 0.95}

#: Central interval levels every model reports.
LEVELS: tuple[float, ...] = (0.80, 0.95)


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a numpy Generator; an int seed gives the same draws every time."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def summarise_draws(draws: ArrayLike, axis: int = 0) -> dict[str, np.ndarray]:
    """Mean and the :data:`QUANTILES` of draws along ``axis``.

    Parameters
    ----------
    draws : array_like
        Simulated values, draws along ``axis`` [unit of the quantity].

    Returns
    -------
    dict
        ``{"mean": ..., "p5": ..., "p10": ..., "p50": ..., "p90": ..., "p95": ...}``, each an
        array with ``axis`` removed.
    """
    arr = np.asarray(draws, float)
    qs = np.quantile(arr, list(QUANTILES.values()), axis=axis)
    out = {"mean": arr.mean(axis=axis)}
    out.update(dict(zip(QUANTILES, qs, strict=True)))
    return out


def central_interval(
    draws: ArrayLike, level: float, axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed interval containing ``level`` of the draws.

    Parameters
    ----------
    draws : array_like
        Simulated values.
    level : float
        Coverage in (0, 1), e.g. 0.8 for an 80% interval.

    Returns
    -------
    (lower, upper) : tuple of arrays
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be in (0, 1), got {level}")
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.asarray(draws, float), [alpha, 1.0 - alpha], axis=axis)
    return lo, hi
