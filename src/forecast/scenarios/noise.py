"""Process noise of scenario fans: how far a year strays from the scenario's path (a boom
year, a destocking year). The growth uncertainty is the ``uncertain:`` block's, never added
again here.

A year's deviation is ``log(value_t) - trend_t`` of a reference-class series (the package's
``technology_ramps.csv``), the trend a Savitzky-Golay quadratic on the centred window
``t - 3 .. t + 3`` (:data:`TREND_WINDOW`), divided by ``sqrt(1 - h)`` (``h = 1/3``, year
``t``'s weight in its own trend) so independent deviations keep their standard deviation.
Only series with at least :data:`NOISE_MIN_SHARE` (10%) of their technology's world total
count, as China makes 76% of the world's batteries: smaller ones vary more (root mean square
0.19-0.30 below a 1% share, 0.13 from 10% up).

Kinds vary differently (root mean square: EV car sales 0.25, solar output 0.11, wind 0.08), so
each segment varies like its own market, a stated assumption
(:class:`~forecast.scenarios.schema.Kinds`, changed by ``noise: {kinds: ...}``). A segment's
one-year variation is the empirical quantiles of its kinds' deviations, median moved to 0
(right-skewed: booms exceed busts). Left out in turn, a series' deviations fall inside the
others' 80% band 82% of the time for EV sales, 80% for solar, 77% for wind. Weak points: the EV
law rests on 17 deviations, 14 of them China's and the USA's in 2013-2020; consecutive
deviations correlate (lag-1 -0.07 against -0.49 for independent noise), so variation lasting
longer than a year is partly taken up by the trend and understated.

Each projected year draws its own deviation: the variation does not accumulate with the
horizon (that would be an uncertain growth rate). One common factor moves every segment and
both regions; ``noise: {correlation: rho}`` lets segments move partly apart, each then scaled
by ``1 / sqrt(rho + (1 - rho) * sum(a_s^2))`` (``a_s`` the segments' shares of the total's
spread) so the total varies as estimated; ``noise: {scale: s}`` multiplies the variation (0
turns it off).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from forecast.data import reference
from forecast.errors import ScenarioError
from forecast.scenarios.schema import Noise

__all__ = [
    "ALL", "LEVELS", "NOISE_MIN_SHARE", "SCORE_POINTS", "TREND_DEGREE",
    "TREND_WINDOW", "ProcessNoise", "process_noise", "reference_noise", "trend_deviations",
]

#: Probability levels at which the 1-year distribution is kept: 0.5%, 1%, ..., 99.5%.
LEVELS = np.arange(1, 200) / 200.0
#: Points of :meth:`ProcessNoise.of_score`'s table: linear interpolation on 8,193 even steps
#: between the 0.5% and 99.5% scores differs from the exact map by < 2e-4 [log].
SCORE_POINTS = 8193
#: Length of the centred trend window [years, odd] and degree of its polynomial.
TREND_WINDOW, TREND_DEGREE = 7, 2
#: Smallest share of its technology's world total for a series' deviations to count [fraction]
#: (the default method learns from series above :data:`forecast.models.default.MIN_SHARE`).
NOISE_MIN_SHARE = 0.10
#: Every technology of the reference class, in ``noise: {kinds: ...}``.
ALL = "all"


def trend_deviations(frame: pd.DataFrame) -> pd.DataFrame:
    """Each year's log deviation from its series' local polynomial trend.

    ``frame`` has columns ``series, year, value`` (value > 0, one row per series and year)
    and maybe others, kept. Returns the rows centred in a complete :data:`TREND_WINDOW`,
    sorted by series and year, with ``deviation`` [log] as the module docstring defines it.
    """
    from numpy.lib.stride_tricks import sliding_window_view
    from scipy.linalg import lstsq

    window = TREND_WINDOW
    rows = frame.sort_values(["series", "year"], kind="stable").reset_index(drop=True)
    if len(rows) < window:
        return rows.iloc[:0].assign(deviation=np.zeros(0))
    half = window // 2
    # The centre's weights in its local polynomial fit: scipy.signal.savgol_coeffs(window,
    # TREND_DEGREE, use="dot") computed as it does (bit for bit), without importing scipy.signal
    # (60-85 ms in every process that projects a scenario, on top of scipy.stats).
    powers = np.arange(-half, window - half, dtype=float) ** np.arange(TREND_DEGREE + 1.0)[:, None]
    unit = np.zeros(TREND_DEGREE + 1)
    unit[0] = 1.0
    resid = -lstsq(powers, unit, cond=np.finfo(float).eps * window)[0]
    resid[half] += 1.0
    logs = sliding_window_view(np.log(rows["value"].to_numpy(float)), window)
    codes = sliding_window_view(rows["series"].astype("category").cat.codes.to_numpy(), window)
    years = sliding_window_view(rows["year"].to_numpy(np.int64), window)
    # Sorted rows with unique years: one series spanning window - 1 years is consecutive.
    whole = (codes[:, 0] == codes[:, -1]) & (years[:, -1] - years[:, 0] == window - 1)
    dev = logs[whole] @ resid / math.sqrt(float(resid @ resid))
    return rows.iloc[np.flatnonzero(whole) + half].assign(deviation=dev)


@lru_cache(maxsize=4)
def _deviations_of(ref_path: str, totals_path: str, stamp: tuple[int, ...]) -> pd.DataFrame:
    """Established reference series' deviations (``stamp``, the files' mtimes, keys the cache)."""
    shares = reference.world_share(reference.load_reference(ref_path),
                                   reference.load_world_totals(totals_path))
    dev = trend_deviations(shares)
    return dev[dev["share"] >= NOISE_MIN_SHARE].reset_index(drop=True)


def reference_noise() -> pd.DataFrame:
    """The deviations [log] one year's variation is made of: the shipped reference class's
    rows (``series, technology, year, value, world, share, deviation``) with a share >=
    :data:`NOISE_MIN_SHARE` and a complete trend window."""
    ref = reference.default_reference_path()
    totals = ref.parent / reference.WORLD_TOTALS_FILE.name
    stamp = tuple(p.stat().st_mtime_ns if p.is_file() else -1 for p in (ref, totals))
    return _deviations_of(str(ref), str(totals), stamp).copy()


@dataclass(frozen=True)
class ProcessNoise:
    """The year-to-year variation a prepared scenario adds to its draws.

    ``offsets`` ``(len(segments), len(LEVELS))`` are each segment's one-year log quantiles at
    probability :data:`LEVELS` relative to their median [log]. ``weights`` are the segments'
    base-year shares of production [fraction], ``correlation`` their variation's, ``scale`` [-]
    the factor on every segment's variation that keeps the total's as estimated, ``source``
    where it comes from, for notes.
    """

    offsets: np.ndarray
    segments: tuple[str, ...]
    weights: np.ndarray
    correlation: float
    scale: float
    source: str

    @classmethod
    def from_deviations(cls, deviations: Mapping[str, np.ndarray], spec: Noise,
                        weights: Mapping[str, float], source: str) -> ProcessNoise:
        """Build it from each segment's deviations from trend [log]; ``spec`` the file's
        ``noise`` entry; ``weights`` the segments' base-year production [GWh]."""
        segs = tuple(weights)
        logq = np.array([np.quantile(np.asarray(deviations[s], float), np.r_[LEVELS, 0.5])
                         for s in segs])
        offsets = logq[:, :-1] - logq[:, -1:]
        w = np.asarray([weights[s] for s in segs], float)
        w = w / w.sum()
        # Each segment's share of the total's standard deviation when they move together.
        a = w * np.sqrt(np.mean(offsets**2, axis=1))
        a = a / a.sum() if a.sum() > 0 else w
        rho = float(spec.correlation)
        scale = spec.scale / math.sqrt(rho + (1.0 - rho) * float(a @ a))
        return cls(offsets, segs, w, rho, scale, source)

    @classmethod
    def estimated(cls, spec: Noise, weights: Mapping[str, float],
                  file: str = "") -> ProcessNoise | None:
        """The shipped reference class's variation, each segment's from its kinds
        (``spec.kinds``; a segment outside them follows all); None when ``spec.scale`` is 0.
        Raises :class:`ScenarioError` for a kind with no established deviations."""
        if spec.scale == 0:
            return None
        dev = reference_noise()
        known = sorted(dev["technology"].unique())
        parts, laws = [], {}
        for seg in weights:
            techs = getattr(spec.kinds, seg, (ALL,))
            bad = [t for t in techs if t not in {ALL, *known}]
            if bad:
                raise ScenarioError(file, f"noise.kinds.{seg}", f"{bad[0]!r} has no established "
                                    f"series in the reference class ({', '.join(known)}, all)")
            rows = dev if ALL in techs else dev[dev["technology"].isin(techs)]
            laws[seg] = rows["deviation"].to_numpy(float)
            p10, p50, p90 = np.quantile(laws[seg], [0.1, 0.5, 0.9])
            kinds_read = " and ".join("every kind" if t == ALL else t for t in techs)
            parts.append(f"{seg} like {kinds_read} ({len(rows)} deviations of "
                         f"{rows['series'].nunique()} series, p10 {p10 - p50:+.3f}, "
                         f"p90 {p90 - p50:+.3f})")
        noise = cls.from_deviations(laws, spec, weights, "")
        mix = ", ".join(f"{s} {w:.0%}" for s, w in zip(noise.segments, noise.weights, strict=True))
        return replace(noise, source=(
            f"reference class: deviations of series with >= {NOISE_MIN_SHARE:.0%} of their world "
            f"market from a {TREND_WINDOW}-year local quadratic trend of log values, "
            f"{'; '.join(parts)}; at the base-year mix ({mix}) the total's one year p10 "
            f"{noise.quantile(0.1):+.3f}, p90 {noise.quantile(0.9):+.3f} (log)"))

    def quantile(self, q: float) -> float:
        """The total's one-year variation at probability ``q`` [log, relative to the median],
        its segments moving together at their base-year shares."""
        at = np.array([np.interp(q, LEVELS, row) for row in self.offsets])
        return float(np.log(self.weights @ np.exp(at)))

    def of_score(self, z: np.ndarray) -> np.ndarray:
        """Each segment's one-year variation [log] at standard normal scores ``z``
        ``(1 or len(segments), ...)``: ``quantile(Phi(z))`` of its row, held beyond the
        outer levels; ``(len(segments), ...)``.

        Read from a table on an even grid of scores by index arithmetic (``np.interp`` over
        the levels costs 5 times more on 100,000 x 6 draws).
        """
        grid = np.linspace(float(ndtri(LEVELS[0])), float(ndtri(LEVELS[-1])), SCORE_POINTS)
        table = np.array([np.interp(ndtr(grid), LEVELS, row) for row in self.offsets])
        pos = (z - grid[0]) * (1.0 / (grid[1] - grid[0]))
        np.clip(pos, 0.0, grid.size - 1.000001, out=pos)
        i = pos.astype(np.intp)
        pos -= i
        out = np.empty((len(table), *z.shape[1:]))
        slope = np.empty(z.shape[1:])
        for k, row in enumerate(table):
            j = min(k, len(z) - 1)
            # In place, the table's steps taken once: few passes over the draws.
            np.take(np.diff(row), i[j], out=slope, mode="clip")
            slope *= pos[j]
            np.add(np.take(row, i[j], out=out[k], mode="clip"), slope, out=out[k])
        return out


def process_noise(noise: ProcessNoise, n_years: int, segments: tuple[str, ...],
                  n_draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Log multipliers of every segment's path, ``{segment: (n_draws, n_years)}`` [log]: a
    deviation per projected year, drawn from ``rng`` as the module docstring says."""
    rho = noise.correlation
    z = rng.standard_normal((1, n_draws, n_years))
    if rho < 1.0:
        own = rng.standard_normal((len(segments), n_draws, n_years))
        z = math.sqrt(rho) * z + math.sqrt(1.0 - rho) * own
    rows = [noise.segments.index(seg) for seg in segments]
    log_mult = replace(noise, offsets=noise.offsets[rows]).of_score(z)
    log_mult *= noise.scale
    return dict(zip(segments, log_mult, strict=True))
