"""Evaluation: backtests with no look-ahead, model comparison, sensitivity, scores.

Modules: :mod:`~forecast.evaluation.backtest` (the default models, rolling-origin backtests
with naive benchmarks, error metrics), :mod:`~forecast.evaluation.comparison` (the
model-comparison table, Bass under assumed market potentials),
:mod:`~forecast.evaluation.sensitivity` (refits under two versions of the history),
:mod:`~forecast.evaluation.scoring`, :mod:`~forecast.evaluation.calibration` and
:mod:`~forecast.evaluation.track_record` (scores), and :mod:`~forecast.evaluation.frames`
(what the tables share). Importing this package loads pandas and the models.
"""

from forecast.evaluation import backtest, comparison, sensitivity
from forecast.evaluation.backtest import *  # noqa: F403
from forecast.evaluation.calibration import calibrate
from forecast.evaluation.comparison import *  # noqa: F403
from forecast.evaluation.frames import neutralise_formulas
from forecast.evaluation.sensitivity import *  # noqa: F403

__all__ = [*backtest.__all__, *comparison.__all__, *sensitivity.__all__, "calibrate",
           "neutralise_formulas"]
