"""Least squares on a time trend, and draws of its coefficients.

:func:`ols` fits any design matrix (growth models); :func:`ols_line` is its year-trend case
for several response columns at once, with the residual sigma (share and mix models), and
:func:`sigma_draws` / :func:`draw_lines` draw intercepts and slopes from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.errors import ModelError

__all__ = [
    "delta_bse",
    "draw_lines",
    "matrix_sqrt",
    "ols",
    "ols_line",
    "sigma_draws",
    "trend_design",
]


def trend_design(t: np.ndarray) -> np.ndarray:
    """Intercept and years since the last observation [year]: the design of a year trend."""
    return np.column_stack([np.ones_like(t), t - t[-1]])


def ols(design: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares: coefficients, residuals and ``(X'X)^-1`` (unscaled covariance)."""
    beta, *_ = np.linalg.lstsq(design, z, rcond=None)
    resid = z - design @ beta
    return beta, resid, np.linalg.pinv(design.T @ design)


def matrix_sqrt(cov: np.ndarray) -> np.ndarray:
    """A factor R with R @ R.T == cov, tolerant of singular (e.g. fixed) directions."""
    cov = 0.5 * (cov + cov.T)
    w, v = np.linalg.eigh(cov)
    return v * np.sqrt(np.clip(w, 0.0, None))


def delta_bse(grad: np.ndarray, cov: np.ndarray) -> float:
    """Delta-method standard error of a function with gradient ``grad`` at the estimate."""
    return float(np.sqrt(max(float(grad @ cov @ grad), 0.0)))


def ols_line(t: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """OLS of each column of ``y`` (n, m) on ``[1, t]``; ``t`` already centred on t_last.

    Returns
    -------
    dict
        ``beta`` (2, m), ``xtx_inv`` (2, 2), ``resid`` (n, m), ``df`` (n - 2) and ``sigma``
        (m,) the residual sd of each column, or None when ``df == 0``.
    """
    beta, resid, xtx_inv = ols(np.column_stack([np.ones_like(t), t]), y)
    df = len(t) - 2
    sigma = np.sqrt(np.sum(resid**2, axis=0) / df) if df > 0 else None
    return {"beta": beta, "xtx_inv": xtx_inv, "resid": resid, "df": df, "sigma": sigma}


def sigma_draws(
    stated: float | np.ndarray | None,
    estimate: np.ndarray | None,
    df: int,
    n_draws: int,
    rng: np.random.Generator,
    m: int,
) -> np.ndarray:
    """Per-draw residual sigma (n_draws, m): the stated value, or s * sqrt(df / chi2_df).

    Drawing sigma from its scaled inverse chi-square makes the parameter and prediction
    draws Student t with ``df`` degrees of freedom, as in the classical OLS intervals.
    """
    if stated is not None:
        return np.broadcast_to(np.asarray(stated, float), (n_draws, m))
    if estimate is None:  # guarded by callers; kept for type narrowing
        raise ModelError("no residual sigma is available")
    return estimate * np.sqrt(df / rng.chisquare(df, size=(n_draws, m)))


def draw_lines(
    fit: dict[str, Any], sig: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope draws (n_draws, m) from N(beta, sig^2 (X'X)^-1) of an ols_line fit."""
    n_draws, m = sig.shape
    # The 2x2 Cholesky factor is applied by hand: a batched matmul over draws is far slower.
    (l00, _), (l10, l11) = np.linalg.cholesky(fit["xtx_inv"])
    z0 = rng.standard_normal((n_draws, m))
    z1 = rng.standard_normal((n_draws, m))
    a = fit["beta"][0] + sig * (l00 * z0)
    b = fit["beta"][1] + sig * (l10 * z0 + l11 * z1)
    return a, b
