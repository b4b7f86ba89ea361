"""CSV and XLSX out, with formula injection neutralised (OWASP): a text cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of running it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
