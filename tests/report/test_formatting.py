"""Number formatting of the report layer: whole GWh, percent to one decimal, no negative zero."""

from __future__ import annotations

import pytest

from forecast.report.formatting import (
    as_stated,
    at_most,
    gwh,
    gwh_band,
    percent,
    percent_band,
    signed_percent,
    value_label,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1169.6, "1,170"), (3809.4, "3,809"), (324, "324"), (0.0, "0"), (-0.4, "0"),
     (-0.0, "0"), (-1234.4, "-1,234"), (15256.9, "15,257")],
)
def test_gwh_is_whole_with_thousands_separators(value, text):
    assert gwh(value) == text


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.76, "76.0%"), (0.7604, "76.0%"), (0.882, "88.2%"), (-0.0004, "0.0%"), (-0.05, "-5.0%"),
     (1.0, "100.0%")],
)
def test_percent_has_one_decimal_and_no_negative_zero(share, text):
    assert percent(share) == text


def test_percent_decimals():
    assert percent(0.7604, 0) == "76%" and percent(-0.001, 0) == "0%"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.57, "0.57"), (0.7604, "0.76"), (9.5, "9.5"), (324.0, "324"), (1170.0, "1,170"),
     (-0.0, "0")],
)
def test_value_label_shows_three_digits_below_ten_and_whole_numbers_above(value, text):
    assert value_label(value) == text


@pytest.mark.parametrize(
    ("change", "text"),
    [(0.031, "+3.1%"), (-0.02, "-2.0%"), (-0.0004, "0.0%"), (0.0004, "0.0%"), (0.0, "0.0%")],
)
def test_signed_percent_has_a_sign_but_never_on_zero(change, text):
    assert signed_percent(change) == text


def test_bands_show_the_median_and_collapse_when_degenerate():
    assert gwh_band(3109.4, 2605.2, 3908.0) == "3,109 (2,605 to 3,908)"
    # The published outlook has no uncertainty: one number, not "3,809-3,809".
    assert gwh_band(3809.4, 3809.4, 3809.4) == "3,809"
    assert gwh_band(3809.4, 3809.3, 3809.45, " GWh") == "3,809 GWh"
    assert percent_band(0.742, 0.709, 0.774) == "74.2% (70.9% to 77.4%)"
    assert percent_band(0.76, 0.76, 0.76) == "76.0%"


@pytest.mark.parametrize(
    ("change", "text"),
    [(0.0, "not at all"), (-0.00004, "not at all"), (0.033, "by at most 3.3%"),
     (-0.033, "by at most 3.3%")],
)
def test_at_most_never_says_by_at_most_zero(change, text):
    assert at_most(change) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(21.3, "21.3"), (0.286, "0.286"), (664.3, "664.3"), (2772.0, "2,772"), (-0.0, "0")],
)
def test_as_stated_keeps_stated_digits(value, text):
    assert as_stated(value) == text


@pytest.mark.parametrize("value", [-1e-9, -0.0004, -0.04])
def test_no_formatter_prints_negative_zero(value):
    texts = [gwh(value), percent(value / 100), signed_percent(value / 100), value_label(value),
             as_stated(value), gwh_band(value, value, value), percent_band(value, value, value)]
    # A minus sign only before a non-zero digit ("-0.0004" is a value; "-0.0%" is not).
    assert not any(t.startswith("-") and not any(c in t for c in "123456789") for t in texts), \
        texts
