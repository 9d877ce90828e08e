"""Number formatting of the report layer: whole GWh, percent to one decimal, no negative zero."""

from __future__ import annotations

import pytest

from forecast.report.formatting import gwh, percent, value_label


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
def test_value_label_matches_the_former_inline_rule(value, text):
    assert value_label(value) == text
