"""How the report layer writes numbers in figures and prose.

One convention for everything a reader sees: production in whole GWh with thousands
separators (``1,170``), shares in percent to one decimal (``76.0%``), and never a negative
zero (``-0`` or ``-0.0%``, which rounding a tiny negative value would otherwise print). Tables
written to CSV keep full precision in numeric columns (:data:`forecast.report.tables.FLOAT_FORMAT`;
never a range as text); these helpers are for labels, axes, styled tables and text.

Intervals are written beside their median (:func:`gwh_band`, :func:`percent_band`), every range
as "low to high" (:func:`span`), and a band whose ends print the same (a scenario without
uncertainty) is written as that single value. Shares and coverages are always percentages.
Sentences that bound a change ("by at most ...") come from :func:`at_most`, which says "not at
all" rather than "by at most 0.0%".

Text from data, scenario or run files is shown as text, never as markup: styled tables escape
their cells (``styler.format.escape = "html"``, set by :func:`forecast.report.notebook.setup`)
and prose passes such text through :func:`markdown_text`.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "as_stated",
    "at_most",
    "gwh",
    "gwh_band",
    "markdown_text",
    "percent",
    "percent_band",
    "signed_percent",
    "span",
    "value_label",
]

#: Characters Markdown gives a meaning (emphasis, links, code, headings, tables).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def markdown_text(text: object) -> str:
    """Text from a file, safe to put in Markdown prose: shown literally, never as markup.

    Markdown's own characters are backslash-escaped (no link, emphasis or code span can be
    opened) and ``<``, ``>``, ``&`` and quotes become HTML entities, so ``<script>`` is shown,
    not run. Line breaks become spaces (a value cannot start a heading or a list).

    Parameters
    ----------
    text : object
        A name, description, quote or path (anything; ``str()`` of it is used).
    """
    flat = " ".join(str(text).split())
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=True)


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


def signed_percent(change: float, decimals: int = 1) -> str:
    """A relative change with its sign: ``0.031`` -> ``"+3.1%"``, ``-0.0004`` -> ``"0.0%"``.

    Parameters
    ----------
    change : float
        Relative change [fraction].
    decimals : int
        Digits after the decimal point.
    """
    text = percent(change, decimals)
    return text if text.startswith("-") or not any(ch in "123456789" for ch in text) \
        else "+" + text


def span(low: str, high: str, unit: str = "") -> str:
    """The one way the report writes a range: ``"2,605 to 3,908 GWh"`` (a hyphen would read
    as a minus sign beside negative differences); one value when both ends print the same.

    Parameters
    ----------
    low, high : str
        The range's ends, already formatted.
    unit : str
        Appended once, after the upper end (e.g. ``" GWh"``).
    """
    return f"{low}{unit}" if low == high else f"{low} to {high}{unit}"


def _band(p50: str, low: str, high: str, unit: str) -> str:
    if low == high:
        return f"{p50}{unit}" if low == p50 else f"{low}{unit}"
    return f"{p50}{unit} ({span(low, high, unit)})"


def gwh_band(p50: float, low: float, high: float, unit: str = "") -> str:
    """A median with its band: ``"3,109 (2,605 to 3,908)"``; ``"3,809"`` when the band's ends
    print the same (no uncertainty), so a degenerate band is not shown as a range.

    Parameters
    ----------
    p50, low, high : float
        Median and the band's ends [GWh].
    unit : str
        Appended to the median and to the band (e.g. ``" GWh"``).
    """
    return _band(gwh(p50), gwh(low), gwh(high), unit)


def percent_band(p50: float, low: float, high: float, decimals: int = 1) -> str:
    """A share's median with its band: ``"75.0% (71.2% to 78.3%)"``; one value when degenerate.

    Parameters
    ----------
    p50, low, high : float
        Median and the band's ends [fraction].
    decimals : int
        Digits after the decimal point.
    """
    lo, hi = percent(low, decimals), percent(high, decimals)
    if lo == hi:
        return _band(percent(p50, decimals), lo, hi, "")
    return f"{percent(p50, decimals)} ({span(lo, hi)})"


def at_most(change: float, decimals: int = 1, *, what: str = "") -> str:
    """The end of an "X moves Y ..." sentence for the largest relative change ``change``:
    ``"by at most 3.1%"``, or ``"not at all"`` when it rounds to zero at ``decimals``.

    Parameters
    ----------
    change : float
        Largest absolute relative change [fraction] (the sign is ignored).
    decimals : int
        Digits after the decimal point of the percentage.
    what : str
        Appended after "not at all" (e.g. a reason: ``" (they start from 2024)"``).
    """
    text = percent(abs(change), decimals)
    if not any(ch in "123456789" for ch in text):
        return f"not at all{what}"
    return f"by at most {text}"


def as_stated(value: float) -> str:
    """A data value as a document would state it: four significant digits below 1,000
    (``21.3``, ``0.286``, ``664.3``), whole numbers with thousands separators above
    (``2,772``), never a negative zero.

    Parameters
    ----------
    value : float
        A value in its own unit (GWh, GW, fraction, million vehicles ...).
    """
    return gwh(value) if abs(value) >= 1000 else _signed(f"{value:.4g}")
