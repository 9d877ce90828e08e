"""The calibrated default method: a log trend and bands conditional on what it forecasts.

:class:`DefaultMethod` forecasts a series 1..6 years ahead from its last four values, world
share, kind and size third with the calibration of :mod:`forecast.models.conditional` (the
model is described there), shipped as ``default_calibration.json`` (``make calibration``; a
test checks it is current). Where a battery series sits among the reference kinds is stated
(:data:`BATTERY_KIND`, ``share``, ``size``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from forecast.data.reference import ReferenceWindows, check_window_options
from forecast.errors import ModelError
from forecast.models.base import BaseModel, as_float, as_years
from forecast.models.conditional import (
    LEVEL_GRID,
    MIN_SHARE,
    SIZES,
    Calibration,
    fit_calibration,
    interp_grid,
    one_hot,
    window_features,
)
from forecast.models.uncertainty import QUANTILES

# LEVEL_GRID, MIN_SHARE, Calibration and fit_calibration are re-exported: callers import the
# default method's whole calibration API from here.
__all__ = [
    "BATTERY_KIND", "CHINA_SHARE", "LEVEL_GRID", "MIN_SHARE", "Calibration", "DefaultMethod",
    "default_calibration", "fit_calibration", "log_quantiles", "write_shipped_calibration",
]

#: A battery series' place among the reference kinds, by China's 2024 production mix
#: (history.csv, document 002: power 70.3%, storage 21.7%, consumer 8%): power batteries like
#: electric-car sales, the rest like the solar and wind build-out storage serves. Stated;
#: pass ``kind=`` to change it.
BATTERY_KIND = {"ev_car_sales": 0.70, "solar_electricity": 0.15, "wind_electricity": 0.15}
#: China's share of world lithium-ion battery production in 2024 (history.csv, document 002:
#: "with the global market share expanding to 76%"): the default ``share``.
CHINA_SHARE = 0.76

_SHIPPED_OPTIONS = (4, 6, 0.15)


@lru_cache(maxsize=16)
def _cached_calibration(path: str, stamp: tuple[int, int], window: int, horizons: int,
                        min_growth: float) -> Calibration:
    from forecast.data.reference import extract_windows, load_reference

    frame = load_reference(path)
    windows = extract_windows(frame, window, horizons, min_growth, min_share=MIN_SHARE)
    return fit_calibration(windows)


def default_calibration(reference: str | Path | None = None, window: int = 4, horizons: int = 6,
                        min_growth: float = 0.15) -> Calibration:
    """The default method's calibration of a reference CSV, fitted once per file version
    (path, size, modification time) and options; the shipped class's with the default
    options is read from the package (no fit).

    ``window``, ``horizons`` and ``min_growth`` define the windows of established series
    (:func:`forecast.data.reference.extract_windows` with ``min_share`` :data:`MIN_SHARE`).
    """
    from forecast.data.reference import default_reference_path, load_reference

    check_window_options(window, horizons, min_growth)
    if reference is None and (window, horizons, min_growth) == _SHIPPED_OPTIONS:
        from importlib.resources import files

        text = files("forecast.models").joinpath("default_calibration.json").read_text()
        return Calibration.from_dict(json.loads(text))
    path = Path(default_reference_path() if reference is None else reference).resolve()
    if not path.is_file():
        load_reference(path)  # raises the one-line missing-file error
    st = path.stat()
    return _cached_calibration(str(path), (st.st_size, st.st_mtime_ns), int(window),
                               int(horizons), float(min_growth))


def write_shipped_calibration(path: str | Path) -> None:
    """Fit the shipped reference class with the default options and write it as JSON."""
    from forecast.data.reference import default_reference_path

    # The default options are the shipped ones; an explicit path makes it fit, not read.
    cal = default_calibration(default_reference_path())
    text = json.dumps(cal.to_dict(), indent=None, separators=(",", ":"))
    Path(path).write_text(text + "\n")


def log_quantiles(cal: Calibration, windows: ReferenceWindows, levels: ArrayLike) -> np.ndarray:
    """Quantiles ``(n, horizons, L)`` of ``log(v_{T+h} / v_T)`` [log] of each reference window
    (of the calibration's kinds, shares known) at ``levels`` (L,) within 0.5%..99.5%."""
    lv = _check_levels(levels)
    unknown = sorted(set(windows.technology.tolist()) - set(cal.kinds))
    if unknown:
        raise ModelError(f"technology {unknown[0]!r} is not in the reference class "
                         f"({', '.join(cal.kinds)})")
    weights = one_hot(windows.technology, cal.kinds)
    size = cal.size_index(np.argmax(weights, axis=1), windows.values[:, -1])
    return cal.log_quantiles(windows.values, windows.share, weights, size, lv)


def _check_levels(levels: ArrayLike) -> np.ndarray:
    lv = np.atleast_1d(as_float(levels, "quantile levels"))
    if np.any(lv < LEVEL_GRID[0] - 1e-12) or np.any(lv > LEVEL_GRID[-1] + 1e-12):
        raise ModelError(
            f"quantile levels must lie within the calibrated {LEVEL_GRID[0]:.3f}-"
            f"{LEVEL_GRID[-1]:.3f}; got {lv.min():g}-{lv.max():g}"
        )
    return lv


@dataclass(eq=False, repr=False, kw_only=True)
class DefaultMethod(BaseModel):
    """The calibrated default method as an estimator (see the module docstring).

    Parameters
    ----------
    calibration : Calibration, optional
        Default the shipped reference class's (:func:`default_calibration`).
    window, horizons : int
        Points it looks at (the last ``window`` consecutive years) and years ahead it forecasts.
    share : float
        The series' share of its world market in its last year [fraction, (0, 1]]; default
        :data:`CHINA_SHARE`.
    kind : str or mapping, optional
        A reference technology, or weights over them summing to 1; default :data:`BATTERY_KIND`.
    size : {"small", "mid", "large"}
        The size third whose error quantiles the band takes ("large": China's production,
        76% of the world's, is among the largest of its kind).
    """

    name = "default"

    calibration: Calibration | None = None
    window: int = 4
    horizons: int = 6
    share: float = CHINA_SHARE
    kind: str | Mapping[str, float] | None = None
    size: str = "large"

    def fit(self, X: ArrayLike, y: ArrayLike) -> DefaultMethod:
        """Take the last ``window`` values ``y`` [value unit, e.g. GWh], > 0, of consecutive
        whole years ``X`` [calendar year], ``(n,)`` or ``(n, 1)``.

        Raises
        ------
        ModelError
            Fewer than ``window`` points, gaps or duplicates in the years, values <= 0, NaN,
            a share outside (0, 1], an unknown kind or size.
        """
        self._forget_fit()
        cal = self.calibration
        if cal is None:
            cal = default_calibration(None, self.window, self.horizons)
        elif (cal.window, cal.horizons) != (self.window, self.horizons):
            raise ModelError(
                f"{self.name}: the calibration is for window {cal.window} and horizons "
                f"{cal.horizons}, not {self.window} and {self.horizons}"
            )
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
        share = float(as_float(self.share, "share"))
        if not 0.0 < share <= 1.0:
            raise ModelError(f"{self.name}: share must be a fraction in (0, 1]; got {share!r}")
        if self.size not in SIZES:
            raise ModelError(f"{self.name}: size must be one of {', '.join(SIZES)}; "
                             f"got {self.size!r}")
        self.weights_ = cal.weights(BATTERY_KIND if self.kind is None else self.kind)
        self.calibration_ = cal
        self.years_, self.values_ = t, v
        self.n_obs_ = int(t.size)
        self.t_last_ = float(t[-1])
        g, acc, vol = (float(a[0]) for a in window_features(v[None, :]))
        self.growth_, self.acceleration_, self.volatility_ = g, acc, vol
        # Growth, acceleration and volatility come from the window's points.
        self.n_params_, self.df_resid_ = 3, max(cal.window - 3, 0)
        # No path is fitted through the window, so there is no in-sample error.
        self.method_ = "reference-class calibration (conditional on growth, share and kind)"
        self.rmse_log_ = self.rmse_level_ = self.aicc_ = math.nan
        self.caveat_ = (f"forecasts {t[-1] + 1:g}-{t[-1] + cal.horizons:g} only; bands from "
                        "established technology ramp-ups of its kind and size")
        self.log_quantiles_ = cal.log_quantiles(
            v[None, :], np.array([share]), self.weights_[None, :],
            np.array([SIZES.index(self.size)]), LEVEL_GRID)[0]
        median = self.log_quantiles_[:, LEVEL_GRID.size // 2]
        last = median[-1] - (median[-2] if cal.horizons > 1 else 0.0)
        nan = math.nan
        self._set_params(
            growth_window=(math.expm1(g), nan, "fraction/yr (end-point, this series)"),
            acceleration=(acc, nan, "1/yr per yr (change of annual log growth, this series)"),
            volatility=(vol, nan, "1/yr (sd of annual log growth, this series)"),
            share=(share, nan, "fraction of its world market (stated)"),
            growth_next=(math.expm1(median[0]), nan, "fraction/yr (median, first year ahead)"),
            growth_last=(math.expm1(last), nan, "fraction/yr (median, last year ahead)"),
            base=(v[-1], nan, f"value in {t[-1]:g}"),
        )
        mix = ", ".join(f"{k} {w:.0%}" for k, w in zip(cal.kinds, self.weights_, strict=True)
                        if w > 0)
        self.notes_ = [
            f"calibrated on {int(cal.n_windows[0])} windows of {cal.n_series} established "
            f"reference series (>= {cal.min_share:.1%} of their world market): assumes this "
            "series decelerates and errs like they did",
            f"placed as {mix}, size third '{self.size}', {share:.1%} of its world market "
            "(stated assumptions: kind=, size=, share=)",
            f"tails are truncated at the calibrated {LEVEL_GRID[0]:.1%} and "
            f"{LEVEL_GRID[-1]:.1%} quantiles",
        ]
        if math.expm1(g) < cal.min_growth:
            self.notes_.append(
                f"the window grew {math.expm1(g):.1%}/yr, below the reference "
                f"class's {cal.min_growth:.0%}/yr: the series is outside the class"
            )
        if share < cal.min_share:
            self.notes_.append(f"its share {share:.2%} is below the class's {cal.min_share:.1%}:"
                               " the series is outside the class")
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
        """Quantiles ``(n_years, n_levels)`` [value unit] at ``levels`` within 0.005-0.995 of
        years ``X`` [calendar year] 1..horizons after the last (an observed year returns its
        observation at every level)."""
        t, h = self._horizons(X)
        q = interp_grid(self.log_quantiles_, _check_levels(levels))  # (H, L)
        return self._levels(t, h, q.T).T

    def _levels(self, t: np.ndarray, h: np.ndarray, logs: np.ndarray) -> np.ndarray:
        """Values ``(k, n_years)`` of log changes from the last value ``logs`` ``(k, H)``, at
        horizons ``h`` of :meth:`_horizons` (0: the observation)."""
        out = np.empty((len(logs), t.size))
        ahead = h > 0
        out[:, ahead] = self.values_[-1] * np.exp(logs[:, h[ahead] - 1])
        out[:, ~ahead] = self.values_[np.searchsorted(self.years_, t[~ahead])]
        return out

    def _predict(self, t: np.ndarray) -> np.ndarray:
        """Median path [value unit] (the observed value in an observed year)."""
        return self.predict_quantiles(t, [0.5])[:, 0]

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int = 10_000, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact equal-tailed interval of the calibrated quantiles, ``level`` <= 0.99 (they
        stop at 0.5% and 99.5%); ``n_draws`` and ``seed`` are ignored."""
        level = self._check_level(level)
        if level > 0.99 + 1e-12:
            raise ModelError(f"{self.name}: interval level must be <= 0.99; got {level}")
        q = self.predict_quantiles(X, [(1 - level) / 2, (1 + level) / 2])
        return q[:, 0], q[:, 1]

    def _sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """One uniform per horizon from a Gaussian copula with the calibrated correlation,
        mapped through its quantiles [value unit]."""
        from scipy import stats

        t, h = self._horizons(t)
        cal = self.calibration_
        z = rng.multivariate_normal(np.zeros(cal.horizons), cal.correlation, size=n,
                                    method="eigh")
        u = np.clip(stats.norm.cdf(z), LEVEL_GRID[0], LEVEL_GRID[-1])
        logs = np.column_stack([np.interp(u[:, k], LEVEL_GRID, self.log_quantiles_[k])
                                for k in range(cal.horizons)])  # (n, H)
        return self._levels(t, h, logs)

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None):
        """:meth:`BaseModel.forecast_frame` with the exact calibrated quantiles (``mean`` from
        :meth:`sample`)."""
        frame = super().forecast_frame(X, n_draws=n_draws, seed=seed)
        frame[list(QUANTILES)] = self.predict_quantiles(X, list(QUANTILES.values()))
        frame["central"] = frame["p50"]
        return frame

    def _summary_head(self) -> list[str]:
        return [
            "DefaultMethod (default): median regression of log change on growth, acceleration,"
            " volatility, share, kind and size; bands from its kind x size x horizon cell's "
            "errors",
            f"window: {self.years_[0]:g}-{self.years_[-1]:g} ({self.n_obs_} points); "
            f"g = {self.growth_:.4f}, acc = {self.acceleration_:.4f}, vol = "
            f"{self.volatility_:.4f} [1/yr, log]; share {float(self.share):.3f}",
        ]
