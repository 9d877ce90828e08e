"""Captions are computed from the numbers drawn, written with the formatting policy."""

from __future__ import annotations

import pandas as pd

from forecast.report import captions


def _fan(p10: float, p50: float, p90: float) -> pd.DataFrame:
    return pd.DataFrame({"year": [2029, 2030], "p10": [p10 * 0.9, p10], "p50": [p50 * 0.9, p50],
                         "p90": [p90 * 0.9, p90]})


def test_band_caption_states_median_band_and_growth():
    text = captions.band_caption(_fan(2605.2, 3109.4, 3908.0), what="China's production",
                                 start=(2024, 1170.0))
    assert "3,109 GWh (2,605 to 3,908 GWh) in 2030" in text
    assert "+17.7% a year from 1,170 GWh in 2024" in text  # (3109.4 / 1170) ** (1/6) - 1
    assert "42% of the median" in text  # (3908 - 2605.2) / 3109.4


def test_band_caption_of_a_certain_path_says_so():
    text = captions.band_caption(_fan(3809.4, 3809.4, 3809.4), what="Published")
    assert "3,809 GWh in 2030" in text and "no uncertainty" in text and "3,809-3,809" not in text


def test_scenario_lines_caption_counts_from_the_numbers():
    text = captions.scenario_lines_caption({"low": 2000.0, "base": 3100.0, "high": 4400.0},
                                           what="China", year=2030,
                                           reference=("published outlook", 3800.0))
    assert "from 2,000 GWh (low) to 4,400 GWh (high), a factor of 2.2" in text
    assert "1 of 3 scenario medians lie above the published outlook (3,800 GWh): high." in text


def test_tornado_caption_names_the_largest_swing_in_words():
    sens = pd.DataFrame({"parameter": ["segments.power.damping", "share.target"],
                         "total_at_low": [2700.0, 3061.0], "total_at_high": [3660.0, 3061.0],
                         "swing": [960.0, 0.0]})
    text = captions.tornado_caption(sens, year=2030, base=3061.0)
    assert text.startswith("Power: growth damping moves China's 2030 production most: from "
                           "2,700 to 3,660 GWh")
    assert "China's world share in the target year leaves China's total unchanged (it moves" in text
    assert "segments." not in text


def test_mix_and_composition_captions_use_percent():
    mix = pd.DataFrame({"power": [664.3, 823.0], "storage": [154.7, 254.0]}, index=[2023, 2024])
    text = captions.mix_caption(mix, what="Production")
    assert "power 76.4%, storage 23.6%" in text and "Storage gains most" in text
    wide = pd.DataFrame({"power": [60.0, 70.0], "storage": [40.0, 30.0]}, index=["a", "b"])
    assert "power 65.0% (60.0% to 70.0%)" in captions.composition_caption(wide, what="X")


def test_ranking_caption_compares_with_the_benchmark():
    text = captions.ranking_caption({"damped": 0.064, "linear": 0.22, "naive_last": 0.26},
                                    what="error", benchmarks=["naive_last"])
    assert text == ("The lowest error is damped's, 6.4%; the best benchmark (naive_last) scores "
                    "26.0%, so the best model beats a naive rule on this history.")


def _recon_rows(name, segments, total, published=(2450.0, 126.0, 1226.0, 3800.0)):
    """A reconciliation table by hand: medians of three segments and of the total [GWh]."""
    rows = []
    for seg, proj, pub in zip(("power", "consumer", "storage", "total"), (*segments, total),
                              published, strict=True):
        rows.append({"scenario": name, "region": "China", "segment": seg, "year": 2030,
                     "unit": "GWh", "published": pub, "projected": proj,
                     "difference": proj - pub, "difference_pct": (proj - pub) / pub,
                     "main_cause": "power contributes most" if seg == "total" else ""})
    return rows


def test_reconciliation_sentences_name_medians_and_say_when_parts_do_not_add_up():
    # base, as a run reports it: -514.73 - 7.93 - 161.12 = -683.78, but the total's median
    # misses by -662.14 (3,137.86 - 3,800).
    table = pd.DataFrame(
        _recon_rows("base", (1935.27, 118.07, 1064.88), 3137.86)
        # Parts that add up: -10 - 5 - 15 = -30 = 3,770 - 3,800.
        + _recon_rows("even", (2440.0, 121.0, 1211.0), 3770.0))
    base, even = captions.reconciliation_sentences(table)
    assert base.startswith("**base**: China's median 2030 production is 3,138 GWh, 662 GWh "
                           "(17.4%) below the published outlook of 3,800 GWh.")
    assert "by -515 (power), -8 (consumer) and -161 GWh (storage); these sum to -684 GWh, not " \
           "-662 GWh, because medians of parts do not add up" in base
    assert "mean" not in base.lower().replace("median", "")
    assert "-10 (power), -5 (consumer) and -15 GWh (storage), which add up to the total's " \
           "difference." in even


def test_reconciliation_sentences_agree_with_the_reconciliation_table(history):
    import re

    from forecast import scenarios
    from forecast.report.formatting import gwh, percent

    table = scenarios.reconcile(["base", "demand_led"], history, n_draws=500)
    sentences = captions.reconciliation_sentences(table)
    assert len(sentences) == 3  # base, demand_led, demand_led's EV demand
    for text in sentences:
        name = re.match(r"\*\*(\w+)\*\*", text)[1]
        rows = table[table["scenario"] == name]
        allowed = {gwh(v) for v in rows[["published", "projected"]].stack()}
        allowed |= {gwh(abs(v)) for v in rows["difference"].dropna()}
        allowed |= {percent(abs(v)) for v in rows["difference_pct"].dropna()}
        parts = rows[(rows["region"] == "China") & (rows["segment"] != "total")]
        allowed.add(gwh(abs(parts["difference"].sum())))
        allowed |= {"2030"}
        # Every number outside the quoted main cause is one of the table's numbers.
        told = text.split(" Main cause: ")[0] if "Main cause" in text else text.split("; ")[0]
        for number in re.findall(r"\d[\d,]*(?:\.\d+)?%?", told):
            assert number in allowed, (number, text)
        cause = rows.loc[rows["segment"].isin(["total", "ev_demand"])
                         & rows["projected"].notna(), "main_cause"]
        assert any(c in text for c in cause), text
