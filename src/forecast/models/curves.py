"""Growth curves as plain functions that broadcast: parameter draws ``(n_draws, 1)`` and years
``(n_years,)`` give paths ``(n_draws, n_years)``. Levels are in the unit of the level
parameters (GWh throughout this project), time in calendar years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["bass_cumulative", "compound", "damped_compound", "damped_sum", "gompertz", "logistic"]


def compound(base: ArrayLike, rate: ArrayLike, years_ahead: ArrayLike) -> np.ndarray:
    """``base * (1 + rate) ** years_ahead``: level in the base year [output unit], growth
    rate [fraction/yr] > -1, years after the base year [yr]."""
    return np.asarray(base, float) * np.power(1.0 + np.asarray(rate, float), years_ahead)


def _exponent(t: ArrayLike, rate: ArrayLike, midpoint: ArrayLike) -> np.ndarray:
    """``-r (t - t0)``, clipped so that exp() of it stays finite."""
    z = -np.asarray(rate, float) * (np.asarray(t, float) - np.asarray(midpoint, float))
    return np.clip(z, -700.0, 700.0)


def logistic(
    t: ArrayLike, saturation: ArrayLike, rate: ArrayLike, midpoint: ArrayLike
) -> np.ndarray:
    """Logistic curve ``K / (1 + exp(-r (t - t0)))``: ``t`` and the ``midpoint`` t0 where it
    reaches K/2 [year], ``saturation`` K [output unit], ``rate`` r [1/yr]."""
    return np.asarray(saturation, float) / (1.0 + np.exp(_exponent(t, rate, midpoint)))


def gompertz(
    t: ArrayLike, saturation: ArrayLike, rate: ArrayLike, midpoint: ArrayLike
) -> np.ndarray:
    """Gompertz curve ``K exp(-exp(-r (t - t0)))``; arguments as :func:`logistic`, except that
    t0 is the inflection year [year], where the curve reaches K/e."""
    return np.asarray(saturation, float) * np.exp(-np.exp(_exponent(t, rate, midpoint)))


def damped_sum(damping: ArrayLike, years_ahead: ArrayLike) -> np.ndarray:
    """``phi + phi^2 + ... + phi^h`` [yr] for damping phi in (0, 1]: ``h`` where phi is 1."""
    phi = np.asarray(damping, float)
    h = np.asarray(years_ahead, float)
    with np.errstate(all="ignore"):
        return np.where(np.isclose(phi, 1.0), h, phi * (1.0 - phi**h) / (1.0 - phi))


def damped_compound(
    base: ArrayLike, rate: ArrayLike, damping: ArrayLike, years_ahead: ArrayLike
) -> np.ndarray:
    """``base * (1 + rate) ** (phi + ... + phi**H)``: the log growth in year ``h`` is
    ``log(1 + rate) phi ** h``; ``base`` [output unit], ``rate`` of the first projected year
    [fraction/yr] > -1, ``damping`` phi in (0, 1], ``years_ahead`` H >= 0 [yr]."""
    growth = np.log1p(np.asarray(rate, float)) * damped_sum(damping, years_ahead)
    return np.asarray(base, float) * np.exp(growth)


def bass_cumulative(
    t: ArrayLike, market: ArrayLike, p: ArrayLike, q: ArrayLike, t_start: ArrayLike
) -> np.ndarray:
    """Cumulative adoption of the Bass model at ``t`` from ``t_start`` [year]: market
    potential ``m`` [output unit], innovation ``p`` and imitation ``q`` [1/yr]."""
    tau = np.maximum(np.asarray(t, float) - t_start, 0.0)
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    e = np.exp(-(p + q) * tau)
    return np.asarray(market, float) * (1.0 - e) / (1.0 + (q / p) * e)
