"""Process noise of scenario fans: the year-to-year variation a scenario's assumptions leave out.

A scenario's parameter distributions say how uncertain its *assumptions* are (a growth rate,
a saturation level); they do not say that production also moves from one year to the next
around any assumed path. Without that, the base scenario put China's 2025 production within
+-3.5% (p10-p90), while its observed annual growth was +128%, +23% and +29% and published
forecasts made in 2023-24 missed 2025 by 13-20%.

The variation comes from the calibrated default method (:class:`forecast.models.DefaultMethod`)
fitted to China's observed production: its 1-year-ahead log forecast errors, pooled from the
reference class of technology ramp-ups and scaled by the series' own volatility. That 1-year
distribution, with its median moved to 0, is one year's variation; over ``h`` years it
accumulates like a random walk (the same shape, scaled by ``sqrt(h)``; a Gaussian copula with a
random walk's correlation joins the years). So the scenario's median path is kept, and its
1-year band is at least as wide as the default method's.

Draws are correlated where they should be: one common demand factor moves every segment and,
through the anchor region, both regions; a scenario file may declare that its segments move
only partly together, ``noise: {correlation: 0.6}`` (1, the default, is one common factor for
all). Segments that move partly independently must each vary more for their total to vary as
calibrated: each segment's variation is scaled by ``1 / sqrt(rho + (1 - rho) * sum(w_s^2))``
with ``w_s`` the segments' base-year shares. Independent right-skewed variations add up to a
total whose median lies above the median path, so a correlation below 1 also lifts the
total's median a little. ``noise: {scale: s}`` multiplies the calibrated variation (0 turns it
off: the fan then shows the assumptions' uncertainty alone, as before issue 11).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import ScenarioError
from forecast.scenarios import checks

#: Points of the score table of :meth:`ProcessNoise.of_score`: linear interpolation on 8,193
#: even steps between the 0.5% and 99.5% scores differs from the exact map by < 2e-4 [log].
SCORE_POINTS = 8193

__all__ = ["LEVELS", "SCORE_POINTS", "NoiseSpec", "ProcessNoise", "parse_noise", "process_noise"]

#: Probability levels at which the 1-year distribution is kept: 0.5%, 1%, ..., 99.5%, the
#: range the default method is calibrated for (its tails stop there, and so do these).
LEVELS = np.arange(1, 200) / 200.0

_KEYS = {"correlation", "scale", "source", "note", "notes"}


@dataclass(frozen=True)
class NoiseSpec:
    """What a scenario file says about its process noise.

    Attributes
    ----------
    correlation : float
        Correlation of the segments' year-to-year variation, in [0, 1]; 1 is one common
        demand factor.
    scale : float
        Multiplier of the calibrated variation, >= 0 (0: no process noise).
    source : str or None
        Why, in the file's words.
    """

    correlation: float = 1.0
    scale: float = 1.0
    source: str | None = None


def parse_noise(raw: Any, file: str) -> NoiseSpec:
    """The ``noise`` entry of a scenario file (absent: the defaults).

    Raises
    ------
    ScenarioError
        One line naming the key: ``noise``, ``noise.correlation`` or ``noise.scale``.
    """
    if raw is None:
        return NoiseSpec()
    spec = checks.mapping(raw, file, "noise", "must be a mapping, e.g. {correlation: 0.6}")
    checks.no_unknown(spec, _KEYS, file, "noise.")
    values = {"correlation": 1.0, "scale": 1.0}
    ranges = {"correlation": (1.0, "in [0, 1]"), "scale": (math.inf, ">= 0")}
    for key, (high, words) in ranges.items():
        if key in spec:
            x = checks.number(spec[key], file, f"noise.{key}")
            if not 0.0 <= x <= high:
                raise ScenarioError(
                    file, f"noise.{key}", f"{x:g} is out of range: must be {words}"
                )
            values[key] = x
    return NoiseSpec(**values, source=checks.text(spec, "source", file, "noise."))


@dataclass(frozen=True)
class ProcessNoise:
    """The calibrated year-to-year variation a prepared scenario adds to its draws.

    Attributes
    ----------
    levels : ndarray
        Probability levels of the 1-year distribution, increasing in (0, 1).
    offsets : ndarray
        Its log quantiles at ``levels`` relative to its median [log]: one year's variation.
    correlation : float
        Correlation of the segments' variation (see the module docstring).
    scale : float
        Factor on every segment's variation that keeps the total's as calibrated [-].
    source : str
        Where the 1-year distribution comes from, for notes.
    """

    levels: np.ndarray
    offsets: np.ndarray
    correlation: float
    scale: float
    source: str

    @classmethod
    def from_quantiles(
        cls,
        levels: np.ndarray,
        quantiles: np.ndarray,
        spec: NoiseSpec,
        weights: Mapping[str, float],
        source: str,
    ) -> ProcessNoise:
        """Build it from 1-year-ahead quantiles [value unit] of the calibrated method.

        ``spec`` is the scenario file's ``noise`` entry; ``weights`` are the segments'
        base-year production [GWh] (normalised here).
        """
        levels = np.asarray(levels, float)
        logq = np.log(np.asarray(quantiles, float))
        median = float(np.interp(0.5, levels, logq))
        w = np.asarray(list(weights.values()), float)
        w = w / w.sum()
        rho = float(spec.correlation)
        scale = spec.scale / math.sqrt(rho + (1.0 - rho) * float(w @ w))
        return cls(levels, logq - median, rho, scale, source)

    def quantile(self, q: float) -> float:
        """One year's variation at probability ``q`` [log, relative to the median]."""
        return float(np.interp(q, self.levels, self.offsets))

    def of_score(self, z: np.ndarray) -> np.ndarray:
        """One year's variation at standard normal scores ``z`` [log]: ``quantile(Phi(z))``.

        A table on an even grid of scores, read by index arithmetic: ``np.interp`` over the
        199 levels costs 5 times more on 100,000 x 6 draws. Beyond the calibrated 0.5% and
        99.5% levels the variation stays at their values, as the default method's tails do.
        """
        grid, table = _score_table(self.levels, self.offsets)
        # In place: four passes over the draws instead of ten temporaries.
        pos = (z - grid[0]) * (1.0 / (grid[1] - grid[0]))
        np.clip(pos, 0.0, grid.size - 1.000001, out=pos)
        i = pos.astype(np.intp)
        pos -= i
        lower = table[i]
        out = table[i + 1]
        out -= lower
        out *= pos
        out += lower
        return out


def process_noise(
    noise: ProcessNoise,
    horizons: np.ndarray,
    segments: tuple[str, ...],
    n_draws: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Log multipliers of every segment's path: ``{segment: (n_draws, n_years)}`` [log].

    With correlation 1 every segment gets the same array (one common factor).

    Parameters
    ----------
    noise : ProcessNoise
    horizons : ndarray of int
        Years after the base year of the projected years (>= 1).
    segments : tuple of str
        Segments, in output order.
    n_draws : int
    rng : numpy Generator
        Drawn from after the parameters, so parameter draws do not change with the noise.
    """
    h = np.asarray(horizons, int)
    steps = int(h.max())
    rho = noise.correlation
    # Random walks in standard normal units: one common, and one per segment unless rho = 1.
    walk = np.cumsum(rng.standard_normal((1, n_draws, steps)), axis=2)
    if rho < 1.0:
        own = np.cumsum(rng.standard_normal((len(segments), n_draws, steps)), axis=2)
        walk = math.sqrt(rho) * walk + math.sqrt(1.0 - rho) * own
    root_h = np.sqrt(np.arange(1, steps + 1, dtype=float))
    # Each year's position as a standard normal score, mapped through the 1-year shape and
    # stretched by sqrt(h): a random walk's accumulation with the calibrated marginal.
    walk /= root_h
    log_mult = noise.of_score(walk)
    log_mult *= noise.scale * root_h
    cols = h - 1
    if np.array_equal(cols, np.arange(steps)):
        rows = list(log_mult)
    else:
        rows = [m[:, cols] for m in log_mult]
    return {seg: rows[min(i, len(rows) - 1)] for i, seg in enumerate(segments)}


def _score_table(levels: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Even grid of standard normal scores over the levels' range and the variation there."""
    from scipy.special import ndtr, ndtri

    grid = np.linspace(float(ndtri(levels[0])), float(ndtri(levels[-1])), SCORE_POINTS)
    return grid, np.interp(ndtr(grid), levels, offsets)
