"""Submission times as survey tools write them, read for a whole column at once.

- ISO 8601 (`2025-04-24 10:09:22`, `2025-04-24T10:09:22+02:00`): LD Align, Qualtrics, XLSX date cells.
- Year first with slashes (`2026/03/03 11:34:20 am CET`): Google Forms' own CSV download.
- Day or month first (`24/04/2025 10:09:22` from Google Sheets in most locales, `9/1/2024 11:27` from Microsoft
  Forms, `4/24/2025 10:09:22` from Sheets in the US): the order is decided by the whole column — a first number
  over 12 means day first, a second number over 12 month first. When no value decides (every date could be read
  both ways) the caller must say which (`dayfirst` / `monthfirst`); nothing is guessed.
- Dots (`24.04.2025 10:09`) are always day first.

A time with a zone (`CET`, `GMT+2`, `+01:00`, `Z`) is stored in UTC; one without is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

DAY_FIRST, MONTH_FIRST = "dayfirst", "monthfirst"
ORDERS = (DAY_FIRST, MONTH_FIRST)
ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 1, "bst": 1, "ist": 5.5, "cet": 1, "cest": 2, "met": 1,
    "mest": 2, "eet": 2, "eest": 3, "msk": 3, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
    "pst": -8, "pdt": -7, "ast": -4, "adt": -3, "akst": -9, "akdt": -8, "hst": -10, "aest": 10, "aedt": 11,
    "jst": 9, "sgt": 8,
}  # fmt: skip
_DATE = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4}),?"
    r"(?:[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"\s*(?P<zone>[a-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})?",
    flags=re.I,
)
EXAMPLE = "e.g. 2025-04-24 10:09, 24/04/2025 10:09 or 4/24/2025 10:09 AM"


class TimeColumnError(ValueError):
    """The column's date order cannot be decided; `example` is a value that reads both ways."""

    def __init__(self, message: str, example: str):
        super().__init__(message)
        self.example = example


def _zone(text: str | None) -> dt.timezone | None:
    if not text:
        return None
    found = re.fullmatch(r"([a-z]*)([+-]?)([\d:]*)", text.casefold())
    if found is None:
        raise ValueError(f"unknown time zone {text!r}")
    name, sign, digits = found.groups()
    if name and name not in ZONES:
        raise ValueError(f"unknown time zone {text!r}")
    hours = ZONES.get(name, 0)
    digits = digits.replace(":", "")
    if sign and digits:
        hh, mm = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
        hours += (1 if sign == "+" else -1) * (int(hh) + int(mm) / 60)
    return dt.timezone(dt.timedelta(hours=hours))


def _parts(text: str) -> re.Match | None:
    return _DATE.fullmatch(text.strip())


def date_order(texts: Sequence[str]) -> str | None:
    """`dayfirst`, `monthfirst`, or None when the column needs no decision (ISO, year first, dots, or every date
    reads the same both ways). `TimeColumnError` when the column cannot be decided or contradicts itself."""
    day_first = month_first = False
    example = ""
    for text in texts:
        match = _parts(text)
        if not match or len(match["a"]) == 4 or match["sep"] == ".":
            continue
        a, b = int(match["a"]), int(match["b"])
        day_first |= a > 12
        month_first |= b > 12
        if a != b and a <= 12 and b <= 12 and not example:
            example = text.strip()
    if day_first and month_first:
        raise TimeColumnError("mixes day-first and month-first dates", example)
    if day_first:
        return DAY_FIRST
    if month_first:
        return MONTH_FIRST
    if example:
        raise TimeColumnError(f"could be day-first or month-first ({example!r})", example)
    return None


def parse_time(text: str, order: str | None) -> dt.datetime:
    """One value; ValueError says why it is not a time."""
    text = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        match = _parts(text)
        if match is None:
            raise ValueError(f"{text!r} is not a date and time ({EXAMPLE})") from None
        a, b, c = int(match["a"]), int(match["b"]), int(match["c"])
        if len(match["a"]) == 4:
            year, month, day = a, b, c
        elif match["sep"] == "." or order == DAY_FIRST:
            day, month, year = a, b, c
        else:
            month, day, year = a, b, c
        year += 2000 if year < 100 else 0
        hour, minute, second = int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0)
        if match["ampm"]:
            if hour > 12:
                raise ValueError(f"{text!r} has hour {hour} with am/pm") from None
            hour = hour % 12 + (12 if match["ampm"].casefold().startswith("p") else 0)
        try:
            parsed = dt.datetime(year, month, day, hour, minute, second, tzinfo=_zone(match["zone"]))
        except ValueError as exc:
            message = str(exc) if "time zone" in str(exc) else "not a valid date"
            raise ValueError(f"{text!r}: {message}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed
