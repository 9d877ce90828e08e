"""Bounded nonlinear least squares of many small problems at once (Levenberg-Marquardt).

:func:`scipy.optimize.least_squares` solves one problem per call, and its overhead (about 1 ms)
dominates when a rolling calibration fits thousands of windows of three-parameter curves; here
every row of a ``(k, p)`` parameter array is one problem, so a series gives the same estimate
alone as in a batch. Per iteration: a forward-difference Jacobian (backwards at an upper
bound), a Marquardt step on the parameters not held on a bound, projected onto the box; kept if
the cost falls (damping /3), else the damping grows x4. A row stops when a kept step changes
the cost by less than :data:`FTOL` of itself and no parameter by more than :data:`XTOL`
(relative), when the damping exceeds 1e16, or after :data:`MAX_ITER` iterations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["solve"]

_EPS = np.finfo(float).eps
MAX_ITER = 200
FTOL = 1e-12
XTOL = 1e-10


def _jacobian(residual: Callable[[np.ndarray], np.ndarray], x: np.ndarray, r: np.ndarray,
              upper: np.ndarray) -> np.ndarray:
    """Forward-difference Jacobian ``(k, m, p)`` of each row's residuals ``r`` at ``x``."""
    h = np.sqrt(_EPS) * np.maximum(1.0, np.abs(x))
    h = np.where(x + h > upper, -h, h)
    jac = np.empty(r.shape + x.shape[1:])
    for j in range(x.shape[1]):
        moved = x.copy()
        moved[:, j] += h[:, j]
        jac[:, :, j] = (residual(moved) - r) / (moved[:, j] - x[:, j])[:, None]
    return jac


def solve(residual: Callable[[np.ndarray], np.ndarray], start: np.ndarray, lower: np.ndarray,
          upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``sum(residual(x) ** 2)`` within ``lower <= x <= upper``, row by row.

    Parameters
    ----------
    residual : callable
        ``(k, p)`` parameters -> ``(k, m)`` residuals, row ``i`` from row ``i`` alone.
    start, lower, upper : ndarray
        Starting parameters ``(k, p)`` (clipped into the box) and bounds broadcastable to it.

    Returns
    -------
    (x, jac) : tuple of ndarray
        Optimum ``(k, p)`` and the residual Jacobian there ``(k, m, p)``.
    """
    x = np.clip(np.asarray(start, float), lower, upper)
    r = residual(x)
    cost = 0.5 * np.sum(r**2, axis=1)
    damping = np.full(x.shape[0], 1e-3)
    active = np.isfinite(cost)
    eye = np.eye(x.shape[1])
    jac = _jacobian(residual, x, r, upper)
    for _ in range(MAX_ITER):
        if not active.any():
            break
        grad = np.einsum("kmp,km->kp", jac, r)
        held = ((x <= lower) & (grad > 0)) | ((x >= upper) & (grad < 0))
        free = ~held
        jtj = np.einsum("kmp,kmq->kpq", jac, jac)
        diag = np.diagonal(jtj, axis1=1, axis2=2)
        floor = 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300)
        system = jtj + damping[:, None, None] * eye * np.maximum(diag, floor)[:, :, None]
        both = free[:, :, None] & free[:, None, :]
        system = np.where(both, system, eye)
        rhs = np.where(free, -grad, 0.0)
        with np.errstate(all="ignore"):
            step = np.linalg.solve(system, rhs[..., None])[..., 0]
        trial = np.where(active[:, None], np.clip(x + step, lower, upper), x)
        r_new = residual(trial)
        cost_new = 0.5 * np.sum(r_new**2, axis=1)
        better = active & np.isfinite(cost_new) & (cost_new < cost)
        moved = np.abs(trial - x) <= XTOL * np.maximum(1.0, np.abs(x))
        done = better & (cost - cost_new <= FTOL * cost) & moved.all(axis=1)
        x = np.where(better[:, None], trial, x)
        r = np.where(better[:, None], r_new, r)
        cost = np.where(better, cost_new, cost)
        damping = np.where(better, damping / 3.0, np.where(active, damping * 4.0, damping))
        active &= ~done & (damping < 1e16)
        if better.any():
            jac = np.where(better[:, None, None], _jacobian(residual, x, r, upper), jac)
    return x, jac
