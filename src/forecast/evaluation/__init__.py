"""Evaluation: backtests with no look-ahead (:mod:`.backtest`), model comparison and
sensitivity to the history (:mod:`.comparison`), scores (:mod:`.scoring`, :mod:`.calibration`,
:mod:`.track_record`) and what the tables share (:mod:`.frames`). Importing this package loads
pandas and the models.
"""

from forecast.evaluation import backtest, comparison
from forecast.evaluation.backtest import *  # noqa: F403
from forecast.evaluation.comparison import *  # noqa: F403

__all__ = [*backtest.__all__, *comparison.__all__]
