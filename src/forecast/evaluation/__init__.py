"""Evaluation: backtests with no look-ahead, model comparison and sensitivity tables.

Modules: :mod:`~forecast.evaluation.backtest` (the default models, rolling-origin backtests
with naive benchmarks, error metrics), :mod:`~forecast.evaluation.comparison` (the
model-comparison table, Bass under assumed market potentials),
:mod:`~forecast.evaluation.sensitivity` (refits under two versions of the history) and
:mod:`~forecast.evaluation.frames` (what their tables share; :func:`to_csv`). Every function
takes and returns tidy :class:`pandas.DataFrame` objects; importing this package loads pandas
and the models (it is not on the CLI's start-up path).
"""

from forecast.evaluation.backtest import (
    BACKTEST_COLUMNS,
    NAIVE_MODELS,
    PERFORMANCE_COLUMNS,
    default_models,
    naive_forecasts,
    performance,
    rolling_origin,
)
from forecast.evaluation.calibration import calibrate
from forecast.evaluation.comparison import (
    BASS_COLUMNS,
    COMPARISON_COLUMNS,
    bass_market_sensitivity,
    compare_models,
)
from forecast.evaluation.frames import neutralise_formulas, to_csv
from forecast.evaluation.sensitivity import (
    SENSITIVITY_COLUMNS,
    value_sensitivity,
    variant_sensitivity,
)

__all__ = [
    "BACKTEST_COLUMNS",
    "BASS_COLUMNS",
    "COMPARISON_COLUMNS",
    "NAIVE_MODELS",
    "PERFORMANCE_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "bass_market_sensitivity",
    "calibrate",
    "compare_models",
    "default_models",
    "naive_forecasts",
    "neutralise_formulas",
    "performance",
    "rolling_origin",
    "to_csv",
    "value_sensitivity",
    "variant_sensitivity",
]
