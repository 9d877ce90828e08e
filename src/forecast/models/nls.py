"""Bounded nonlinear least squares of many small problems at once (Levenberg-Marquardt).

The free-ceiling logistic and Gompertz curves and the Bass model are fitted to four to a
dozen points with three parameters. :func:`scipy.optimize.least_squares` solves one such
problem per call, and its per-call overhead (about 1 ms) is most of the cost when a rolling
calibration fits thousands of windows; here every row of a ``(k, p)`` parameter array is one
problem and each iteration is a handful of array operations over all rows. A single fit is a
batch of one, so a series gives the same estimate alone as inside a batch.

Per row and iteration: a forward-difference Jacobian (step ``sqrt(eps) * max(1, |x|)``,
taken backwards at an upper bound), a Marquardt step on the parameters not held on a bound
(a parameter sits on a bound when the gradient pushes it outwards), projected onto the box;
the step is kept if the cost falls (damping /3), else the damping grows x4. A row stops
when a kept step changes the cost by less than ``ftol`` of itself and moves no parameter by
more than ``xtol`` (relative), or when the damping exceeds 1e16 (no descent left).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["jacobian", "solve"]

_EPS = np.finfo(float).eps


def jacobian(residual: Callable[[np.ndarray], np.ndarray], x: np.ndarray, r: np.ndarray,
             upper: np.ndarray) -> np.ndarray:
    """Forward-difference Jacobian ``d r / d x`` of each row, shape ``(k, m, p)``.

    Parameters
    ----------
    residual : callable
        ``(k, p)`` parameters -> ``(k, m)`` residuals, row by row.
    x, r : ndarray
        Parameters ``(k, p)`` and their residuals ``(k, m)``.
    upper : ndarray
        Upper bounds ``(k, p)``: a step that would cross one is taken backwards.
    """
    h = np.sqrt(_EPS) * np.maximum(1.0, np.abs(x))
    h = np.where(x + h > upper, -h, h)
    jac = np.empty(r.shape + x.shape[1:])
    for j in range(x.shape[1]):
        moved = x.copy()
        moved[:, j] += h[:, j]
        jac[:, :, j] = (residual(moved) - r) / (moved[:, j] - x[:, j])[:, None]
    return jac


def solve(residual: Callable[[np.ndarray], np.ndarray], start: np.ndarray, lower: np.ndarray,
          upper: np.ndarray, max_iter: int = 200, ftol: float = 1e-12,
          xtol: float = 1e-10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimise ``sum(residual(x) ** 2)`` within ``lower <= x <= upper``, row by row.

    Parameters
    ----------
    residual : callable
        ``(k, p)`` parameters -> ``(k, m)`` residuals; row ``i`` of the output may depend
        only on row ``i`` of the input.
    start : ndarray
        Starting parameters ``(k, p)`` (clipped into the box).
    lower, upper : ndarray
        Bounds, broadcastable to ``(k, p)``.
    max_iter : int
        Most iterations.
    ftol, xtol : float
        Relative change of the cost and of each parameter that counts as converged.

    Returns
    -------
    (x, jac, cost) : tuple of ndarray
        Optimum ``(k, p)``, residual Jacobian there ``(k, m, p)`` and half the sum of
        squared residuals ``(k,)``.
    """
    lower = np.broadcast_to(np.asarray(lower, float), start.shape)
    upper = np.broadcast_to(np.asarray(upper, float), start.shape)
    x = np.clip(np.asarray(start, float), lower, upper)
    r = residual(x)
    cost = 0.5 * np.sum(r**2, axis=1)
    damping = np.full(x.shape[0], 1e-3)
    active = np.isfinite(cost)
    eye = np.eye(x.shape[1])
    jac = jacobian(residual, x, r, upper)
    for _ in range(max_iter):
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
        moved = np.abs(trial - x) <= xtol * np.maximum(1.0, np.abs(x))
        done = better & (cost - cost_new <= ftol * cost) & moved.all(axis=1)
        x = np.where(better[:, None], trial, x)
        r = np.where(better[:, None], r_new, r)
        cost = np.where(better, cost_new, cost)
        damping = np.where(better, damping / 3.0, np.where(active, damping * 4.0, damping))
        active &= ~done & (damping < 1e16)
        if better.any():
            jac = np.where(better[:, None, None], jacobian(residual, x, r, upper), jac)
    return x, jac, cost
