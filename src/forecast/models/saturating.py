"""Saturating growth curves: logistic and Gompertz, with the ceiling K fixed or estimated.

With K fixed (a stated number, or ``saturation_multiple`` times the last observation, so that a
backtest takes its ceiling from its own origin) the curve is linear in the year on its link
scale and OLS gives rate and midpoint (``n - 2`` df). With K free the fit is least squares on
log values with K searched within bounds (>= 4 points, ``n - 3`` df); a K that ends on a bound
is held there, not counted as estimated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.growth import LOG_CAP, NonlinearGrowthModel
from forecast.models.ols import midpoint, ols

__all__ = [
    "DEFAULT_SATURATION_LOWER_FACTOR", "DEFAULT_SATURATION_UPPER_FACTOR", "GompertzCurve",
    "LogisticCurve",
]

#: A free K is searched between these multiples of the largest observation: above the data (a
#: curve that has already saturated is no growth curve), and a documented wide default.
DEFAULT_SATURATION_LOWER_FACTOR = 1.05
DEFAULT_SATURATION_UPPER_FACTOR = 10.0


@dataclass(eq=False, repr=False, kw_only=True)
class _SaturatingCurve(NonlinearGrowthModel):
    """Logistic / Gompertz: K fixed (OLS on the link scale) or free within bounds."""

    _curve: ClassVar[Callable[..., np.ndarray]]
    #: The link maps y / K in (0, 1) to ``r (t - t0)``; its slope d link / d log y converts a
    #: log-scale sd to the link scale.
    _link_scale: ClassVar[str]
    _link: ClassVar[Callable[[np.ndarray], np.ndarray]]
    _inv_link: ClassVar[Callable[[np.ndarray], np.ndarray]]
    _link_slope: ClassVar[Callable[[float], float]]

    level_settings = ("saturation",)

    saturation: float | None = None
    saturation_multiple: float | None = None
    saturation_bounds: tuple[float, float] | None = None

    def _min_obs(self) -> tuple[int, str]:
        if self.saturation is None and self.saturation_multiple is None:
            return 4, "3 parameters with K free, and at least 1 df left"
        return 2, "K fixed: the 2-parameter linearisation needs 2 points"

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        vmax = float(v.max())
        if self.saturation is not None and self.saturation_multiple is not None:
            raise ModelError(f"{self.name}: give saturation or saturation_multiple, not both")
        if self.saturation is None and self.saturation_multiple is None:
            self._mode = "free"
            self._fit_free(t, v)
            return
        self._mode = "fixed"
        if self.saturation_multiple is not None:
            mult = float(self.saturation_multiple)
            k = mult * float(v[-1])
            self._k_basis = f"assumed: {mult:g} x the last observation ({t[-1]:g})"
            why = f"saturation_multiple {mult:g} x the last observation is no ceiling"
        else:
            k, self._k_basis = self.saturation, "assumed"
            why = "a fixed K at or below the data cannot be a ceiling"
        k = self._check_above(k, vmax, "saturation level",
                              f"the largest observation {vmax:g} ({why})")
        self.method_ = f"linearised OLS on the {self._link_scale} scale with K fixed"
        self.scale_ = self._link_scale
        self._k = k
        beta, self.residuals_, xtx_inv = ols(t, self._link(v / k))
        self._set_fit(beta, xtx_inv, t.size - 2, prior_scale=self._link_slope(float(v[-1]) / k))
        self.fixed_["saturation"] = self._k_basis
        a, r = (float(x) for x in beta)
        cov = self._cov_unscaled * self.sigma_**2
        mid, se_mid = midpoint(a, r, cov, self.t_last_)
        self._set_params(saturation=(k, math.nan, "value unit (assumed)"),
                         rate=(r, np.sqrt(cov[1, 1]), "1/yr"), midpoint=(mid, se_mid, "year"))
        self.notes_.append(
            f"K = {k:,.4g} {self._k_basis}; the log-scale noise prior is converted to the "
            f"{self._link_scale} scale at the last observation"
        )
        if r <= 0:
            self.notes_.append("the fitted rate is <= 0: the data do not rise towards K")

    def _k_range(self, vmax: float | np.ndarray) -> tuple:
        """Search range of a free K [value unit] given the largest observation(s)."""
        if self.saturation_bounds is None:
            return DEFAULT_SATURATION_LOWER_FACTOR * vmax, DEFAULT_SATURATION_UPPER_FACTOR * vmax
        return tuple(np.full(np.shape(vmax), float(b)) for b in self.saturation_bounds)

    def _problem(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bounds of (log K, log r, t0), the best linearised fit over a grid of K as the start,
        and whether any grid point fitted."""
        lo, hi = self._k_range(v.max(axis=1))
        logk = np.log(np.geomspace(lo, hi, 25, axis=1))[:, :, None]
        logv = np.log(v)[:, None, :]
        x = t - t[:, -1:]
        xc = x - x.mean(axis=1, keepdims=True)
        y = self._link(np.exp(logv - logk))
        slope = np.sum(xc[:, None, :] * y, axis=2) / np.sum(xc**2, axis=1)[:, None]
        icept = y.mean(axis=2) - slope * x.mean(axis=1)[:, None]
        rate = np.maximum(slope, 1e-3)
        grid = np.stack([logk[..., 0], np.log(rate), t[:, -1:] - icept / rate], axis=2)
        ssr = np.sum((logv - self._z_rows(grid, t[:, None, :])) ** 2, axis=2)
        ssr = np.where(np.isfinite(ssr), ssr, np.inf)
        start = grid[np.arange(len(t)), np.argmin(ssr, axis=1)]
        span = t[:, -1] - t[:, 0]
        lower = np.stack([np.log(lo), np.full(lo.shape, math.log(1e-4)),
                          t[:, 0] - 100 - 10 * span], axis=1)
        upper = np.stack([np.log(hi), np.full(hi.shape, math.log(20.0)),
                          t[:, -1] + 100 + 10 * span], axis=1)
        return np.clip(start, lower + 1e-9, upper - 1e-9), lower, upper, np.isfinite(ssr).any(1)

    def _z_rows(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Log level of the curve at parameters (..., 3) = (log K, log r, t0) and years."""
        level = self._curve(t, np.exp(theta[..., [0]]), np.exp(theta[..., [1]]), theta[..., [2]])
        return np.log(np.maximum(level, np.finfo(float).tiny))

    def _batched(self) -> bool:
        return self.saturation is None and self.saturation_multiple is None

    def _fit_free(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "nonlinear least squares on log values, K free within bounds"
        self.scale_ = "log"
        lo, hi = (float(b) for b in self._k_range(float(v.max())))
        if self.saturation_bounds is not None and not (
                np.isfinite(lo) and np.isfinite(hi) and float(v.max()) < lo < hi):
            raise ModelError(
                f"{self.name}: saturation_bounds must satisfy largest observation "
                f"{float(v.max()):g} < lower < upper, got ({lo:g}, {hi:g})"
            )
        self._logk_bounds = (math.log(lo), math.log(hi))
        theta, jac, lower, upper, ok = self._solved(t, v)
        if not ok:
            raise ModelError(f"{self.name}: no finite starting fit for K in [{lo:g}, {hi:g}]")
        labels = [("saturation", "exp"), ("rate", "exp"), ("midpoint", "")]
        se = self._take_optimum(t, v, theta, jac, lower, upper, labels)
        # Within the bounds as given (exp of a log bound can be one ulp outside them).
        k = min(max(math.exp(theta[0]), lo), hi)
        r = math.exp(theta[1])
        self._set_params(saturation=(k, k * se[0], "value unit"), rate=(r, r * se[1], "1/yr"),
                         midpoint=(theta[2], se[2], "year"))
        if self.saturation_bounds is None:
            self.notes_.append(
                f"K searched within [{lo:,.4g}, {hi:,.4g}] = ({DEFAULT_SATURATION_LOWER_FACTOR:g}"
                f", {DEFAULT_SATURATION_UPPER_FACTOR:g}) x the largest observation: an "
                "assumption, not data; draws of K are clipped to it"
            )
        else:
            self.notes_.append(
                "saturation draws are clipped to the bounds, which are an assumption, not data"
            )

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        if self._mode == "free":
            theta[:, 0] = np.clip(theta[:, 0], *self._logk_bounds)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return super()._z_path(theta, t) if self._mode == "fixed" else self._z_rows(theta, t)

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        if self._mode == "fixed":
            return self._k * self._inv_link(z)
        return super()._to_level(z)

    def _predict(self, t: np.ndarray) -> np.ndarray:
        p = self.params_
        with np.errstate(all="ignore"):
            return self._curve(t, p["saturation"], p["rate"], p["midpoint"])

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._mode == "fixed":
            return f"{text}; K = {self._k:,.0f} {self._k_basis}, not estimated"
        if "saturation" in self.fixed_:
            k = self.params_["saturation"]
            return f"{text}; K = {k:,.0f} on its search bound, not estimated"
        lo, hi = (math.exp(b) for b in self._logk_bounds)
        return f"{text}; K estimated within [{lo:,.0f}, {hi:,.0f}]"


class LogisticCurve(_SaturatingCurve):
    """Logistic curve ``K / (1 + exp(-r (t - t0)))`` (:func:`forecast.models.curves.logistic`);
    with K fixed, ``logit(y / K)`` is linear in the year.

    Parameters
    ----------
    saturation : float, optional
        Fixed ceiling K [value unit], above every observation, e.g. a capacity ceiling known
        when the data end. If None (and no ``saturation_multiple``), K is estimated.
    saturation_multiple : float, optional
        Fixed K as a stated multiple of the last observation [-], e.g. 3.0.
    saturation_bounds : (float, float), optional
        Bounds of a free K [value unit]; default ``(1.05, 10) x`` the largest observation.
    """

    name = "logistic"
    _curve = staticmethod(curves.logistic)
    _link_scale = "logit"

    # Not scipy.special.logit/expit (as in share.py): they round differently in the last bits,
    # which moves the free-K start point and so the calibration tables.
    _link = staticmethod(lambda frac: np.log(frac) - np.log1p(-frac))
    _inv_link = staticmethod(lambda z: 1.0 / (1.0 + np.exp(-np.clip(z, -LOG_CAP, LOG_CAP))))
    _link_slope = staticmethod(lambda frac: 1.0 / (1.0 - frac))


class GompertzCurve(_SaturatingCurve):
    """Gompertz curve ``K exp(-exp(-r (t - t0)))`` (:func:`forecast.models.curves.gompertz`);
    with K fixed, ``-log(-log(y / K))`` is linear in the year. Parameters as
    :class:`LogisticCurve`'s."""

    name = "gompertz"
    _curve = staticmethod(curves.gompertz)
    _link_scale = "gompertz"

    _link = staticmethod(lambda frac: -np.log(-np.log(frac)))
    _inv_link = staticmethod(lambda z: np.exp(-np.exp(-np.clip(z, -LOG_CAP, LOG_CAP))))
    _link_slope = staticmethod(lambda frac: -1.0 / math.log(frac))
