"""A rolling-origin backtest of China's production, shared by the backtest and comparison tests."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.evaluation.backtest import default_models, rolling_origin
from tests.conftest import CHINA, YEARS


@pytest.fixture(scope="module")
def backtest() -> pd.DataFrame:
    # K three times the origin's production: a ceiling that exists at every origin
    return rolling_origin(YEARS, CHINA, default_models(saturation_multiple=3.0), n_draws=1_000,
                          seed=1)
