"""The one estimator interface of every growth and share model, and the helpers they share.

Models follow scikit-learn's conventions: settings are fields of a keyword-only dataclass
(``@dataclass(eq=False, repr=False, kw_only=True)``); ``fit(X, y)`` (``X`` years [calendar
year], ``(n,)`` or ``(n, 1)``) returns ``self``, and estimated attributes end in ``_`` and exist
only after a successful fit. ``predict`` gives the central path, ``sample`` seeded draws
``(n_draws, n_years[, n_segments])``; intervals, tables and summary follow from them.
:class:`BaseModel` is not :class:`sklearn.base.BaseEstimator` because importing
``sklearn.base`` costs seconds; it implements what scikit-learn calls.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABCMeta, abstractmethod
from typing import Any, ClassVar

import numpy as np
from numpy.random import default_rng
from numpy.typing import ArrayLike

from forecast.errors import ModelError
from forecast.models.uncertainty import central_interval, summarise_draws

__all__ = ["EXACT_FIT_NOTE", "BaseModel", "as_float", "as_years", "fmt_number"]

#: The note every model adds when its residuals are all zero.
EXACT_FIT_NOTE = "the fit is exact (all residuals 0): the bands show no noise"


def as_float(x: ArrayLike, what: str) -> np.ndarray:
    """Float array of ``x``; text or objects become a one-line ModelError naming ``what``."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what} must be numbers: {exc}") from None


def as_years(x: ArrayLike) -> np.ndarray:
    """Years [calendar year] ``(n,)`` of a scalar, ``(n,)`` or ``(n, 1)``; else a ModelError."""
    arr = np.atleast_1d(as_float(x, "years"))
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ModelError(f"years must be 1-D or one column of shape (n, 1), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ModelError("years must not contain NaN or infinity")
    return arr


def fmt_number(x: float) -> str:
    """A value for one-line text: ``0.534``, ``1,170``, ``2019.6667``, ``%g`` when extreme."""
    if not np.isfinite(x):
        return "nan"
    ax = abs(x)
    if ax != 0 and (ax >= 1e6 or ax < 1e-3):
        return f"{x:.4g}"
    return f"{x:,.4f}".rstrip("0").rstrip(".") if ax < 1000 else f"{x:,.1f}"


class BaseModel(metaclass=ABCMeta):
    """Interface of every model (see the module docstring): a subclass sets :attr:`name` and
    :attr:`family`, declares its settings as dataclass fields and implements the abstract
    methods; :meth:`fit` calls :meth:`_forget_fit` first, checks the data with
    :meth:`_sorted_data` and sets ``params_``, ``bse_``, ``param_units_`` (:meth:`_set_params`),
    ``n_obs_``, ``years_``, ``df_resid_`` and ``notes_``."""

    #: Registry name, the ``model`` column of forecast tables.
    name: ClassVar[str] = "model"
    #: ``"growth"`` (a level), ``"share"`` (one bounded share) or ``"mix"`` (segment shares).
    family: ClassVar[str] = "growth"
    #: How to fit it, for the error raised on use before fit.
    fit_call: ClassVar[str] = "fit(years, values)"
    #: Why 2 points are the fewest the model accepts.
    min_obs_reason: ClassVar[str] = ""
    #: scikit-learn < 1.6 reads the estimator type from here.
    _estimator_type: ClassVar[str] = "regressor"

    @classmethod
    def _param_names(cls) -> list[str]:
        """The dataclass fields, in alphabetical order."""
        return sorted(f.name for f in dataclasses.fields(cls))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor arguments by name (nothing nests: ``deep`` is for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> BaseModel:
        """Set constructor arguments (refit for them to take effect)."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ModelError(
                    f"{type(self).__name__} has no parameter {key!r}; valid: {', '.join(valid)}"
                )
            setattr(self, key, value)
        return self

    def __sklearn_tags__(self) -> Any:
        """Estimator tags for scikit-learn >= 1.6 (only scikit-learn calls this)."""
        from sklearn.utils import RegressorTags, Tags, TargetTags

        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def __repr__(self) -> str:
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
                   if repr(getattr(self, f.name)) != repr(f.default)]
        return f"{type(self).__name__}({', '.join(changed)})"

    @abstractmethod
    def fit(self, X: ArrayLike, y: ArrayLike) -> BaseModel:
        """Estimate the model from years ``X`` and observations ``y``; return ``self``."""

    def _min_obs(self) -> tuple[int, str]:
        """The fewest points this configuration accepts, and why."""
        return 2, self.min_obs_reason

    def _sorted_data(self, X: ArrayLike, y: ArrayLike, what: str,
                     ndim: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Years ``X`` and observations ``y`` (``ndim``-D, one row per year) sorted by year;
        a ModelError unless they pair up, are finite, the years distinct and enough."""
        name, (min_obs, reason) = self.name, self._min_obs()
        t = as_years(X)
        v = as_float(y, f"{name}: {what}")
        if ndim == 1 and v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != ndim:
            raise ModelError(f"{name}: {what} must be {ndim}-D, got shape {v.shape}")
        if t.size != len(v):
            raise ModelError(f"{name}: years and {what} differ in length ({t.size} vs {len(v)})")
        if np.isnan(v).any():
            bad = ", ".join(f"{b:g}" for b in t[np.isnan(v).reshape(t.size, -1).any(axis=1)])
            raise ModelError(f"{name}: {what} contain NaN (years {bad})")
        if not np.all(np.isfinite(v)):
            raise ModelError(f"{name}: {what} contain infinite entries")
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        if np.any(np.diff(t) == 0):
            raise ModelError(f"{name}: years contain duplicates")
        if t.size < min_obs:
            raise ModelError(f"{name} needs at least {min_obs} points ({reason}); got {t.size}")
        return t, v

    def _set_params(self, **rows: tuple[float, float, str]) -> None:
        """``params_``, ``bse_`` and ``param_units_`` from (value, standard error, unit) by
        name; one held in ``fixed_`` has no standard error."""
        fixed = getattr(self, "fixed_", {})
        self.params_ = {k: float(v) for k, (v, _, _) in rows.items()}
        self.bse_ = {k: math.nan if k in fixed else float(se) for k, (_, se, _) in rows.items()}
        self.param_units_ = {k: unit for k, (_, _, unit) in rows.items()}

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Central path ``(n_years,)`` or ``(n_years, n_segments)`` [unit of the values] for
        years ``X`` [calendar year]."""
        self._check_fitted()
        return self._predict(as_years(X))

    def sample(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None) -> np.ndarray:
        """Seeded draws ``(n_draws, n_years[, n_segments])`` [unit of the values] for years
        ``X`` [calendar year]; ``n_draws`` >= 1, ``seed`` for
        :func:`numpy.random.default_rng` (one seed, one set of draws)."""
        self._check_fitted()
        return self._sample(as_years(X), self._check_draw_count(n_draws), default_rng(seed))

    @abstractmethod
    def _predict(self, t: np.ndarray) -> np.ndarray:
        """:meth:`predict` of a fitted model at checked years ``t``."""

    @abstractmethod
    def _sample(self, t: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """:meth:`sample` of a fitted model: ``n`` draws at checked years ``t`` from ``rng``."""

    def _forget_fit(self) -> None:
        """Drop every fitted attribute: a failed refit leaves no stale fit behind."""
        for key in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            del self.__dict__[key]

    def _check_fitted(self) -> None:
        if "params_" not in self.__dict__:
            raise ModelError(
                f"{self.name} is not fitted yet: call {self.fit_call} before using the model"
            )

    def _check_draw_count(self, n_draws: int) -> int:
        if isinstance(n_draws, bool) or int(n_draws) != n_draws or n_draws < 1:
            raise ModelError(
                f"{self.name}: n_draws must be a positive integer (n_draws must be >= 1); "
                f"got {n_draws!r}"
            )
        return int(n_draws)

    def _check_level(self, level: float) -> float:
        if not 0.0 < float(level) < 1.0:
            raise ModelError(f"{self.name}: interval level must be in (0, 1); got {level}")
        return float(level)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """R^2 of :meth:`predict` against ``y`` (scikit-learn's regressor score; a mix averages
        its segments'; a constant ``y`` scores 1 when predicted exactly, else 0)."""
        from sklearn.metrics import r2_score

        pred = self.predict(X)
        return float(r2_score(as_float(y, "values").reshape(pred.shape), pred))

    def predict_interval(
        self, X: ArrayLike, level: float = 0.8, n_draws: int = 10_000, seed: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed ``(lower, upper)`` of coverage ``level`` in (0, 1) of :meth:`sample`."""
        level = self._check_level(level)
        return central_interval(self.sample(X, n_draws=n_draws, seed=seed), level)

    def forecast_frame(self, X: ArrayLike, n_draws: int = 10_000, seed: Any = None):
        """Tidy table of :meth:`predict` and a summary of :meth:`sample` (arguments as there).

        Returns
        -------
        pandas.DataFrame
            Columns ``model, year, central, mean, p5, p10, p50, p90, p95`` [unit of the
            values] (a mix adds ``segment`` after ``year``); p10-p90 is the 80% band and
            p5-p95 the 90% band. Draws are often heavy-tailed on the level scale: quote p50
            as the centre, not ``mean``.
        """
        t = as_years(X)
        return self._frame(t, self.predict(t), self.sample(t, n_draws=n_draws, seed=seed))

    def _frame(self, t: np.ndarray, central: np.ndarray, draws: np.ndarray):
        import pandas as pd

        years = np.rint(t).astype(int) if np.all(t == np.rint(t)) else t
        rows: dict[str, Any] = {"model": self.name, "year": years}
        if draws.ndim == 3:
            rows["year"] = np.repeat(years, draws.shape[2])
            rows["segment"] = np.tile(np.array(self.segments_, dtype=object), t.size)
        rows["central"] = central.reshape(-1)
        rows.update({k: v.reshape(-1) for k, v in summarise_draws(draws, axis=0).items()})
        return pd.DataFrame(rows)

    def params_frame(self, unit: str | None = None):
        """Parameters as a frame ``param, value, bse, unit, estimated``; ``unit`` names the
        unit of the values (e.g. ``"GWh"``). ``estimated`` is False (and ``bse`` NaN) for a
        parameter the data did not determine (the reason in ``fixed_`` where a model keeps one).
        """
        import pandas as pd

        self._check_fitted()
        fixed = getattr(self, "fixed_", {})
        words = unit or "unit of the data"
        units = {k: v.replace("value unit", words) for k, v in self.param_units_.items()}
        return pd.DataFrame({
            "param": list(self.params_),
            "value": [float(v) for v in self.params_.values()],
            "bse": [float(self.bse_[k]) for k in self.params_],
            "unit": [units.get(k, "") for k in self.params_],
            "estimated": [k not in fixed for k in self.params_],
        })

    def format_params(self) -> str:
        """Parameters as one line, e.g. ``rate=0.534 (se 0.21); base=1,170``."""
        self._check_fitted()
        se = {k: f" (se {fmt_number(s)})" if np.isfinite(s) else "" for k, s in self.bse_.items()}
        return "; ".join(f"{k}={fmt_number(v)}{se[k]}" for k, v in self.params_.items())

    def summary(self) -> str:
        """A readable text summary: the model, its data, parameters, caveats and notes."""
        self._check_fitted()
        lines = [*self._summary_head(), "", *self._summary_body(), "", *self._summary_tail()]
        return "\n".join(lines + [f"note: {n}" for n in self.notes_])

    @abstractmethod
    def _summary_head(self) -> list[str]:
        """Lines above the parameter table: the equation, data, df and uncertainty source."""

    def _summary_body(self) -> list[str]:
        return self._param_table()

    def _summary_tail(self) -> list[str]:
        return []

    def _param_table(
        self, key_width: int = 18, width: int = 14, se_format: str = ".5g", missing: str = "-"
    ) -> list[str]:
        """Lines of name, value, standard error (``missing`` without one) and unit."""
        lines = [f"{'parameter':<{key_width}}{'value':>{width}}{'std err':>{width}}  unit"]
        for key, val in self.params_.items():
            se = self.bse_[key]
            se_txt = f"{se:>{width}{se_format}}" if np.isfinite(se) else f"{missing:>{width}}"
            unit = self.param_units_.get(key, "")
            lines.append(f"{key:<{key_width}}{val:>{width}.6g}{se_txt}  {unit}")
        return lines
