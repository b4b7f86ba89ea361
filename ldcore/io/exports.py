"""Every CSV and XLSX the app writes, with formula injection neutralised (OWASP): a text cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of running it.

The prefix is reversible: a text that already starts with apostrophes before such a character gets one more, so
`restore` (applied by the importer) gives back exactly what was written, and an export re-imports losslessly.
CSV is UTF-8 with a byte order mark, so Excel opens accents and symbols correctly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"'*[=+\-@\t\r]", flags=re.S)


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: one leading apostrophe removed where neutralising added it."""
    if text.startswith("'") and _NEUTRALISED.match(text, 1):
        return text[1:]
    return text


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, sheet: str = "responses") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append([neutralise(c) for c in columns])
    for row in rows:
        ws.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def links_csv(links: Sequence[Any]) -> bytes:
    """Personal links (objects with email, team, link) as the CSV `invite`, `remind` and the Surveys page hand out."""
    return to_csv(["email", "team", "link"], [[x.email, x.team, x.link] for x in links])
