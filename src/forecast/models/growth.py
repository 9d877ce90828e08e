"""What every growth model of an annual series shares: input checks, sigma, draws, summary.

Growth models (:mod:`~forecast.models.trend`, :mod:`~forecast.models.saturating`,
:mod:`~forecast.models.damped`, :mod:`~forecast.models.bass`) subclass :class:`GrowthModel`,
which adds to the interface of :class:`~forecast.models.base.BaseModel`:

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
from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models.base import EXACT_FIT_NOTE, BaseModel, as_float, as_years
from forecast.models.ols import matrix_sqrt
from forecast.models.uncertainty import make_rng

__all__ = ["DEFAULT_FALLBACK_SIGMA", "LOG_CAP", "GrowthModel", "check_xy"]

#: Residual standard deviation assumed when ``df_resid == 0`` leaves nothing to estimate it
#: from: 0.10 on the fit scale (about +-10% a year on log scales); for the linear model,
#: which works on levels, 0.10 times the last observed value.
DEFAULT_FALLBACK_SIGMA = 0.10

#: exp() of log-scale draws is capped here: heavy-tailed t draws (df 1 or 2) must stay
#: finite so that quantiles and means can be computed without overflow.
LOG_CAP = 300.0


def check_xy(
    x: ArrayLike, y: ArrayLike, name: str, min_obs: int, reason: str, positive: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Validated, year-sorted copies of the training data (raises ModelError).

    Parameters
    ----------
    x, y : array_like
        Years [calendar year] and values [value unit].
    name : str
        Model name for the messages.
    min_obs : int
        Fewest points the model accepts; ``reason`` says why.
    positive : bool
        Whether every value must be > 0 (log models).
    """
    t = as_years(x)
    v = as_float(y, f"{name}: values")
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


class GrowthModel(BaseModel):
    """Common machinery of the growth models (see the module docstring).

    Subclasses implement ``_fit(t, v)`` (set ``_theta``, ``_cov_unscaled``, residuals,
    ``params_``, ``bse_``, ``param_units_``, ``method_``) and ``_z_path(theta, t)``: the
    central path on the fit scale for parameter rows ``theta`` of shape ``(k, p)`` and years
    ``t`` of shape ``(m,)`` -> ``(k, m)``; ``_to_level(z)`` is the inverse of the fit-scale
    transform (``exp`` unless overridden).

    Parameters
    ----------
    fallback_sigma : float, optional
        Fit-scale residual sigma used when ``df_resid = 0`` (default
        :data:`DEFAULT_FALLBACK_SIGMA`); models with more settings define their own
        ``__init__``.
    """

    name: ClassVar[str] = "growth"
    family: ClassVar[str] = "growth"
    #: The fewest points the model accepts, and why.
    min_obs: ClassVar[int] = 2
    min_obs_reason: ClassVar[str] = ""
    #: For a model with one setting that is either fixed by assumption or estimated: the
    #: setting's name, and the fewest points (and why) when it is left to be estimated
    #: (``min_obs`` and ``min_obs_reason`` then describe the fixed case).
    estimable: ClassVar[tuple[str, int, str] | None] = None
    #: True when the model works on logarithms (values must be > 0).
    positive: ClassVar[bool] = True
    #: "independent": year-on-year noise around a trend; "cumulative": random-walk noise
    #: that accumulates after the last observation.
    noise: ClassVar[str] = "independent"
    #: The fit scale ``scale_`` unless ``_fit`` sets another.
    _scale: ClassVar[str] = "log"

    def __init__(self, fallback_sigma: float | None = None) -> None:
        self.fallback_sigma = fallback_sigma

    # -- fitting ---------------------------------------------------------------------------

    def _min_obs(self) -> tuple[int, str]:
        """The fewest points this configuration accepts, and why."""
        if self.estimable is not None and getattr(self, self.estimable[0]) is None:
            return self.estimable[1], self.estimable[2]
        return self.min_obs, self.min_obs_reason

    def _check_above(self, value: float, floor: float, what: str, floor_text: str) -> float:
        """``value`` as a float, if it is finite and above ``floor`` (a fixed assumption must
        exceed what the data already show), else a ModelError naming ``what``."""
        out = float(value)
        if not np.isfinite(out) or out <= floor:
            raise ModelError(f"{self.name}: {what} {out:g} must exceed {floor_text}")
        return out

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
        self._forget_fit()
        t, v = check_xy(X, y, self.name, *self._min_obs(), positive=self.positive)
        self.n_obs_ = int(t.size)
        self.years_ = t
        self.values_ = v
        self.t_last_ = float(t[-1])
        self.notes_: list[str] = []
        self.sigma_source_ = "estimated"
        self.scale_ = self._scale
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
        return np.exp(np.clip(z, -LOG_CAP, LOG_CAP))

    def _set_sigma(self, resid: np.ndarray, df: int, fallback_scale: float = 1.0) -> None:
        """Residual sigma from ``resid`` with ``df`` degrees of freedom, or the fallback."""
        self.df_resid_ = int(df)
        if df > 0:
            self.sigma_ = float(np.sqrt(np.sum(resid**2) / df))
            # Round-off leaves ~1e-15 residuals on exact curves: call that exact too.
            if np.all(np.abs(resid) <= 1e-9 * max(1.0, fallback_scale)):
                self.notes_.append(EXACT_FIT_NOTE)
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

    # -- projecting ------------------------------------------------------------------------

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
        t = as_years(X)
        with np.errstate(all="ignore"):
            return self._to_level(self._z_path(self._theta[None, :], t))[0]

    def _param_draws(self, rng: np.random.Generator, n: int, scale: np.ndarray) -> np.ndarray:
        z = rng.standard_normal((n, self._theta.size))
        root = matrix_sqrt(self._cov_unscaled) * self.sigma_
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

        Arguments as :meth:`BaseModel.sample`.

        Returns
        -------
        ndarray
            Draws [value unit], shape ``(n_draws, n_years)``.
        """
        self._check_fitted()
        t = as_years(X)
        n = self._check_draw_count(n_draws)
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

    # -- summary ---------------------------------------------------------------------------

    def _summary_head(self) -> list[str]:
        return [
            f"{type(self).__name__} ({self.name})",
            f"method: {self.method_}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"parameters estimated: {self.n_params_}; df_resid: {self.df_resid_}",
            f"residual sigma: {self.sigma_:.4g} on the {self.scale_} scale ({self.sigma_source_})",
            f"fit: RMSE log {self.rmse_log_:.4g}, RMSE level {self.rmse_level_:.4g}, "
            f"AIC (log scale) {self.aic_:.4g}",
        ]

    def _summary_tail(self) -> list[str]:
        return [f"caveat: {self.caveat_}"]
