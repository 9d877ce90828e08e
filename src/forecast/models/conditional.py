"""The conditional calibration behind the default method, estimated from a reference class.

Four annual points cannot say how fast growth slows or how wide the band is six years out, so
both are borrowed from windows of real ramp-ups (``technology_ramps.csv``: solar and wind
generation, electric-car sales by country) that grew >= 15%/yr over ``w`` = 4 years and whose
series held at least :data:`MIN_SHARE` of its technology's world total at the origin ``T``
(established series; first kilowatt-hours are neither fitted nor scored).

Features at the origin of a window with log values ``z`` and increments ``d``: growth
``g = mean(d)``, acceleration ``acc = (d_last - d_first) / 2`` [1/yr per yr], volatility
``vol = sd(d)`` [1/yr], last growth ``|d_last|`` [1/yr], log world share ``ls``, size-third
dummies ``m``, ``l`` (mid, large; by level at the origin within the kind) and kind weights
``k`` (one-hot for a reference series, a stated mix otherwise). The log change at horizon
``h`` is::

    y_h = m_h(x) + s_h(x) * e    m_h = sum_t k_t (a_th + c_th ls) + b_h [m, l, g, acc, vol]
                                 s_h = sum_t k_t u_th + v_h [vol, ls, |d_last|]     (>= 0.02)
    e ~ the error quantiles of the window's cell (kind x size third x horizon group)

``m_h`` is a median (LAD) regression whose coefficients decay geometrically in ``h`` toward a
long-run growth; ``s_h`` a LAD regression of the absolute residuals on ``1, sqrt(h), h``
(noise accumulates like ``sqrt(h)``, a growth-rate error like ``h``). Both weigh outcomes by
series (:data:`SERIES_WEIGHT`), so that a long series does not outvote the rest. The 199
quantiles of the standardised errors are kept per cell, Mondrian-style, shrunk toward the kind
x size group (:data:`HORIZON_SHRINK`) and that toward the pooled errors (:data:`SHRINK`). The
scale is widened per horizon by the ratio of out-of-fold to in-sample 10-90% ranges
(:data:`FOLDS` folds of series; 1.02-1.07 on the shipped class). Draws join the horizons by a
Gaussian copula of the errors' normal scores.

**Assumes** the series errs like established reference series of its kind, size and
features did, 1..6 years out; tails stop at the 0.5% and 99.5% quantiles. Where it is weak:
the README's "Models" section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from forecast.data.reference import ReferenceWindows
from forecast.errors import ModelError

__all__ = [
    "DAMPING_GRID", "HORIZON_SHRINK", "LEVEL_GRID", "MIN_SHARE", "MIN_WINDOWS", "SCALE_FLOOR",
    "SERIES_WEIGHT", "SHRINK", "SIZES", "Calibration", "fit_calibration", "interp_grid", "one_hot",
    "window_features",
]

#: Quantile levels kept per horizon: 0.5%, 1%, ..., 99.5% (includes 5, 10, 50, 90, 95%).
LEVEL_GRID = np.arange(1, 200) / 200.0
#: Fewest windows with an actual at a horizon for its error quantiles to be estimated.
MIN_WINDOWS = 20
#: Damping factors of the centre's transient growth searched.
DAMPING_GRID = np.round(np.arange(0.3, 0.91, 0.1), 2)
#: Smallest share of its technology's world total at a window's origin [fraction].
MIN_SHARE = 0.001
#: Folds of series whose out-of-fold errors set how much the band is widened.
FOLDS = 5
#: Pseudo-windows of the pooled error quantiles added to each technology x size group's own.
SHRINK = 20.0
#: Pseudo-errors of a technology x size group's quantiles added to each horizon group's own:
#: the middle of the range (20-50) where every cell meets its targets leaving one series out;
#: CRPS and held-out places barely move across it (``benchmarks/shrink_sweep.py``).
HORIZON_SHRINK = 30.0
#: Size thirds of a technology's windows, by level at the origin.
SIZES = ("small", "mid", "large")
#: Exponent of a series' weight in the median regressions, ``n ** -SERIES_WEIGHT`` for each of
#: its ``n`` outcomes: 0 weighs outcomes alike, 1 series alike. Outcome-weighted, the many
#: windows of long national series set the path, and the series holding >= 15% of their
#: world market, the ones most like China's, were forecast too low at 5-6 years.
SERIES_WEIGHT = 0.5
#: Smallest scale of the log errors [log]: a window with no volatility still errs.
SCALE_FLOOR = 0.02
#: The median regressions stop when no coefficient moves more [log] (reweighting crawls
#: near a least-absolute-deviations optimum; this is far below what moves a quantile).
LAD_TOLERANCE = 1e-4


def window_features(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Growth ``g`` [1/yr], acceleration ``acc`` [1/yr per yr] and volatility ``vol`` [1/yr]
    (as in the module docstring; 0 with one increment), each ``(n,)``, of windows ``(n, w)``
    [any unit, > 0], consecutive years, oldest first."""
    inc = np.diff(np.log(values), axis=1)
    g = inc.mean(axis=1)
    acc = (inc[:, -1] - inc[:, 0]) / 2.0
    vol = inc.std(axis=1, ddof=1) if inc.shape[1] > 1 else np.zeros(len(inc))
    return g, acc, vol


def _design(values: np.ndarray, share: np.ndarray, weights: np.ndarray, size: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre and scale design matrices and the growth ``g`` (n,); ``size`` is 0, 1 or 2."""
    g, acc, vol = window_features(values)
    last = np.abs(np.diff(np.log(values[:, -2:]), axis=1)[:, 0])
    ls = np.log(share)[:, None]
    thirds = np.eye(len(SIZES))[size][:, 1:]
    centre = np.column_stack([weights, thirds, weights * ls, g, acc, vol])
    scale = np.column_stack([weights, vol, ls[:, 0], last])
    return centre, scale, g


def _thirds(logs: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Size third (0, 1, 2) of log levels ``logs`` (n,) by their kinds' ``cuts`` (n, 2)."""
    return (logs > cuts[:, 0]).astype(int) + (logs > cuts[:, 1]).astype(int)


@dataclass(frozen=True, eq=False)
class Calibration:
    """Method-level quantities estimated from a reference class (see the module docstring).

    Attributes
    ----------
    window, horizons, min_growth, min_share
        Points per window, years ahead, least end-point growth [fraction/yr] and share of the
        world market [fraction] of the windows used.
    kinds : tuple of str
        Reference technologies, in the order of the kind weights.
    centre : ndarray, shape (horizons, 2 * len(kinds) + 5)
        ``a_t`` (per kind), the mid and large thirds' shifts, ``c_t`` (per kind, on ``ls``)
        and ``b`` (on g, acc, vol) [log].
    scale : ndarray, shape (horizons, len(kinds) + 3)
        ``u_t`` (per kind) and ``v`` (on vol, ls, ``|d_last|``) [log].
    size_cuts : ndarray, shape (len(kinds), 2)
        Log levels [log of the series' unit] splitting each kind's windows into thirds.
    quantiles : ndarray, shape (len(kinds), 3, horizons, len(LEVEL_GRID))
        Standardised error quantiles per kind, size third and horizon (equal within a
        horizon group) [-].
    correlation : ndarray, shape (horizons, horizons)
        Correlation of the errors' normal scores across horizons (the copula of draws).
    n_windows, n_series
        Windows with an actual at each horizon ``(horizons,)``; series contributing windows.
    damping : float
        Decay per year of the centre's transient growth [-].
    kind : str
        ``"default"``, or ``"benchmark"``: a log random walk with the window's drift and
        pooled per-horizon error quantiles (``y_h = g h + e``).
    spread : ndarray, shape (horizons,), optional
        Out-of-fold over in-sample widening of the scale [-] (refits on a subset keep the
        whole class's); None: none.
    """

    window: int
    horizons: int
    min_growth: float
    min_share: float
    kinds: tuple[str, ...]
    centre: np.ndarray
    scale: np.ndarray
    size_cuts: np.ndarray
    quantiles: np.ndarray
    correlation: np.ndarray
    n_windows: np.ndarray
    n_series: int
    damping: float = 1.0
    kind: str = "default"
    spread: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and numbers (a JSON document); :meth:`from_dict` reverses it."""
        return {k: (v.tolist() if isinstance(v, np.ndarray) else
                    list(v) if isinstance(v, tuple) else v)
                for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """The calibration written by :meth:`to_dict`."""
        arrays = ("centre", "scale", "size_cuts", "quantiles", "correlation", "spread")
        out = {k: np.asarray(v, float) if k in arrays and v is not None else v
               for k, v in data.items()}
        out["n_windows"] = np.asarray(data["n_windows"], int)
        out["kinds"] = tuple(data["kinds"])
        return cls(**out)

    def weights(self, kind: str | Mapping[str, float]) -> np.ndarray:
        """Kind weights (len(kinds),) of a reference technology or a mix summing to 1."""
        mix = {kind: 1.0} if isinstance(kind, str) else dict(kind)
        unknown = sorted(set(mix) - set(self.kinds))
        if unknown:
            raise ModelError(f"kind {unknown[0]!r} is not in the reference class "
                             f"({', '.join(self.kinds)})")
        w = np.array([float(mix.get(k, 0.0)) for k in self.kinds])
        if not (np.all(np.isfinite(w)) and np.all(w >= 0) and abs(w.sum() - 1.0) < 1e-9):
            raise ModelError(f"kind weights must be >= 0 and sum to 1; got {mix}")
        return w

    def size_index(self, kind_index: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Size third (0, 1, 2) of windows of kind ``kind_index`` ending at ``last``."""
        return _thirds(np.log(last), self.size_cuts[kind_index])

    def log_quantiles(self, values: np.ndarray, share: np.ndarray, weights: np.ndarray,
                      size: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Quantiles (n, H, L) of the log change from each window's last value [log]."""
        x_c, x_s, g = _design(values, share, weights, size)
        n_h = self.horizons
        if self.kind == "benchmark":
            centre = g[:, None] * np.arange(1, n_h + 1)
            scale = np.ones((len(g), n_h))
        else:
            centre = x_c @ self.centre.T
            scale = np.maximum(x_s @ self.scale.T, SCALE_FLOOR)
        # A mix of kinds takes the weighted mean of its kinds' quantile functions.
        std = np.einsum("nk,knhg->nhg", weights, self.quantiles[:, size])
        std_q = interp_grid(std, levels)
        return centre[:, :, None] + scale[:, :, None] * std_q


def _lad(x: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray | None) -> np.ndarray:
    """Least absolute deviations weighted by ``w``, by at most 300 iteratively reweighted least
    squares steps from ``beta`` (None: the least-squares fit)."""
    if beta is None:
        beta = np.linalg.lstsq(x, y, rcond=None)[0]
    for _ in range(300):
        ww = w / np.maximum(np.abs(y - x @ beta), 1e-6)
        xw = x * ww[:, None]
        gram = xw.T @ x
        # A tiny ridge keeps the normal equations solvable when a column is constant.
        new = np.linalg.solve(gram + 1e-12 * np.trace(gram) * np.eye(len(beta)), xw.T @ y)
        done = np.max(np.abs(new - beta)) < LAD_TOLERANCE
        beta = new
        if done:
            break
    return beta


def _scale_at(x_s: np.ndarray, scale: np.ndarray, ii: np.ndarray, hh: np.ndarray
              ) -> np.ndarray:
    """Scale of observations (window ``ii``, horizon index ``hh``) [log], floored."""
    return np.maximum(np.sum(x_s[ii] * scale[hh], axis=1), SCALE_FLOOR)


def _fit_paths(x_c: np.ndarray, x_s: np.ndarray, ii: np.ndarray, hh: np.ndarray,
               y: np.ndarray, w: np.ndarray, n_h: int, warm: tuple | None
               ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Centre (H, p), damping, scale (H, q) and the centre's residuals of observations
    (window ``ii``, horizon index ``hh``, log change ``y``, weight ``w``), by LAD with phi on a
    grid, warm-started from ``warm`` (centre, damping and unwidened scale of a fit on more
    windows) where given."""
    h = np.arange(1, n_h + 1, dtype=float)

    @cache
    def at(j: int) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        # The horizon terms of the centre (H, 2): h and 1 + phi + ... + phi**(h-1).
        basis = np.column_stack([h, np.cumsum(DAMPING_GRID[j] ** np.arange(n_h))])
        x = _kron(x_c[ii], basis[hh])
        beta = _lad(x, y, w, None if warm is None else _unkron(warm[0], basis))
        res = y - x @ beta
        return float(np.sum(np.abs(res))), beta, basis, res

    # The damping is chosen once on the whole class; refits keep it.
    best = (min(range(DAMPING_GRID.size), key=lambda j: at(j)[0]) if warm is None
            else int(np.argmin(np.abs(DAMPING_GRID - warm[1]))))
    _, beta, basis, res = at(best)
    # The horizon terms of the scale (H, 3): 1, sqrt(h) and h.
    s_basis = np.column_stack([np.ones_like(h), np.sqrt(h), h])
    gamma = _lad(_kron(x_s[ii], s_basis[hh]), np.abs(res), w,
                 None if warm is None else _unkron(warm[2], s_basis))
    return (_rekron(beta, basis, x_c.shape[1]), float(DAMPING_GRID[best]),
            _rekron(gamma, s_basis, x_s.shape[1]), res)


def _cross_fitted_spread(x_c: np.ndarray, x_s: np.ndarray, ii: np.ndarray, hh: np.ndarray,
                         y: np.ndarray, w: np.ndarray, n_h: int, series: np.ndarray,
                         fitted: tuple, res: np.ndarray) -> np.ndarray:
    """Per horizon, the 10-90% range of standardised errors out of fold over in sample (H,).

    Each of :data:`FOLDS` folds of ``series`` (each observation's number) is forecast by the fit
    on the others: a fit's own residuals understate how it errs on series it has not seen.
    """
    fold = series % FOLDS
    oof = np.empty_like(y)
    for k in range(FOLDS):
        test = fold == k
        if not test.any() or test.all():
            return np.ones(n_h)
        train = ~test
        centre, _, scale, _ = _fit_paths(x_c, x_s, ii[train], hh[train], y[train], w[train],
                                         n_h, fitted)
        pred = np.sum(x_c[ii[test]] * centre[hh[test]], axis=1)
        oof[test] = (y[test] - pred) / _scale_at(x_s, scale, ii[test], hh[test])
    own = res / _scale_at(x_s, fitted[2], ii, hh)
    q = [[np.quantile(e[hh == h], [0.1, 0.9]) for h in range(n_h)] for e in (oof, own)]
    return np.diff(q[0])[:, 0] / np.diff(q[1])[:, 0]


def _kron(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise products of features (n, p) and horizon terms (n, 2) -> (n, 2p)."""
    return (x[:, :, None] * b[:, None, :]).reshape(len(x), -1)


def _rekron(beta: np.ndarray, basis: np.ndarray, p: int) -> np.ndarray:
    """Per-horizon coefficients (H, p) of joint coefficients (2p,)."""
    return basis @ beta.reshape(p, -1).T


def _unkron(per_h: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Joint coefficients (2p,) whose per-horizon coefficients are ``per_h`` (H, p)."""
    return np.linalg.lstsq(basis, per_h, rcond=None)[0].T.reshape(-1)


def _normal_score_correlation(std_err: np.ndarray) -> np.ndarray:
    """Correlation of normal scores of standardised errors over windows with every horizon."""
    from scipy import stats

    n_h = std_err.shape[1]
    full = std_err[np.all(np.isfinite(std_err), axis=1)]
    if full.shape[0] < n_h + 2 or n_h == 1:
        return np.eye(n_h)
    ranks = stats.rankdata(full, axis=0)
    scores = stats.norm.ppf(ranks / (full.shape[0] + 1.0))
    corr = np.atleast_2d(np.corrcoef(scores, rowvar=False))
    return np.where(np.isfinite(corr), corr, np.eye(n_h))


def one_hot(technology: np.ndarray, kinds: tuple[str, ...]) -> np.ndarray:
    return (np.asarray(technology)[:, None] == np.array(kinds)[None, :]).astype(float)


def fit_calibration(
    windows: ReferenceWindows, kind: str = "default", start: Calibration | None = None
) -> Calibration:
    """Estimate the default method (or its benchmark) from reference-class windows.

    Parameters
    ----------
    windows : ReferenceWindows
        Windows with their technology and share (:func:`forecast.data.reference.
        extract_windows`); every share must be known and > 0.
    kind : {"default", "benchmark"}
        The calibrated default method, or its benchmark (see :class:`Calibration`).
    start : Calibration, optional
        A calibration on a superset of these windows whose coefficients warm-start this one's
        (the leave-one-series-out refits).

    Raises
    ------
    ModelError
        Fewer than :data:`MIN_WINDOWS` windows with an actual at some horizon, or a window
        whose share of its world market is unknown.
    """
    if kind not in ("default", "benchmark"):
        raise ModelError(f"calibration kind must be 'default' or 'benchmark'; got {kind!r}")
    change = np.log(windows.actual) - np.log(windows.values[:, -1:])
    counts = np.sum(np.isfinite(change), axis=0)
    if len(windows) == 0 or counts.min() < MIN_WINDOWS:
        h_bad = int(np.argmin(counts)) + 1
        raise ModelError(
            f"the reference class has {int(counts.min())} windows with an actual "
            f"{h_bad} year(s) ahead; at least {MIN_WINDOWS} are needed at every horizon "
            "(use fewer horizons, a shorter window or a lower min-growth)"
        )
    if not np.all(windows.share > 0):
        bad = windows.technology[~(windows.share > 0)][0]
        raise ModelError(f"no world total for technology {bad!r} in a window's origin year: "
                         "its share of the world market is unknown")
    from threadpoolctl import threadpool_limits

    # Many small least-squares solves: a BLAS thread pool only adds contention.
    with threadpool_limits(1):
        return _fit(windows, kind, start, change, counts)


def _fit(windows: ReferenceWindows, kind: str, start: Calibration | None, change: np.ndarray,
         counts: np.ndarray) -> Calibration:
    n_h = windows.horizons
    kinds = tuple(sorted(set(windows.technology.tolist())))
    weights = one_hot(windows.technology, kinds)
    kind_index = np.argmax(weights, axis=1)
    logs = np.log(windows.values[:, -1])
    cuts = np.array([np.quantile(logs[kind_index == j], [1 / 3, 2 / 3])
                     for j in range(len(kinds))])
    size = _thirds(logs, cuts[kind_index])
    x_c, x_s, g = _design(windows.values, windows.share, weights, size)
    centre = np.zeros((n_h, x_c.shape[1]))
    scale = np.zeros((n_h, x_s.shape[1]))
    err = np.full_like(change, np.nan)
    phi = 1.0
    spread = np.ones(n_h)
    ii, hh = np.nonzero(np.isfinite(change))
    y = change[ii, hh]
    series = np.unique(windows.series, return_inverse=True)[1][ii]
    w = np.bincount(series)[series] ** -SERIES_WEIGHT
    if kind == "benchmark":
        err[ii, hh] = y - g[ii] * (hh + 1)
    else:
        # One fit over every horizon: annual log growth x.alpha + x.beta phi**(k-1) in year
        # T + k, a transient that decays geometrically toward a long-run growth.
        if start is None:
            centre, phi, scale, res = _fit_paths(x_c, x_s, ii, hh, y, w, n_h, None)
            spread = _cross_fitted_spread(x_c, x_s, ii, hh, y, w, n_h, series,
                                          (centre, phi, scale), res)
        else:
            spread = np.ones(n_h) if start.spread is None else np.asarray(start.spread)
            warm = (start.centre, start.damping, start.scale / spread[:, None])
            centre, phi, scale, res = _fit_paths(x_c, x_s, ii, hh, y, w, n_h, warm)
        # The errors are standardised in sample; the band is the wider out-of-fold one.
        err[ii, hh] = res / _scale_at(x_s, scale, ii, hh)
        scale = scale * spread[:, None]
    # A group's errors are pooled over horizons (the scale carries the horizon), so 50
    # windows give a few hundred errors; each horizon group then moves its group's shape,
    # since errors lean differently at h5-6 than at h1-2.
    quantiles = np.empty((len(kinds), len(SIZES), n_h, LEVEL_GRID.size))
    ok = np.isfinite(err)
    pooled = np.quantile(err[ok], LEVEL_GRID)
    for j in range(len(kinds) if kind == "default" else 0):
        for s in range(len(SIZES)):
            member = (kind_index == j) & (size == s)
            own = err[ok & member[:, None]]
            n = own.size / n_h
            q = pooled if n == 0 else np.quantile(own, LEVEL_GRID)
            quantiles[j, s] = (n * q + SHRINK * pooled) / (n + SHRINK)
            # Horizon indices of the groups h1-2, h3-4, ... (the last may hold one).
            for hg in (np.arange(k, min(k + 2, n_h)) for k in range(0, n_h, 2)):
                cell = err[:, hg][ok[:, hg] & member[:, None]]
                if cell.size:
                    quantiles[j, s, hg] = ((cell.size * np.quantile(cell, LEVEL_GRID)
                                            + HORIZON_SHRINK * quantiles[j, s, hg[0]])
                                           / (cell.size + HORIZON_SHRINK))
    if kind == "benchmark":
        quantiles[:] = np.array([np.quantile(err[ok[:, k], k], LEVEL_GRID)
                                 for k in range(n_h)])
    return Calibration(
        window=windows.window, horizons=n_h, min_growth=windows.min_growth,
        min_share=windows.min_share, kinds=kinds, centre=centre, scale=scale, size_cuts=cuts,
        quantiles=quantiles, correlation=_normal_score_correlation(err),
        n_windows=counts.astype(int), n_series=int(np.unique(windows.series).size),
        damping=phi, kind=kind, spread=spread,
    )


def interp_grid(grid_values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Linear interpolation along the last axis from :data:`LEVEL_GRID` to ``levels``."""
    pos = np.clip((levels - LEVEL_GRID[0]) * 200.0, 0.0, LEVEL_GRID.size - 1.0)
    lo = np.minimum(np.floor(pos).astype(int), LEVEL_GRID.size - 2)
    frac = pos - lo
    return grid_values[..., lo] * (1.0 - frac) + grid_values[..., lo + 1] * frac
