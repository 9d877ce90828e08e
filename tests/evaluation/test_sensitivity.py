"""Tests of the sensitivity tables of forecast.evaluation.comparison: refits under two
versions of the history."""

from __future__ import annotations

import pytest

from forecast.evaluation.backtest import default_models
from forecast.evaluation.comparison import value_sensitivity, variant_sensitivity
from forecast.models import LinearTrend
from tests.conftest import CHINA, DATA, YEARS

CHINA_940 = [324.0, 738.0, 940.0, 1170.0]  # the conflicting 2023 value


def test_value_sensitivity_910_vs_940_by_hand():
    frame = value_sensitivity(YEARS, CHINA, CHINA_940,
                              {"cagr_endpoint": default_models()["cagr_endpoint"],
                               "linear": LinearTrend()}, target_year=2030)
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


def test_variant_sensitivity_reads_both_variants_from_the_data():
    frame = variant_sensitivity("yoy_base", {"linear": LinearTrend()}, data_dir=DATA,
                                target_year=2030)
    assert list(frame.columns)[:3] == ["model", "value_910", "value_940"]
    assert frame.loc[0, "value_910"] == pytest.approx(2818.0)
