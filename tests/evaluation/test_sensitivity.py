"""Tests of the sensitivity tables of forecast.evaluation.comparison: refits under two
versions of the history."""

from __future__ import annotations

import pytest

from forecast.evaluation.backtest import default_models
from forecast.evaluation.comparison import variant_sensitivity
from forecast.models import LinearTrend
from tests.conftest import DATA


def test_variant_sensitivity_910_vs_940_by_hand():
    # The data folder's China production 2021-2024: 324, 738, 910, 1170; yoy_base has 940 in
    # 2023.
    frame = variant_sensitivity("yoy_base", {"cagr_endpoint": default_models()["cagr_endpoint"],
                                             "linear": LinearTrend()},
                                data_dir=DATA, target_year=2030)
    assert list(frame.columns) == ["model", "value_910", "value_940", "difference",
                                   "difference_pct"]
    rows = frame.set_index("model")
    # The end-point CAGR uses only 2021 and 2024: the 2023 value cannot move it.
    assert rows.loc["cagr_endpoint", "difference"] == pytest.approx(0.0, abs=1e-9)
    # Linear: slope 1355/5 = 271 -> 2030 = 785.5 + 271*7.5 = 2818; with 940: 1370/5 = 274,
    # mean 793 -> 793 + 274*7.5 = 2848.
    assert rows.loc["linear", "value_910"] == pytest.approx(2818.0)
    assert rows.loc["linear", "value_940"] == pytest.approx(2848.0)
    assert rows.loc["linear", "difference_pct"] == pytest.approx(100 * 30 / 2818)
