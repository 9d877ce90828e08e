"""Figures and sentences of notebook 04's spread and outlook sections."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from forecast.report.bands import outlooks_sentence
from forecast.report.spread_figures import outlook_chart, spread_chart


def spread_table() -> pd.DataFrame:
    rows = []
    for name, mid in (("base", 3000.0), ("low", 2000.0)):
        for k, spread in enumerate(("assumptions", "variation", "both")):
            w = 100.0 * (k + 1)
            rows.append((name, "China", spread, mid - 2 * w, mid - w, mid, mid + w, mid + 2 * w))
    return pd.DataFrame(rows, columns=["scenario", "region", "spread", "p5", "p10", "p50", "p90",
                                       "p95"])


def comparison() -> pd.DataFrame:
    return pd.DataFrame({
        "publisher": ["A", "B", "C"], "published": ["2020", "2022-04", "2024-05"],
        "quantity": ["battery demand", "lithium demand", "cell manufacturing capacity"],
        "region": "World", "year": [2030, 2030, 2025], "case": ["central", "central", "x"],
        "gwh": [1800.0, 3000.0, 6000.0], "gwh_low": [1800.0, 1846.0, 6000.0],
        "gwh_high": [1800.0, 4000.0, 6000.0], "scenario": "base",
        "fan_year": [2030, 2030, 2025], "p_above": [0.99, 0.5, 0.02],
    })


def test_spread_chart_draws_three_bands_per_scenario_at_the_tables_values():
    fig, ax = plt.subplots()
    spread_chart(ax, spread_table(), region="China")
    thick = [c for c in ax.collections if c.get_linewidth()[0] == 5]
    assert len(thick) == 3  # one collection per spread, one segment per scenario
    both = thick[2].get_segments()
    # base is on top: its 'both' band is 3000 -+ 300
    np.testing.assert_allclose([both[0][0][0], both[0][1][0]], [2700.0, 3300.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["base", "low"]
    plt.close(fig)


def test_outlook_chart_labels_each_figure_by_vintage_with_its_probability():
    fig, ax = plt.subplots()
    fan = pd.Series({"p5": 2500.0, "p10": 2700.0, "p50": 3100.0, "p90": 4000.0, "p95": 4500.0})
    outlook_chart(ax, comparison(), fan, scenario="base", region="World", year=2030)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["A 2020 (central)", "B 2022-04 (central)", "C 2024-05 (x, for 2025)"]
    # C is compared with the 2025 fan, which the axes (the 2030 fan) do not show.
    assert [t.get_text() for t in ax.texts][:3] == ["99%", "50%", "2% in 2025"]
    plt.close(fig)


def test_outlooks_sentence_counts_figures_by_where_they_sit_in_the_fan():
    text = outlooks_sentence(comparison().to_dict("records"), "base", "World")
    assert text == (
        "Of the 3 figures for World published before 2025, the base fan puts production above "
        "1 with a probability of 90% or more, below 1 with 90% or more, and 1 lie within its "
        "80% band. The highest, C's 6,000 GWh (2024-05, cell manufacturing capacity), has a "
        "2% chance of being exceeded in 2025.")
    assert outlooks_sentence(comparison().to_dict("records"), "low", "World") == ""


def test_outlook_chart_long_names_break_before_the_case_and_the_title_stays_in_the_figure():
    import matplotlib as mpl

    from forecast.report.figures import HOUSE_RC, finish

    frame = comparison()
    frame.loc[2, "publisher"] = "China Automotive Battery Innovation Alliance"
    fan = pd.Series({"p5": 2500.0, "p10": 2700.0, "p50": 3100.0, "p90": 4000.0, "p95": 4500.0})
    title = "World: published figures by vintage beside the capacity_limited fan"
    with mpl.rc_context(HOUSE_RC):  # titles on the left, as the notebooks draw them
        fig, ax = plt.subplots(figsize=(8, 4))
        outlook_chart(ax, frame, fan, scenario="base", region="World", year=2030)
        finish(ax, title=title, xlabel="Published figure [GWh]", ylabel="", source="test")
        fig.canvas.draw()
    assert ax.get_yticklabels()[2].get_text() == (
        "China Automotive Battery Innovation Alliance 2024-05\n(x, for 2025)")
    assert ax.get_title(loc="left") == title
    assert ax.get_tightbbox().x1 <= fig.bbox.x1  # wrapped, not run past the edge
    plt.close(fig)
