"""Tests of forecast.models.bass: Bass diffusion with the market potential fixed or free."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.models import curves
from forecast.models.bass import BassDiffusion
from tests.conftest import CHINA, YEARS


def test_bass_recovers_p_and_q_with_market_fixed():
    t = np.arange(2011, 2025).astype(float)
    annual = curves.bass_cumulative(t, 50_000.0, 0.01, 0.4, 2010.0) - curves.bass_cumulative(
        t - 1.0, 50_000.0, 0.01, 0.4, 2010.0
    )
    model = BassDiffusion(market=50_000.0).fit(t, annual)
    assert model.params_["p"] == pytest.approx(0.01, rel=1e-6)
    assert model.params_["q"] == pytest.approx(0.4, rel=1e-6)
    assert model.df_resid_ == t.size - 2
    free = BassDiffusion().fit(t, annual)
    assert free.params_["market"] == pytest.approx(50_000.0, rel=1e-4)
    # Peak of the adoption rate: 2010 + ln(0.4 / 0.01) / 0.41 = 2010 + 8.997 = 2019.0.
    assert free.peak_year_ == pytest.approx(2010.0 + math.log(40.0) / 0.41, rel=1e-6)
    fine = np.arange(2011.0, 2031.0, 0.01)
    rate = np.gradient(curves.bass_cumulative(fine, 50_000.0, 0.01, 0.4, 2010.0), fine)
    assert free.peak_year_ == pytest.approx(fine[np.argmax(rate)], abs=0.01)


def test_bass_with_a_free_market_on_the_china_series_puts_the_peak_in_the_data():
    # Four points that have grown 324 -> 1,170 GWh: the least-squares Bass curve reads the
    # slowing growth of 2023-2024 as the approach of the peak. This is the identifiability
    # problem notebook 02 shows, so the numbers are pinned here.
    model = BassDiffusion().fit(YEARS, CHINA)
    assert model.df_resid_ == 1
    assert 2022.0 < model.peak_year_ < 2025.0
    assert model.params_["market"] < 2.0 * CHINA.sum()
    assert model.predict([2030.0])[0] < CHINA[-1]
