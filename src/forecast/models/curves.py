"""Growth curves as plain vectorised functions.

Every function broadcasts over numpy arrays, so passing parameter draws of shape
``(n_draws, 1)`` and years of shape ``(n_years,)`` gives paths of shape
``(n_draws, n_years)`` without a Python loop. Values are in the unit of the level
parameters (GWh throughout this project); time is in calendar years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["bass_cumulative", "compound", "damped_compound", "exponential", "gompertz", "logistic"]


def compound(base: ArrayLike, rate: ArrayLike, years_ahead: ArrayLike) -> np.ndarray:
    """Constant compound growth: ``base * (1 + rate) ** years_ahead``.

    Parameters
    ----------
    base : array_like
        Level in the base year [unit of output, e.g. GWh].
    rate : array_like
        Annual growth rate [fraction per year], must be > -1.
    years_ahead : array_like
        Years after the base year [years].
    """
    return np.asarray(base, float) * np.power(1.0 + np.asarray(rate, float), years_ahead)


def exponential(t: ArrayLike, a: ArrayLike, b: ArrayLike, t_ref: float = 0.0) -> np.ndarray:
    """Exponential curve ``exp(a + b * (t - t_ref))``.

    Parameters
    ----------
    t : array_like
        Time [year].
    a : array_like
        Log level at ``t_ref`` [log of output unit].
    b : array_like
        Continuous growth rate [1/year]; the annual rate is ``exp(b) - 1``.
    t_ref : float
        Reference year [year].
    """
    return np.exp(np.asarray(a, float) + np.asarray(b, float) * (np.asarray(t, float) - t_ref))


def _exponent(t: ArrayLike, rate: ArrayLike, midpoint: ArrayLike) -> np.ndarray:
    """``-r (t - t0)``, clipped so that exp() of it stays finite."""
    z = -np.asarray(rate, float) * (np.asarray(t, float) - np.asarray(midpoint, float))
    return np.clip(z, -700.0, 700.0)


def logistic(
    t: ArrayLike, saturation: ArrayLike, rate: ArrayLike, midpoint: ArrayLike
) -> np.ndarray:
    """Logistic (Verhulst) curve ``K / (1 + exp(-r (t - t0)))``.

    Parameters
    ----------
    t : array_like
        Time [year].
    saturation : array_like
        Upper asymptote K [output unit, e.g. GWh/yr].
    rate : array_like
        Steepness r [1/year].
    midpoint : array_like
        Year t0 at which the curve reaches K/2 [year].
    """
    return np.asarray(saturation, float) / (1.0 + np.exp(_exponent(t, rate, midpoint)))


def gompertz(
    t: ArrayLike, saturation: ArrayLike, rate: ArrayLike, midpoint: ArrayLike
) -> np.ndarray:
    """Gompertz curve ``K * exp(-exp(-r (t - t0)))``.

    Arguments as for :func:`logistic` (time [year], K [output unit], r [1/year]), except
    that ``midpoint`` t0 is the inflection year [year], where the curve reaches K/e.
    """
    return np.asarray(saturation, float) * np.exp(-np.exp(_exponent(t, rate, midpoint)))


def damped_compound(
    base: ArrayLike, rate: ArrayLike, damping: ArrayLike, years_ahead: ArrayLike
) -> np.ndarray:
    """Compound growth whose rate decays geometrically (damped trend on logs).

    The log-growth in year ``h`` is ``log(1 + rate) * damping ** h``, so the level after
    ``H`` years is ``base * (1 + rate) ** (damping + damping**2 + ... + damping**H)``.

    Parameters
    ----------
    base : array_like
        Level in the base year [output unit].
    rate : array_like
        Growth rate of the first projected year [fraction per year], > -1.
    damping : array_like
        Damping factor phi in (0, 1]; 1 gives undamped compound growth.
    years_ahead : array_like
        Whole years after the base year [years], >= 0.
    """
    phi = np.asarray(damping, float)
    h = np.asarray(years_ahead, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.where(np.isclose(phi, 1.0), h, phi * (1.0 - phi**h) / (1.0 - phi))
    return np.asarray(base, float) * np.exp(np.log1p(np.asarray(rate, float)) * geometric)


def bass_cumulative(
    t: ArrayLike, market: ArrayLike, p: ArrayLike, q: ArrayLike, t_start: ArrayLike
) -> np.ndarray:
    """Cumulative adoption of the Bass diffusion model.

    Parameters
    ----------
    t : array_like
        Time [year].
    market : array_like
        Market potential m [output unit].
    p, q : array_like
        Coefficients of innovation and imitation [1/year].
    t_start : array_like
        Year at which adoption starts [year].
    """
    tau = np.maximum(np.asarray(t, float) - t_start, 0.0)
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    e = np.exp(-(p + q) * tau)
    return np.asarray(market, float) * (1.0 - e) / (1.0 + (q / p) * e)
