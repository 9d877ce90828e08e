"""The sentence that says what the scenario bands are."""

from __future__ import annotations

from forecast.report.bands import BANDS_DEFINITION, bands_sentence


def table(name: str = "base") -> list[dict[str, str]]:
    # As csv.reader gives them: text.
    out = []
    for spread, lo, hi in (("assumptions", "2605.1", "3908.4"), ("variation", "2739", "3582"),
                           ("both", "2525.2", "4173.4")):
        out.append({"scenario": name, "region": "China", "year": "2030", "spread": spread,
                    "p10": lo, "p90": hi})
        out.append({"scenario": name, "region": "World", "year": "2030", "spread": spread,
                    "p10": "1", "p90": "2"})
    return out


def test_the_sentence_quotes_the_runs_figures_for_base():
    text = bands_sentence([*table("low"), *table("base")])
    assert text.startswith(BANDS_DEFINITION)
    assert text.endswith("In the base scenario China's 2030 80% band (p10 to p90) is 2,525 to "
                         "4,173 GWh; its "
                         "assumptions alone would give 2,605 to 3,908 GWh and year-to-year "
                         "variation alone 2,739 to 3,582 GWh.")
    assert "In the low scenario" in bands_sentence(table("low"))
    assert "would be" not in BANDS_DEFINITION and "assumptions hold" not in BANDS_DEFINITION


def test_a_point_band_is_one_value_and_missing_rows_give_the_definition_alone():
    rows = table()
    rows[0] = {**rows[0], "p10": "3000", "p90": "3000.2"}
    assert "assumptions alone would give 3,000 GWh and" in bands_sentence(rows)
    assert bands_sentence(None) == BANDS_DEFINITION
    assert bands_sentence([r for r in table() if r["spread"] != "variation"]) == BANDS_DEFINITION
    assert bands_sentence([{**r, "p90": "n/a"} for r in table()]) == BANDS_DEFINITION
