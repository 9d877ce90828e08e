"""Unbounded growth trends: end-point and least-squares CAGR, linear and exponential trends,
whose only settings are the noise prior (:class:`~forecast.models.growth.GrowthModel`)."""

from __future__ import annotations

import math

import numpy as np

from forecast.models import curves
from forecast.models.growth import GrowthModel
from forecast.models.ols import ols

__all__ = ["EndpointCAGR", "ExponentialTrend", "LeastSquaresCAGR", "LinearTrend", "cagr"]


def cagr(start: float, end: float, years: float) -> float:
    """Constant growth rate from ``start`` to ``end`` over ``years`` [fraction/yr]; NaN unless
    both values and ``years`` are positive."""
    return (end / start) ** (1.0 / years) - 1.0 if start > 0 and end > 0 and years > 0 else math.nan


class _CompoundFromLast(GrowthModel):
    """A constant rate compounded from the last observed value (both CAGR models)."""

    def _set_rate(self, t: np.ndarray, v: np.ndarray, log_rate: float, var: float,
                  base_log: float) -> None:
        """Log growth rate ``log_rate`` [1/yr] with unscaled variance ``var``, compounded from
        the log of the last value ``base_log``; the noise from ``residuals_`` (``n - 2`` df)."""
        self._base_log = base_log
        (se,) = self._set_fit(np.array([log_rate]), np.array([[var]]), t.size - 2)
        self.fixed_["base"] = "the last observation"
        self._set_params(rate=(math.expm1(log_rate), math.exp(log_rate) * se, "fraction/yr"),
                         base=(v[-1], math.nan, f"value in {t[-1]:g}"))

    def _z_path(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        return self._base_log + theta[:, [0]] * (t - self.t_last_)

    def _predict(self, t: np.ndarray) -> np.ndarray:
        return curves.compound(self.params_["base"], self.params_["rate"], t - self.t_last_)


class EndpointCAGR(_CompoundFromLast):
    """End-point CAGR ``(y_last / y_first) ** (1 / (t_last - t_first)) - 1``, compounded from
    the last observation: the drift of a random walk on log values, whose annual increments
    estimate the innovation sigma (``n - 2`` df); the drift has variance ``sigma^2 / (t_last -
    t_first)`` and the noise accumulates after the last year.
    """

    name = "cagr_endpoint"
    min_obs_reason = "a first and a last value"
    noise = "cumulative"

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "end-point CAGR (random walk with drift on log values)"
        logv = np.log(v)
        span = t[-1] - t[0]
        mu = (logv[-1] - logv[0]) / span
        gaps = np.diff(t)
        # Increments over a gap of d years have variance d * sigma^2: standardise them.
        self.residuals_ = (np.diff(logv) - mu * gaps) / np.sqrt(gaps)
        self._set_rate(t, v, mu, 1.0 / span, logv[-1])


class LeastSquaresCAGR(_CompoundFromLast):
    """The log-linear OLS slope compounded from the last observed value (unlike
    :class:`ExponentialTrend`, whose path starts at the fitted one), with independent yearly
    deviations."""

    name = "cagr_ls"
    min_obs_reason = "a slope needs two points"

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "OLS slope of log values, compounded from the last observation"
        beta, self.residuals_, xtx_inv = ols(t, np.log(v))
        self._set_rate(t, v, float(beta[1]), float(xtx_inv[1, 1]), math.log(v[-1]))


class LinearTrend(GrowthModel):
    """Straight line in levels, ``y = level + slope (t - t_last)``, fitted by OLS; the
    log-scale noise prior is taken as a fraction of the last value."""

    name = "linear"
    min_obs_reason = "a line needs two points"
    positive = False

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "OLS on levels"
        self.scale_ = "level"
        beta, self.residuals_, xtx_inv = ols(t, v)
        se = self._set_fit(beta, xtx_inv, t.size - 2, prior_scale=max(abs(float(v[-1])), 1e-12))
        self._set_params(level=(beta[0], se[0], f"value unit in {t[-1]:g}"),
                         slope=(beta[1], se[1], "value unit/yr"))

    def _to_level(self, z: np.ndarray) -> np.ndarray:
        return z


class ExponentialTrend(GrowthModel):
    """Exponential trend ``exp(a + b (t - t_last))`` from log-linear OLS (``prior_df=0`` gives
    the classical OLS interval on the log scale)."""

    name = "exponential"
    min_obs_reason = "a log-linear trend needs two points"

    def _fit(self, t: np.ndarray, v: np.ndarray) -> None:
        self.method_ = "log-linear OLS"
        beta, self.residuals_, xtx_inv = ols(t, np.log(v))
        se = self._set_fit(beta, xtx_inv, t.size - 2)
        a, b = (float(x) for x in beta)
        self._set_params(level=(math.exp(a), math.exp(a) * se[0], f"trend value in {t[-1]:g}"),
                         rate=(math.expm1(b), math.exp(b) * se[1], "fraction/yr"),
                         log_slope=(b, se[1], "1/yr"))

    def _aic_valid(self) -> bool:
        return True
