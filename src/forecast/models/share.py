"""Share models: a bounded share trending over time, and a mix of segments.

Two models with the interface of :mod:`forecast.models.growth` (scikit-learn estimator conventions,
``get_params``/``set_params`` so :func:`sklearn.base.clone` works, without importing sklearn:
``__init__`` stores settings, ``fit(years, shares)`` returns ``self``, fitted attributes end
in ``_``; ``predict``, ``sample(years, n_draws, seed)`` of seeded draws without a Python loop
over draws, ``predict_interval``, ``forecast_frame``, ``params_frame`` and ``summary``):

:class:`LogitShare`
    Logit-linear (Fisher-Pry) trend of one share, e.g. China's share of world production or
    LFP's share of China's power-battery installations. The share ``s`` is mapped to
    ``z = logit((s - floor) / (cap - floor))`` and ``z`` is fitted by OLS on the year, so every
    projection stays strictly between ``floor`` and ``cap`` (default 0 and 1). Intervals come
    from the OLS on the logit scale: Student t with the residual degrees of freedom, or a
    normal with a stated logit-scale sigma when the residuals cannot (two points) or should not
    be used.

:class:`LogRatioMix`
    Additive log-ratio (ALR) trend of a segment mix (e.g. power / consumer / storage), so
    projected shares stay positive and sum to one. The log-ratio trend can be damped, and its
    uncertainty is a stated drift sigma per log-ratio per year unless there are enough points
    to estimate it.

:func:`segment_paths` splits a projected total (values or draws) into segment paths that sum
to the total in every draw.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models.uncertainty import LEVELS, central_interval, make_rng, summarise_draws

#: Logit values are clipped to +-this before mapping back to shares, so floating point can
#: never return a share exactly on a bound (inv_logit(25) = 1 - 1.4e-11).
LOGIT_CLIP: float = 25.0

#: Log-ratios are clipped to +-this before the inverse ALR so no share underflows to 0.
LOG_RATIO_CLIP: float = 50.0

#: Default absolute tolerance for mix rows summing to one [fraction].
SUM_TOLERANCE: float = 1e-6

#: Default stated drift sigma of each log-ratio trend [log-ratio per year]. 0.1 means the
#: slope of e.g. log(storage / power) is uncertain by +-0.1 per year (one sd), so after six
#: years the ratio is uncertain by a factor of about exp(0.6) = 1.8 (one sd).
DEFAULT_DRIFT_SIGMA: float = 0.1


# --------------------------------------------------------------------------------------
# Transforms
# --------------------------------------------------------------------------------------


def _as_float(x: ArrayLike, what: str) -> np.ndarray:
    """Float array of ``x``; text or objects become a one-line ModelError."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what} must be numbers: {exc}") from None


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
    arr = _as_float(p, "shares")
    if not np.all(np.isfinite(arr)):
        raise ModelError("logit needs finite shares; got NaN or infinity")
    if np.any(arr <= 0.0) or np.any(arr >= 1.0):
        bad = arr[(arr <= 0.0) | (arr >= 1.0)].ravel()[0]
        raise ModelError(f"logit needs shares strictly between 0 and 1; got {bad:g}")
    return np.log(arr) - np.log1p(-arr)


def inv_logit(z: ArrayLike) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, computed without overflow.

    Parameters
    ----------
    z : array_like
        Log-odds [logit units].

    Returns
    -------
    ndarray
        Shares in [0, 1] [fraction]; strictly inside for ``|z| < 36``.
    """
    arr = np.asarray(z, float)
    e = np.exp(-np.abs(arr))
    return np.where(arr >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _bounded_from_logit(z: np.ndarray, floor: float, cap: float) -> np.ndarray:
    """Map logits to shares strictly inside (floor, cap).

    Each half is computed from the bound it is near (``cap - width * inv_logit(-z)`` above the
    midpoint), so rounding cannot land a share on the bound; one exp() serves both halves.
    """
    zc = np.clip(z, -LOGIT_CLIP, LOGIT_CLIP)
    e = np.exp(-np.abs(zc))
    tail = (cap - floor) * (e / (1.0 + e))
    return np.where(zc >= 0.0, cap - tail, floor + tail)


def alr(shares: ArrayLike, reference: int) -> np.ndarray:
    """Additive log-ratio transform ``log(s_k / s_reference)`` for every ``k != reference``.

    Parameters
    ----------
    shares : array_like
        Positive shares, segments on the last axis (..., n_segments) [fraction].
    reference : int
        Index of the reference (denominator) segment.

    Returns
    -------
    ndarray
        Log-ratios (..., n_segments - 1) [log-ratio], segments in their original order with the
        reference left out.
    """
    arr = _as_float(shares, "shares")
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0.0):
        raise ModelError("log-ratios need finite, strictly positive shares")
    logs = np.log(arr)
    return np.delete(logs, reference, axis=-1) - logs[..., reference : reference + 1]


def inv_alr(ratios: ArrayLike, reference: int) -> np.ndarray:
    """Inverse of :func:`alr`: shares that are positive and sum to one.

    Parameters
    ----------
    ratios : array_like
        Log-ratios (..., n_segments - 1) against the reference segment [log-ratio].
    reference : int
        Position of the reference segment in the returned shares.

    Returns
    -------
    ndarray
        Shares (..., n_segments) [fraction], each > 0, summing to one along the last axis.
    """
    r = np.clip(np.asarray(ratios, float), -LOG_RATIO_CLIP, LOG_RATIO_CLIP)
    # The clip alone keeps exp() finite (e^50 ~ 5e21) and every share > 0 (>= e^-100 / n), so
    # no row-maximum shift is needed; slices avoid a slow fancy-index copy.
    e = np.empty((*r.shape[:-1], r.shape[-1] + 1))
    np.exp(r[..., :reference], out=e[..., :reference])
    e[..., reference] = 1.0
    np.exp(r[..., reference:], out=e[..., reference + 1 :])
    e /= e.sum(axis=-1, keepdims=True)
    return e


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
    arr = _as_float(levels, "segment levels")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0.0):
        raise ModelError("segment levels must be finite and non-negative")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total <= 0.0):
        raise ModelError("every row of segment levels needs a positive sum")
    return arr / total


def segment_paths(total: ArrayLike, shares: ArrayLike) -> np.ndarray:
    """Split a projected total into segment paths that add up to it.

    Parameters
    ----------
    total : array_like
        Projected total, values ``(n_years,)`` or draws ``(n_draws, n_years)`` [e.g. GWh].
    shares : array_like
        Segment shares ``(n_years, n_segments)`` or draws ``(n_draws, n_years, n_segments)``
        [fraction], each row non-negative and summing to one within 1e-9.

    Returns
    -------
    ndarray
        Segment levels ``(n_years, n_segments)``, or ``(n_draws, n_years, n_segments)`` if
        either input has draws [unit of ``total``]. The largest segment takes the remainder
        ``total - sum(others)``, so every row sums to the total up to float rounding and no
        segment is negative.

    Raises
    ------
    ModelError
        On NaN, a negative total, shares that are negative or do not sum to one, or shapes that
        do not line up.
    """
    tot = _as_float(total, "total")
    sh = _as_float(shares, "shares")
    if tot.ndim not in (1, 2):
        raise ModelError(f"total must be (n_years,) or (n_draws, n_years); got shape {tot.shape}")
    if sh.ndim not in (2, 3):
        raise ModelError(
            "shares must be (n_years, n_segments) or (n_draws, n_years, n_segments); "
            f"got shape {sh.shape}"
        )
    if not (np.all(np.isfinite(tot)) and np.all(np.isfinite(sh))):
        raise ModelError("total and shares must not contain NaN or infinity")
    if np.any(tot < 0.0):
        raise ModelError("total must be non-negative")
    if np.any(sh < 0.0):
        raise ModelError("shares must be non-negative")
    worst = float(np.max(np.abs(sh.sum(axis=-1) - 1.0)))
    if worst > 1e-9:
        raise ModelError(f"shares must sum to 1 in every row; worst row is off by {worst:.3g}")
    try:
        shape = np.broadcast_shapes((*tot.shape, 1), sh.shape)
    except ValueError:
        raise ModelError(
            f"total of shape {tot.shape} does not match shares of shape {sh.shape} "
            "(years must line up, and draws too if both have them)"
        ) from None
    paths = np.broadcast_to(tot[..., None] * sh, shape).copy()
    tot_b = np.broadcast_to(tot[..., None], (*shape[:-1], 1))
    big = np.broadcast_to(np.argmax(sh, axis=-1)[..., None], (*shape[:-1], 1))
    others = paths.sum(axis=-1, keepdims=True) - np.take_along_axis(paths, big, axis=-1)
    np.put_along_axis(paths, big, np.maximum(tot_b - others, 0.0), axis=-1)
    return paths


# --------------------------------------------------------------------------------------
# Shared OLS machinery (one design matrix, several response columns)
# --------------------------------------------------------------------------------------


def _as_years(years: ArrayLike, name: str = "years") -> np.ndarray:
    """1-D float years from a 1-D array, a scalar or an ``(n, 1)`` column (as in growth)."""
    arr = _as_float(years, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    elif arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ModelError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{name} must not contain NaN or infinity")
    return arr


def _year_column(t: np.ndarray) -> np.ndarray:
    return np.rint(t).astype(int) if np.all(t == np.rint(t)) else t


def _ols_line(t: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """OLS of each column of ``y`` (n, m) on ``[1, t]``; ``t`` already centred on t_last."""
    x = np.column_stack([np.ones_like(t), t])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y  # (2, m)
    resid = y - x @ beta
    df = len(t) - 2
    rss = np.sum(resid**2, axis=0)
    sigma = np.sqrt(rss / df) if df > 0 else None
    return {"beta": beta, "xtx_inv": xtx_inv, "resid": resid, "df": df, "sigma": sigma}


def _sigma_draws(
    stated: float | np.ndarray | None,
    estimate: np.ndarray | None,
    df: int,
    n_draws: int,
    rng: np.random.Generator,
    m: int,
) -> np.ndarray:
    """Per-draw residual sigma (n_draws, m): the stated value, or s * sqrt(df / chi2_df).

    Drawing sigma from its scaled inverse chi-square makes the parameter and prediction
    draws Student t with ``df`` degrees of freedom, as in the classical OLS intervals.
    """
    if stated is not None:
        return np.broadcast_to(np.asarray(stated, float), (n_draws, m))
    if estimate is None:  # guarded by callers; kept for type narrowing
        raise ModelError("no residual sigma is available")
    return estimate * np.sqrt(df / rng.chisquare(df, size=(n_draws, m)))


def _draw_lines(
    fit: dict[str, Any], sig: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope draws (n_draws, m) from N(beta, sig^2 (X'X)^-1)."""
    n_draws, m = sig.shape
    # The 2x2 Cholesky factor is applied by hand: a batched matmul over draws is far slower.
    (l00, _), (l10, l11) = np.linalg.cholesky(fit["xtx_inv"])
    z0 = rng.standard_normal((n_draws, m))
    z1 = rng.standard_normal((n_draws, m))
    a = fit["beta"][0] + sig * (l00 * z0)
    b = fit["beta"][1] + sig * (l10 * z0 + l11 * z1)
    return a, b


def _check_draw_args(n_draws: int) -> int:
    if isinstance(n_draws, bool) or int(n_draws) != n_draws or n_draws < 1:
        raise ModelError(f"n_draws must be a positive integer; got {n_draws!r}")
    return int(n_draws)


def _params_frame(params: dict[str, float], bse: dict[str, float], units: dict[str, str]):
    import pandas as pd

    return pd.DataFrame(
        {
            "param": list(params),
            "value": [float(v) for v in params.values()],
            "bse": [float(bse[k]) for k in params],
            "unit": [units.get(k, "") for k in params],
        }
    )


class _Estimator:
    """The part of scikit-learn's BaseEstimator the share models need, without importing it.

    sklearn costs seconds to import; these models only need ``get_params``/``set_params``
    (which is what :func:`sklearn.base.clone` and grid searches call) and a readable repr.
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [n for n in sig.parameters if n != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor arguments as a dict (``deep`` is accepted for sklearn; no nesting)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments; refit afterwards for them to take effect."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ModelError(
                    f"{type(self).__name__} has no parameter {key!r}; valid: {', '.join(valid)}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name, p in sig.parameters.items()
            if name != "self" and getattr(self, name) != p.default
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


# --------------------------------------------------------------------------------------
# LogitShare: Fisher-Pry trend of one share
# --------------------------------------------------------------------------------------


class LogitShare(_Estimator):
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

    def __init__(
        self,
        cap: float = 1.0,
        floor: float = 0.0,
        sigma: float | None = None,
        include_noise: bool = True,
    ) -> None:
        self.cap = cap
        self.floor = floor
        self.sigma = sigma
        self.include_noise = include_noise

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
        floor, cap = self._check_settings()
        t = _as_years(X)
        s = _as_float(y, "shares")
        if s.ndim == 2 and s.shape[1] == 1:
            s = s[:, 0]
        if s.ndim != 1:
            raise ModelError(f"shares must be one-dimensional; got shape {s.shape}")
        if len(t) != len(s):
            raise ModelError(f"got {len(t)} years but {len(s)} shares")
        if len(t) < 2:
            raise ModelError(f"a trend needs at least 2 points; got {len(t)}")
        if not np.all(np.isfinite(s)):
            raise ModelError("shares must not contain NaN or infinity")
        if len(np.unique(t)) != len(t):
            raise ModelError("years must be distinct")
        order = np.argsort(t, kind="stable")
        t, s = t[order], s[order]
        z = self._to_logit(s, floor, cap)
        t_last = float(t[-1])
        fit = _ols_line(t - t_last, z[:, None])
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
        self._fit = fit
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
                self.notes_.append("the fit is exact (all residuals 0): the bands show no noise")
        else:
            self.sigma_ = None
            self.sigma_source_ = "unavailable"
            self.notes_.append(
                "2 points determine the line exactly (df_resid = 0): no residual sigma can be "
                "estimated, so draws need a stated logit-scale sigma (LogitShare(sigma=...))"
            )
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

    def _check_fitted(self) -> None:
        if not hasattr(self, "rate_"):
            raise ModelError("LogitShare is not fitted yet: call fit(years, shares) first")

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
        return self.intercept_ + self.rate_ * (_as_years(X) - self.t_last_)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Trend share, shape ``(n_years,)`` [fraction]: the median of the draws."""
        self._check_fitted()
        floor, cap = self._check_settings()
        return _bounded_from_logit(self.predict_logit(X), floor, cap)

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws of the share.

        Parameters
        ----------
        X : array_like
            Years to project, shape ``(n_years,)`` [year].
        n_draws : int
            Number of Monte Carlo draws.
        seed : int, numpy Generator or None
            Passed to :func:`forecast.models.uncertainty.make_rng`; one seed gives identical draws.

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
        n_draws = _check_draw_args(n_draws)
        sigma = self._require_sigma()
        t = _as_years(X) - self.t_last_
        rng = make_rng(seed)
        if self.sigma_source_ == "stated":
            sig = _sigma_draws(sigma, None, 0, n_draws, rng, 1)
        else:
            sig = _sigma_draws(None, np.array([sigma]), self.df_resid_, n_draws, rng, 1)
        a, b = _draw_lines(self._fit, sig, rng)
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
        if not 0.0 < float(level) < 1.0:
            raise ModelError(f"interval level must be in (0, 1); got {level}")
        z, scale, df = self.predictive_logit(X)
        p = 0.5 + float(level) / 2.0
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
        t = _as_years(X) - self.t_last_
        x = np.column_stack([np.ones_like(t), t])
        var = np.einsum("ij,jk,ik->i", x, self._fit["xtx_inv"], x)
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

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None):
        """Tidy forecast table of the share.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, year, central, mean, p5, p10, p50, p90, p95`` [fraction], one row
            per year; ``central`` is the trend, the rest summarise :meth:`sample`.
        """
        import pandas as pd

        t = _as_years(X)
        stats = summarise_draws(self.sample(t, n_draws=n_draws, seed=seed), axis=0)
        return pd.DataFrame(
            {"model": self.name, "year": _year_column(t), "central": self.predict(t), **stats}
        )

    def params_frame(self):
        """Parameters as a tidy frame: ``param, value, bse, unit``."""
        self._check_fitted()
        return _params_frame(self.params_, self.bse_, self.param_units_)

    def summary(self) -> str:
        """Readable account of the fit and of where the uncertainty comes from."""
        self._check_fitted()
        floor, cap = self._check_settings()
        resid = (
            "not estimable (2 points determine the line exactly)"
            if self.resid_sigma_ is None
            else f"{self.resid_sigma_:.4g}"
        )
        sigma = "none" if self.sigma_ is None else f"{self.sigma_:.4g}"
        lines = [
            f"LogitShare ({self.name}): logit((s - floor) / (cap - floor)) = a + b (year - "
            f"{self.t_last_:g})",
            f"bounds: floor {floor:g}, cap {cap:g}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"df_resid: {self.df_resid_}",
            f"residual sigma (logit scale): {resid}",
            f"sigma used for draws: {sigma} ({self.sigma_source_})",
            "interval: "
            + ("prediction (trend + yearly scatter)" if self.include_noise else "trend only"),
            "",
            f"{'parameter':<12}{'value':>12}{'std err':>12}  unit",
        ]
        for key, val in self.params_.items():
            se = self.bse_[key]
            se_txt = f"{se:>12.4g}" if np.isfinite(se) else f"{'n/a':>12}"
            lines.append(f"{key:<12}{val:>12.6g}{se_txt}  {self.param_units_[key]}")
        lines.append("")
        lines.extend(f"note: {n}" for n in self.notes_)
        return "\n".join(lines)


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


# --------------------------------------------------------------------------------------
# LogRatioMix: ALR trend of a segment mix
# --------------------------------------------------------------------------------------


def _damped_horizon(h: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """Cumulative trend multiplier ``phi + phi^2 + ... + phi^h`` (``h`` for phi = 1).

    Years at or before the last observation (h <= 0) follow the undamped fitted line.
    ``h`` is (n_years,), ``damping`` is (m,); the result is (n_years, m).
    """
    hh = h[:, None]
    phi = damping[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        damped = np.where(phi == 1.0, hh, phi * (1.0 - phi**hh) / (1.0 - phi))
    return np.where(hh <= 0.0, hh, damped)


class LogRatioMix(_Estimator):
    """Additive log-ratio (ALR) trend of a segment mix.

    For every segment ``k`` other than the reference, ``r_k = log(s_k / s_ref)`` is fitted by
    OLS on the year. Projections continue each line from its fitted value at the last observed
    year ``T`` with a damped slope, ``r_k(T + h) = level_k + slope_k * (phi + ... + phi^h)``,
    and map back with the inverse ALR, so shares stay positive and sum to one.

    Two years of data (China 2023-2024) determine each line exactly: ``df_resid_`` is 0 and
    the data say nothing about uncertainty. The draws then rest on a stated assumption,
    ``drift_sigma``: the slope of each log-ratio is drawn as ``slope_k + drift_sigma_k * N(0,
    1)`` independently across log-ratios (the level at ``T`` is held at its fitted value), so
    the sd of a log-ratio ``h`` years ahead is ``drift_sigma * (phi + ... + phi^h)``.

    Parameters
    ----------
    reference : str, optional
        Reference (denominator) segment. Default: the segment with the largest mean share,
        whose log is the most stable denominator.
    damping : float or mapping of str to float
        Damping factor phi in (0, 1] of each log-ratio slope; a mapping names it per non-
        reference segment (others get 1). 1 (default) extrapolates the fitted slope linearly,
        and :meth:`summary` flags it, because e.g. storage's 2023->2024 jump extrapolated for
        six years is a strong claim. With phi < 1 the log-ratio moves at most
        ``slope * phi / (1 - phi)`` beyond ``T`` in total.
    drift_sigma : float, mapping of str to float, or None
        Stated sd of each log-ratio slope [log-ratio per year]; a mapping names it per non-
        reference segment (others get the default). Default :data:`DEFAULT_DRIFT_SIGMA` = 0.1.
        ``None`` uses the OLS uncertainty of level and slope instead (Student t with the
        residual df), which needs at least 3 years.
    sum_tolerance : float
        Absolute tolerance for each input row summing to one [fraction]. Normalise levels
        with :func:`shares_from_levels`.

    Attributes
    ----------
    segments_ : tuple of str
        Segment names in input order (the order of the last axis of every share array).
    reference_ : str
        The reference segment used.
    ratio_segments_ : tuple of str
        The non-reference segments, in the order of the log-ratio arrays.
    n_obs_ : int
        Number of years fitted.
    years_ : ndarray
        Fitted years [year], sorted.
    shares_ : ndarray
        Fitted shares (n_years, n_segments) [fraction].
    log_ratios_ : ndarray
        Observed log-ratios (n_years, n_segments - 1) [log-ratio].
    t_last_ : float
        Last observed year T [year].
    level_ : ndarray
        Fitted log-ratios at ``t_last_`` (n_segments - 1,) [log-ratio].
    slope_ : ndarray
        Fitted log-ratio slopes (n_segments - 1,) [log-ratio per year].
    damping_, drift_sigma_ : ndarray
        Resolved per-ratio damping [-] and stated drift sigma [log-ratio per year] (drift is
        None when ``drift_sigma=None``).
    df_resid_ : int
        Residual degrees of freedom, ``n_obs_ - 2``.
    resid_sigma_ : ndarray or None
        Residual sd of each log-ratio [log-ratio]; None when ``df_resid_ == 0``.
    slope_se_ : ndarray or None
        OLS standard error of each slope [log-ratio per year]; None when ``df_resid_ == 0``.
    sigma_source_ : str
        ``"stated drift"`` or ``"estimated"``.
    params_, bse_ : dict
        ``level[k]`` and ``slope[k]`` per non-reference segment with their uncertainty (the
        stated drift sigma for slopes, NaN for a level held fixed).
    param_units_ : dict
        Unit of each parameter.
    notes_ : list of str
        Plain-language remarks (exactly determined trends, undamped slopes, ...).
    """

    name: ClassVar[str] = "log_ratio_mix"

    def __init__(
        self,
        reference: str | None = None,
        damping: float | Mapping[str, float] = 1.0,
        drift_sigma: float | Mapping[str, float] | None = DEFAULT_DRIFT_SIGMA,
        sum_tolerance: float = SUM_TOLERANCE,
    ) -> None:
        self.reference = reference
        self.damping = damping
        self.drift_sigma = drift_sigma
        self.sum_tolerance = sum_tolerance

    def _per_ratio(
        self, value: float | Mapping[str, float], name: str, default: float
    ) -> np.ndarray:
        if isinstance(value, Mapping):
            unknown = set(value) - set(self.ratio_segments_)
            if unknown:
                raise ModelError(
                    f"{name} names {sorted(unknown)}, which are not non-reference segments "
                    f"{list(self.ratio_segments_)}"
                )
            return np.array([float(value.get(k, default)) for k in self.ratio_segments_])
        return np.full(len(self.ratio_segments_), float(value))

    # -- fitting -------------------------------------------------------------------------

    def fit(self, X: ArrayLike, y: ArrayLike, segments: Sequence[str] | None = None) -> LogRatioMix:
        """Fit the log-ratio trends by OLS.

        Parameters
        ----------
        X : array_like
            Observation years, shape ``(n_years,)`` or ``(n_years, 1)`` [year], distinct.
        y : array_like or DataFrame
            Shares (n_years, n_segments) [fraction], strictly positive, each row summing to
            one within ``sum_tolerance``. A DataFrame's columns name the segments.
        segments : sequence of str, optional
            Segment names; required unless ``y`` is a DataFrame.

        Returns
        -------
        LogRatioMix
            ``self``, fitted.

        Raises
        ------
        ModelError
            Fewer than 2 years or 2 segments, mismatched lengths, NaN, repeated years, a share
            that is not strictly positive, a row not summing to one, an unknown reference, or
            damping / drift settings out of range.
        """
        if not (np.isfinite(self.sum_tolerance) and 0.0 <= self.sum_tolerance < 1.0):
            raise ModelError(f"sum_tolerance must be in [0, 1); got {self.sum_tolerance!r}")
        if segments is None and hasattr(y, "columns"):
            segments = [str(c) for c in y.columns]  # type: ignore[union-attr]
        t = _as_years(X)
        s = _as_float(y, "shares")
        if s.ndim != 2:
            raise ModelError(f"shares must be (n_years, n_segments); got shape {s.shape}")
        if segments is None:
            raise ModelError("name the segments: fit(years, shares, segments=[...])")
        names = tuple(str(x) for x in segments)
        if len(names) != s.shape[1]:
            raise ModelError(f"got {len(names)} segment names for {s.shape[1]} share columns")
        if len(set(names)) != len(names):
            raise ModelError(f"segment names must be distinct; got {list(names)}")
        if len(names) < 2:
            raise ModelError("a mix needs at least 2 segments")
        if len(t) != s.shape[0]:
            raise ModelError(f"got {len(t)} years but {s.shape[0]} rows of shares")
        if len(t) < 2:
            raise ModelError(f"a trend needs at least 2 points; got {len(t)}")
        if not np.all(np.isfinite(s)):
            raise ModelError("shares must not contain NaN or infinity")
        if len(np.unique(t)) != len(t):
            raise ModelError("years must be distinct")
        if np.any(s <= 0.0):
            raise ModelError("every share must be strictly positive for log-ratios")
        off = np.abs(s.sum(axis=1) - 1.0)
        if np.any(off > self.sum_tolerance):
            i = int(np.argmax(off))
            raise ModelError(
                f"shares in {t[i]:g} sum to {s[i].sum():.6g}, not 1 (tolerance "
                f"{self.sum_tolerance:g}); normalise levels with shares_from_levels()"
            )
        if self.reference is None:
            ref = int(np.argmax(s.mean(axis=0)))
        elif self.reference in names:
            ref = names.index(self.reference)
        else:
            raise ModelError(f"reference segment {self.reference!r} is not one of {list(names)}")
        order = np.argsort(t, kind="stable")
        t, s = t[order], s[order]
        self.segments_ = names
        self.reference_ = names[ref]
        self._ref_index = ref
        self.ratio_segments_ = tuple(n for i, n in enumerate(names) if i != ref)
        # Settings are resolved now so a typo fails at fit, not at the first draw.
        phi = self._per_ratio(self.damping, "damping", 1.0)
        if not np.all((phi > 0.0) & (phi <= 1.0)):
            raise ModelError(f"damping must be in (0, 1]; got {phi.tolist()}")
        drift = None
        if self.drift_sigma is not None:
            drift = self._per_ratio(self.drift_sigma, "drift_sigma", DEFAULT_DRIFT_SIGMA)
            # 0 would claim the 2-point trend is certain; use predict() for the bare trend.
            if not np.all(np.isfinite(drift) & (drift > 0.0)):
                raise ModelError(f"drift_sigma must be positive; got {drift.tolist()}")
        r = alr(s, ref)
        t_last = float(t[-1])
        fit = _ols_line(t - t_last, r)
        self.damping_ = phi
        self.drift_sigma_ = drift
        self.n_obs_ = len(t)
        self.years_ = t
        self.shares_ = s
        self.log_ratios_ = r
        self.t_last_ = t_last
        self.level_ = fit["beta"][0].copy()
        self.slope_ = fit["beta"][1].copy()
        self.df_resid_ = int(fit["df"])
        self.resid_sigma_ = fit["sigma"]
        self.slope_se_ = (
            None if fit["sigma"] is None else fit["sigma"] * np.sqrt(fit["xtx_inv"][1, 1])
        )
        self._fit = fit
        self._describe()
        return self

    def _describe(self) -> None:
        self.notes_: list[str] = []
        if self.df_resid_ == 0:
            self.notes_.append(
                "2 years determine each log-ratio trend exactly (df_resid = 0): the data carry "
                "no information about uncertainty"
            )
        if self.drift_sigma_ is not None:
            self.sigma_source_ = "stated drift"
            stated = zip(self.ratio_segments_, self.drift_sigma_, strict=True)
            self.notes_.append(
                "draws rest on the stated drift sigma of each log-ratio slope ("
                + ", ".join(f"{k} {v:g}/yr" for k, v in stated)
                + "); the level at the last year is held fixed"
            )
        else:
            self.sigma_source_ = "estimated"
            if self.df_resid_ == 0:
                self.notes_.append(
                    "drift_sigma=None needs at least 3 years: sample() will refuse until a "
                    "drift sigma is stated"
                )
            else:
                self.notes_.append(
                    f"draws are Student t with {self.df_resid_} df from the OLS residuals"
                )
        undamped = [k for k, p in zip(self.ratio_segments_, self.damping_, strict=True) if p == 1]
        if undamped:
            self.notes_.append(
                f"UNDAMPED log-ratio trend for {', '.join(undamped)}: the fitted slope is "
                "extrapolated linearly on the log-ratio scale (set damping < 1 to fade it)"
            )
        self.param_units_ = {}
        self.params_ = {}
        self.bse_ = {}
        for i, k in enumerate(self.ratio_segments_):
            lk, sk = f"level[{k}]", f"slope[{k}]"
            self.params_[lk] = float(self.level_[i])
            self.params_[sk] = float(self.slope_[i])
            self.param_units_[lk] = f"log({k}/{self.reference_})"
            self.param_units_[sk] = "log-ratio/year"
            if self.drift_sigma_ is not None:
                self.bse_[lk] = float("nan")
                self.bse_[sk] = float(self.drift_sigma_[i])
            elif self.resid_sigma_ is not None:
                self.bse_[lk] = float(self.resid_sigma_[i] * np.sqrt(self._fit["xtx_inv"][0, 0]))
                self.bse_[sk] = float(self.slope_se_[i])  # type: ignore[index]
            else:
                self.bse_[lk] = self.bse_[sk] = float("nan")

    def _check_fitted(self) -> None:
        if not hasattr(self, "slope_"):
            raise ModelError("LogRatioMix is not fitted yet: call fit(years, shares, segments)")

    # -- projection ----------------------------------------------------------------------

    def predict_log_ratios(self, X: ArrayLike) -> np.ndarray:
        """Trend log-ratios, shape ``(n_years, n_segments - 1)`` [log-ratio]."""
        self._check_fitted()
        g = _damped_horizon(_as_years(X) - self.t_last_, self.damping_)
        return self.level_ + self.slope_ * g

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Trend shares, shape ``(n_years, n_segments)`` [fraction], rows summing to one."""
        return inv_alr(self.predict_log_ratios(X), self._ref_index)

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws of the mix.

        Parameters
        ----------
        X : array_like
            Years to project, shape ``(n_years,)`` [year].
        n_draws : int
            Number of Monte Carlo draws.
        seed : int, numpy Generator or None
            Passed to :func:`forecast.models.uncertainty.make_rng`; one seed gives identical draws.

        Returns
        -------
        ndarray
            Shares, shape ``(n_draws, n_years, n_segments)`` [fraction], segments in
            ``segments_`` order, each > 0, summing to one over segments in every draw and year.

        Raises
        ------
        ModelError
            If unfitted, or ``drift_sigma=None`` with only 2 years of data.
        """
        self._check_fitted()
        n_draws = _check_draw_args(n_draws)
        g = _damped_horizon(_as_years(X) - self.t_last_, self.damping_)  # (n_years, m)
        m = len(self.ratio_segments_)
        rng = make_rng(seed)
        if self.drift_sigma_ is not None:
            a = np.broadcast_to(self.level_, (n_draws, m))
            b = self.slope_ + self.drift_sigma_ * rng.standard_normal((n_draws, m))
        else:
            if self.resid_sigma_ is None:
                raise ModelError(
                    f"{self.n_obs_} years leave 0 residual degrees of freedom, so the "
                    "log-ratio uncertainty cannot be estimated: state drift_sigma (e.g. 0.1)"
                )
            sig = _sigma_draws(None, self.resid_sigma_, self.df_resid_, n_draws, rng, m)
            a, b = _draw_lines(self._fit, sig, rng)
        r = a[:, None, :] + b[:, None, :] * g[None, :, :]
        return inv_alr(r, self._ref_index)

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int = 10_000, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed interval of each segment's share from :meth:`sample`.

        Returns
        -------
        (lower, upper) : tuple of ndarray
            Bounds, each of shape ``(n_years, n_segments)`` [fraction].
        """
        if not 0.0 < float(level) < 1.0:
            raise ModelError(f"interval level must be in (0, 1); got {level}")
        return central_interval(self.sample(X, n_draws=n_draws, seed=seed), level, axis=0)

    def forecast_frame(
        self,
        X: ArrayLike,
        n_draws: int = 10_000,
        seed: Any = None,
        total: ArrayLike | None = None,
    ):
        """Tidy forecast table per year and segment.

        Parameters
        ----------
        X : array_like
            Years to project, shape ``(n_years,)`` [year].
        n_draws : int
            Number of draws of the mix.
        seed : int, numpy Generator or None
            Seed of the mix draws.
        total : array_like, optional
            Projected total, values ``(n_years,)`` or draws ``(n_draws, n_years)`` [e.g. GWh].
            When given, the table holds segment levels (:func:`segment_paths`) instead of
            shares; draws of the total are paired one to one with draws of the mix.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, year, segment, central, mean, p5, p10, p50, p90, p95``
            [fraction, or the unit of ``total``]. ``central`` is the trend mix (times the
            total, or the per-year median of the total draws).
        """
        import pandas as pd

        t = _as_years(X)
        draws = self.sample(t, n_draws=n_draws, seed=seed)
        central = self.predict(t)
        if total is not None:
            tot = np.asarray(total, float)
            if tot.ndim == 2 and tot.shape[0] != draws.shape[0]:
                raise ModelError(
                    f"total has {tot.shape[0]} draws but the mix has {draws.shape[0]}; "
                    "pass n_draws equal to the number of total draws"
                )
            draws = segment_paths(tot, draws)
            central_total = np.median(tot, axis=0) if tot.ndim == 2 else tot
            central = segment_paths(central_total, central)
        stats = summarise_draws(draws, axis=0)  # each (n_years, n_segments)
        n_years, n_seg = draws.shape[1], draws.shape[2]
        rows: dict[str, Any] = {
            "model": self.name,
            "year": np.repeat(_year_column(t), n_seg),
            "segment": np.tile(np.array(self.segments_, dtype=object), n_years),
            "central": central.reshape(-1),
        }
        rows.update({k: v.reshape(-1) for k, v in stats.items()})
        return pd.DataFrame(rows)

    def params_frame(self):
        """Parameters as a tidy frame: ``param, value, bse, unit``."""
        self._check_fitted()
        return _params_frame(self.params_, self.bse_, self.param_units_)

    def summary(self) -> str:
        """Readable account of the trends, damping and the uncertainty assumption."""
        self._check_fitted()
        lines = [
            f"LogRatioMix ({self.name}): log(s_k / s_ref) = level_k + slope_k * "
            "(phi + ... + phi^h), h = years after " + f"{self.t_last_:g}",
            f"segments: {', '.join(self.segments_)}; reference: {self.reference_}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"df_resid: {self.df_resid_}; uncertainty: {self.sigma_source_}",
            "",
            f"{'log-ratio':<28}{'level':>9}{'slope/yr':>10}{'damping':>9}{'slope sd':>10}",
        ]
        for i, k in enumerate(self.ratio_segments_):
            sd = self.bse_[f"slope[{k}]"]
            sd_txt = f"{sd:>10.4g}" if np.isfinite(sd) else f"{'n/a':>10}"
            label = f"log({k}/{self.reference_})"
            lines.append(
                f"{label:<28}{self.level_[i]:>9.4f}{self.slope_[i]:>+10.4f}"
                f"{self.damping_[i]:>9g}{sd_txt}"
            )
            if self.damping_[i] < 1.0:
                phi = self.damping_[i]
                lines.append(
                    f"  damped: moves at most {self.slope_[i] * phi / (1 - phi):+.3f} beyond "
                    f"{self.t_last_:g} in total"
                )
        if self.t_last_ < 2030:
            trend = self.predict([2030.0])[0]
            lines.append(
                "trend mix in 2030: "
                + ", ".join(f"{k} {v:.1%}" for k, v in zip(self.segments_, trend, strict=True))
            )
        lines.append("")
        lines.extend(f"note: {n}" for n in self.notes_)
        return "\n".join(lines)


__all__ = [
    "DEFAULT_DRIFT_SIGMA",
    "LOGIT_CLIP",
    "LOG_RATIO_CLIP",
    "SUM_TOLERANCE",
    "LogRatioMix",
    "LogitShare",
    "alr",
    "inv_alr",
    "inv_logit",
    "logit",
    "segment_paths",
    "shares_from_levels",
    "two_part_share",
]
