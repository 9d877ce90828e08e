"""What every growth model of an annual series shares: noise, draws, fit statistics, summary.

:meth:`GrowthModel.sample` draws parameters from their estimated covariance plus residual
noise, both scaled by one ``sqrt(df / chi2_df)`` per draw, so every year follows a Student-t
prediction interval. Four points cannot say how noisy a series is, so the residual variance
is pooled with the reference class's (:mod:`forecast.models.prior`) and the draws have
``df_t_ = df_resid_ + prior_df`` df: with 0 own df the noise is the reference class's alone,
with 1 the t has 3 df, not Cauchy tails. No model returns a zero-width band.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models import nls
from forecast.models.base import EXACT_FIT_NOTE, BaseModel
from forecast.models.ols import matrix_sqrt
from forecast.models.prior import GROWTH_PRIOR, RESIDUAL_PRIOR, pool
from forecast.models.uncertainty import t_scale

__all__ = ["BOUND_TOL", "LOG_CAP", "GrowthModel", "NonlinearGrowthModel"]

#: An optimiser result this close to a search bound, on the optimiser's scale (log K, log r,
#: log p ... [log units]; midpoints [year]), counts as on the bound.
BOUND_TOL = 1e-3

#: exp() of log-scale draws is capped here so heavy-tailed t draws stay finite.
LOG_CAP = 300.0


@dataclass(eq=False, repr=False, kw_only=True)
class GrowthModel(BaseModel):
    """Common machinery of the growth models: a subclass implements :meth:`_fit` and, unless
    the path is a line on the fit scale, :meth:`_z_path`; ``_to_level`` maps the fit scale back
    (``exp`` by default).

    Parameters
    ----------
    prior_sigma : float, optional
        Prior noise sd on the log scale [log units], pooled with the residuals; default
        :data:`~forecast.models.prior.GROWTH_PRIOR` for random-walk noise, else
        :data:`~forecast.models.prior.RESIDUAL_PRIOR`. Converted at the last observation
        for models on another scale.
    prior_df : float, optional
        Degrees of freedom the prior lends (default 2); 0 uses the series alone, ``inf``
        takes ``prior_sigma`` as known.

    Attributes
    ----------
    params_, bse_, fixed_ : dict
        Estimates and standard errors in ``param_units_``; one not estimated (an assumption,
        the last observation, a result on its search bound) has ``bse`` NaN, its reason in
        ``fixed_``, and is not counted in ``n_params_``, ``df_resid_`` or AICc.
    sigma_, df_t_, sigma_source_
        Noise sd of the draws on the fit scale ``scale_``, the df of their Student t, and
        "pooled", "reference", "estimated" or "stated"; ``sigma_resid_`` is the series' own.
    rmse_log_, rmse_level_, aicc_ : float
        In-sample fit of the central path; AICc of the log residuals where the estimator is least
        squares on log values.
    method_, notes_, caveat_
        Which estimator ran, plain-language remarks, one line for comparison tables.
    """

    #: True when the model works on logarithms (values must be > 0).
    positive: ClassVar[bool] = True
    #: "independent" noise around a trend, or "cumulative" random-walk noise after the data.
    noise: ClassVar[str] = "independent"
    #: Settings that take an absolute level from outside the series (a ceiling, a market
    #: potential): a backtest does not use them from an earlier origin (no look-ahead).
    level_settings: ClassVar[tuple[str, ...]] = ()
    #: An optimiser result computed in a batch for this fit (:meth:`fit_windows`), or None.
    _preset: ClassVar[tuple[np.ndarray, ...] | None] = None

    prior_sigma: float | None = None
    prior_df: float | None = None

    def _check_above(self, value: float, floor: float, what: str, floor_text: str) -> float:
        """``value`` as a float if finite and above ``floor``, else a ModelError."""
        out = float(value)
        if not np.isfinite(out) or out <= floor:
            raise ModelError(f"{self.name}: {what} {out:g} must exceed {floor_text}")
        return out

    def fit(self, X: ArrayLike, y: ArrayLike) -> GrowthModel:
        """Fit to years ``X`` [calendar year] and values ``y`` [value unit, e.g. GWh].

        Raises
        ------
        ModelError
            Too few points, NaN, mismatched lengths, duplicate years, values <= 0 for a log
            model, or an impossible fixed parameter (e.g. a ceiling at or below the data).
        """
        self._forget_fit()
        t, v = self._sorted_data(X, y, "values")
        if self.positive and np.any(v <= 0):
            i = int(np.argmax(v <= 0))
            raise ModelError(f"{self.name} works on logarithms, so every value must be > 0; "
                             f"got {v[i]:g} in {t[i]:g}")
        self.n_obs_, self.years_, self.values_, self.t_last_ = int(t.size), t, v, float(t[-1])
        self.notes_: list[str] = []
        self.fixed_: dict[str, str] = {}
        self._n_pinned, self.scale_ = 0, "log"
        with np.errstate(all="ignore"):
            self._fit(t, v)
        self._finish_fit(t, v)
        return self

    @classmethod
    def fit_windows(cls, years: np.ndarray, values: np.ndarray) -> list[GrowthModel | None]:
        """A default model fitted to each row of ``years`` and ``values`` (k, n), as if alone,
        but with every nonlinear fit solved in one pass; None where it fails."""
        years, values = np.asarray(years, float), np.asarray(values, float)
        model = cls()
        rows = np.zeros(len(years), bool)
        if model._batched() and years.ndim == values.ndim == 2 and years.shape[1] > 1:
            # Rows fit() would accept as they are (sorted, positive, finite) are solved here.
            rows = (np.all(np.isfinite(values) & (values > 0), axis=1)
                    & np.all(np.diff(years, axis=1) > 0, axis=1))
        if rows.any():
            with np.errstate(all="ignore"):
                solved = model._solve(years[rows], values[rows])
        place = np.cumsum(rows) - 1
        out: list[GrowthModel | None] = []
        for i, (t, v) in enumerate(zip(years, values, strict=True)):
            one = cls()
            one._preset = tuple(part[place[i]] for part in solved) if rows[i] else None
            try:
                out.append(one.fit(t, v))
            except ModelError:
                out.append(None)
            finally:
                del one._preset
        return out

    def _batched(self) -> bool:
        """True when this configuration's fit is nonlinear least squares, solved in batches by
        :meth:`NonlinearGrowthModel._solve` (only its subclasses say so)."""
        return False

    @abstractmethod
    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        """Estimate from sorted years ``t`` and values ``v``: set ``_theta``, ``_cov_unscaled``,
        ``residuals_``, ``params_``, ``bse_``, ``param_units_``, ``method_``."""

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Central path on the fit scale, ``(k, p)`` parameter rows x ``(m,)`` years; by
        default a line with intercept at the last year and slope per year."""
        return theta[:, [0]] + theta[:, [1]] * (t - self.t_last_)

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(z, -LOG_CAP, LOG_CAP))

    def _set_fit(self, theta: np.ndarray, cov_unscaled: np.ndarray, df: int,
                 prior_scale: float = 1.0) -> np.ndarray:
        """Take estimates ``theta`` with unscaled covariance ``cov_unscaled`` as the fit, with
        the noise sd of the draws: ``residuals_`` (``df`` df) pooled with the prior, which
        ``prior_scale`` converts to the fit scale at the last observation; their standard
        errors."""
        self._theta, self._cov_unscaled = theta, cov_unscaled
        self.df_resid_ = int(df)
        ssr = float(np.sum(self.residuals_**2)) if df > 0 else 0.0
        self.sigma_resid_ = math.sqrt(ssr / df) if df > 0 else math.nan
        ref = GROWTH_PRIOR if self.noise == "cumulative" else RESIDUAL_PRIOR
        base = ref.sigma if self.prior_sigma is None else float(self.prior_sigma)
        nu0 = ref.df if self.prior_df is None else float(self.prior_df)
        if not (np.isfinite(base) and base > 0):
            raise ModelError(f"{self.name}: prior_sigma must be > 0, got {self.prior_sigma}")
        if not nu0 >= 0:
            raise ModelError(f"{self.name}: prior_df must be >= 0, got {self.prior_df}")
        if df + nu0 <= 0:
            raise ModelError(
                f"{self.name}: {self.n_obs_} points leave 0 residual degrees of freedom and "
                "prior_df = 0 lends none: state a prior (prior_df > 0)"
            )
        self.prior_sigma_ = base * prior_scale
        self.sigma_, self.df_t_ = pool(ssr, df, self.prior_sigma_, nu0)
        source = "the stated prior" if self.prior_sigma is not None else ref.what
        if math.isinf(nu0):
            self.sigma_source_ = "stated"
            note = (f"noise sd {self.sigma_:.4g} on the {self.scale_} scale taken as known "
                    "(prior_df = inf): normal draws")
        elif df == 0:
            self.sigma_source_ = "reference"
            note = (f"df_resid = 0: no residual estimate is possible; the noise sd is {source}, "
                    f"{self.prior_sigma_:.4g} on the {self.scale_} scale, with its {nu0:g} df "
                    f"(Student t with {self.df_t_:g} df)")
        elif nu0 == 0:
            self.sigma_source_ = "estimated"
            note = f"noise sd from the residuals alone (prior_df = 0): Student t with {df} df"
        else:
            self.sigma_source_ = "pooled"
            note = (f"noise sd {self.sigma_:.4g} on the {self.scale_} scale: the residuals' "
                    f"{self.sigma_resid_:.4g} ({df} df) pooled with {source} "
                    f"{self.prior_sigma_:.4g} ({nu0:g} df lent); Student t with {self.df_t_:g} df")
        self.notes_.append(note)
        if self.df_t_ <= 1:
            self.notes_.append(
                f"t with {self.df_t_:g} df has Cauchy tails: the bands are very wide; read p50"
            )
        # Round-off leaves ~1e-15 residuals on exact curves: call that exact too.
        if df > 0 and np.all(np.abs(self.residuals_) <= 1e-9 * max(1.0, prior_scale)):
            self.notes_.append(EXACT_FIT_NOTE)
        return self.sigma_ * np.sqrt(np.diag(cov_unscaled))

    def _finish_fit(self, t: np.ndarray, v: np.ndarray) -> None:
        fitted = self.predict(t)
        with np.errstate(all="ignore"):
            log_err = np.log(v) - np.log(fitted) if np.all(fitted > 0) else None
        self.rmse_level_ = float(np.sqrt(np.mean((v - fitted) ** 2)))
        self.rmse_log_ = self.aicc_ = math.nan
        if log_err is not None and np.all(np.isfinite(log_err)):
            ssr = float(np.sum(log_err**2))
            self.rmse_log_ = float(np.sqrt(ssr / t.size))
            if self._aic_valid():
                self.aicc_ = self._aicc(ssr, t.size)
        self.caveat_ = self._caveat()

    def _aicc(self, ssr: float, n: int) -> float:
        """Small-sample AIC of the log-scale fit, or NaN (with a note) where undefined."""
        k = self.n_params_ + 1  # the residual variance is estimated too
        if n - k - 1 <= 0:
            self.notes_.append(
                f"AICc undefined: {n} points and {k} estimated parameters (with the residual "
                f"variance) leave n - K - 1 = {n - k - 1} <= 0"
            )
            return math.nan
        # With an exact fit the log-likelihood is unbounded: -inf, not an ordinary number.
        if ssr <= 0:
            return -math.inf
        return float(n * np.log(ssr / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1))

    def _aic_valid(self) -> bool:
        """True when the estimator minimised the log-scale residuals of the fitted path."""
        return False

    @property
    def n_params_(self) -> int:
        """Number of parameters estimated from the data (assumptions and bounds excluded)."""
        return int(np.size(self._theta)) - self._n_pinned

    def _caveat(self) -> str:
        k = self.n_params_
        s = "" if k == 1 else "s"
        text = f"{k} parameter{s} from {self.n_obs_} points: {self.df_resid_} df left"
        if self.sigma_source_ == "reference":
            text += f"; noise sd from the reference class ({self.sigma_:.3g})"
        elif self.sigma_source_ == "pooled":
            text += f"; noise sd pooled with the reference class (t, {self.df_t_:g} df)"
        return text

    def _predict(self, t: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self._to_level(self._z_path(self._theta[None, :], t))[0]

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        return theta

    def _noise(self, rng: np.random.Generator, n: int, t: np.ndarray) -> np.ndarray:
        if self.noise == "independent":
            return rng.standard_normal((n, t.size)) * self.sigma_
        # Random-walk innovations: one per whole year after the last observation, summed.
        h = np.rint(t - self.t_last_).astype(int)
        horizon = max(int(h.max(initial=0)), 0)
        steps = np.cumsum(rng.standard_normal((n, max(horizon, 1))), axis=1) * self.sigma_
        return np.concatenate([np.zeros((n, 1)), steps], axis=1)[:, np.clip(h, 0, None)]

    def _sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        with np.errstate(all="ignore"):
            scale = t_scale(rng, self.df_t_, n)
            z = rng.standard_normal((n, self._theta.size))
            root = matrix_sqrt(self._cov_unscaled) * self.sigma_
            theta = self._clip_theta(self._theta + scale[:, None] * (z @ root.T))
            z = self._z_path(theta, t) + scale[:, None] * self._noise(rng, n, t)
            return self._to_level(z)

    def _summary_head(self) -> list[str]:
        return [
            f"{type(self).__name__} ({self.name})",
            f"method: {self.method_}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"parameters estimated: {self.n_params_}; df_resid: {self.df_resid_}",
            f"noise sd: {self.sigma_:.4g} on the {self.scale_} scale ({self.sigma_source_}; "
            f"Student t with {self.df_t_:g} df)",
            f"fit: RMSE log {self.rmse_log_:.4g}, RMSE level {self.rmse_level_:.4g}, "
            f"AICc (log scale) {self.aicc_:.4g}",
        ]

    def _summary_tail(self) -> list[str]:
        return [*(f"fixed: {k} ({why})" for k, why in self.fixed_.items()),
                f"caveat: {self.caveat_}"]


class NonlinearGrowthModel(GrowthModel):
    """A growth model fitted by bounded nonlinear least squares of log values
    (:func:`forecast.models.nls.solve`), which :meth:`GrowthModel.fit_windows` solves for many
    windows in one pass when :meth:`_batched` is true."""

    @abstractmethod
    def _problem(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """Start, lower and upper bounds (k, p) of the least squares of rows ``t``, ``v``, and
        anything further :meth:`_solved` returns along with the solution."""

    def _solve(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """Least squares of log values, rows ``t``, ``v`` (k, n): theta, jac, lower, upper, ..."""
        start, lower, upper, *extra = self._problem(t, v)
        logv = np.log(v)
        theta, jac = nls.solve(lambda th: logv - self._z_rows(th, t), start, lower, upper)
        return theta, jac, lower, upper, *extra

    @abstractmethod
    def _z_rows(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Log level at parameter rows ``theta`` (k, p) and years ``t`` (k, n) of a batch."""

    def _aic_valid(self) -> bool:
        return self._batched()

    def _solved(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """The batch's solution for this fit, else :meth:`_solve` of these data alone."""
        if self._preset is not None:
            return self._preset
        return tuple(part[0] for part in self._solve(t[None, :], v[None, :]))

    def _take_optimum(self, t: np.ndarray, v: np.ndarray, theta: np.ndarray, jac: np.ndarray,
                      lower: Sequence[float], upper: Sequence[float],
                      labels: Sequence[tuple[str, str]]) -> np.ndarray:
        """Take the optimum ``theta`` of :meth:`_solved` as the fit (residuals of log values,
        covariance ``(J'J)^-1``, noise) and return its standard errors. A parameter within
        :data:`BOUND_TOL` of a bound is held there (zero variance, ``fixed_``, a note);
        ``labels`` give each name and ``"exp"`` for a log-scale one."""
        self.residuals_ = np.log(v) - self._z_path(theta[None, :], t)[0]
        lo, hi = np.asarray(lower, float), np.asarray(upper, float)
        on_lo = np.abs(theta - lo) <= BOUND_TOL
        on_hi = np.abs(hi - theta) <= BOUND_TOL
        free = ~(on_lo | on_hi)
        cov = np.zeros((theta.size, theta.size))
        if free.any():
            jf = jac[:, free]
            cov[np.ix_(free, free)] = np.linalg.pinv(jf.T @ jf)
        self._n_pinned = int(np.sum(~free))
        for i in np.flatnonzero(~free):
            name, shown = labels[i]
            side, bound = ("lower", lo[i]) if on_lo[i] else ("upper", hi[i])
            x = math.exp(bound) if shown == "exp" else bound
            value = f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"
            self.fixed_[name] = f"on its {side} search bound {value}"
            self.notes_.append(
                f"{name} sits on its {side} bound {value}: not estimated (held there; "
                "no standard error, not counted in the degrees of freedom)"
            )
        self._set_fit(theta, cov, t.size - int(free.sum()))
        # Not _set_fit's standard errors: they round differently in the last bit.
        return np.sqrt(np.diag(cov * self.sigma_**2))
