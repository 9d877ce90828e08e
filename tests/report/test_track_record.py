"""Tests of forecast.report.track_record: the score tables as text and as displayable frames."""

from __future__ import annotations

import pandas as pd

from forecast.evaluation.track_record import SCORE_COLUMNS
from forecast.report import track_record as shown

SCORES = pd.DataFrame(
    [
        ["r1", "base", "China", "total", 2025, 1100.0, 1250.0, 1400.0, 1200.0, 1250 / 1200 - 1,
         True, 22.0],
        ["r1", "base", "China", "world_share", 2025, 0.7, 0.75, 0.8, 0.82, 0.75 / 0.82 - 1,
         False, 0.0431],
    ],
    columns=list(SCORE_COLUMNS),
)
SUMMARY = pd.DataFrame(
    [["r1", "base", 2, 0.5, 0.0635, 22.0]],
    columns=["run", "scenario", "scored", "covered80", "mean_abs_error", "mean_crps_gwh"],
)


def test_scores_table_holds_the_cells_of_the_text():
    table = shown.scores_table(SCORES)
    assert list(table.columns) == list(SCORE_COLUMNS)
    assert table.loc[0, "p50"] == "1,250"
    assert table.loc[0, "error"] == "+4.2%"
    assert list(table["covered80"]) == ["yes", "no"]
    # Every cell of the displayed table is what the aligned text prints, in the same order.
    for (_, row), line in zip(table.iterrows(), shown.scores_text(SCORES).splitlines()[1:],
                              strict=True):
        assert line.split() == [cell for cell in row if cell]


def test_summary_table_formats_percent_and_gwh():
    table = shown.summary_table(SUMMARY)
    assert list(table.iloc[0]) == ["r1", "base", "2", "50%", "6.3%", "22"]
