"""Least squares on a year trend, the midpoint it implies, and draws of its parameters."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["draw_lines", "matrix_sqrt", "midpoint", "ols"]


def ols(t: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS of ``z`` ``(n,)`` or ``(n, m)`` on an intercept and the years since the last of
    sorted years ``t`` [year]: intercept at ``t[-1]`` and slope per year (``(2,)`` or ``(2, m)``),
    the residuals, and the unscaled covariance ``(X'X)^-1`` ``(2, 2)``."""
    design = np.column_stack([np.ones_like(t), t - t[-1]])
    beta, *_ = np.linalg.lstsq(design, z, rcond=None)
    return beta, z - design @ beta, np.linalg.pinv(design.T @ design)


def midpoint(a: float, b: float, cov: np.ndarray, t_last: float) -> tuple[float, float]:
    """Year a line ``a + b (t - t_last)`` crosses 0, and its delta-method standard error."""
    if b == 0:
        return math.nan, math.nan
    grad = np.array([-1.0 / b, a / b**2])
    return t_last - a / b, float(np.sqrt(max(float(grad @ cov @ grad), 0.0)))


def matrix_sqrt(cov: np.ndarray) -> np.ndarray:
    """A factor R with R @ R.T == cov, tolerant of singular (e.g. fixed) directions."""
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    return v * np.sqrt(np.clip(w, 0.0, None))


def draw_lines(
    beta: np.ndarray, xtx_inv: np.ndarray, sig: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope draws (n_draws, m) from N(beta, sig^2 (X'X)^-1) of an :func:`ols`."""
    n_draws, m = sig.shape
    # The 2x2 Cholesky factor is applied by hand: a batched matmul over draws is far slower.
    (l00, _), (l10, l11) = np.linalg.cholesky(xtx_inv)
    z0 = rng.standard_normal((n_draws, m))
    z1 = rng.standard_normal((n_draws, m))
    return beta[0] + sig * (l00 * z0), beta[1] + sig * (l10 * z0 + l11 * z1)
