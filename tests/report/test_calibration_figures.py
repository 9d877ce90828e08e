"""Tests of forecast.report.calibration_figures: sentences from the numbers, figures drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.reference import ReferenceWindows
from forecast.report import calibration_figures as cf
from forecast.report import figures


def _summary() -> pd.DataFrame:
    rows = []
    for method, c80, c90 in (("default", [0.79, 0.81], [0.89, 0.90]),
                             ("rw_pooled", [0.80, 0.78], [0.90, 0.88]),
                             ("linear", [0.66, 0.26], [0.77, 0.36])):
        rows += [{"method": method, "horizon": h + 1, "coverage80": c80[h],
                  "coverage90": c90[h]} for h in range(2)]
    return pd.DataFrame(rows)


def _windows() -> ReferenceWindows:
    values = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 12.0, 15.0, 20.0]])
    actual = np.array([[5.0, 6.0], [24.0, np.nan]])
    return ReferenceWindows(np.array(["solar_electricity:A", "ev_car_sales:B"]),
                            np.array([2003, 2013]), values, actual, 4, 2, 0.15,
                            np.array(["solar_electricity", "ev_car_sales"]),
                            np.array([0.01, 0.02]))


def test_coverage_caption_states_the_ranges_and_the_targets():
    text = cf.coverage_caption(_summary())
    assert "80% band held the outcome in 79.0%-81.0% of windows (within the target 75%-85%)" \
        in text
    assert "90% band held the outcome in 89.0%-90.0%" in text
    assert "78.0%-80.0% in its 80% band" in text  # the benchmark
    assert "66.0%-66.0% of outcomes one year ahead and 26.0% (linear)" in text
    outside = _summary().assign(coverage80=0.7)
    assert "(outside the target 75%-85%)" in cf.coverage_caption(outside)


def test_pit_caption_and_histogram_share_the_numbers():
    pit = np.repeat(np.arange(10) / 10 + 0.05, [2, 1, 1, 1, 1, 1, 1, 1, 1, 0])
    frame = pd.DataFrame({"method": "default", "horizon": 1, "pit": pit})
    text = cf.pit_caption(frame)
    assert "Each tenth holds 0.0%-20.0% of the 10 outcomes (10% each" in text
    _fig, ax = figures.new_figure()
    cf.pit_histogram(ax, frame)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.2, *[0.1] * 8, 0.0])


def test_reference_paths_and_caption():
    windows = _windows()
    _fig, ax = figures.new_figure()
    cf.reference_paths(ax, windows, pd.Series([1.0, 2.0], index=[2021, 2022]), "China")
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert labels[:2] == ["electric-car sales (1)", "solar electricity (1)"]
    text = cf.reference_caption(windows, pd.Series([1.0, 2.0], index=[2021, 2022]))
    assert text.startswith("2 windows of 4 years from 2 series (ev_car_sales, solar_electricity)")
    assert "(the 1 windows followed that far)" in text
    assert "China's production: 100.0%/yr, faster than" in text


def test_tail_caption_and_colours():
    frame = pd.DataFrame({"model": ["default", "linear", "damped"], "year": 2030,
                          "p5": [1000.0] * 3, "p10": [1200.0] * 3, "p50": [4000.0, 2800.0, 1400.0],
                          "p90": [20000.0] * 3, "p95": [40000.0] * 3})
    text = cf.tail_caption(frame, 2030)
    assert "median is 4,000 GWh" in text and "p95 is 10.0 times the median" in text
    assert "from 1,400 GWh (damped) to 2,800 GWh (linear)" in text
    colors = cf.method_colors(["linear", "default"])
    assert colors["default"] == figures.COLORS["China"] and colors["linear"] != colors["default"]


def test_large_share_sentence_quotes_each_horizon_group():
    table = pd.DataFrame({"horizon_group": ["h1-2", "h3-4"], "n": [2, 1], "series": [1, 1],
                          "coverage80": [0.5, 0.0], "coverage90": [0.5, 0.0],
                          "median_log_error": [-0.05, 0.3]})
    sentence = cf.large_share_sentence(table)
    assert "-0.05 at 1-2 years ahead (the 80% band held 50.0% of 2 outcomes)" in sentence
    assert "+0.30 at 3-4 years ahead" in sentence and "too low" in sentence
    assert "too high" in cf.large_share_sentence(table.assign(median_log_error=[0.1, -0.2]))
    assert "never held more than 85%" in sentence
    about = cf.large_share_sentence(table.assign(median_log_error=[0.3, 0.05],
                                                 coverage80=[0.9, 0.8]))
    assert "within ±0.10" in about and "may be too wide" in about
    assert cf.large_share_sentence(table.iloc[:0]) == ""


def test_missed_cells_sentence_says_whether_a_miss_is_luck_or_a_fault():
    def cells(*ranges):
        return pd.DataFrame(ranges, columns=["median_low", "median_high", "coverage80_low",
                                             "coverage80_high"])
    luck, fault = (-0.3, 0.3, 0.7, 0.9), (0.2, 0.6, 0.5, 0.6)
    assert cf.missed_cells_sentence(36, cells()) == ""
    one = cf.missed_cells_sentence(36, cells(luck))
    assert one.startswith("Of the 36 cells of the conditional table, 1 missed the targets")
    assert "it reaches both somewhere in its range, so the miss cannot be told" in one
    assert "a fault of the method" in cf.missed_cells_sentence(36, cells(fault))
    two = cf.missed_cells_sentence(36, cells(luck, fault))
    assert "1 of them reach both" in two and "1 miss whatever series are drawn" in two


def test_halves_sentence_counts_splits_weighs_coverage_by_outcomes_and_names_the_worst_cells():
    # Two splits of two cells each (solar's mid third and solar as a whole), one horizon group.
    halves = pd.DataFrame({
        "split": [0, 0, 1, 1], "method": "default",
        "cell": ["solar_electricity:mid", "solar_electricity"] * 2,
        "horizon_group": "h5-6", "n": [10, 30, 10, 10],
        "coverage80": [0.8, 0.9, 0.8, 0.6], "coverage90": 0.9,
        "median_log_error": [-0.3, 0.0, -0.5, 0.02]})
    met = pd.Series([False, True, False, False])
    text = cf.halves_sentence(2, halves, met)
    # Cells met per split: 1 and 0, median 0.5; coverage of the technology cells weighed by
    # their outcomes: (0.9 * 30 + 0.6 * 10) / 40 = 82.5%.
    assert "Leaving one series out, 2 of 2 cells meet both targets" in text
    assert "a median 0.5 do (0 to 1 over 2 splits)" in text
    assert "the 80% band held 82.5% at 5-6 years ahead: the band holds on new places" in text
    narrow = cf.halves_sentence(2, halves.assign(coverage80=0.6), met)
    assert "held 60.0% at 5-6 years ahead: on new places the band misses the 75%-85%" in narrow
    # Median over the splits: mid third -0.40 (beyond ±0.10), solar +0.01 (within).
    assert "the median log error of 1 of the 2 cells lies beyond ±0.10" in text
    assert "solar electricity, middle third at 5-6 years ahead -0.40 (too high)" in text
    within = cf.halves_sentence(2, halves.assign(median_log_error=0.05), met)
    assert "stays within ±0.10 everywhere" in within
