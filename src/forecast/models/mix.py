"""Mix of segments: additive log-ratios (ALR), the log-ratio trend of a mix
(:class:`LogRatioMix`), and a total split into segments (:func:`segment_paths`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models import curves
from forecast.models.base import BaseModel, as_float, as_years
from forecast.models.ols import draw_lines, ols
from forecast.models.uncertainty import t_scale

__all__ = [
    "DEFAULT_DRIFT_SIGMA", "LOG_RATIO_CLIP", "SUM_TOLERANCE", "LogRatioMix", "alr", "inv_alr",
    "segment_paths",
]

#: Log-ratios are clipped to +-this before the inverse ALR so no share underflows to 0.
LOG_RATIO_CLIP: float = 50.0

#: Default absolute tolerance of mix rows summing to one [fraction].
SUM_TOLERANCE: float = 1e-6

#: Default stated sd of each log-ratio slope [log-ratio per year]: after six years a ratio is
#: uncertain by a factor of about exp(0.6) = 1.8 (one sd).
DEFAULT_DRIFT_SIGMA: float = 0.1


def alr(shares: ArrayLike, reference: int) -> np.ndarray:
    """Log-ratios ``log(s_k / s_reference)`` (..., n_segments - 1) [log-ratio] of positive
    shares (..., n_segments) [fraction], for every ``k != reference`` in order."""
    arr = as_float(shares, "shares")
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0.0):
        raise ModelError("log-ratios need finite, strictly positive shares")
    logs = np.log(arr)
    return np.delete(logs, reference, axis=-1) - logs[..., reference : reference + 1]


def inv_alr(ratios: ArrayLike, reference: int) -> np.ndarray:
    """The inverse of :func:`alr`: positive shares (..., n_segments) summing to one."""
    r = np.clip(np.asarray(ratios, float), -LOG_RATIO_CLIP, LOG_RATIO_CLIP)
    # The clip keeps exp() finite and every share > 0, so no row-maximum shift is needed.
    e = np.exp(np.insert(r, reference, 0.0, axis=-1))
    return e / e.sum(axis=-1, keepdims=True)


def segment_paths(total: ArrayLike, shares: ArrayLike) -> np.ndarray:
    """Split a projected total, values ``(n_years,)`` or draws ``(n_draws, n_years)`` [e.g.
    GWh], by ``shares`` ``([n_draws,] n_years, n_segments)`` [fraction] (non-negative, rows
    summing to one within 1e-9) into segment levels ``([n_draws,] n_years, n_segments)`` [unit
    of ``total``]; the largest segment takes the remainder, so rows sum to the total, none < 0."""
    tot = as_float(total, "total")
    sh = as_float(shares, "shares")
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


def _damped_horizon(h: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """Trend multiplier ``phi + ... + phi^h`` (n_years, m) of horizons ``h`` (n_years,) and
    damping (m,); years up to the last observation (h <= 0) follow the undamped line."""
    hh = h[:, None]
    return np.where(hh <= 0.0, hh, curves.damped_sum(damping[None, :], hh))


@dataclass(eq=False, repr=False, kw_only=True)
class LogRatioMix(BaseModel):
    """Additive log-ratio (ALR) trend of a segment mix.

    Each ``r_k = log(s_k / s_ref)`` is fitted by OLS on the year and continued from its fitted
    value at the last year ``T``, ``r_k(T + h) = level_k + slope_k (phi + ... + phi^h)``. Two
    years (China 2023-2024) say nothing about uncertainty, so by default each slope is drawn
    as ``slope_k + drift_sigma_k N(0, 1)``, the level at ``T`` held fixed.

    Parameters
    ----------
    reference : str, optional
        Reference (denominator) segment; default the one with the largest mean share.
    damping : float or mapping of str to float
        Damping factor phi in (0, 1], for all slopes or per non-reference segment (others 1).
        1 extrapolates the slope linearly (:meth:`summary` flags it); with phi < 1 a log-ratio
        moves at most ``slope phi / (1 - phi)`` beyond ``T``.
    drift_sigma : float, mapping of str to float, or None
        Stated sd of each slope [log-ratio per year], for all or per non-reference segment
        (others :data:`DEFAULT_DRIFT_SIGMA`). None: the OLS uncertainty of level and slope
        (Student t with the residual df), which needs at least 3 years.
    sum_tolerance : float
        Absolute tolerance of each input row summing to one [fraction].

    Attributes
    ----------
    segments_, reference_, ratio_segments_
        Segment names in input order (the last axis of every share array), the reference, and
        the others in the order of the log-ratio arrays.
    level_, slope_ : ndarray
        Log-ratios at ``t_last_`` [log-ratio] and slopes [log-ratio per year].
    damping_, drift_sigma_, resid_sigma_, slope_se_ : ndarray or None
        Per-ratio damping [-], stated drift sd, residual sd [log-ratio] and slope standard
        error [log-ratio per year] (None when not stated or with 0 residual df).
    """

    name: ClassVar[str] = "log_ratio_mix"
    family: ClassVar[str] = "mix"
    fit_call: ClassVar[str] = "fit(years, shares, segments)"
    min_obs_reason: ClassVar[str] = "a trend needs two years"

    reference: str | None = None
    damping: float | Mapping[str, float] = 1.0
    drift_sigma: float | Mapping[str, float] | None = DEFAULT_DRIFT_SIGMA
    sum_tolerance: float = SUM_TOLERANCE

    def _per_ratio(self, value: float | Mapping[str, float], name: str,
                   default: float) -> np.ndarray:
        """A setting per log-ratio: one value for all, or a mapping by segment."""
        if not isinstance(value, Mapping):
            return np.full(len(self.ratio_segments_), float(value))
        unknown = set(value) - set(self.ratio_segments_)
        if unknown:
            raise ModelError(f"{name} names {sorted(unknown)}, which are not non-reference "
                             f"segments {list(self.ratio_segments_)}")
        return np.array([float(value.get(k, default)) for k in self.ratio_segments_])

    def fit(self, X: ArrayLike, y: ArrayLike, segments: Sequence[str] | None = None) -> LogRatioMix:
        """Fit to distinct years ``X`` [year] and shares ``y`` ``(n_years, n_segments)``
        [fraction], > 0, rows summing to one within ``sum_tolerance``, named by ``segments``
        or a DataFrame's columns.

        Raises
        ------
        ModelError
            Fewer than 2 years or 2 segments, mismatched lengths, NaN, repeated years, a share
            <= 0, a row not summing to one, an unknown reference, or settings out of range.
        """
        self._forget_fit()
        t, s, names = self._checked_data(X, y, segments)
        if self.reference is None:
            ref = int(np.argmax(s.mean(axis=0)))
        elif self.reference in names:
            ref = names.index(self.reference)
        else:
            raise ModelError(f"reference segment {self.reference!r} is not one of {list(names)}")
        self.segments_, self.reference_, self._ref_index = names, names[ref], ref
        self.ratio_segments_ = tuple(n for i, n in enumerate(names) if i != ref)
        # Settings are resolved now so a typo fails at fit, not at the first draw.
        phi, drift = self._per_ratio(self.damping, "damping", 1.0), None
        if not np.all((phi > 0.0) & (phi <= 1.0)):
            raise ModelError(f"damping must be in (0, 1]; got {phi.tolist()}")
        if self.drift_sigma is not None:
            drift = self._per_ratio(self.drift_sigma, "drift_sigma", DEFAULT_DRIFT_SIGMA)
            # 0 would claim the 2-point trend is certain; use predict() for the bare trend.
            if not np.all(np.isfinite(drift) & (drift > 0.0)):
                raise ModelError(f"drift_sigma must be positive; got {drift.tolist()}")
        self.damping_, self.drift_sigma_ = phi, drift
        self._beta, resid, self._xtx_inv = ols(t, alr(s, ref))
        self.n_obs_, self.years_, self.shares_ = len(t), t, s
        self.t_last_ = float(t[-1])
        self.level_, self.slope_ = self._beta[0].copy(), self._beta[1].copy()
        self.df_resid_ = len(t) - 2
        self.resid_sigma_ = self.slope_se_ = None
        if self.df_resid_ > 0:
            self.resid_sigma_ = np.sqrt(np.sum(resid**2, axis=0) / self.df_resid_)
            self.slope_se_ = self.resid_sigma_ * np.sqrt(self._xtx_inv[1, 1])
        self._describe()
        return self

    def _checked_data(
        self, X: ArrayLike, y: ArrayLike, segments: Sequence[str] | None
    ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """Years, shares and segment names of the training data, checked (see :meth:`fit`)."""
        if not (np.isfinite(self.sum_tolerance) and 0.0 <= self.sum_tolerance < 1.0):
            raise ModelError(f"sum_tolerance must be in [0, 1); got {self.sum_tolerance!r}")
        if segments is None and hasattr(y, "columns"):
            segments = [str(c) for c in y.columns]  # type: ignore[union-attr]
        t, s = self._sorted_data(X, y, "shares", ndim=2)
        if segments is None:
            raise ModelError("name the segments: fit(years, shares, segments=[...])")
        names = tuple(str(x) for x in segments)
        if len(names) != s.shape[1]:
            raise ModelError(f"got {len(names)} segment names for {s.shape[1]} share columns")
        if len(set(names)) != len(names):
            raise ModelError(f"segment names must be distinct; got {list(names)}")
        if len(names) < 2:
            raise ModelError("a mix needs at least 2 segments")
        if np.any(s <= 0.0):
            raise ModelError("every share must be strictly positive for log-ratios")
        off = np.abs(s.sum(axis=1) - 1.0)
        if np.any(off > self.sum_tolerance):
            i = int(np.argmax(off))
            raise ModelError(
                f"shares in {t[i]:g} sum to {s[i].sum():.6g}, not 1 (tolerance "
                f"{self.sum_tolerance:g}); normalise levels with shares_from_levels()"
            )
        return t, s, names

    def _describe(self) -> None:
        self.notes_: list[str] = []
        if self.df_resid_ == 0:
            self.notes_.append("2 years determine each log-ratio trend exactly (df_resid = 0): "
                               "the data carry no information about uncertainty")
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
            self.notes_.append(
                "drift_sigma=None needs at least 3 years: sample() will refuse until a drift "
                "sigma is stated" if self.df_resid_ == 0 else
                f"draws are Student t with {self.df_resid_} df from the OLS residuals")
        undamped = [k for k, p in zip(self.ratio_segments_, self.damping_, strict=True) if p == 1]
        if undamped:
            self.notes_.append(
                f"UNDAMPED log-ratio trend for {', '.join(undamped)}: the fitted slope is "
                "extrapolated linearly on the log-ratio scale (set damping < 1 to fade it)"
            )
        rows = {}
        for i, k in enumerate(self.ratio_segments_):
            se = (math.nan, math.nan)
            if self.drift_sigma_ is not None:
                se = (math.nan, self.drift_sigma_[i])
            elif self.resid_sigma_ is not None:
                se = (self.resid_sigma_[i] * np.sqrt(self._xtx_inv[0, 0]),
                      self.slope_se_[i])  # type: ignore[index]
            rows[f"level[{k}]"] = (self.level_[i], se[0], f"log({k}/{self.reference_})")
            rows[f"slope[{k}]"] = (self.slope_[i], se[1], "log-ratio/year")
        self._set_params(**rows)

    def _predict(self, t: np.ndarray) -> np.ndarray:
        """Trend shares [fraction], rows summing to one."""
        g = _damped_horizon(t - self.t_last_, self.damping_)
        return inv_alr(self.level_ + self.slope_ * g, self._ref_index)

    def _sample(self, t: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """Mixes [fraction], segments in ``segments_`` order; a ModelError for
        ``drift_sigma=None`` with 2 years."""
        g = _damped_horizon(t - self.t_last_, self.damping_)  # (n_years, m)
        m = len(self.ratio_segments_)
        if self.drift_sigma_ is not None:
            a = np.broadcast_to(self.level_, (n_draws, m))
            b = self.slope_ + self.drift_sigma_ * rng.standard_normal((n_draws, m))
        elif self.resid_sigma_ is None:
            raise ModelError(
                f"{self.n_obs_} years leave 0 residual degrees of freedom, so the "
                "log-ratio uncertainty cannot be estimated: state drift_sigma (e.g. 0.1)"
            )
        else:
            sig = self.resid_sigma_ * t_scale(rng, self.df_resid_, (n_draws, m))
            a, b = draw_lines(self._beta, self._xtx_inv, sig, rng)
        return inv_alr(a[:, None, :] + b[:, None, :] * g[None, :, :], self._ref_index)

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None,
                       total: ArrayLike | None = None):
        """:meth:`BaseModel.forecast_frame` per year and segment [fraction].

        With ``total``, values ``(n_years,)`` or draws ``(n_draws, n_years)`` [e.g. GWh], the
        table holds segment levels (:func:`segment_paths`) [unit of ``total``], total draws
        paired one to one with mix draws, and ``central`` is the trend mix times the total (or
        the median of its draws).
        """
        t = as_years(X)
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
            central = segment_paths(np.median(tot, axis=0) if tot.ndim == 2 else tot, central)
        return self._frame(t, central, draws)

    def _summary_head(self) -> list[str]:
        return [
            f"LogRatioMix ({self.name}): log(s_k / s_ref) = level_k + slope_k * "
            f"(phi + ... + phi^h), h = years after {self.t_last_:g}",
            f"segments: {', '.join(self.segments_)}; reference: {self.reference_}",
            f"observations: {self.n_obs_} ({self.years_[0]:g}-{self.years_[-1]:g}); "
            f"df_resid: {self.df_resid_}; uncertainty: {self.sigma_source_}",
        ]

    def _summary_body(self) -> list[str]:
        lines = [f"{'log-ratio':<28}{'level':>9}{'slope/yr':>10}{'damping':>9}{'slope sd':>10}"]
        for i, k in enumerate(self.ratio_segments_):
            sd = self.bse_[f"slope[{k}]"]
            sd_txt = f"{sd:>10.4g}" if np.isfinite(sd) else f"{'n/a':>10}"
            phi = self.damping_[i]
            lines.append(f"{f'log({k}/{self.reference_})':<28}{self.level_[i]:>9.4f}"
                         f"{self.slope_[i]:>+10.4f}{phi:>9g}{sd_txt}")
            if phi < 1.0:
                lines.append(f"  damped: moves at most {self.slope_[i] * phi / (1 - phi):+.3f} "
                             f"beyond {self.t_last_:g} in total")
        return lines
