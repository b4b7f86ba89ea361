"""How numbers read in every format (page, HTML, deck, narrative): one formatter per kind.

A KPI measured in % changes in *points* ("+3.5 pts" in a table, "3.5 points" in a sentence), never in per cent of
itself; a missing figure is "—", never `None`, 0 or "nan"."""

from __future__ import annotations

import datetime as dt

NO_VALUE = "—"
POINTS = "points"  # a change in a KPI measured in %, in a sentence
POINTS_SHORT = "pts"  # the same in a table cell or a metric
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", None: "No data yet"}


def money(value: float | None, currency: str | None = None) -> str:
    """An amount of money: whole units with thousands separators, then the currency's ISO code when given."""
    if value is None:
        return NO_VALUE
    return f"{value:,.0f} {currency}" if currency else f"{value:,.0f}"


def number(value: float | None, digits: int = 2) -> str:
    return NO_VALUE if value is None else f"{value:.{digits}f}"


def pct(value: float | None, digits: int = 0) -> str:
    """A share or a progress figure, already × 100."""
    return NO_VALUE if value is None else f"{value:.{digits}f}%"


def value(figure: float | None, unit: str) -> str:
    """A KPI (or evidence) figure in its unit."""
    if figure is None:
        return NO_VALUE
    if unit == "%":
        return f"{figure:,.1f}%"
    if unit == "ratio":
        return f"{figure:.2f}"
    if unit == "NPS":
        return f"{figure:+.0f}"
    if unit == "/5":
        return f"{figure:.2f} / 5"
    if unit == "months":
        return f"{figure:.1f} months"
    if unit == "levels":
        return f"{figure:+.2f} levels"
    return f"{figure:,.2f} {unit}".rstrip()


def change(figure: float | None, unit: str) -> str:
    """A change in a KPI (a table cell, a metric's delta): signed, and in points for a KPI measured in %."""
    if figure is None:
        return NO_VALUE
    return f"{figure:+,.1f} {POINTS_SHORT}" if unit == "%" else f"{figure:+,.2f} {unit}".rstrip()


def amount(figure: float, unit: str) -> str:
    """How far a KPI moved, unsigned, in a sentence ("3.5 points", "1.2 days")."""
    if unit == "%":
        return f"{abs(figure):,.1f} {POINTS}"
    return level(abs(figure), unit)


def level(figure: float, unit: str) -> str:
    """A KPI level in a sentence, one decimal ("24.0%", "3.1 days")."""
    text = f"{figure:,.1f}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".rstrip()


def date(day: dt.date | None) -> str:
    return NO_VALUE if day is None else f"{day:%d %b %Y}"


def month(day: dt.date | None) -> str:
    return NO_VALUE if day is None else f"{day:%b %Y}"


def hidden(min_group: int) -> str:
    """What a suppressed figure shows instead of its value."""
    return f"< {min_group}"


def p_value(p: float | None) -> str:
    return NO_VALUE if p is None else f"{p:.3g}"


def likely_real(p: float | None) -> str:
    """The significance of a change in words, for people who do not read p-values."""
    if p is None:
        return "not enough answers to tell"
    return "likely a real change" if p < 0.05 else "could be chance"
