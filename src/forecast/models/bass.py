"""Bass diffusion: annual output as the yearly increment of a cumulative adoption curve."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.growth import GrowthModel

__all__ = ["BassDiffusion"]


@dataclass(eq=False, repr=False, kw_only=True)
class BassDiffusion(GrowthModel):
    """Bass diffusion of cumulative production: annual value = m (F(t) - F(t - 1)).

    ``F`` is the Bass cumulative adoption curve (:func:`forecast.models.curves.bass_cumulative`)
    started at ``t_start``; the annual series (e.g. production [GWh/yr]) is the yearly
    increment of cumulative production, which approaches the market potential ``m``. So the
    annual path rises, peaks and falls: a diffusion story, useful as a contrast to curves
    that saturate at a constant annual level. Fitted on log annual values with
    :func:`scipy.optimize.least_squares`.

    Parameters
    ----------
    market : float, optional
        Market potential m: cumulative value at saturation [value unit * yr, e.g. GWh].
        Fixed by assumption (2 parameters p, q; ``n - 2`` df) or, if None, estimated within
        ``market_bounds`` (3 parameters, needs >= 4 points).
    market_bounds : (float, float), optional
        Bounds for a free m; default ``(1.05, 50) x`` the observed cumulative sum.
    t_start : float, optional
        Year adoption starts [year]; default the year before the first observation (so the
        observed series is the whole history, i.e. earlier cumulative output is ignored).
    prior_sigma, prior_df : float, optional
        The noise prior (see :class:`~forecast.models.growth.GrowthModel`).

    A fitted coefficient (p, q or a free m) that ends on its search bound was not estimated:
    it is held there (``fixed_``, ``bse`` NaN) and not counted in the degrees of freedom.
    """

    name = "bass"
    min_obs = 3
    min_obs_reason = "p and q with m fixed"
    estimable = ("market", 4, "p, q and m")
    level_settings = ("market",)

    market: float | None = None
    market_bounds: tuple[float, float] | None = None
    t_start: float | None = None

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        from scipy.optimize import least_squares

        self._t0 = float(t[0] - 1.0) if self.t_start is None else float(self.t_start)
        if self._t0 >= t[0]:
            raise ModelError(
                f"{self.name}: t_start {self._t0:g} must be before the first year {t[0]:g}"
            )
        mb = self._resolve_market(float(v.sum()))
        self.method_ = "nonlinear least squares on log annual values (scipy), " + (
            "market potential fixed" if mb is None else "market potential within bounds"
        )
        logv = np.log(v)

        def resid(theta: np.ndarray) -> np.ndarray:
            return logv - self._z_path(theta[None, :], t)[0]

        lower = [math.log(1e-6), math.log(1e-4)]
        upper = [math.log(1.0), math.log(5.0)]
        axes = [np.log(np.geomspace(1e-4, 0.5, 24)), np.log(np.geomspace(1e-3, 3.0, 24))]
        if mb is not None:
            lower.append(self._logm_bounds[0])
            upper.append(self._logm_bounds[1])
            axes.append(np.linspace(*self._logm_bounds, 12))
        # Deterministic start: the best point of a grid, evaluated in one vectorised call.
        grid = np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)
        ssr = np.sum((logv - self._z_path(grid, t)) ** 2, axis=1)
        start = grid[int(np.nanargmin(ssr))]
        best = least_squares(resid, start, bounds=(lower, upper), method="trf", x_scale="jac")
        if not np.isfinite(best.cost):  # pragma: no cover - a finite grid start stays finite
            raise ModelError(f"{self.name}: least squares found no finite fit")
        theta = best.x
        self._theta = theta
        self.residuals_ = resid(theta)
        labels = [("p", "exp"), ("q", "exp"), ("market", "exp")][: theta.size]
        self._cov_unscaled = self._pin_bounds(theta, best.jac, lower, upper, labels)
        self._set_sigma(self.residuals_, t.size - self.n_params_)
        self._set_params(theta)
        self.notes_.append(
            f"adoption clock starts in {self._t0:g}; cumulative output before it is ignored"
        )

    def _resolve_market(self, cum: float) -> tuple[float, float] | None:
        """Fixed market potential (returns None) or the bounds of a free one, given the
        cumulative value already observed ``cum``."""
        if self.market is not None:
            self._fixed_m = self._check_above(
                self.market, cum, "market potential",
                f"the cumulative value already observed ({cum:g})",
            )
            return None
        self._fixed_m = None
        if self.market_bounds is None:
            mb = (1.05 * cum, 50.0 * cum)
        else:
            mb = tuple(float(b) for b in self.market_bounds)
            if not cum < mb[0] < mb[1]:
                raise ModelError(
                    f"{self.name}: market_bounds must satisfy cumulative {cum:g} < lower < "
                    f"upper, got ({mb[0]:g}, {mb[1]:g})"
                )
        self._logm_bounds = (math.log(mb[0]), math.log(mb[1]))
        return mb

    def _set_params(self, theta: np.ndarray) -> None:
        """Parameters in natural units (log p, log q[, log m] -> p, q, m) with their bse."""
        cov = self._cov_unscaled * self.sigma_**2
        p, q = math.exp(theta[0]), math.exp(theta[1])
        m = self._fixed_m if self._fixed_m is not None else math.exp(theta[2])
        self.params_ = {"market": m, "p": p, "q": q}
        if self._fixed_m is not None:
            self.fixed_["market"] = "assumed"
        se = {
            "market": math.nan if self._fixed_m is not None else m * float(np.sqrt(cov[2, 2])),
            "p": p * float(np.sqrt(cov[0, 0])),
            "q": q * float(np.sqrt(cov[1, 1])),
        }
        self.bse_ = {key: math.nan if key in self.fixed_ else x for key, x in se.items()}
        self.param_units_ = {"market": "cumulative value unit" + (
            " (assumed)" if self._fixed_m is not None else ""), "p": "1/yr", "q": "1/yr"}

    def _aic_valid(self) -> bool:
        return True

    @property
    def peak_year_(self) -> float:
        """Year in which the adoption rate peaks [year]: ``t_start + ln(q / p) / (p + q)``.

        Annual output (a yearly increment of cumulative output) is largest in the year
        that contains this instant; with ``q <= p`` there is no interior peak and the start
        year is returned.
        """
        p, q = self.params_["p"], self.params_["q"]
        return self._t0 + max(math.log(q / p), 0.0) / (p + q)

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        theta[:, 0] = np.clip(theta[:, 0], math.log(1e-6), 0.0)
        theta[:, 1] = np.clip(theta[:, 1], math.log(1e-4), math.log(5.0))
        if theta.shape[1] == 3:
            theta[:, 2] = np.clip(theta[:, 2], *self._logm_bounds)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        p = np.exp(theta[:, [0]])
        q = np.exp(theta[:, [1]])
        m = np.exp(theta[:, [2]]) if theta.shape[1] == 3 else self._fixed_m
        annual = curves.bass_cumulative(t, m, p, q, self._t0) - curves.bass_cumulative(
            t - 1.0, m, p, q, self._t0
        )
        return np.log(np.maximum(annual, np.finfo(float).tiny))

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._fixed_m is not None:
            text += f"; market potential {self._fixed_m:,.0f} (cumulative) assumed"
        return text + "; annual output peaks and falls as cumulative output nears m"
