"""Report stage, how figures are written: Vietnamese numbers, minutes of airtime and percentages.

Below both the figures (``aggregate``, whose notes quote numbers) and every renderer
(``table``, ``xlsx``, ``docx_out``) and the web's filters, so each writes a number the same way.
"""
from __future__ import annotations


def minutes(seconds: float) -> float:
    """Airtime in minutes, one decimal, as the report shows it."""
    return round(seconds / 60.0, 1)


def percent(value: float | None) -> str:
    """'96,7 %' (Vietnamese decimal comma) or '—'."""
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + " %"


def number(value: float) -> str:
    """Vietnamese number format: 1.234,5."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, frac = f"{value:,.1f}".split(".")
    return whole.replace(",", ".") + "," + frac
