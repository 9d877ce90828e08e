"""Share of one part in a whole: logit helpers and the Fisher-Pry (logit-linear) trend.

:class:`LogitShare` is the logit-linear trend of one share, e.g. China's share of world
production or LFP's share of China's power-battery installations. The share ``s`` is mapped
to ``z = logit((s - floor) / (cap - floor))`` and ``z`` is fitted by OLS on the year, so every
projection stays strictly between ``floor`` and ``cap`` (default 0 and 1). Intervals come
from the OLS on the logit scale: Student t with the residual degrees of freedom, or a normal
with a stated logit-scale sigma when the residuals cannot (two points) or should not be
used. It has the interface of :class:`~forecast.models.base.BaseModel`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from forecast.errors import ModelError
from forecast.models.base import (
    EXACT_FIT_NOTE,
    BaseModel,
    as_float,
    as_years,
    check_share_rows,
)
from forecast.models.ols import draw_lines, ols_line, sigma_draws
from forecast.models.uncertainty import LEVELS, make_rng

__all__ = [
    "LOGIT_CLIP",
    "LogitShare",
    "logit",
    "shares_from_levels",
    "two_part_share",
]

#: Logit values are clipped to +-this before mapping back to shares, so floating point can
#: never return a share exactly on a bound (expit(25) = 1 - 1.4e-11).
LOGIT_CLIP: float = 25.0


def logit(p: ArrayLike) -> np.ndarray:
    """Log-odds ``log(p / (1 - p))``.

    Parameters
    ----------
    p : array_like
        Shares strictly inside (0, 1) [fraction].

    Returns
    -------
    ndarray
        Log-odds [logit units].

    Raises
    ------
    ModelError
        If any value is NaN or outside the open interval (0, 1).
    """
    arr = as_float(p, "shares")
    if not np.all(np.isfinite(arr)):
        raise ModelError("logit needs finite shares; got NaN or infinity")
    if np.any(arr <= 0.0) or np.any(arr >= 1.0):
        bad = arr[(arr <= 0.0) | (arr >= 1.0)].ravel()[0]
        raise ModelError(f"logit needs shares strictly between 0 and 1; got {bad:g}")
    return special.logit(arr)


def _bounded_from_logit(z: np.ndarray, floor: float, cap: float) -> np.ndarray:
    """Map logits to shares strictly inside (floor, cap).

    Each half is computed from the bound it is near (``cap - width * expit(-z)`` above the
    midpoint), so rounding cannot land a share on the bound.
    """
    zc = np.clip(z, -LOGIT_CLIP, LOGIT_CLIP)
    tail = (cap - floor) * special.expit(-np.abs(zc))
    return np.where(zc >= 0.0, cap - tail, floor + tail)



def shares_from_levels(levels: ArrayLike) -> np.ndarray:
    """Normalise segment levels to shares of their own sum.

    Parameters
    ----------
    levels : array_like
        Non-negative segment levels, segments on the last axis [e.g. GWh].

    Returns
    -------
    ndarray
        Shares [fraction] that sum to one along the last axis. Note that published segment
        figures need not add up to a published total (China 2024: 823 + 94 + 254 = 1,171 GWh
        against 1,170 GWh); the shares are of the segments' own sum.
    """
    arr = as_float(levels, "segment levels")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0.0):
        raise ModelError("segment levels must be finite and non-negative")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total <= 0.0):
        raise ModelError("every row of segment levels needs a positive sum")
    return arr / total



def two_part_share(part: ArrayLike, other: ArrayLike) -> np.ndarray:
    """Share of ``part`` in ``part + other``, e.g. LFP in LFP + ternary installations.

    Parameters
    ----------
    part, other : array_like
        Non-negative levels of the same unit [e.g. GWh].

    Returns
    -------
    ndarray
        ``part / (part + other)`` [fraction].
    """
    stacked = np.stack([np.asarray(part, float), np.asarray(other, float)], axis=-1)
    return shares_from_levels(stacked)[..., 0]


@dataclass(eq=False, repr=False, kw_only=True)
class LogitShare(BaseModel):
    """Logit-linear (Fisher-Pry) trend of a share bounded by ``floor`` and ``cap``.

    The model is ``logit((s_t - floor) / (cap - floor)) = a + b (t - t_last) + e_t`` with
    ``e_t ~ N(0, sigma^2)`` independent across years, fitted by OLS on the logit scale.
    ``b`` is the Fisher-Pry rate [1/year] and the midpoint ``t_last - a / b`` is the year the
    share is half way between floor and cap.

    Draws (:meth:`sample`) take intercept and slope from ``N(beta, sigma^2 (X'X)^-1)`` and, by
    default, add the yearly scatter ``N(0, sigma^2)``; with an estimated sigma both are scaled
    by one ``sqrt(df / chi2_df)`` factor per draw, so each year follows exactly the Student-t
    OLS interval with ``df_resid_`` degrees of freedom (see :meth:`predict_interval`).

    Parameters
    ----------
    cap : float
        Ceiling the share approaches but never reaches [fraction], ``floor < cap <= 1``. A
        modeller who holds that China's share saturates at 85% sets ``cap=0.85``.
    floor : float
        Floor of the share [fraction], ``0 <= floor < cap``.
    sigma : float, optional
        Stated residual standard deviation on the logit scale [logit units]. ``None`` (default)
        estimates it from the residuals, which needs at least 3 points. With 2 points the line
        is exactly determined and there is no residual estimate: the model still fits, but
        :meth:`sample` and :meth:`predict_interval` raise :class:`~forecast.errors.ModelError`
        until a sigma is stated, rather than return a zero-width band. A stated sigma is
        treated as known (normal draws, not t) and overrides the residual estimate.
    include_noise : bool
        True (default): draws of the share that will be observed in a year (trend uncertainty
        plus yearly scatter, the OLS prediction interval). False: draws of the trend line only
        (parameter uncertainty, the OLS confidence interval).

    Attributes
    ----------
    n_obs_ : int
        Number of points fitted.
    years_, shares_ : ndarray
        Fitted data sorted by year [year], [fraction].
    t_last_ : float
        Last observed year, the reference year of the intercept [year].
    intercept_ : float
        Fitted logit at ``t_last_`` [logit units].
    rate_ : float
        Fisher-Pry rate, the slope of the logit [1/year].
    midpoint_ : float
        Year at which the trend is half way between floor and cap [year]; NaN if flat.
    df_resid_ : int
        Residual degrees of freedom, ``n_obs_ - 2``.
    resid_sigma_ : float or None
        Residual sd on the logit scale [logit units]; None when ``df_resid_ == 0``.
    sigma_ : float or None
        The sigma the draws use [logit units]: stated, else estimated; None if neither.
    sigma_source_ : str
        ``"stated"``, ``"estimated"`` or ``"unavailable"``.
    residuals_ : ndarray
        Residuals on the logit scale [logit units].
    scale_ : str
        ``"logit"``, the fit scale.
    params_, bse_ : dict
        ``rate``, ``midpoint``, ``intercept`` and their standard errors (NaN without a sigma).
    param_units_ : dict
        Unit of each parameter.
    notes_ : list of str
        Plain-language remarks on the fit (e.g. why draws need a stated sigma).
    """

    name: ClassVar[str] = "logit_share"
    family: ClassVar[str] = "share"
    fit_call: ClassVar[str] = "fit(years, shares)"

    cap: float = 1.0
    floor: float = 0.0
    sigma: float | None = None
    include_noise: bool = True

    # -- settings ------------------------------------------------------------------------

    def _check_settings(self) -> tuple[float, float]:
        cap, floor = float(self.cap), float(self.floor)
        if not (np.isfinite(cap) and np.isfinite(floor)) or not 0.0 <= floor < cap <= 1.0:
            raise ModelError(f"need 0 <= floor < cap <= 1; got floor={floor:g}, cap={cap:g}")
        # A stated sigma of 0 would be a zero-width band; use predict() for the bare trend.
        if self.sigma is not None and not (np.isfinite(self.sigma) and self.sigma > 0.0):
            raise ModelError(f"sigma must be a positive logit-scale sd; got {self.sigma!r}")
        return floor, cap

    def _to_logit(self, shares: np.ndarray, floor: float, cap: float) -> np.ndarray:
        inside = (shares > floor) & (shares < cap)
        if not np.all(inside):
            bad = shares[~inside][0]
            raise ModelError(
                f"share {bad:g} is not strictly between floor {floor:g} and cap {cap:g}; "
                "the logit of a share on or beyond a bound is infinite"
            )
        return logit((shares - floor) / (cap - floor))

    # -- fitting -------------------------------------------------------------------------

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogitShare:
        """Fit the logit-linear trend by OLS.

        Parameters
        ----------
        X : array_like
            Observation years, shape ``(n,)`` or ``(n, 1)`` [year], distinct.
        y : array_like
            Observed shares, shape ``(n,)`` [fraction], strictly between ``floor`` and
            ``cap``.

        Returns
        -------
        LogitShare
            ``self``, fitted.

        Raises
        ------
        ModelError
            Fewer than 2 points, mismatched lengths, NaN, repeated years, or a share on or
            outside the bounds.
        """
        self._forget_fit()
        floor, cap = self._check_settings()
        t = as_years(X)
        s = as_float(y, "shares")
        if s.ndim == 2 and s.shape[1] == 1:
            s = s[:, 0]
        if s.ndim != 1:
            raise ModelError(f"shares must be one-dimensional; got shape {s.shape}")
        check_share_rows(t, s, "shares")
        order = np.argsort(t, kind="stable")
        t, s = t[order], s[order]
        z = self._to_logit(s, floor, cap)
        t_last = float(t[-1])
        fit = ols_line(t - t_last, z[:, None])
        self.n_obs_ = len(t)
        self.years_ = t
        self.shares_ = s
        self.t_last_ = t_last
        self.scale_ = "logit"
        a = float(fit["beta"][0, 0])
        b = float(fit["beta"][1, 0])
        self.intercept_ = a
        self.rate_ = b
        self.midpoint_ = t_last - a / b if b != 0.0 else float("nan")
        self.df_resid_ = int(fit["df"])
        self.resid_sigma_ = None if fit["sigma"] is None else float(fit["sigma"][0])
        self.residuals_ = fit["resid"][:, 0]
        self._line = fit
        self._choose_sigma()
        self.param_units_ = {"rate": "1/year", "midpoint": "year", "intercept": "logit"}
        self.params_ = {"rate": b, "midpoint": self.midpoint_, "intercept": a}
        cov = fit["xtx_inv"] * (self.sigma_**2 if self.sigma_ is not None else np.nan)
        grad_mid = np.array([-1.0 / b, a / b**2]) if b != 0.0 else np.full(2, np.nan)
        self.bse_ = {
            "rate": float(np.sqrt(cov[1, 1])),
            "midpoint": float(np.sqrt(grad_mid @ cov @ grad_mid)),
            "intercept": float(np.sqrt(cov[0, 0])),
        }
        return self

    def _choose_sigma(self) -> None:
        """The sigma the draws use (stated, else estimated, else none) and notes saying so."""
        self.notes_: list[str] = []
        if self.sigma is not None:
            self.sigma_: float | None = float(self.sigma)
            self.sigma_source_ = "stated"
            self.notes_.append(
                f"draws use the stated logit-scale sigma {self.sigma_:g} as known (normal)"
            )
        elif self.resid_sigma_ is not None:
            self.sigma_ = self.resid_sigma_
            self.sigma_source_ = "estimated"
            self.notes_.append(f"draws are Student t with {self.df_resid_} df from the residuals")
            if self.df_resid_ == 1:
                self.notes_.append(
                    "df_resid = 1: t with 1 df has Cauchy tails, so the bands are very wide "
                    "and the mean of the draws is not meaningful: read p50"
                )
            if self.resid_sigma_ == 0.0:
                self.notes_.append(EXACT_FIT_NOTE)
        else:
            self.sigma_ = None
            self.sigma_source_ = "unavailable"
            self.notes_.append(
                "2 points determine the line exactly (df_resid = 0): no residual sigma can be "
                "estimated, so draws need a stated logit-scale sigma (LogitShare(sigma=...))"
            )

    def _require_sigma(self) -> float:
        if self.sigma_ is None:
            raise ModelError(
                f"{self.n_obs_} points leave 0 residual degrees of freedom, so the "
                "logit-scale sigma cannot be estimated: state one, e.g. LogitShare(sigma=0.2)"
            )
        return self.sigma_

    # -- projection ----------------------------------------------------------------------

    def predict_logit(self, X: ArrayLike) -> np.ndarray:
        """Trend on the logit scale, shape ``(n_years,)`` [logit units]."""
        self._check_fitted()
        return self.intercept_ + self.rate_ * (as_years(X) - self.t_last_)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Trend share, shape ``(n_years,)`` [fraction]: the median of the draws."""
        self._check_fitted()
        floor, cap = self._check_settings()
        return _bounded_from_logit(self.predict_logit(X), floor, cap)

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws of the share (arguments as :meth:`BaseModel.sample`).

        Returns
        -------
        ndarray
            Shares, shape ``(n_draws, n_years)`` [fraction], strictly between floor and cap.

        Raises
        ------
        ModelError
            If the model is unfitted, or fitted on 2 points with no stated ``sigma``.
        """
        self._check_fitted()
        floor, cap = self._check_settings()
        n_draws = self._check_draw_count(n_draws)
        sigma = self._require_sigma()
        t = as_years(X) - self.t_last_
        rng = make_rng(seed)
        if self.sigma_source_ == "stated":
            sig = sigma_draws(sigma, None, 0, n_draws, rng, 1)
        else:
            sig = sigma_draws(None, np.array([sigma]), self.df_resid_, n_draws, rng, 1)
        a, b = draw_lines(self._line, sig, rng)
        z = a + b * t
        if self.include_noise:
            z = z + sig * rng.standard_normal((n_draws, len(t)))
        return _bounded_from_logit(z, floor, cap)

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int | None = None, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact equal-tailed interval of the share (no simulation).

        Computed on the logit scale, ``z_hat +- q * sigma * sqrt(noise + x'(X'X)^-1 x)`` with
        ``q`` from Student t with ``df_resid_`` df (normal for a stated sigma), and mapped back,
        which is exact because the map is monotone. :meth:`sample` draws agree with it.

        Parameters
        ----------
        X : array_like
            Years, shape ``(n_years,)`` [year].
        level : float
            Coverage in (0, 1), e.g. 0.8 or 0.95.
        n_draws, seed
            Accepted for the growth-model interface; unused because the interval is exact.

        Returns
        -------
        (lower, upper) : tuple of ndarray
            Bounds, each of shape ``(n_years,)`` [fraction].
        """
        from scipy import stats

        self._check_fitted()
        floor, cap = self._check_settings()
        level = self._check_level(level)
        z, scale, df = self.predictive_logit(X)
        p = 0.5 + level / 2.0
        q = float(stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df))
        half = q * scale
        return _bounded_from_logit(z - half, floor, cap), _bounded_from_logit(z + half, floor, cap)

    def predictive_logit(self, X: ArrayLike) -> tuple[np.ndarray, np.ndarray, float]:
        """Location, scale and degrees of freedom of the share's distribution on the logit scale.

        The share in year ``x`` is ``floor + (cap - floor) * expit(z + scale * T)`` with ``T``
        Student t with ``df`` degrees of freedom (standard normal, ``df = inf``, for a stated
        sigma); ``scale = sigma * sqrt(noise + x'(X'X)^-1 x)``. This is the distribution
        :meth:`predict_interval` takes its bounds from, for callers that need quantiles
        (e.g. a scenario drawing its share target from the fit).

        Parameters
        ----------
        X : array_like
            Years, shape ``(n_years,)`` [year].

        Returns
        -------
        (z, scale, df) : tuple
            ``z`` and ``scale`` of shape ``(n_years,)`` [logit units]; ``df`` a float.
        """
        self._check_fitted()
        sigma = self._require_sigma()
        t = as_years(X) - self.t_last_
        x = np.column_stack([np.ones_like(t), t])
        var = np.einsum("ij,jk,ik->i", x, self._line["xtx_inv"], x)
        if self.include_noise:
            var = var + 1.0
        df = math.inf if self.sigma_source_ == "stated" else float(self.df_resid_)
        return self.predict_logit(X), sigma * np.sqrt(var), df

    def bands(self, X: ArrayLike, n_draws: int | None = None, seed: Any = None) -> dict[Any, Any]:
        """Trend and every :data:`~forecast.models.uncertainty.LEVELS` interval (exact).

        Returns
        -------
        dict
            ``{"central": ndarray, 0.8: (lo, hi), 0.95: (lo, hi)}`` [fraction].
        """
        out: dict[Any, Any] = {"central": self.predict(X)}
        for level in LEVELS:
            out[level] = self.predict_interval(X, level)
        return out

    def _summary_head(self) -> list[str]:
        floor, cap = self._check_settings()
        resid = (
            "not estimable (2 points determine the line exactly)"
            if self.resid_sigma_ is None
            else f"{self.resid_sigma_:.4g}"
        )
        sigma = "none" if self.sigma_ is None else f"{self.sigma_:.4g}"
        return [
            f"LogitShare ({self.name}): logit((s - floor) / (cap - floor)) = a + b (year - "
            f"{self.t_last_:g})",
            f"bounds: floor {floor:g}, cap {cap:g}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"df_resid: {self.df_resid_}",
            f"residual sigma (logit scale): {resid}",
            f"sigma used for draws: {sigma} ({self.sigma_source_})",
            "interval: "
            + ("prediction (trend + yearly scatter)" if self.include_noise else "trend only"),
        ]

    def _summary_body(self) -> list[str]:
        return self._param_table(key_width=12, width=12, se_format=".4g", missing="n/a")
