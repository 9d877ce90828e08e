"""Bass diffusion: annual output as the yearly increment of a cumulative adoption curve."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from forecast.models import curves
from forecast.models.growth import NonlinearGrowthModel

__all__ = ["BassDiffusion"]

#: Search bounds (lower, upper) of (log p, log q) [log 1/yr]; draws are clipped to them too.
_PQ_BOUNDS = ((math.log(1e-6), math.log(1e-4)), (math.log(1.0), math.log(5.0)))
#: A free market potential m is searched between these multiples of the observed sum.
_M_FACTORS = (1.05, 50.0)


@dataclass(eq=False, repr=False, kw_only=True)
class BassDiffusion(NonlinearGrowthModel):
    """Bass diffusion of cumulative production: annual value = m (F(t) - F(t - 1)).

    ``F`` (:func:`forecast.models.curves.bass_cumulative`) starts the year before the first
    observation (earlier cumulative output is ignored), so the annual path rises, peaks and
    falls as cumulative output nears the market potential ``m``. Fitted on log annual values
    as :class:`~forecast.models.growth.NonlinearGrowthModel` (a coefficient on a bound is held).

    Parameters
    ----------
    market : float, optional
        Market potential m, the cumulative value at saturation [value unit * yr, e.g. GWh],
        fixed by assumption; None estimates it within (1.05, 50) x the observed sum (>= 4 points).
    """

    name = "bass"
    level_settings = ("market",)

    market: float | None = None

    def _min_obs(self) -> tuple[int, str]:
        return (4, "p, q and m") if self.market is None else (3, "p and q with m fixed")

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self._t0 = float(t[0] - 1.0)
        cum = float(v.sum())
        fixed = self.market is not None
        self._fixed_m = None
        if fixed:
            self._fixed_m = self._check_above(self.market, cum, "market potential",
                                              f"the cumulative value already observed ({cum:g})")
        self._logm_bounds = (math.log(_M_FACTORS[0] * cum), math.log(_M_FACTORS[1] * cum))
        self.method_ = "nonlinear least squares on log annual values, " + (
            "market potential fixed" if fixed else "market potential within bounds")
        theta, jac, lower, upper = self._solved(t, v)
        labels = [("p", "exp"), ("q", "exp"), ("market", "exp")][: theta.size]
        se = self._take_optimum(t, v, theta, jac, lower, upper, labels)
        p, q = math.exp(theta[0]), math.exp(theta[1])
        if fixed:
            self.fixed_["market"] = "assumed"
        m, se_m = (self._fixed_m, math.nan) if fixed else (math.exp(theta[2]), se[2])
        unit = "cumulative value unit" + (" (assumed)" if fixed else "")
        self._set_params(market=(m, m * se_m, unit), p=(p, p * se[0], "1/yr"),
                         q=(q, q * se[1], "1/yr"))
        self.notes_.append(
            f"adoption clock starts in {self._t0:g}; cumulative output before it is ignored"
        )

    def _batched(self) -> bool:
        return True

    def _z_rows(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        fixed = None if self.market is None else float(self.market)
        return _bass_z(theta, t, t[:, :1] - 1.0, fixed)

    def _problem(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bounds of (log p, log q[, log m]) and the best point of a grid as the start."""
        k = len(t)
        t0 = t[:, :1] - 1.0
        fixed = None if self.market is None else float(self.market)
        lower, upper = (np.tile(b, (k, 1)) for b in _PQ_BOUNDS)
        axes = [np.log(np.geomspace(1e-4, 0.5, 24)), np.log(np.geomspace(1e-3, 3.0, 24))]
        if fixed is None:
            cum = v.sum(axis=1)
            lower = np.column_stack([lower, np.log(_M_FACTORS[0] * cum)])
            upper = np.column_stack([upper, np.log(_M_FACTORS[1] * cum)])
            axes.append(np.linspace(0.0, 1.0, 12))
        # Grid points as (p, q[, share of the way from the lower to the upper log m]).
        grid = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)
        logv = np.log(v)
        start = np.empty((k, grid.shape[1]))
        # A few rows at a time, to bound the memory.
        for rows in np.array_split(np.arange(k), max(1, k // 16)):
            points = np.broadcast_to(grid, (rows.size, *grid.shape)).copy()
            if fixed is None:
                points[..., 2] = (lower[rows, 2, None]
                                  + grid[:, 2] * (upper[rows, 2] - lower[rows, 2])[:, None])
            ssr = np.sum((logv[rows, None, :] - _bass_z(points, t[rows, None, :],
                                                        t0[rows, None], fixed)) ** 2, axis=2)
            best = np.argmin(np.where(np.isnan(ssr), np.inf, ssr), axis=1)
            start[rows] = points[np.arange(rows.size), best]
        return start, lower, upper

    @property
    def peak_year_(self) -> float:
        """Year the adoption rate peaks [year], ``t0 + ln(q / p) / (p + q)`` from the adoption
        start ``t0`` (``t0`` when ``q <= p``); annual output peaks in the year containing it."""
        p, q = self.params_["p"], self.params_["q"]
        return self._t0 + max(math.log(q / p), 0.0) / (p + q)

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        theta[:, :2] = np.clip(theta[:, :2], *_PQ_BOUNDS)
        if theta.shape[1] == 3:
            theta[:, 2] = np.clip(theta[:, 2], *self._logm_bounds)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return _bass_z(theta, t, self._t0, self._fixed_m)

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._fixed_m is not None:
            text += f"; market potential {self._fixed_m:,.0f} (cumulative) assumed"
        return text + "; annual output peaks and falls as cumulative output nears m"


def _bass_z(theta: np.ndarray, t: np.ndarray, t0: ArrayLike, fixed_m: float | None) -> np.ndarray:
    """Log annual value at parameters (..., 2 or 3) = (log p, log q[, log m]), years ``t``
    and adoption start ``t0`` [year]; ``fixed_m`` when m is not a parameter."""
    p = np.exp(theta[..., [0]])
    q = np.exp(theta[..., [1]])
    m = np.exp(theta[..., [2]]) if fixed_m is None else fixed_m
    annual = curves.bass_cumulative(t, m, p, q, t0) - curves.bass_cumulative(t - 1.0, m, p, q, t0)
    return np.log(np.maximum(annual, np.finfo(float).tiny))
