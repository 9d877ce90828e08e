"""Holt's damped trend on log values: growth that fades geometrically."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.growth import BOUND_TOL, GrowthModel

__all__ = ["DAMPING_BOUNDS", "DampedTrend"]

#: Range of an estimated damping factor phi [-]; draws of phi are clipped to it.
DAMPING_BOUNDS = (0.5, 1.0)


@dataclass(eq=False, repr=False, kw_only=True)
class DampedTrend(GrowthModel):
    """Holt's damped trend on log values: the log growth in year ``T + h`` is ``b phi^h``
    (:func:`forecast.models.curves.damped_compound` with ``rate = exp(b) - 1``).

    The annual log growth rates are regressed on ``phi ** (t - T)`` through the origin: a
    fixed ``damping`` leaves 1 parameter (``n - 2`` df); ``damping=None`` profiles phi over
    :data:`DAMPING_BOUNDS` (``n - 3`` df, covariance from the Jacobian) unless it ends on a
    bound, where it is held. The innovation sigma accumulates after the last year.

    Parameters
    ----------
    damping : float, optional
        Fixed damping factor phi in (0, 1]; None estimates it.
    prior_sigma, prior_df : float, optional
        The noise prior (:class:`~forecast.models.growth.GrowthModel`) [log growth, 1/yr].
    """

    name = "damped"
    noise = "cumulative"

    damping: float | None = None

    def _min_obs(self) -> tuple[int, str]:
        if self.damping is None:
            return 3, "growth rates for a level and a damping factor"
        return 2, "one growth rate"

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        if not np.allclose(np.diff(t), 1.0):
            raise ModelError(f"{self.name}: years must be consecutive (one value per year)")
        if self.damping is not None and not 0.0 < float(self.damping) <= 1.0:
            raise ModelError(f"{self.name}: damping must be in (0, 1], got {self.damping}")
        self._base_log = math.log(v[-1])
        self.method_ = "growth-rate least squares"
        self.scale_ = "log growth"
        g = np.diff(np.log(v))
        k = t[1:] - t[-1]  # 0 for the last growth rate, negative before

        def fit_b(phi: float) -> tuple[float, np.ndarray, float]:
            x = phi**k
            sxx = float(x @ x)
            b = float(x @ g) / sxx
            return b, g - b * x, sxx

        phi, bound = (float(self.damping), "") if self.damping is not None else (
            _profile_phi(fit_b, *DAMPING_BOUNDS))
        b, self.residuals_, sxx = fit_b(phi)
        se_phi = math.nan
        if self.damping is not None or bound:
            (se_b,) = self._set_fit(np.array([b]), np.array([[1.0 / sxx]]), g.size - 1)
            if bound:
                self.fixed_["damping"] = f"on its {bound} search bound {phi:g}"
                self.notes_.append(
                    f"phi sits on its {bound} bound {phi:g}: not estimated (held there: the "
                    "fit is the fixed-phi one, 1 parameter)"
                )
            else:
                self.fixed_["damping"] = "assumed"
                self.notes_.append(f"damping factor phi = {phi:g} fixed by assumption")
        else:
            jac = np.column_stack([phi**k, b * k * phi ** (k - 1.0)])
            se_b, se_phi = self._set_fit(np.array([b, phi]), np.linalg.pinv(jac.T @ jac),
                                         g.size - 2)
        self._phi = phi
        self._set_params(
            growth_last=(math.expm1(b), math.exp(b) * se_b, "fraction/yr (trend in the last year)"),
            damping=(phi, se_phi, "-"))

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        if theta.shape[1] == 2:
            theta[:, 1] = np.clip(theta[:, 1], *DAMPING_BOUNDS)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        phi = theta[:, [1]] if theta.shape[1] == 2 else np.full((theta.shape[0], 1), self._phi)
        return self._base_log + theta[:, [0]] * curves.damped_sum(phi, t - self.t_last_)

    def _predict(self, t: np.ndarray) -> np.ndarray:
        b = float(self._theta[0])
        return curves.damped_compound(self.values_[-1], math.expm1(b), self._phi, t - self.t_last_)

    def _caveat(self) -> str:
        src = "assumed" if "damping" in self.fixed_ else "profiled"
        return (f"{super()._caveat()} (on {self.n_obs_ - 1} growth rates); "
                f"phi = {self._phi:.3g} {src}")


def _profile_phi(fit_b: Callable[[float], tuple], lo: float, hi: float) -> tuple[float, str]:
    """Least-squares phi in ``[lo, hi]`` (a grid, then a bounded search around its best), and
    ``"lower"``/``"upper"`` when it is on a bound."""
    from scipy.optimize import minimize_scalar

    def ssr(p: float) -> float:
        return float(np.sum(fit_b(p)[1] ** 2))

    grid = np.linspace(lo, hi, 101)
    losses = [ssr(p) for p in grid]
    i = int(np.argmin(losses))
    a_lo, a_hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    phi = float(grid[i])
    if a_hi > a_lo:
        opt = minimize_scalar(ssr, bounds=(a_lo, a_hi), method="bounded",
                              options={"xatol": 1e-10})
        if opt.fun <= losses[i]:
            phi = float(opt.x)
    if phi - lo <= BOUND_TOL:
        return lo, "lower"
    if hi - phi <= BOUND_TOL:
        return hi, "upper"
    return phi, ""
