"""Holt's damped trend on log values: growth that fades geometrically."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.base import as_years
from forecast.models.growth import BOUND_TOL, LOG_CAP, GrowthModel
from forecast.models.uncertainty import make_rng

__all__ = ["ETS_MIN_OBS", "DampedTrend"]

#: statsmodels' damped-trend ETS estimates 5 parameters (alpha, beta, phi, initial level and
#: trend) plus sigma; below this many points it either refuses (Holt-Winters raises) or
#: returns boundary nonsense (ETSModel on the 4-point China series gives alpha=beta=0).
ETS_MIN_OBS = 10


@dataclass(eq=False, repr=False, kw_only=True)
class DampedTrend(GrowthModel):
    """Holt's damped trend on log values: growth that fades geometrically.

    The log growth in year ``T + h`` is ``b * phi ** h`` (``b`` is the trend at the last
    year ``T``), so the path is :func:`forecast.models.curves.damped_compound` with
    ``rate = exp(b) - 1``.

    Estimation takes one of two paths, recorded in ``method_`` and ``notes_``:

    * ``"ets"`` -- statsmodels' ``ETSModel`` (additive error, additive damped trend on
      logs) when there are at least :data:`ETS_MIN_OBS` points, the damping is not fixed
      and the fit converges. Below that, statsmodels refuses or returns boundary estimates
      (on the 4-point China series ETSModel gives alpha = beta = 0), so it is not tried.
    * ``"growth-rate least squares"`` (the fallback) -- the annual log growth rates
      ``g_t = log(y_t / y_{t-1})`` are regressed on ``phi ** (t - T)`` (through the origin).
      ``damping`` fixes ``phi`` (a scenario assumption; 1 parameter, ``n - 2`` df);
      ``damping=None`` profiles ``phi`` over ``damping_bounds`` and the covariance of
      ``(b, phi)`` comes from the Jacobian (2 parameters, ``n - 3`` df). A profiled ``phi``
      that ends on a bound was not estimated: it is held there and the fit is the fixed-phi
      one (1 parameter, ``n - 2`` df), with a note. The innovation sigma, pooled with the
      reference class's sd of annual log growth (:data:`~forecast.models.prior.GROWTH_PRIOR`,
      2 df lent), accumulates after the last year (random-walk noise on log values).

    Parameters
    ----------
    damping : float, optional
        Fixed damping factor phi in (0, 1]; None estimates it.
    damping_bounds : (float, float)
        Range for an estimated phi; default ``(0.5, 1.0)``.
    use_statsmodels : bool
        Try statsmodels ETS when the series is long enough (default True).
    prior_sigma, prior_df : float, optional
        The noise prior (see :class:`~forecast.models.growth.GrowthModel`): log-growth sd
        [1/yr] and the degrees of freedom it lends.
    """

    name = "damped"
    noise = "cumulative"
    min_obs_reason = "one growth rate"
    estimable = ("damping", 3, "growth rates for a level and a damping factor")

    damping: float | None = None
    damping_bounds: tuple[float, float] = (0.5, 1.0)
    use_statsmodels: bool = True

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        if not np.allclose(np.diff(t), 1.0):
            raise ModelError(f"{self.name}: years must be consecutive (one value per year)")
        if self.damping is not None and not 0.0 < float(self.damping) <= 1.0:
            raise ModelError(f"{self.name}: damping must be in (0, 1], got {self.damping}")
        lo, hi = (float(b) for b in self.damping_bounds)
        if not 0.0 < lo < hi <= 1.0:
            raise ModelError(
                f"{self.name}: damping_bounds must satisfy 0 < lower < upper <= 1, got {lo}, {hi}"
            )
        self._base_log = math.log(v[-1])
        self._ets = None
        if self.damping is None and self.use_statsmodels:
            if t.size >= ETS_MIN_OBS:
                if self._fit_ets(t, v):
                    return
            else:
                self.notes_.append(
                    f"statsmodels ETS (damped trend) not used: {t.size} points < {ETS_MIN_OBS} "
                    "needed for its 5 parameters (it refuses or returns boundary estimates); "
                    "fell back to least squares on the log growth rates"
                )
        self._fit_growth_ls(t, v, lo, hi)

    def _fit_ets(self, t: np.ndarray, v: np.ndarray) -> bool:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = ETSModel(
                    np.log(v), error="add", trend="add", damped_trend=True
                ).fit(disp=False)
        except Exception as exc:  # statsmodels raises assorted types on degenerate input
            self.notes_.append(
                f"statsmodels ETS failed ({type(exc).__name__}: {exc}); fell back to least "
                "squares on the log growth rates"
            )
            return False
        bad = [w for w in caught if "converge" in str(w.message).lower()]
        if bad or not res.mle_retvals.get("converged", True):
            self.notes_.append(
                "statsmodels ETS did not converge; fell back to least squares on the log "
                "growth rates"
            )
            return False
        names = list(res.model.param_names)
        params = {k: float(x) for k, x in zip(names, np.asarray(res.params), strict=True)}
        bse = {k: float(x) for k, x in zip(names, np.asarray(res.bse), strict=True)}
        phi = params["damping_trend"]
        self.method_ = "ets"
        self.scale_ = "log"
        self._ets = res
        self.residuals_ = np.asarray(res.resid, float)
        self._theta = np.asarray(res.params, float)
        self._cov_unscaled = np.zeros((self._theta.size, self._theta.size))
        # statsmodels' simulate draws with its own innovation sd: no prior is pooled here.
        self.df_resid_ = int(t.size - self._theta.size)
        self.sigma_ = float(np.sqrt(np.sum(self.residuals_**2) / max(self.df_resid_, 1)))
        self.sigma_resid_ = self.sigma_
        self.sigma_source_ = "estimated"
        self.df_t_ = math.inf
        # Last smoothed level and trend give the forecast function.
        self._level_end = float(np.asarray(res.level)[-1])
        self._trend_end = float(np.asarray(res.slope)[-1])
        self._phi = phi
        self.params_ = {
            "growth_last": math.expm1(self._trend_end),
            "damping": phi,
            "smoothing_level": params["smoothing_level"],
            "smoothing_trend": params["smoothing_trend"],
        }
        self.bse_ = {
            "growth_last": math.nan,
            "damping": bse.get("damping_trend", math.nan),
            "smoothing_level": bse.get("smoothing_level", math.nan),
            "smoothing_trend": bse.get("smoothing_trend", math.nan),
        }
        self.param_units_ = {"growth_last": "fraction/yr", "damping": "-",
                             "smoothing_level": "-", "smoothing_trend": "-"}
        self.notes_.append(
            "ETS draws come from statsmodels' simulate (innovation noise only; parameter "
            "uncertainty is not propagated)"
        )
        return True

    def _fit_growth_ls(self, t: np.ndarray, v: np.ndarray, lo: float, hi: float) -> None:
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
            self._profile_phi(fit_b, lo, hi))
        if self.damping is not None or bound:
            b, resid, sxx = fit_b(phi)
            self._phi_fixed = True
            self._theta = np.array([b])
            self._cov_unscaled = np.array([[1.0 / sxx]])
            self.residuals_ = resid
            self._set_sigma(resid, g.size - 1)
            se_phi = math.nan
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
            b, resid, _ = fit_b(phi)
            self._phi_fixed = False
            self._theta = np.array([b, phi])
            jac = np.column_stack([phi**k, b * k * phi ** (k - 1.0)])
            self._cov_unscaled = np.linalg.pinv(jac.T @ jac)
            self.residuals_ = resid
            self._set_sigma(resid, g.size - 2)
            se_phi = self.sigma_ * float(np.sqrt(self._cov_unscaled[1, 1]))
        self._phi = phi
        se_b = self.sigma_ * float(np.sqrt(self._cov_unscaled[0, 0]))
        self.params_ = {"growth_last": math.expm1(b), "damping": phi}
        self.bse_ = {"growth_last": math.exp(b) * se_b, "damping": se_phi}
        self.param_units_ = {"growth_last": "fraction/yr (trend in the last year)",
                             "damping": "-"}

    @staticmethod
    def _profile_phi(fit_b: Any, lo: float, hi: float) -> tuple[float, str]:
        """Least-squares phi over ``[lo, hi]``, and ``"lower"``/``"upper"`` if on a bound.

        A grid finds the basin, a bounded scalar search refines it.
        """
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

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        if theta.shape[1] == 2:
            theta[:, 1] = np.clip(theta[:, 1], *self.damping_bounds)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        phi = theta[:, [1]] if theta.shape[1] == 2 else np.full((theta.shape[0], 1), self._phi)
        h = t - self.t_last_
        with np.errstate(all="ignore"):
            geometric = np.where(np.isclose(phi, 1.0), h, phi * (1.0 - phi**h) / (1.0 - phi))
        return self._base_log + theta[:, [0]] * geometric

    def predict(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        t = as_years(X)
        if self._ets is not None:
            h = t - self.t_last_
            phi = self._phi
            geometric = np.where(np.isclose(phi, 1.0), h, phi * (1.0 - phi**h) / (1.0 - phi))
            out = np.exp(self._level_end + self._trend_end * geometric)
            # In-sample years get the one-step-ahead fitted values, not a backcast.
            seen = np.isin(t, self.years_)
            fitted = np.exp(np.asarray(self._ets.fittedvalues, float))
            out[seen] = fitted[np.searchsorted(self.years_, t[seen])]
            return out
        b = float(self._theta[0])
        return curves.damped_compound(self.values_[-1], math.expm1(b), self._phi, t - self.t_last_)

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        self._check_fitted()
        if self._ets is None:
            return super().sample(X, n_draws=n_draws, seed=seed)
        t = as_years(X)
        n = self._check_draw_count(n_draws)
        h = np.rint(t - self.t_last_).astype(int)
        horizon = max(int(h.max(initial=0)), 1)
        rng = make_rng(seed)
        sims = np.asarray(
            self._ets.simulate(horizon, anchor="end", repetitions=n, rng=rng), float
        ).reshape(horizon, n)
        out = np.empty((n, t.size))
        central = self.predict(t)
        ahead = h >= 1
        out[:, ~ahead] = central[~ahead]
        out[:, ahead] = np.exp(np.clip(sims[h[ahead] - 1].T, -LOG_CAP, LOG_CAP))
        return out

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._ets is not None:
            return text + "; statsmodels ETS, innovation noise only"
        src = "assumed" if self._phi_fixed else "profiled"
        return f"{text} (on {self.n_obs_ - 1} growth rates); phi = {self._phi:.3g} {src}"
