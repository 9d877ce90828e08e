"""The calibrated default method: a damped, shrunk log trend with reference-class error bands.

Four annual points cannot say how fast growth will slow down or how wide the band should be
six years out. This method borrows both from a *reference class*: windows of real technology
ramp-ups (solar and wind generation, electric-car sales by country;
``data/reference/technology_ramps.csv``) that grew at least 15%/yr over ``w`` = 4 years, and what
happened 1..6 years later. Every quantity it borrows is pooled over all those windows
(method-level), never taken from one series.

For a window of ``w`` consecutive values ending in year ``T`` with log values ``z``, mean log
growth ``g = (z_T - z_{T-w+1}) / (w - 1)`` [1/yr] and volatility ``vol`` (sample standard
deviation of the ``w - 1`` annual log increments) [1/yr], the log value ``h`` years ahead is::

    z_{T+h} = z_T + c_h + s_h * e_h
    c_h = a * h + (b * g + c) * (1 + phi + ... + phi**(h-1))     central path [log]
    s_h = alpha_h + beta_h * vol                                  scale [log]
    e_h ~ the pooled distribution of standardised errors at horizon h

The annual log growth in year ``T + k`` is therefore ``a + (b g + c) phi**(k-1)``: it starts
from the window's growth shrunk toward the class's (``b`` < 1) and decays geometrically (damping
``phi``) toward a long-run growth ``a``. ``(a, b, c, phi)`` are fitted by least absolute
deviations over all windows and horizons (weights ``1 / h``, ``phi`` on a grid); ``alpha_h,
beta_h`` by least absolute deviations of the absolute errors on ``vol`` per horizon; the
distribution of ``e_h`` is kept as its empirical quantiles at levels 0.5%..99.5% per horizon;
draws join the horizons with a Gaussian copula whose correlation is that of the pooled
errors' normal scores.

**What it assumes**: that the series behaves like the reference class's ramp-ups did -- in
particular that battery production after 2024 decelerates like solar, wind and EV sales did
after their fast windows, and that its forecast errors by horizon are distributed like the
errors pooled from them (scaled by its own year-to-year volatility). It knows nothing of
capacity, demand or policy. Its tails are truncated at the calibrated 0.5% and 99.5%
quantiles, and it forecasts only the horizons it was calibrated for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from forecast.data.reference import ReferenceWindows, check_window_options
from forecast.errors import ModelError
from forecast.models.base import BaseModel, as_float, as_years
from forecast.models.uncertainty import QUANTILES, make_rng

__all__ = [
    "DAMPING_GRID",
    "LEVEL_GRID",
    "MIN_WINDOWS",
    "Calibration",
    "DefaultMethod",
    "default_calibration",
    "fit_calibration",
    "log_quantiles",
    "window_features",
]

#: Quantile levels kept per horizon: 0.5%, 1%, ..., 99.5% (includes 5, 10, 50, 90, 95%).
LEVEL_GRID = np.arange(1, 200) / 200.0
#: Damping factors searched: phi = 1 is left out because the long-run term would then be
#: indistinguishable from the transient one.
DAMPING_GRID = np.round(np.arange(0.30, 0.981, 0.04), 2)
#: Fewest windows with an actual at a horizon for its error quantiles to be estimated.
MIN_WINDOWS = 20


@dataclass(frozen=True, eq=False)
class Calibration:
    """Pooled, method-level quantities estimated from a reference class.

    Attributes
    ----------
    window, horizons : int
        Points per window; years ahead calibrated.
    min_growth : float
        Smallest end-point growth of the windows used [fraction/yr].
    long_run, weight, offset, damping : float
        ``a`` [1/yr], ``b`` [-], ``c`` [1/yr] and ``phi`` [-] of the central path.
    scale_base, scale_slope : ndarray, shape (horizons,)
        ``alpha_h`` [log] and ``beta_h`` [yr] of the scale ``s_h = alpha_h + beta_h vol``.
    quantiles : ndarray, shape (horizons, len(LEVEL_GRID))
        Standardised error quantiles per horizon at :data:`LEVEL_GRID` [-].
    correlation : ndarray, shape (horizons, horizons)
        Correlation of the errors' normal scores across horizons (the copula of draws).
    n_windows : ndarray of int, shape (horizons,)
        Windows with an actual at each horizon.
    n_series : int
        Series contributing windows.
    kind : str
        ``"default"``, or ``"benchmark"`` (a log random walk with the window's drift and
        unscaled pooled error quantiles: ``a = c = 0``, ``b = phi = 1``, ``s_h = 1``).
    """

    window: int
    horizons: int
    min_growth: float
    long_run: float
    weight: float
    offset: float
    damping: float
    scale_base: np.ndarray
    scale_slope: np.ndarray
    quantiles: np.ndarray
    correlation: np.ndarray
    n_windows: np.ndarray
    n_series: int
    kind: str = "default"
    _search: dict[str, Any] = field(default_factory=dict, repr=False)

    def central(self, g: np.ndarray, horizons: int | None = None) -> np.ndarray:
        """Central log change ``c_h`` for mean log growths ``g`` (n,) -> (n, H) [log]."""
        n_h = self.horizons if horizons is None else horizons
        h = np.arange(1, n_h + 1, dtype=float)
        geometric = np.cumsum(self.damping ** np.arange(n_h))
        return self.long_run * h + (self.weight * np.asarray(g)[:, None] + self.offset) * geometric

    def scale(self, vol: np.ndarray) -> np.ndarray:
        """Scale ``s_h`` for window volatilities ``vol`` (n,) -> (n, H) [log]."""
        return self.scale_base[None, :] + self.scale_slope[None, :] * np.asarray(vol)[:, None]


def window_features(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean log growth and volatility of windows.

    Parameters
    ----------
    values : ndarray, shape (n, w)
        Window values [any unit], > 0, consecutive years, oldest first.

    Returns
    -------
    (g, vol) : tuple of ndarray, shape (n,)
        Mean annual log growth [1/yr] and the sample standard deviation of the annual log
        increments [1/yr] (0 when ``w == 2`` leaves one increment).
    """
    inc = np.diff(np.log(values), axis=1)
    g = inc.mean(axis=1)
    vol = inc.std(axis=1, ddof=1) if inc.shape[1] > 1 else np.zeros(len(inc))
    return g, vol


# --------------------------------------------------------------------------- estimation


def _lad(x: np.ndarray, y: np.ndarray, w: np.ndarray, beta: np.ndarray | None = None,
         iters: int = 200) -> tuple[np.ndarray, float]:
    """Weighted least absolute deviations by iteratively reweighted least squares."""
    if beta is None:
        root = np.sqrt(w)
        beta = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)[0]
    for _ in range(iters):
        ww = w / np.maximum(np.abs(y - x @ beta), 1e-6)
        xw = x * ww[:, None]
        gram = xw.T @ x
        # A tiny ridge keeps the normal equations solvable when a column is constant.
        new = np.linalg.solve(gram + 1e-12 * np.trace(gram) * np.eye(len(beta)), xw.T @ y)
        done = np.max(np.abs(new - beta)) < 1e-5
        beta = new
        if done:
            break
    return beta, float(np.sum(w * np.abs(y - x @ beta)))


def _fit_central(g: np.ndarray, change: np.ndarray, start: dict[str, Any] | None):
    """(a, b, c, phi) by weighted LAD; returns them and the search state for warm starts."""
    n_h = change.shape[1]
    ii, hh = np.nonzero(np.isfinite(change))
    y = change[ii, hh]
    w = 1.0 / (hh + 1.0)  # errors grow about linearly with the horizon
    h = hh + 1.0
    cache: dict[int, tuple[float, np.ndarray]] = {}
    betas = {} if start is None else start["betas"]

    def at(j: int) -> float:
        if j not in cache:
            geometric = np.cumsum(DAMPING_GRID[j] ** np.arange(n_h))[hh]
            x = np.column_stack([h, geometric * g[ii], geometric])
            # Warm start: the same phi in a superset fit, else the neighbouring phi.
            beta0 = betas.get(j, cache.get(j - 1, (0.0, None))[1])
            cache[j] = _lad(x, y, w, beta0)[::-1]
        return cache[j][0]

    if start is None:
        for j in range(DAMPING_GRID.size):
            at(j)
        best = min(cache, key=lambda k: cache[k][0])
    else:
        # Walk the grid from the full fit's phi while the loss falls: equal to the full grid
        # search when the profile loss is unimodal in phi, and an order of magnitude faster
        # for the leave-one-series-out refits.
        best = start["phi_index"]
        at(best)
        for step in (-1, 1):
            while 0 <= best + step < DAMPING_GRID.size and at(best + step) < at(best):
                best += step
    a, b, c = cache[best][1]
    state = {"phi_index": best, "betas": {j: v[1] for j, v in cache.items()}}
    return (float(a), float(b), float(c), float(DAMPING_GRID[best])), state


def _fit_scale(err: np.ndarray, vol: np.ndarray, use_vol: bool,
               start: np.ndarray | None = None) -> tuple[float, float]:
    """``|err| ~ alpha + beta vol`` by LAD, with alpha > 0 and beta >= 0."""
    a = np.abs(err)
    if use_vol and np.ptp(vol) > 0:
        x = np.column_stack([np.ones_like(vol), vol])
        alpha, beta = _lad(x, a, np.ones_like(a), start)[0]
        if beta >= 0 and alpha > 0:
            return float(alpha), float(beta)
    return max(float(np.median(a)), 1e-9), 0.0


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


def fit_calibration(
    windows: ReferenceWindows, kind: str = "default", start: Calibration | None = None
) -> Calibration:
    """Estimate the pooled quantities of the default method (or the benchmark) from windows.

    Parameters
    ----------
    windows : ReferenceWindows
        Reference-class windows (:func:`forecast.data.reference.extract_windows`).
    kind : {"default", "benchmark"}
        The calibrated default method, or the log random walk with the window's drift and
        pooled per-horizon error quantiles (its benchmark).
    start : Calibration, optional
        A calibration on a superset of these windows (e.g. all of them) whose damping search
        warm-starts this one; used by the leave-one-series-out refits.

    Returns
    -------
    Calibration

    Raises
    ------
    ModelError
        Fewer than :data:`MIN_WINDOWS` windows with an actual at some horizon.
    """
    if kind not in ("default", "benchmark"):
        raise ModelError(f"calibration kind must be 'default' or 'benchmark'; got {kind!r}")
    n_h = windows.horizons
    change = np.log(windows.actual) - np.log(windows.values[:, -1:])
    counts = np.sum(np.isfinite(change), axis=0)
    if len(windows) == 0 or counts.min() < MIN_WINDOWS:
        h_bad = int(np.argmin(counts)) + 1
        raise ModelError(
            f"the reference class has {int(counts.min())} windows with an actual "
            f"{h_bad} year(s) ahead; at least {MIN_WINDOWS} are needed at every horizon "
            "(use fewer horizons, a shorter window or a lower min-growth)"
        )
    g, vol = window_features(windows.values)
    state: dict[str, Any] = {}
    if kind == "default":
        (a, b, c, phi), state = _fit_central(g, change, None if start is None else start._search)
    else:
        a, b, c, phi = 0.0, 1.0, 0.0, 1.0
    h = np.arange(1, n_h + 1, dtype=float)
    central = a * h + (b * g[:, None] + c) * np.cumsum(phi ** np.arange(n_h))
    err = change - central
    base, slope = np.ones(n_h), np.zeros(n_h)
    if kind == "default":
        for k in range(n_h):
            ok = np.isfinite(err[:, k])
            warm = None if start is None else np.array([start.scale_base[k],
                                                        start.scale_slope[k]])
            base[k], slope[k] = _fit_scale(err[ok, k], vol[ok], windows.window > 2, warm)
    std_err = err / (base[None, :] + slope[None, :] * vol[:, None])
    quantiles = np.array(
        [np.quantile(std_err[np.isfinite(std_err[:, k]), k], LEVEL_GRID) for k in range(n_h)]
    )
    return Calibration(
        window=windows.window, horizons=n_h, min_growth=windows.min_growth, long_run=a,
        weight=b, offset=c, damping=phi, scale_base=base, scale_slope=slope,
        quantiles=quantiles, correlation=_normal_score_correlation(std_err),
        n_windows=counts.astype(int), n_series=int(np.unique(windows.series).size),
        kind=kind, _search=state,
    )


@lru_cache(maxsize=16)
def _cached_calibration(path: str, stamp: tuple[int, int], window: int, horizons: int,
                        min_growth: float, kind: str) -> Calibration:
    from forecast.data.reference import extract_windows, load_reference

    frame = load_reference(path)
    return fit_calibration(extract_windows(frame, window, horizons, min_growth), kind)


def default_calibration(
    reference: str | Path | None = None, window: int = 4, horizons: int = 6,
    min_growth: float = 0.15, kind: str = "default",
) -> Calibration:
    """The calibration of the shipped reference class (or another file), cached.

    Parameters
    ----------
    reference : str or Path, optional
        Reference CSV; default ``data/reference/technology_ramps.csv``.
    window, horizons, min_growth
        Window definition (see :func:`forecast.data.reference.extract_windows`).
    kind : {"default", "benchmark"}
        See :func:`fit_calibration`.

    Returns
    -------
    Calibration
        Computed once per file version (path, size and modification time) and options.
    """
    from forecast.data.reference import default_reference_path, load_reference

    check_window_options(window, horizons, min_growth)
    path = Path(default_reference_path() if reference is None else reference).resolve()
    if not path.is_file():
        load_reference(path)  # raises the one-line missing-file error
    st = path.stat()
    return _cached_calibration(str(path), (st.st_size, st.st_mtime_ns), int(window),
                               int(horizons), float(min_growth), kind)


def log_quantiles(cal: Calibration, values: np.ndarray, levels: ArrayLike) -> np.ndarray:
    """Quantiles of the log change from each window's last value, vectorised over windows.

    Parameters
    ----------
    cal : Calibration
    values : ndarray, shape (n, window)
        Window values [any unit], > 0.
    levels : array_like, shape (L,)
        Quantile levels within the calibrated 0.5%..99.5%.

    Returns
    -------
    ndarray, shape (n, horizons, L)
        ``log(v_{T+h} / v_T)`` quantiles [log].
    """
    lv = np.atleast_1d(as_float(levels, "quantile levels"))
    if np.any(lv < LEVEL_GRID[0] - 1e-12) or np.any(lv > LEVEL_GRID[-1] + 1e-12):
        raise ModelError(
            f"quantile levels must lie within the calibrated {LEVEL_GRID[0]:.3f}-"
            f"{LEVEL_GRID[-1]:.3f}; got {lv.min():g}-{lv.max():g}"
        )
    g, vol = window_features(np.asarray(values, float))
    std_q = np.array([np.interp(lv, LEVEL_GRID, q) for q in cal.quantiles])  # (H, L)
    return cal.central(g)[:, :, None] + cal.scale(vol)[:, :, None] * std_q[None, :, :]


# --------------------------------------------------------------------------- the estimator


@dataclass(eq=False, repr=False, kw_only=True)
class DefaultMethod(BaseModel):
    """The calibrated default method as an estimator (see the module docstring).

    Parameters
    ----------
    calibration : Calibration, optional
        Pooled quantities; default the shipped reference class's
        (:func:`default_calibration` with ``window``, ``horizons`` and ``min_growth``).
    window : int
        Points the method looks at: the last ``window`` consecutive years of the data.
    horizons : int
        Years ahead it can forecast.
    min_growth : float
        Reference-class windows grew at least this much [fraction/yr]; a series growing
        less is outside the class (a note says so).
    """

    name = "default"
    family = "growth"

    calibration: Calibration | None = None
    window: int = 4
    horizons: int = 6
    min_growth: float = 0.15

    def _calibration(self) -> Calibration:
        if self.calibration is None:
            return default_calibration(None, self.window, self.horizons, self.min_growth)
        cal = self.calibration
        if (cal.window, cal.horizons) != (self.window, self.horizons):
            raise ModelError(
                f"{self.name}: the calibration is for window {cal.window} and horizons "
                f"{cal.horizons}, not {self.window} and {self.horizons}"
            )
        return cal

    def fit(self, X: ArrayLike, y: ArrayLike) -> DefaultMethod:
        """Take the last ``window`` values of a series.

        Parameters
        ----------
        X : array_like
            Years [calendar year], consecutive integers, ``(n,)`` or ``(n, 1)``.
        y : array_like
            Values [value unit, e.g. production in GWh], > 0.

        Returns
        -------
        DefaultMethod
            The fitted estimator itself.

        Raises
        ------
        ModelError
            Fewer than ``window`` points, gaps or duplicates in the years, values <= 0, NaN.
        """
        self._forget_fit()
        cal = self._calibration()
        t = as_years(X)
        v = as_float(y, "values").reshape(-1)
        if t.size != v.size:
            raise ModelError(f"{self.name}: got {t.size} years but {v.size} values")
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        if t.size < cal.window:
            raise ModelError(f"{self.name} needs the last {cal.window} consecutive years; "
                             f"got {t.size} points")
        t, v = t[-cal.window:], v[-cal.window:]
        if not np.all(np.diff(t) == 1.0) or np.any(t != np.rint(t)):
            raise ModelError(f"{self.name}: the last {cal.window} years must be consecutive "
                             f"whole years; got {', '.join(f'{x:g}' for x in t)}")
        if not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ModelError(f"{self.name} works on logarithms: values must be finite and > 0")
        self.calibration_ = cal
        self.years_, self.values_ = t, v
        self.n_obs_ = int(t.size)
        self.t_last_ = float(t[-1])
        g, vol = window_features(v[None, :])
        self.growth_, self.volatility_ = float(g[0]), float(vol[0])
        # Two statistics (mean growth and volatility) come from the window's own points.
        self.n_params_, self.df_resid_ = 2, max(cal.window - 2, 0)
        # For model comparisons: no path is fitted through the window, so no in-sample error.
        self.method_ = "reference-class calibration (pooled over technology ramp-ups)"
        self.rmse_log_ = self.rmse_level_ = self.aicc_ = math.nan
        self.caveat_ = (f"forecasts {t[-1] + 1:g}-{t[-1] + cal.horizons:g} only; bands pooled "
                        "from technology ramp-ups, upper tail wide")
        d1 = cal.long_run + cal.weight * self.growth_ + cal.offset
        self.params_ = {
            "growth_window": math.expm1(self.growth_), "volatility": self.volatility_,
            "growth_next": math.expm1(d1), "growth_long_run": math.expm1(cal.long_run),
            "damping": cal.damping, "base": float(v[-1]),
        }
        self.bse_ = {k: math.nan for k in self.params_}
        self.param_units_ = {
            "growth_window": "fraction/yr (end-point, this series)",
            "volatility": "1/yr (sd of annual log growth, this series)",
            "growth_next": "fraction/yr (central, first year ahead)",
            "growth_long_run": "fraction/yr (pooled, reference class)",
            "damping": "- (pooled, reference class)", "base": f"value in {t[-1]:g}",
        }
        self.notes_ = [
            f"calibrated on {int(cal.n_windows[0])} windows of {cal.n_series} reference series "
            "(technology ramp-ups): assumes this series decelerates and errs like they did",
            f"tails are truncated at the calibrated {LEVEL_GRID[0]:.1%} and "
            f"{LEVEL_GRID[-1]:.1%} quantiles",
        ]
        if math.expm1(self.growth_) < cal.min_growth:
            self.notes_.append(
                f"the window grew {math.expm1(self.growth_):.1%}/yr, below the reference "
                f"class's {cal.min_growth:.0%}/yr: the series is outside the class"
            )
        return self

    def _horizons(self, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Years and their horizon (0 for an observed year); raises for other years."""
        self._check_fitted()
        t = as_years(X)
        h = t - self.t_last_
        seen = np.isin(t, self.years_)
        bad = ~seen & ((h != np.rint(h)) | (h < 1) | (h > self.calibration_.horizons))
        if bad.any():
            raise ModelError(
                f"{self.name} forecasts whole years {self.t_last_ + 1:g}-"
                f"{self.t_last_ + self.calibration_.horizons:g} (calibrated to "
                f"{self.calibration_.horizons} years ahead) or returns observed years; "
                f"got {t[bad][0]:g}"
            )
        return t, np.where(seen, 0, np.rint(h)).astype(int)

    def predict_quantiles(self, X: ArrayLike, levels: ArrayLike) -> np.ndarray:
        """Quantiles of the value in each year.

        Parameters
        ----------
        X : array_like
            Years [calendar year]: observed ones or 1..horizons after the last.
        levels : array_like
            Quantile levels within 0.005-0.995.

        Returns
        -------
        ndarray, shape (n_years, n_levels)
            [value unit]; observed years return the observation at every level.
        """
        t, h = self._horizons(X)
        lv = np.atleast_1d(as_float(levels, "quantile levels"))
        q = log_quantiles(self.calibration_, self.values_[None, :], lv)[0]  # (H, L)
        out = np.empty((t.size, lv.size))
        ahead = h > 0
        out[ahead] = self.values_[-1] * np.exp(q[h[ahead] - 1])
        out[~ahead] = self.values_[np.searchsorted(self.years_, t[~ahead])][:, None]
        return out

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Median path [value unit] (the observed value in an observed year)."""
        return self.predict_quantiles(X, [0.5])[:, 0]

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int = 10_000, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed interval from the calibrated quantiles (exact; no draws needed).

        ``n_draws`` and ``seed`` are accepted for the common interface and ignored.
        ``level`` must be at most 0.99 (the calibrated levels stop at 0.5% and 99.5%).
        """
        level = self._check_level(level)
        if level > 0.99 + 1e-12:
            raise ModelError(f"{self.name}: interval level must be <= 0.99; got {level}")
        q = self.predict_quantiles(X, [(1 - level) / 2, (1 + level) / 2])
        return q[:, 0], q[:, 1]

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws [value unit], shape ``(n_draws, n_years)``.

        Each draw takes one uniform per horizon from a Gaussian copula with the pooled
        correlation across horizons, mapped through that horizon's calibrated quantiles.
        """
        from scipy import stats

        t, h = self._horizons(X)
        n = self._check_draw_count(n_draws)
        cal = self.calibration_
        rng = make_rng(seed)
        z = rng.multivariate_normal(np.zeros(cal.horizons), cal.correlation, size=n,
                                    method="eigh")
        u = np.clip(stats.norm.cdf(z), LEVEL_GRID[0], LEVEL_GRID[-1])
        g, vol = window_features(self.values_[None, :])
        std = np.column_stack(
            [np.interp(u[:, k], LEVEL_GRID, cal.quantiles[k]) for k in range(cal.horizons)]
        )
        logs = cal.central(g)[0] + cal.scale(vol)[0] * std  # (n, H)
        out = np.empty((n, t.size))
        ahead = h > 0
        out[:, ahead] = self.values_[-1] * np.exp(logs[:, h[ahead] - 1])
        out[:, ~ahead] = self.values_[np.searchsorted(self.years_, t[~ahead])]
        return out

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None):
        """Tidy forecast table: ``model, year, central, mean, p5, p10, p50, p90, p95``.

        The quantile columns are the calibrated quantiles (exact); ``mean`` comes from
        :meth:`sample` with ``n_draws`` and ``seed``. [value unit]
        """
        frame = super().forecast_frame(X, n_draws=n_draws, seed=seed)
        q = self.predict_quantiles(X, list(QUANTILES.values()))
        for k, key in enumerate(QUANTILES):
            frame[key] = q[:, k]
        frame["central"] = frame["p50"]
        return frame

    def _summary_head(self) -> list[str]:
        cal = self.calibration_
        return [
            f"DefaultMethod ({self.name}): damped, shrunk log trend with reference-class bands",
            "log growth in year T+k = a + (b g + c) phi^(k-1); band = pooled error quantiles "
            "x (alpha_h + beta_h vol)",
            f"window: {self.years_[0]:g}-{self.years_[-1]:g} ({self.n_obs_} points); "
            f"g = {self.growth_:.4f}, vol = {self.volatility_:.4f} [1/yr, log]",
            f"pooled: a = {cal.long_run:.4f}, b = {cal.weight:.4f}, c = {cal.offset:.4f}, "
            f"phi = {cal.damping:.2f}; {int(cal.n_windows[0])} windows, {cal.n_series} series",
        ]
