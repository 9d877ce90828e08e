"""How the report layer writes numbers in figures and prose.

One convention for everything a reader sees: production in whole GWh with thousands
separators (``1,170``), shares in percent to one decimal (``76.0%``), and never a negative
zero (``-0`` or ``-0.0%``, which rounding a tiny negative value would otherwise print). Tables
written to CSV keep full precision (:data:`forecast.report.tables.FLOAT_FORMAT`); these helpers
are for labels, axes and text.
"""

from __future__ import annotations

__all__ = ["gwh", "percent", "value_label"]


def _signed(text: str) -> str:
    """``text`` without the minus sign when every digit in it is zero (``"-0.0"`` -> ``"0.0"``)."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return text[1:]
    return text


def gwh(value: float) -> str:
    """Production as whole GWh with thousands separators, no unit: ``1169.6`` -> ``"1,170"``.

    Parameters
    ----------
    value : float
        Production [GWh].
    """
    return _signed(f"{value:,.0f}")


def percent(share: float, decimals: int = 1) -> str:
    """A share as a percentage: ``0.7604`` -> ``"76.0%"``.

    Parameters
    ----------
    share : float
        Share [fraction].
    decimals : int
        Digits after the decimal point.
    """
    return _signed(f"{share:.{decimals}%}")


def value_label(value: float) -> str:
    """A data label: three significant digits below 10 (shares, rates), whole numbers above.

    Parameters
    ----------
    value : float
        The plotted value [axis unit].
    """
    return _signed(f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}")
