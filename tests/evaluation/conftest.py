"""A rolling-origin backtest of China's production, shared by the backtest and comparison tests."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.evaluation.backtest import default_models, rolling_origin

YEARS = [2021, 2022, 2023, 2024]
CHINA = [324.0, 738.0, 910.0, 1170.0]  # China Li-ion production [GWh], document 002


@pytest.fixture(scope="module")
def backtest() -> pd.DataFrame:
    # K three times the origin's production: a ceiling that exists at every origin
    return rolling_origin(YEARS, CHINA, default_models(saturation_multiple=3.0), n_draws=1_000,
                          seed=1)
