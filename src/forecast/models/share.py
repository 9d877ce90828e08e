"""Share of one part in a whole: shares of levels and the Fisher-Pry trend (:class:`LogitShare`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from forecast.errors import ModelError
from forecast.models.base import EXACT_FIT_NOTE, BaseModel, as_float, as_years
from forecast.models.ols import draw_lines, midpoint, ols
from forecast.models.uncertainty import t_scale

__all__ = ["LOGIT_CLIP", "LogitShare", "shares_from_levels", "two_part_share"]

#: Logits are clipped to +-this before mapping back, so floating point never returns a share
#: exactly on a bound (expit(25) = 1 - 1.4e-11).
LOGIT_CLIP: float = 25.0


def _bounded_from_logit(z: np.ndarray, floor: float, cap: float) -> np.ndarray:
    """Shares strictly inside (floor, cap) of logits ``z``, each half computed from the bound
    it is near so that rounding cannot land on the bound."""
    zc = np.clip(z, -LOGIT_CLIP, LOGIT_CLIP)
    tail = (cap - floor) * special.expit(-np.abs(zc))
    return np.where(zc >= 0.0, cap - tail, floor + tail)


def shares_from_levels(levels: ArrayLike) -> np.ndarray:
    """Non-negative segment levels [e.g. GWh], segments on the last axis, as shares of their
    own sum [fraction] (which need not equal a published total)."""
    arr = as_float(levels, "segment levels")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0.0):
        raise ModelError("segment levels must be finite and non-negative")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total <= 0.0):
        raise ModelError("every row of segment levels needs a positive sum")
    return arr / total


def two_part_share(part: ArrayLike, other: ArrayLike) -> np.ndarray:
    """Share ``part / (part + other)`` [fraction] of two levels (e.g. LFP in LFP + ternary)."""
    stacked = np.stack([np.asarray(part, float), np.asarray(other, float)], axis=-1)
    return shares_from_levels(stacked)[..., 0]


@dataclass(eq=False, repr=False, kw_only=True)
class LogitShare(BaseModel):
    """Logit-linear (Fisher-Pry) trend of a share bounded by ``floor`` and ``cap``, e.g.
    China's share of world production.

    ``logit((s_t - floor) / (cap - floor)) = a + b (t - t_last) + e_t``, ``e_t ~ N(0,
    sigma^2)`` independent across years, fitted by OLS. Draws take intercept and slope from
    ``N(beta, sigma^2 (X'X)^-1)`` plus, by default, the yearly scatter, all scaled by one
    ``sqrt(df / chi2_df)`` per draw when sigma is estimated: the Student-t OLS interval,
    which :meth:`predict_interval` gives exactly.

    Parameters
    ----------
    cap, floor : float
        Bounds the share approaches but never reaches [fraction], ``0 <= floor < cap <= 1``.
    sigma : float, optional
        Stated residual sd [logit units], taken as known (normal draws). None estimates it,
        which needs at least 3 points (with 2, draws raise a ModelError).
    include_noise : bool
        Draws of the share observed in a year (prediction interval), else of the trend line
        only (confidence interval).

    Attributes
    ----------
    intercept_, rate_, midpoint_ : float
        Logit at the last year ``t_last_`` [logit units], slope [1/yr], half-way year [year].
    resid_sigma_, sigma_, sigma_source_
        Residual sd [logit units] (None with 0 df), the sd the draws use, and "stated",
        "estimated" or "unavailable".
    """

    name: ClassVar[str] = "logit_share"
    family: ClassVar[str] = "share"
    fit_call: ClassVar[str] = "fit(years, shares)"
    min_obs_reason: ClassVar[str] = "a line needs two points"

    cap: float = 1.0
    floor: float = 0.0
    sigma: float | None = None
    include_noise: bool = True

    def _check_settings(self) -> tuple[float, float]:
        cap, floor = float(self.cap), float(self.floor)
        if not (np.isfinite(cap) and np.isfinite(floor)) or not 0.0 <= floor < cap <= 1.0:
            raise ModelError(f"need 0 <= floor < cap <= 1; got floor={floor:g}, cap={cap:g}")
        # A stated sigma of 0 would be a zero-width band; use predict() for the bare trend.
        if self.sigma is not None and not (np.isfinite(self.sigma) and self.sigma > 0.0):
            raise ModelError(f"sigma must be a positive logit-scale sd; got {self.sigma!r}")
        return floor, cap

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogitShare:
        """Fit the trend to distinct years ``X`` [year] and shares ``y`` [fraction] strictly
        between ``floor`` and ``cap``.

        Raises
        ------
        ModelError
            Fewer than 2 points, mismatched lengths, NaN, repeated years, or a share on or
            outside the bounds.
        """
        self._forget_fit()
        floor, cap = self._check_settings()
        t, s = self._sorted_data(X, y, "shares")
        inside = (s > floor) & (s < cap)
        if not np.all(inside):
            raise ModelError(
                f"share {s[~inside][0]:g} is not strictly between floor {floor:g} and cap "
                f"{cap:g}; the logit of a share on or beyond a bound is infinite"
            )
        z = special.logit((s - floor) / (cap - floor))
        self._beta, resid, self._xtx_inv = ols(t, z[:, None])
        self.n_obs_, self.years_, self.shares_, self.t_last_ = len(t), t, s, float(t[-1])
        self.scale_, self.df_resid_ = "logit", len(t) - 2
        a, b = float(self._beta[0, 0]), float(self._beta[1, 0])
        self.intercept_, self.rate_ = a, b
        self.resid_sigma_ = (float(np.sqrt(np.sum(resid**2, axis=0) / self.df_resid_)[0])
                             if self.df_resid_ > 0 else None)
        self.residuals_ = resid[:, 0]
        self._choose_sigma()
        cov = self._xtx_inv * (self.sigma_**2 if self.sigma_ is not None else np.nan)
        self.midpoint_, se_mid = midpoint(a, b, cov, self.t_last_)
        self._set_params(rate=(b, np.sqrt(cov[1, 1]), "1/year"),
                         midpoint=(self.midpoint_, se_mid, "year"),
                         intercept=(a, np.sqrt(cov[0, 0]), "logit"))
        return self

    def _choose_sigma(self) -> None:
        """The draws' sigma (stated, else estimated, else none), with notes."""
        self.notes_: list[str] = []
        self.sigma_: float | None = None
        if self.sigma is not None:
            self.sigma_ = float(self.sigma)
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
            self.sigma_source_ = "unavailable"
            self.notes_.append(
                "2 points determine the line exactly (df_resid = 0): no residual sigma can be "
                "estimated, so draws need a stated logit-scale sigma (LogitShare(sigma=...))"
            )

    def _require_sigma(self) -> tuple[float, float]:
        """The draws' sigma [logit units] and the df of their t (inf: normal)."""
        if self.sigma_ is None:
            raise ModelError(
                f"{self.n_obs_} points leave 0 residual degrees of freedom, so the "
                "logit-scale sigma cannot be estimated: state one, e.g. LogitShare(sigma=0.2)"
            )
        return self.sigma_, math.inf if self.sigma_source_ == "stated" else float(self.df_resid_)

    def predict_logit(self, X: ArrayLike) -> np.ndarray:
        """Trend ``(n_years,)`` [logit units]."""
        self._check_fitted()
        return self.intercept_ + self.rate_ * (as_years(X) - self.t_last_)

    def _predict(self, t: np.ndarray) -> np.ndarray:
        """Trend share [fraction]: the median of the draws."""
        floor, cap = self._check_settings()
        return _bounded_from_logit(self.predict_logit(t), floor, cap)

    def _sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """Shares [fraction] strictly between floor and cap; a ModelError for 2 points and no
        stated ``sigma``."""
        floor, cap = self._check_settings()
        sigma, df = self._require_sigma()
        sig = sigma * t_scale(rng, df, (n, 1))
        a, b = draw_lines(self._beta, self._xtx_inv, sig, rng)
        z = a + b * (t - self.t_last_)
        if self.include_noise:
            z = z + sig * rng.standard_normal((n, len(t)))
        return _bounded_from_logit(z, floor, cap)

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int | None = None, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact equal-tailed interval ``(lower, upper)`` [fraction] of :meth:`predictive_logit`
        (``n_draws`` and ``seed`` are ignored: nothing is simulated)."""
        from scipy import stats

        floor, cap = self._check_settings()
        level = self._check_level(level)
        z, scale, df = self.predictive_logit(X)
        p = 0.5 + level / 2.0
        half = float(stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df)) * scale
        return _bounded_from_logit(z - half, floor, cap), _bounded_from_logit(z + half, floor, cap)

    def predictive_logit(self, X: ArrayLike) -> tuple[np.ndarray, np.ndarray, float]:
        """``(z, scale, df)``: the share in year ``x`` is ``floor + (cap - floor) * expit(z +
        scale * T)``, ``T`` Student t with ``df`` df (inf for a stated sigma), ``scale = sigma
        sqrt(noise + x'(X'X)^-1 x)``; ``z`` and ``scale`` ``(n_years,)`` [logit units]."""
        self._check_fitted()
        sigma, df = self._require_sigma()
        t = as_years(X) - self.t_last_
        x = np.column_stack([np.ones_like(t), t])
        var = np.einsum("ij,jk,ik->i", x, self._xtx_inv, x)
        if self.include_noise:
            var = var + 1.0
        return self.predict_logit(X), sigma * np.sqrt(var), df

    def _summary_head(self) -> list[str]:
        floor, cap = self._check_settings()
        resid = ("not estimable (2 points determine the line exactly)"
                 if self.resid_sigma_ is None else f"{self.resid_sigma_:.4g}")
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
