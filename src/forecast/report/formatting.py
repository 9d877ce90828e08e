"""How the report writes numbers in figures, styled tables and prose, never with a negative
zero; CSV tables keep full precision (:data:`forecast.evaluation.frames.FLOAT_FORMAT`)."""

from __future__ import annotations

import html
import re

__all__ = ["as_stated", "at_most", "gwh", "gwh_band", "markdown_text", "percent",
           "percent_band", "signed_percent", "span", "value_label"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def markdown_text(text: object) -> str:
    """Text from a file (``str()`` of anything), shown literally in Markdown prose: Markdown's
    characters backslash-escaped, ``<``, ``>``, ``&`` and quotes as HTML entities
    (``<script>`` is shown, not run), line breaks as spaces."""
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split())), quote=True)


def _zero(text: str) -> bool:
    return not any(ch in "123456789" for ch in text)


def _signed(text: str) -> str:
    """``text`` without a minus sign when all its digits are zero (``"-0.0"`` -> ``"0.0"``)."""
    return text[1:] if text.startswith("-") and _zero(text) else text


def gwh(value: float) -> str:
    """Production [GWh] as whole GWh with thousands separators, no unit: ``"1,170"``."""
    return _signed(f"{value:,.0f}")


def percent(share: float, decimals: int = 1) -> str:
    """A share [fraction] as a percentage with ``decimals`` decimals: ``0.7604`` -> ``"76.0%"``."""
    return _signed(f"{share:.{decimals}%}")


def value_label(value: float) -> str:
    """A data label [axis unit]: three significant digits below 10, whole numbers above."""
    return _signed(f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}")


def signed_percent(change: float, decimals: int = 1) -> str:
    """A relative change [fraction] with its sign, none on zero: ``"+3.1%"``, ``"0.0%"``."""
    text = percent(change, decimals)
    return text if text.startswith("-") or _zero(text) else "+" + text


def span(low: str, high: str, unit: str = "") -> str:
    """A range of formatted ends, ``unit`` once after the upper: ``"2,605 to 3,908 GWh"``
    (a hyphen would read as a minus sign); one value when both ends print the same."""
    return f"{low}{unit}" if low == high else f"{low} to {high}{unit}"


def _band(p50: str, low: str, high: str, unit: str) -> str:
    if low == high:
        return f"{low}{unit}"
    return f"{p50}{unit} ({span(low, high, unit)})"


def gwh_band(p50: float, low: float, high: float, unit: str = "") -> str:
    """A median with its band [GWh]: ``"3,109 (2,605 to 3,908)"``, ``"3,809"`` when the ends
    print the same; ``unit`` (e.g. ``" GWh"``) follows the median and the band."""
    return _band(gwh(p50), gwh(low), gwh(high), unit)


def percent_band(p50: float, low: float, high: float) -> str:
    """A share's median with its band [fraction]: ``"75.0% (71.2% to 78.3%)"``, or one value."""
    return _band(percent(p50), percent(low), percent(high), "")


def at_most(change: float) -> str:
    """``"by at most 3.1%"`` for the largest relative change [fraction, sign ignored], or
    ``"not at all"`` when it rounds to 0.0%."""
    text = percent(abs(change))
    return "not at all" if _zero(text) else f"by at most {text}"


def as_stated(value: float) -> str:
    """A data value as a document states it: four significant digits below 1,000, whole
    numbers with separators above, never a negative zero."""
    return gwh(value) if abs(value) >= 1000 else _signed(f"{value:.4g}")
