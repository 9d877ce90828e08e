"""Growth models for annual production series, with one estimator interface.

Every model follows scikit-learn's estimator conventions: ``__init__`` only stores its
arguments, ``fit(years, values)`` returns ``self`` and fitted attributes end in ``_``, so
:func:`sklearn.base.clone`, ``get_params``/``set_params``, ``cross_val_score`` and
``TimeSeriesSplit`` work on them. ``years`` may be 1-D or of shape ``(n, 1)``.

After ``fit`` every model exposes

* ``params_`` / ``bse_`` -- parameter estimates and standard errors (dicts, natural units,
  see ``param_units_``); a parameter fixed by assumption has ``bse`` NaN;
* ``df_resid_`` -- degrees of freedom left after the fit; ``n_obs_``; ``residuals_`` on
  the fit scale ``scale_`` ("log", "level", "logit", "gompertz" or "log growth");
* ``sigma_`` -- residual standard deviation on that scale, and ``sigma_source_``
  ("estimated" or "fallback");
* ``method_`` (which estimator ran), ``notes_`` (plain-language remarks, e.g. why a
  statsmodels path was not taken) and ``caveat_`` (one line for comparison tables);
* ``fitted_`` (in-sample central values [value unit]), ``rmse_log_`` and ``rmse_level_``
  (comparable across models fitted to one series) and ``aic_``: the Gaussian AIC of the
  log-scale residuals, reported only for models whose estimator is least squares on log
  values (exponential, free-K logistic/Gompertz, Bass); NaN for the others, where it would
  not be the likelihood that was maximised.

Uncertainty: :meth:`GrowthModel.sample` draws paths from parameter uncertainty plus
residual noise. Parameters are drawn from their estimated covariance and both draws are
scaled by one common factor ``sqrt(df / chi2_df)`` per draw, so every single year follows
the Student-t prediction interval with ``df_resid_`` degrees of freedom (the classical OLS
prediction interval for the linear models). With ``df_resid_ == 1`` that is a Cauchy-like
distribution: the bands are very wide and the mean of the draws is not meaningful, and the
notes say so. With ``df_resid_ == 0`` there is no residual estimate at all; the draws then
use the stated ``fallback_sigma`` (default :data:`DEFAULT_FALLBACK_SIGMA`) with normal
noise, and the notes say so. No model silently returns a zero-width band.

No Python loop runs over draws: everything is vectorised over ``(n_draws, n_years)``.
"""

from __future__ import annotations

import math
import warnings
from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.uncertainty import LEVELS, QUANTILES, central_interval, make_rng

__all__ = [
    "DEFAULT_FALLBACK_SIGMA",
    "DEFAULT_SATURATION_LOWER_FACTOR",
    "DEFAULT_SATURATION_UPPER_FACTOR",
    "ETS_MIN_OBS",
    "GROWTH_MODELS",
    "BassDiffusion",
    "DampedTrend",
    "EndpointCAGR",
    "ExponentialTrend",
    "GompertzCurve",
    "GrowthModel",
    "LeastSquaresCAGR",
    "LinearTrend",
    "LogisticCurve",
    "make_model",
]

#: Residual standard deviation assumed when ``df_resid == 0`` leaves nothing to estimate it
#: from: 0.10 on the fit scale (about +-10% a year on log scales); for the linear model,
#: which works on levels, 0.10 times the last observed value.
DEFAULT_FALLBACK_SIGMA = 0.10

#: Free saturation levels are searched between these multiples of the largest observation.
#: The lower factor keeps K away from the data (a curve that has already saturated is not a
#: growth curve); the upper factor is a documented wide default, override it per scenario.
DEFAULT_SATURATION_LOWER_FACTOR = 1.05
DEFAULT_SATURATION_UPPER_FACTOR = 10.0

#: statsmodels' damped-trend ETS estimates 5 parameters (alpha, beta, phi, initial level and
#: trend) plus sigma; below this many points it either refuses (Holt-Winters raises) or
#: returns boundary nonsense (ETSModel on the 4-point China series gives alpha=beta=0).
ETS_MIN_OBS = 10

# exp() of log-scale draws is capped here: heavy-tailed t draws (df 1 or 2) must stay finite
# so that quantiles and means can be computed without overflow.
_LOG_CAP = 300.0


# --------------------------------------------------------------------------- helpers


def _as_years(x: ArrayLike, what: str = "years") -> np.ndarray:
    """1-D float array of years from a 1-D array or an ``(n, 1)`` column."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what} must be numbers: {exc}") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    elif arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ModelError(f"{what} must be 1-D or one column of shape (n, 1), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{what} contain NaN or infinite entries")
    return arr


def _check_xy(
    x: ArrayLike, y: ArrayLike, name: str, min_obs: int, positive: bool, reason: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validated, year-sorted copies of the training data (raises ModelError)."""
    t = _as_years(x)
    try:
        v = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{name}: values must be numbers: {exc}") from None
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim != 1:
        raise ModelError(f"{name}: values must be 1-D, got shape {v.shape}")
    if t.size != v.size:
        raise ModelError(f"{name}: years and values differ in length ({t.size} vs {v.size})")
    if np.isnan(v).any():
        bad = t[np.isnan(v)]
        raise ModelError(f"{name}: values contain NaN (years {', '.join(f'{b:g}' for b in bad)})")
    if not np.all(np.isfinite(v)):
        raise ModelError(f"{name}: values contain infinite entries")
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    if t.size > 1 and np.any(np.diff(t) == 0):
        raise ModelError(f"{name}: years contain duplicates")
    if t.size < min_obs:
        raise ModelError(f"{name} needs at least {min_obs} points ({reason}); got {t.size}")
    if positive and np.any(v <= 0):
        i = int(np.argmax(v <= 0))
        raise ModelError(
            f"{name} works on logarithms, so every value must be > 0; got {v[i]:g} in {t[i]:g}"
        )
    return t, v


def _matrix_sqrt(cov: np.ndarray) -> np.ndarray:
    """A factor R with R @ R.T == cov, tolerant of singular (e.g. fixed) directions."""
    cov = 0.5 * (cov + cov.T)
    w, v = np.linalg.eigh(cov)
    return v * np.sqrt(np.clip(w, 0.0, None))


def _ols(design: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares: coefficients, residuals and ``(X'X)^-1`` (unscaled covariance)."""
    beta, *_ = np.linalg.lstsq(design, z, rcond=None)
    resid = z - design @ beta
    return beta, resid, np.linalg.pinv(design.T @ design)


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax >= 1e6 or ax < 1e-3):
        return f"{x:.4g}"
    return f"{x:,.4f}".rstrip("0").rstrip(".") if ax < 1000 else f"{x:,.1f}"


def _delta_bse(grad: np.ndarray, cov: np.ndarray) -> float:
    return float(np.sqrt(max(float(grad @ cov @ grad), 0.0)))


# --------------------------------------------------------------------------- base class


class GrowthModel(RegressorMixin, BaseEstimator, metaclass=ABCMeta):
    """Common interface of the growth models (see the module docstring).

    Subclasses implement ``_fit(t, v)`` (set ``_theta``, ``_cov_unscaled``, residuals, ...)
    and ``_z_path(theta, t)``: the central path on the fit scale for parameter rows
    ``theta`` of shape ``(k, p)`` and years ``t`` of shape ``(m,)`` -> ``(k, m)``; and
    ``_to_level(z)``, the inverse of the fit-scale transform.
    """

    #: registry name and the smallest number of points the model accepts (and why).
    name: ClassVar[str] = "growth"
    min_obs_reason: ClassVar[str] = ""
    #: True when the model works on logarithms (values must be > 0).
    positive: ClassVar[bool] = True
    #: "independent": year-on-year noise around a trend; "cumulative": random-walk noise
    #: that accumulates after the last observation.
    noise: ClassVar[str] = "independent"

    fallback_sigma: float | None

    # -- the estimator API -------------------------------------------------------------

    def _min_obs(self) -> int:
        return 2

    def fit(self, X: ArrayLike, y: ArrayLike) -> GrowthModel:
        """Fit the model.

        Parameters
        ----------
        X : array_like
            Years [calendar year], shape ``(n,)`` or ``(n, 1)``.
        y : array_like
            Values [value unit, e.g. GWh], shape ``(n,)``.

        Returns
        -------
        self

        Raises
        ------
        ModelError
            Too few points for the model, NaN, mismatched lengths, duplicate years,
            non-positive values for a log model, or an impossible fixed parameter (e.g. a
            saturation level at or below the data).
        """
        # A failed refit must not leave the previous fit's state looking valid.
        self.__dict__.pop("_theta", None)
        t, v = _check_xy(X, y, self.name, self._min_obs(), self.positive, self.min_obs_reason)
        self.n_obs_ = int(t.size)
        self.years_ = t
        self.values_ = v
        self.t_last_ = float(t[-1])
        self.notes_: list[str] = []
        self.sigma_source_ = "estimated"
        with np.errstate(all="ignore"):
            self._fit(t, v)
        self._finish_fit(t, v)
        return self

    @abstractmethod
    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        """Estimate the parameters from sorted years ``t`` and values ``v``."""

    @abstractmethod
    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Central path on the fit scale, ``(k, p)`` parameter rows x ``(m,)`` years."""

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(z, -_LOG_CAP, _LOG_CAP))

    def _set_sigma(self, resid: np.ndarray, df: int, fallback_scale: float = 1.0) -> None:
        """Residual sigma from ``resid`` with ``df`` degrees of freedom, or the fallback."""
        self.df_resid_ = int(df)
        if df > 0:
            self.sigma_ = float(np.sqrt(np.sum(resid**2) / df))
            # Round-off leaves ~1e-15 residuals on exact curves: call that exact too.
            if np.all(np.abs(resid) <= 1e-9 * max(1.0, fallback_scale)):
                self.notes_.append(
                    "the fit is exact (all residuals 0): the bands show no noise"
                )
        else:
            base = DEFAULT_FALLBACK_SIGMA if self.fallback_sigma is None else self.fallback_sigma
            if not base > 0:
                raise ModelError(f"{self.name}: fallback_sigma must be > 0, got {base}")
            self.sigma_ = float(base) * fallback_scale
            self.sigma_source_ = "fallback"
            self.notes_.append(
                f"df_resid = 0: no residual estimate is possible; draws use the stated "
                f"fallback sigma {self.sigma_:.4g} on the {self.scale_} scale "
                "(set fallback_sigma to change it)"
            )
        if df == 1:
            self.notes_.append(
                "df_resid = 1: intervals use the t distribution with 1 df (Cauchy tails), so "
                "they are very wide and the mean of the draws is not meaningful: read p50"
            )

    def _finish_fit(self, t: np.ndarray, v: np.ndarray) -> None:
        fitted = self.predict(t)
        self.fitted_ = fitted
        with np.errstate(all="ignore"):
            log_err = np.log(v) - np.log(fitted) if np.all(fitted > 0) else None
        self.rmse_level_ = float(np.sqrt(np.mean((v - fitted) ** 2)))
        if log_err is not None and np.all(np.isfinite(log_err)):
            ssr = float(np.sum(log_err**2))
            self.rmse_log_ = float(np.sqrt(ssr / t.size))
            # Gaussian AIC of the log-scale fit; with an exact fit the log-likelihood is
            # unbounded, so report -inf rather than a number that looks ordinary.
            k = self.n_params_
            if not self._aic_valid():
                self.aic_ = math.nan
            elif ssr > 0:
                self.aic_ = float(t.size * np.log(ssr / t.size) + 2 * k)
            else:
                self.aic_ = -math.inf
        else:
            self.rmse_log_ = math.nan
            self.aic_ = math.nan
        self.caveat_ = self._caveat()

    def _aic_valid(self) -> bool:
        """True when the estimator minimised the log-scale residuals of the fitted path."""
        return False

    @property
    def n_params_(self) -> int:
        """Number of parameters estimated from the data (fixed assumptions excluded)."""
        return int(np.size(self._theta))

    def _caveat(self) -> str:
        k = self.n_params_
        s = "" if k == 1 else "s"
        text = f"{k} parameter{s} from {self.n_obs_} points: {self.df_resid_} df left"
        if self.sigma_source_ == "fallback":
            text += f"; noise sigma assumed ({self.sigma_:.3g})"
        return text

    def _check_fitted(self) -> None:
        if not hasattr(self, "_theta"):
            raise ModelError(f"{self.name}: call fit(years, values) before using the model")

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Central path at the estimated parameters.

        Parameters
        ----------
        X : array_like
            Years [calendar year], 1-D or ``(n, 1)``.

        Returns
        -------
        ndarray
            Central values [value unit], shape ``(n_years,)``.
        """
        self._check_fitted()
        t = _as_years(X)
        with np.errstate(all="ignore"):
            return self._to_level(self._z_path(self._theta[None, :], t))[0]

    def _param_draws(self, rng: np.random.Generator, n: int, scale: np.ndarray) -> np.ndarray:
        z = rng.standard_normal((n, self._theta.size))
        root = _matrix_sqrt(self._cov_unscaled) * self.sigma_
        return self._clip_theta(self._theta + scale[:, None] * (z @ root.T))

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        return theta

    def _noise(self, rng: np.random.Generator, n: int, t: np.ndarray) -> np.ndarray:
        if self.noise == "independent":
            return rng.standard_normal((n, t.size)) * self.sigma_
        # Random-walk innovations: one per whole year after the last observation, summed.
        h = np.rint(t - self.t_last_).astype(int)
        horizon = max(int(h.max(initial=0)), 0)
        steps = np.cumsum(rng.standard_normal((n, max(horizon, 1))), axis=1) * self.sigma_
        padded = np.concatenate([np.zeros((n, 1)), steps], axis=1)
        return padded[:, np.clip(h, 0, None)]

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws of the path from parameter uncertainty plus residual noise.

        Parameters
        ----------
        X : array_like
            Years [calendar year].
        n_draws : int
            Number of draws.
        seed : int, numpy Generator or None
            Passed to :func:`forecast.models.uncertainty.make_rng`; one seed gives identical draws.

        Returns
        -------
        ndarray
            Draws [value unit], shape ``(n_draws, n_years)``.
        """
        self._check_fitted()
        t = _as_years(X)
        n = int(n_draws)
        if n < 1:
            raise ModelError(f"{self.name}: n_draws must be >= 1, got {n_draws}")
        rng = make_rng(seed)
        with np.errstate(all="ignore"):
            scale = self._t_scale(rng, n)
            theta = self._param_draws(rng, n, scale)
            z = self._z_path(theta, t) + scale[:, None] * self._noise(rng, n, t)
            return self._to_level(z)

    def _t_scale(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Per-draw factor sqrt(df / chi2_df): normal draws become Student-t with df_resid."""
        if self.sigma_source_ == "fallback" or self.df_resid_ <= 0:
            return np.ones(n)
        df = self.df_resid_
        return np.sqrt(df / rng.chisquare(df, n))

    def predict_interval(
        self,
        X: ArrayLike,
        level: float = 0.8,
        n_draws: int = 10_000,
        seed: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed prediction interval from :meth:`sample`.

        Parameters
        ----------
        X : array_like
            Years [calendar year].
        level : float
            Coverage in (0, 1), e.g. 0.8 or 0.95 (:data:`forecast.models.uncertainty.LEVELS`).
        n_draws : int
            Number of draws.
        seed : int, numpy Generator or None
            Random seed.

        Returns
        -------
        (lower, upper) : tuple of ndarray
            Bounds [value unit], each of shape ``(n_years,)``.
        """
        if not 0.0 < float(level) < 1.0:
            raise ModelError(f"{self.name}: interval level must be in (0, 1), got {level}")
        return central_interval(self.sample(X, n_draws=n_draws, seed=seed), level, axis=0)

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None):
        """Tidy forecast table.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, year, central, mean, p5, p10, p50, p90, p95`` [value unit];
            p10-p90 is the 80% band and p5-p95 the 95% band (:data:`LEVELS`).
        """
        import pandas as pd

        t = _as_years(X)
        draws = self.sample(t, n_draws=n_draws, seed=seed)
        qs = np.quantile(draws, list(QUANTILES.values()), axis=0)
        frame = pd.DataFrame(
            {
                "model": self.name,
                "year": np.rint(t).astype(int),
                "central": self.predict(t),
                "mean": draws.mean(axis=0),
            }
        )
        for key, row in zip(QUANTILES, qs, strict=True):
            frame[key] = row
        return frame

    def bands(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> dict[str, Any]:
        """Central path and every :data:`LEVELS` band from one set of draws.

        Returns
        -------
        dict
            ``{"central": ndarray, 0.8: (lo, hi), 0.95: (lo, hi)}`` [value unit].
        """
        draws = self.sample(X, n_draws=n_draws, seed=seed)
        out: dict[Any, Any] = {"central": self.predict(X)}
        for level in LEVELS:
            out[level] = central_interval(draws, level, axis=0)
        return out

    def params_frame(self):
        """Parameters as a tidy frame: ``param, value, bse, unit``."""
        import pandas as pd

        self._check_fitted()
        return pd.DataFrame(
            {
                "param": list(self.params_),
                "value": [float(v) for v in self.params_.values()],
                "bse": [float(self.bse_[k]) for k in self.params_],
                "unit": [self.param_units_.get(k, "") for k in self.params_],
            }
        )

    def format_params(self) -> str:
        """Parameters as one line, e.g. ``rate=0.534 (se 0.21); base=1,170``.

        Parameters without a standard error (fixed by assumption, or the observed base
        value) are shown without one; ``param_units_`` says which.
        """
        self._check_fitted()
        parts = []
        for key, val in self.params_.items():
            se = self.bse_[key]
            extra = f" (se {_fmt(se)})" if np.isfinite(se) else ""
            parts.append(f"{key}={_fmt(val)}{extra}")
        return "; ".join(parts)

    def summary(self) -> str:
        """A readable text summary: method, parameters with standard errors, df and notes."""
        self._check_fitted()
        lines = [
            f"{type(self).__name__} ({self.name})",
            f"method: {self.method_}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"parameters estimated: {self.n_params_}; df_resid: {self.df_resid_}",
            f"residual sigma: {self.sigma_:.4g} on the {self.scale_} scale ({self.sigma_source_})",
            f"fit: RMSE log {self.rmse_log_:.4g}, RMSE level {self.rmse_level_:.4g}, "
            f"AIC (log scale) {self.aic_:.4g}",
            "",
            f"{'parameter':<18}{'value':>14}{'std err':>14}  unit",
        ]
        for key, val in self.params_.items():
            se = self.bse_[key]
            se_txt = f"{se:>14.5g}" if np.isfinite(se) else f"{'-':>14}"
            lines.append(f"{key:<18}{val:>14.6g}{se_txt}  {self.param_units_.get(key, '')}")
        lines.append("")
        lines.append(f"caveat: {self.caveat_}")
        lines.extend(f"note: {n}" for n in self.notes_)
        return "\n".join(lines)


# --------------------------------------------------------------------------- CAGR models


class EndpointCAGR(GrowthModel):
    """End-point compound annual growth rate, projected from the last observation.

    The rate is ``(y_last / y_first) ** (1 / (t_last - t_first)) - 1``. The same number is
    the drift of a random walk on log values, which gives its uncertainty: the annual log
    increments estimate the innovation sigma (``n - 2`` df), the drift has variance
    ``sigma^2 / (t_last - t_first)`` and the noise accumulates after the last year.

    Parameters
    ----------
    fallback_sigma : float, optional
        Log-scale innovation sigma [1/year] used when only two points leave ``df_resid = 0``.
    """

    name = "cagr_endpoint"
    min_obs_reason = "a first and a last value"
    noise = "cumulative"
    scale_ = "log"

    def __init__(self, fallback_sigma: float | None = None) -> None:
        self.fallback_sigma = fallback_sigma

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "end-point CAGR (random walk with drift on log values)"
        logv = np.log(v)
        span = t[-1] - t[0]
        mu = (logv[-1] - logv[0]) / span
        gaps = np.diff(t)
        incr = np.diff(logv)
        # Increments over a gap of d years have variance d * sigma^2: standardise them.
        resid = (incr - mu * gaps) / np.sqrt(gaps)
        self.residuals_ = resid
        self._theta = np.array([mu])
        self._cov_unscaled = np.array([[1.0 / span]])
        self._base_log = logv[-1]
        self._set_sigma(resid, t.size - 2)
        se_mu = self.sigma_ * math.sqrt(1.0 / span)
        self.params_ = {"rate": math.expm1(mu), "base": float(v[-1])}
        self.bse_ = {"rate": math.exp(mu) * se_mu, "base": math.nan}
        self.param_units_ = {"rate": "fraction/yr", "base": f"value in {t[-1]:g}"}

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return self._base_log + theta[:, [0]] * (t - self.t_last_)

    def predict(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        t = _as_years(X)
        return curves.compound(self.params_["base"], self.params_["rate"], t - self.t_last_)


class LeastSquaresCAGR(GrowthModel):
    """Least-squares CAGR: the log-linear OLS slope, compounded from the last observation.

    Unlike :class:`ExponentialTrend` the path starts at the last observed value, so only
    the slope matters. Draws: the slope from its t distribution (``n - 2`` df) and
    independent year-to-year deviations with the OLS residual sigma.

    Parameters
    ----------
    fallback_sigma : float, optional
        Log-scale residual sigma used when two points leave ``df_resid = 0``.
    """

    name = "cagr_ls"
    min_obs_reason = "a slope needs two points"
    scale_ = "log"

    def __init__(self, fallback_sigma: float | None = None) -> None:
        self.fallback_sigma = fallback_sigma

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "OLS slope of log values, compounded from the last observation"
        design = np.column_stack([np.ones_like(t), t - t[-1]])
        beta, resid, xtx_inv = _ols(design, np.log(v))
        self.residuals_ = resid
        self._theta = beta[1:]
        self._cov_unscaled = xtx_inv[1:, 1:]
        self._base_log = math.log(v[-1])
        self._set_sigma(resid, t.size - 2)
        b = float(beta[1])
        se_b = self.sigma_ * math.sqrt(xtx_inv[1, 1])
        self.params_ = {"rate": math.expm1(b), "base": float(v[-1])}
        self.bse_ = {"rate": math.exp(b) * se_b, "base": math.nan}
        self.param_units_ = {"rate": "fraction/yr", "base": f"value in {t[-1]:g}"}

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return self._base_log + theta[:, [0]] * (t - self.t_last_)

    def predict(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        t = _as_years(X)
        return curves.compound(self.params_["base"], self.params_["rate"], t - self.t_last_)


# --------------------------------------------------------------------------- trend models


class LinearTrend(GrowthModel):
    """Straight line in levels, ``y = level + slope * (t - t_last)``, fitted by OLS.

    Parameters
    ----------
    fallback_sigma : float, optional
        Residual sigma as a fraction of the last value, used when ``df_resid = 0``.
    """

    name = "linear"
    min_obs_reason = "a line needs two points"
    positive = False
    scale_ = "level"

    def __init__(self, fallback_sigma: float | None = None) -> None:
        self.fallback_sigma = fallback_sigma

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "OLS on levels"
        design = np.column_stack([np.ones_like(t), t - t[-1]])
        beta, resid, xtx_inv = _ols(design, v)
        self.residuals_ = resid
        self._theta = beta
        self._cov_unscaled = xtx_inv
        self._set_sigma(resid, t.size - 2, fallback_scale=max(abs(float(v[-1])), 1e-12))
        se = self.sigma_ * np.sqrt(np.diag(xtx_inv))
        self.params_ = {"level": float(beta[0]), "slope": float(beta[1])}
        self.bse_ = {"level": float(se[0]), "slope": float(se[1])}
        self.param_units_ = {"level": f"value unit in {t[-1]:g}", "slope": "value unit/yr"}

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return theta[:, [0]] + theta[:, [1]] * (t - self.t_last_)

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        return z


class ExponentialTrend(GrowthModel):
    """Exponential trend ``exp(a + b (t - t_last))`` from log-linear OLS (statsmodels).

    Prediction intervals are the OLS ones on the log scale (t distribution, ``n - 2`` df),
    exponentiated; :meth:`sample` reproduces them by simulation.

    Parameters
    ----------
    fallback_sigma : float, optional
        Log-scale residual sigma used when two points leave ``df_resid = 0``.
    """

    name = "exponential"
    min_obs_reason = "a log-linear trend needs two points"
    scale_ = "log"

    def __init__(self, fallback_sigma: float | None = None) -> None:
        self.fallback_sigma = fallback_sigma

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        import statsmodels.api as sm

        self.method_ = "log-linear OLS (statsmodels)"
        design = np.column_stack([np.ones_like(t), t - t[-1]])
        res = sm.OLS(np.log(v), design).fit()
        beta = np.asarray(res.params, float)
        self.residuals_ = np.asarray(res.resid, float)
        self._theta = beta
        self._cov_unscaled = np.asarray(res.normalized_cov_params, float)
        self._set_sigma(self.residuals_, round(res.df_resid))
        se = self.sigma_ * np.sqrt(np.diag(self._cov_unscaled))
        a, b = (float(x) for x in beta)
        self.params_ = {"level": math.exp(a), "rate": math.expm1(b), "log_slope": b}
        self.bse_ = {
            "level": math.exp(a) * float(se[0]),
            "rate": math.exp(b) * float(se[1]),
            "log_slope": float(se[1]),
        }
        self.param_units_ = {
            "level": f"trend value in {t[-1]:g}",
            "rate": "fraction/yr",
            "log_slope": "1/yr",
        }

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return theta[:, [0]] + theta[:, [1]] * (t - self.t_last_)

    def _aic_valid(self) -> bool:
        return True

    def predict(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        t = _as_years(X)
        a, b = self._theta
        return curves.exponential(t, a, b, t_ref=self.t_last_)


# --------------------------------------------------------------------------- S-curves


class _SaturatingCurve(GrowthModel):
    """Logistic / Gompertz: K fixed (linearised OLS) or free within bounds (least squares)."""

    _curve: ClassVar[Callable[..., np.ndarray]]
    _link_scale: ClassVar[str]

    saturation: float | None
    saturation_bounds: tuple[float, float] | None

    @property
    def min_obs_reason(self) -> str:  # type: ignore[override]
        if self.saturation is None:
            return "3 parameters with K free, and at least 1 df left"
        return "K fixed: the 2-parameter linearisation needs 2 points"

    def _min_obs(self) -> int:
        return 2 if self.saturation is not None else 4

    # link: fraction y/K in (0, 1) -> linear predictor r (t - t0)
    @staticmethod
    @abstractmethod
    def _link(frac: np.ndarray) -> np.ndarray:
        """Fraction of saturation in (0, 1) -> linear predictor."""

    @staticmethod
    @abstractmethod
    def _inv_link(z: np.ndarray) -> np.ndarray:
        """Linear predictor -> fraction of saturation."""

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        vmax = float(v.max())
        if self.saturation is not None:
            k = float(self.saturation)
            if not np.isfinite(k) or k <= vmax:
                raise ModelError(
                    f"{self.name}: saturation level {k:g} must exceed the largest observation "
                    f"{vmax:g} (a fixed K at or below the data cannot be a ceiling)"
                )
            self._fit_fixed(t, v, k)
        else:
            self._fit_free(t, v)

    def _fit_fixed(self, t: np.ndarray, v: np.ndarray, k: float) -> None:
        self.method_ = f"linearised OLS on the {self._link_scale} scale with K fixed"
        self.scale_ = self._link_scale
        self._mode = "fixed"
        self._k = k
        design = np.column_stack([np.ones_like(t), t - t[-1]])
        beta, resid, xtx_inv = _ols(design, self._link(v / k))
        self.residuals_ = resid
        self._theta = beta
        self._cov_unscaled = xtx_inv
        self._set_sigma(resid, t.size - 2)
        a, r = (float(x) for x in beta)
        cov = xtx_inv * self.sigma_**2
        mid = self.t_last_ - a / r if r != 0 else math.nan
        self.params_ = {"saturation": k, "rate": r, "midpoint": mid}
        self.bse_ = {
            "saturation": math.nan,
            "rate": float(np.sqrt(cov[1, 1])),
            "midpoint": _delta_bse(np.array([-1.0 / r, a / r**2]), cov) if r != 0 else math.nan,
        }
        self.param_units_ = {"saturation": "value unit (assumed)", "rate": "1/yr",
                             "midpoint": "year"}
        if r <= 0:
            self.notes_.append("the fitted rate is <= 0: the data do not rise towards K")

    def _bounds(self, v: np.ndarray) -> tuple[float, float]:
        vmax = float(v.max())
        if self.saturation_bounds is None:
            lo = DEFAULT_SATURATION_LOWER_FACTOR * vmax
            hi = DEFAULT_SATURATION_UPPER_FACTOR * vmax
        else:
            lo, hi = (float(b) for b in self.saturation_bounds)
            if not (np.isfinite(lo) and np.isfinite(hi) and vmax < lo < hi):
                raise ModelError(
                    f"{self.name}: saturation_bounds must satisfy largest observation {vmax:g} "
                    f"< lower < upper, got ({lo:g}, {hi:g})"
                )
        return lo, hi

    def _fit_free(self, t: np.ndarray, v: np.ndarray) -> None:
        from scipy.optimize import least_squares

        self.method_ = "nonlinear least squares on log values, K free within bounds (scipy)"
        self.scale_ = "log"
        self._mode = "free"
        lo, hi = self._bounds(v)
        self._logk_bounds = (math.log(lo), math.log(hi))
        logv = np.log(v)
        design = np.column_stack([np.ones_like(t), t - t[-1]])

        # Deterministic start: the best linearised fit over a grid of K values.
        best = None
        for k in np.geomspace(lo, hi, 25):
            beta, *_ = np.linalg.lstsq(design, self._link(v / k), rcond=None)
            r = max(float(beta[1]), 1e-3)
            theta = np.array([math.log(k), math.log(r), self.t_last_ - beta[0] / r])
            ssr = float(np.sum((logv - self._z_path(theta[None, :], t)[0]) ** 2))
            if np.isfinite(ssr) and (best is None or ssr < best[0]):
                best = (ssr, theta)
        if best is None:
            raise ModelError(f"{self.name}: no finite starting fit for K in [{lo:g}, {hi:g}]")
        start = best[1]
        span = t[-1] - t[0]
        lower = [self._logk_bounds[0], math.log(1e-4), t[0] - 100 - 10 * span]
        upper = [self._logk_bounds[1], math.log(20.0), t[-1] + 100 + 10 * span]
        start = np.clip(start, np.array(lower) + 1e-9, np.array(upper) - 1e-9)

        def resid(theta: np.ndarray) -> np.ndarray:
            return logv - self._z_path(theta[None, :], t)[0]

        sol = least_squares(resid, start, bounds=(lower, upper), x_scale="jac", method="trf")
        theta = sol.x
        self.residuals_ = resid(theta)
        jac = sol.jac
        self._theta = theta
        self._cov_unscaled = np.linalg.pinv(jac.T @ jac)
        self._set_sigma(self.residuals_, t.size - 3)
        cov = self._cov_unscaled * self.sigma_**2
        k, r, mid = math.exp(theta[0]), math.exp(theta[1]), float(theta[2])
        self.params_ = {"saturation": k, "rate": r, "midpoint": mid}
        self.bse_ = {
            "saturation": k * float(np.sqrt(cov[0, 0])),
            "rate": r * float(np.sqrt(cov[1, 1])),
            "midpoint": float(np.sqrt(cov[2, 2])),
        }
        self.param_units_ = {"saturation": "value unit", "rate": "1/yr", "midpoint": "year"}
        rel = min(abs(theta[0] - self._logk_bounds[0]), abs(theta[0] - self._logk_bounds[1]))
        self._k_at_bound = rel < 1e-3
        if self._k_at_bound:
            self.notes_.append(
                f"K = {k:,.4g} sits at a bound of [{lo:,.4g}, {hi:,.4g}]: the data do not pin "
                "the ceiling down; its bse is conditional on the bound and draws are clipped to it"
            )
        self.notes_.append(
            "saturation draws are clipped to the bounds, which are an assumption, not data"
        )

    def _aic_valid(self) -> bool:
        return self._mode == "free"

    def _clip_theta(self, theta: np.ndarray) -> np.ndarray:
        if getattr(self, "_mode", "fixed") == "free":
            theta[:, 0] = np.clip(theta[:, 0], *self._logk_bounds)
        return theta

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        if self._mode == "fixed":
            return theta[:, [0]] + theta[:, [1]] * (t - self.t_last_)
        k = np.exp(theta[:, [0]])
        r = np.exp(theta[:, [1]])
        level = type(self)._curve(t, k, r, theta[:, [2]])
        return np.log(np.maximum(level, np.finfo(float).tiny))

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        if self._mode == "fixed":
            return self._k * self._inv_link(z)
        return super()._to_level(z)

    def predict(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        t = _as_years(X)
        p = self.params_
        with np.errstate(all="ignore"):
            return type(self)._curve(t, p["saturation"], p["rate"], p["midpoint"])

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._mode == "fixed":
            return f"{text}; K = {self._k:,.0f} assumed (scenario), not estimated"
        lo, hi = (math.exp(b) for b in self._logk_bounds)
        text += f"; K estimated within [{lo:,.0f}, {hi:,.0f}]"
        if self._k_at_bound:
            text += " and sits at a bound"
        return text


class LogisticCurve(_SaturatingCurve):
    """Logistic curve ``K / (1 + exp(-r (t - t0)))`` (see :func:`forecast.models.curves.logistic`).

    Parameters
    ----------
    saturation : float, optional
        Fixed saturation level K [value unit], e.g. a capacity or demand ceiling from a
        scenario; must exceed every observation. With K fixed, ``logit(y / K)`` is linear in
        the year and OLS gives r and t0 with ``n - 2`` df. If None, K is estimated with
        :func:`scipy.optimize.least_squares` on log values within ``saturation_bounds``
        (3 parameters: needs >= 4 points; ``n - 3`` df).
    saturation_bounds : (float, float), optional
        Bounds for a free K [value unit]; default ``(1.05, 10) x`` the largest observation.
    fallback_sigma : float, optional
        Fit-scale residual sigma used when ``df_resid = 0``.
    """

    name = "logistic"
    _curve = staticmethod(curves.logistic)
    _link_scale = "logit"

    def __init__(
        self,
        saturation: float | None = None,
        saturation_bounds: tuple[float, float] | None = None,
        fallback_sigma: float | None = None,
    ) -> None:
        self.saturation = saturation
        self.saturation_bounds = saturation_bounds
        self.fallback_sigma = fallback_sigma

    @staticmethod
    def _link(frac: np.ndarray) -> np.ndarray:
        return np.log(frac) - np.log1p(-frac)

    @staticmethod
    def _inv_link(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(z, -_LOG_CAP, _LOG_CAP)))


class GompertzCurve(_SaturatingCurve):
    """Gompertz curve ``K exp(-exp(-r (t - t0)))`` (see :func:`forecast.models.curves.gompertz`).

    With K fixed, ``-log(-log(y / K))`` is linear in the year (OLS, ``n - 2`` df); with K
    free the fit is nonlinear least squares on log values within bounds (``n - 3`` df).
    Parameters as for :class:`LogisticCurve`.
    """

    name = "gompertz"
    _curve = staticmethod(curves.gompertz)
    _link_scale = "gompertz"

    def __init__(
        self,
        saturation: float | None = None,
        saturation_bounds: tuple[float, float] | None = None,
        fallback_sigma: float | None = None,
    ) -> None:
        self.saturation = saturation
        self.saturation_bounds = saturation_bounds
        self.fallback_sigma = fallback_sigma

    @staticmethod
    def _link(frac: np.ndarray) -> np.ndarray:
        return -np.log(-np.log(frac))

    @staticmethod
    def _inv_link(z: np.ndarray) -> np.ndarray:
        return np.exp(-np.exp(-np.clip(z, -_LOG_CAP, _LOG_CAP)))


# --------------------------------------------------------------------------- damped trend


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
      ``(b, phi)`` comes from the Jacobian (2 parameters, ``n - 3`` df). The innovation
      sigma accumulates after the last year (random-walk noise on log values).

    Parameters
    ----------
    damping : float, optional
        Fixed damping factor phi in (0, 1]; None estimates it.
    damping_bounds : (float, float)
        Range for an estimated phi; default ``(0.5, 1.0)``.
    use_statsmodels : bool
        Try statsmodels ETS when the series is long enough (default True).
    fallback_sigma : float, optional
        Log-growth sigma [1/yr] used when ``df_resid = 0``.
    """

    name = "damped"
    noise = "cumulative"

    def __init__(
        self,
        damping: float | None = None,
        damping_bounds: tuple[float, float] = (0.5, 1.0),
        use_statsmodels: bool = True,
        fallback_sigma: float | None = None,
    ) -> None:
        self.damping = damping
        self.damping_bounds = damping_bounds
        self.use_statsmodels = use_statsmodels
        self.fallback_sigma = fallback_sigma

    @property
    def min_obs_reason(self) -> str:  # type: ignore[override]
        if self.damping is None:
            return "growth rates for a level and a damping factor"
        return "one growth rate"

    def _min_obs(self) -> int:
        return 2 if self.damping is not None else 3

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
        self.df_resid_ = int(t.size - self._theta.size)
        self.sigma_ = float(np.sqrt(np.sum(self.residuals_**2) / max(self.df_resid_, 1)))
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

        if self.damping is not None:
            phi = float(self.damping)
            b, resid, sxx = fit_b(phi)
            self._phi_fixed = True
            self._theta = np.array([b])
            self._cov_unscaled = np.array([[1.0 / sxx]])
            self.residuals_ = resid
            self._set_sigma(resid, g.size - 1)
            se_phi = math.nan
            self.notes_.append(f"damping factor phi = {phi:g} fixed by assumption")
        else:
            from scipy.optimize import minimize_scalar

            grid = np.linspace(lo, hi, 101)
            ssr = [float(np.sum(fit_b(p)[1] ** 2)) for p in grid]
            i = int(np.argmin(ssr))
            a_lo, a_hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            phi = grid[i]
            if a_hi > a_lo:
                opt = minimize_scalar(
                    lambda p: float(np.sum(fit_b(p)[1] ** 2)),
                    bounds=(a_lo, a_hi),
                    method="bounded",
                    options={"xatol": 1e-10},
                )
                if opt.fun <= ssr[i]:
                    phi = float(opt.x)
            b, resid, _ = fit_b(phi)
            self._phi_fixed = False
            self._theta = np.array([b, phi])
            jac = np.column_stack([phi**k, b * k * phi ** (k - 1.0)])
            self._cov_unscaled = np.linalg.pinv(jac.T @ jac)
            self.residuals_ = resid
            self._set_sigma(resid, g.size - 2)
            se_phi = self.sigma_ * float(np.sqrt(self._cov_unscaled[1, 1]))
            if min(phi - lo, hi - phi) < 1e-6:
                self.notes_.append(
                    f"phi = {phi:.4g} sits at a bound of [{lo:g}, {hi:g}]; draws of phi are "
                    "clipped to the bounds"
                )
        self._phi = phi
        se_b = self.sigma_ * float(np.sqrt(self._cov_unscaled[0, 0]))
        self.params_ = {"growth_last": math.expm1(b), "damping": phi}
        self.bse_ = {"growth_last": math.exp(b) * se_b, "damping": se_phi}
        self.param_units_ = {"growth_last": "fraction/yr (trend in the last year)",
                             "damping": "-"}

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
        t = _as_years(X)
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
        if getattr(self, "_ets", None) is None:
            return super().sample(X, n_draws=n_draws, seed=seed)
        t = _as_years(X)
        h = np.rint(t - self.t_last_).astype(int)
        horizon = max(int(h.max(initial=0)), 1)
        rng = make_rng(seed)
        sims = np.asarray(
            self._ets.simulate(horizon, anchor="end", repetitions=int(n_draws), rng=rng), float
        ).reshape(horizon, int(n_draws))
        out = np.empty((int(n_draws), t.size))
        central = self.predict(t)
        ahead = h >= 1
        out[:, ~ahead] = central[~ahead]
        out[:, ahead] = np.exp(np.clip(sims[h[ahead] - 1].T, -_LOG_CAP, _LOG_CAP))
        return out

    def _caveat(self) -> str:
        text = super()._caveat()
        if self._ets is not None:
            return text + "; statsmodels ETS, innovation noise only"
        src = "assumed" if self._phi_fixed else "profiled"
        return f"{text} (on {self.n_obs_ - 1} growth rates); phi = {self._phi:.3g} {src}"


# --------------------------------------------------------------------------- Bass


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
    fallback_sigma : float, optional
        Log-scale residual sigma used when ``df_resid = 0``.
    """

    name = "bass"
    scale_ = "log"

    def __init__(
        self,
        market: float | None = None,
        market_bounds: tuple[float, float] | None = None,
        t_start: float | None = None,
        fallback_sigma: float | None = None,
    ) -> None:
        self.market = market
        self.market_bounds = market_bounds
        self.t_start = t_start
        self.fallback_sigma = fallback_sigma

    @property
    def min_obs_reason(self) -> str:  # type: ignore[override]
        return "p and q with m fixed" if self.market is not None else "p, q and m"

    def _min_obs(self) -> int:
        return 3 if self.market is not None else 4

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        from scipy.optimize import least_squares

        self._t0 = float(t[0] - 1.0) if self.t_start is None else float(self.t_start)
        if self._t0 >= t[0]:
            raise ModelError(
                f"{self.name}: t_start {self._t0:g} must be before the first year {t[0]:g}"
            )
        cum = float(v.sum())
        if self.market is not None:
            m = float(self.market)
            if not np.isfinite(m) or m <= cum:
                raise ModelError(
                    f"{self.name}: market potential {m:g} must exceed the cumulative value "
                    f"already observed ({cum:g})"
                )
            self._fixed_m = m
            mb = None
        else:
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
        self._cov_unscaled = np.linalg.pinv(best.jac.T @ best.jac)
        self._set_sigma(self.residuals_, t.size - theta.size)
        cov = self._cov_unscaled * self.sigma_**2
        p, q = math.exp(theta[0]), math.exp(theta[1])
        m = self._fixed_m if self._fixed_m is not None else math.exp(theta[2])
        self.params_ = {"market": m, "p": p, "q": q}
        self.bse_ = {
            "market": math.nan if self._fixed_m is not None else m * float(np.sqrt(cov[2, 2])),
            "p": p * float(np.sqrt(cov[0, 0])),
            "q": q * float(np.sqrt(cov[1, 1])),
        }
        self.param_units_ = {"market": "cumulative value unit" + (
            " (assumed)" if self._fixed_m is not None else ""), "p": "1/yr", "q": "1/yr"}
        at_bound = np.isclose(theta, lower, atol=1e-6) | np.isclose(theta, upper, atol=1e-6)
        if at_bound.any():
            names = np.array(["p", "q", "market"][: theta.size])[at_bound]
            self.notes_.append(
                f"{', '.join(names)} at a search bound: the data do not pin it down"
            )
        self.notes_.append(
            f"adoption clock starts in {self._t0:g}; cumulative output before it is ignored"
        )

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


# --------------------------------------------------------------------------- registry

#: Registry of growth models by name, for notebooks and backtests to iterate over.
GROWTH_MODELS: dict[str, type[GrowthModel]] = {
    cls.name: cls
    for cls in (
        EndpointCAGR,
        LeastSquaresCAGR,
        LinearTrend,
        ExponentialTrend,
        LogisticCurve,
        GompertzCurve,
        DampedTrend,
        BassDiffusion,
    )
}


def make_model(name: str, **kwargs: Any) -> GrowthModel:
    """Construct a registered growth model by name.

    Parameters
    ----------
    name : str
        One of :data:`GROWTH_MODELS` (``cagr_endpoint``, ``cagr_ls``, ``linear``,
        ``exponential``, ``logistic``, ``gompertz``, ``damped``, ``bass``).
    **kwargs
        Constructor arguments of that model (e.g. ``saturation=3800.0``).

    Returns
    -------
    GrowthModel
        An unfitted estimator.
    """
    try:
        cls = GROWTH_MODELS[name]
    except KeyError:
        known = ", ".join(GROWTH_MODELS)
        raise ModelError(f"unknown growth model {name!r}; choose one of: {known}") from None
    try:
        return cls(**kwargs)
    except TypeError:
        allowed = ", ".join(cls().get_params()) or "none"
        raise ModelError(
            f"growth model {name!r} got unknown arguments {sorted(kwargs)}; allowed: {allowed}"
        ) from None
