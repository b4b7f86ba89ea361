"""Survey exports read into one shape: columns (with the labels a column may be matched by) and rows (with the line
they start on in the file, so every problem can name it).

Formats (`detect` picks one when asked for `auto`):

- **native** — LD Align's CSV, also what `ldalign export responses` writes. Header on line 1, one response per
  row. Optional columns: `response_id` (kept to import each response once; without it a hash of the row is used),
  `team` (team key or name), `email` (roster email: gives the team when there is no team column, and the person
  in a non-anonymous wave), `submitted_at` (ISO date or date-time); `name` and `source` are ignored. Then one
  column per question, headed by its key or its text; a per-capability question has one column per capability,
  headed `key[capability]` with the capability's key or name (`proficiency[negotiation]`). Values: numbers or
  scale labels (`4`, `Advanced`, `4 Advanced`), option labels or 1-based option numbers, several choices
  separated by `;`, `Not applicable` or blank for no answer.
- **google** — Google Forms CSV: `Timestamp` first, optional `Email Address`; a grid question is one column per
  row headed `Question text [Row label]`; checkbox answers are joined with `, `.
- **msforms** — Microsoft Forms XLSX (or that sheet saved as CSV): `ID, Start time, Completion time, Email, Name,
  Last modified time`, then one column per question; a grid row is headed `Question.Row` or `Question - Row`.
- **qualtrics** — Qualtrics CSV with 3 header rows (export tag, question text, ImportId as JSON or Python dict)
  or the legacy 2 rows (`V1…Vn` then `ResponseID, ResponseSet, …, EmailAddress, …`); a matrix row is headed
  `Question text - Row label`.

An XLSX is detected like a CSV from its rows (a Google Sheets download is `google`, ours `native`).
- **surveymonkey** — SurveyMonkey CSV with 2 header rows: question text (blank under a question spanning several
  columns) and a sub-label (`Response`, `Open-Ended Response`, an option or a matrix row).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ldcore.errors import Invalid

FORMATS = ("native", "google", "msforms", "qualtrics", "surveymonkey")

# Columns that identify a response, its person, team or time, by normalised header; everything else known to be
# tool metadata is listed as such, never mapped to a question.
ID_COLUMNS = ("response_id", "responseid", "respondentid", "respondent id", "id", "_recordid")
EMAIL_COLUMNS = ("email", "email address", "emailaddress", "recipientemail", "recipient email")
TEAM_COLUMNS = ("team",)
TIME_COLUMNS = ("submitted_at", "timestamp", "completion time", "recordeddate", "enddate", "end date")
META_COLUMNS = {
    "name", "source", "start time", "last modified time", "startdate", "start date", "status", "ipaddress",
    "ip address", "progress", "duration (in seconds)", "finished", "responseset", "recipientlastname",
    "recipientfirstname", "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
    "locationaccuracy", "distributionchannel", "userlanguage", "collector id", "collectorid", "first name",
    "last name", "custom data", "custom data 1",
}  # fmt: skip
SURVEYMONKEY_SUBLABELS = ("", "response", "open-ended response")

# Bounds that keep a read in bounded memory and time, whatever a file declares.
MAX_BYTES = 50_000_000
MAX_ROWS = 100_000
HEADER_ROWS = 3  # the most header rows a format has (Qualtrics)
MAX_COLUMNS = 1_000
MAX_CELL = 32 * 1024
MAX_XLSX_XML = 500_000_000  # a sheet's uncompressed XML: a zip bomb is refused before it is parsed
MAX_RESPONSE_ID = 124  # stored as "id:" + the value in 128 characters

BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
)
DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


@dataclass
class Column:
    index: int
    header: str
    labels: list[str]
    role: str = "data"  # id | email | team | time | meta | data


@dataclass
class Reading:
    """How a file was read: its encoding and delimiter (to say so in a preview), and the spreadsheet row of each
    record that does not start on the line of the same number (a cell with line breaks spans several lines)."""

    encoding: str
    delimiter: str = ""  # none for a workbook
    rows: dict[int, int] = field(default_factory=dict)

    @property
    def described(self) -> str:
        return f"{self.encoding}, {DELIMITERS[self.delimiter]}" if self.delimiter else self.encoding

    @property
    def read_as(self) -> str:
        return f"Read as {self.described}"

    def place(self, line: int) -> str:
        """`line 7`, or `row 5 (line 7)` when earlier answers had line breaks."""
        row = self.rows.get(line)
        return f"row {row} (line {line})" if row else f"line {line}"


@dataclass
class Table:
    format: str
    columns: list[Column]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_lines: int = 1
    reading: Reading = field(default_factory=lambda: Reading("an XLSX workbook"))

    def column(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def external_ids(self) -> list[str]:
        """The response id column's value, or a hash of the row and how often the same row came before (two
        identical answers in one file are two responses; the same file imported twice gives the same ids)."""
        id_column = self.column("id")
        seen: dict[str, int] = {}
        out = []
        for line, cells in self.rows:
            value = cells[id_column.index].strip() if id_column and id_column.index < len(cells) else ""
            if id_column and len(value) > MAX_RESPONSE_ID:
                where = f"{self.reading.place(line)}, column {id_column.header!r}"
                reason = f"a response id longer than {MAX_RESPONSE_ID} characters"
                raise Invalid(f"{where}: {reason}; shorten the ids or remove the column.", [(where, reason)])
            if value:
                out.append(f"id:{value}")
                continue
            digest = hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:40]
            seen[digest] = seen.get(digest, 0) + 1
            out.append(f"row:{digest}:{seen[digest]}")
        return out


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: a BOM decides (UTF-8, UTF-16 LE or BE); else UTF-8 when the bytes
    are UTF-8, else Windows-1252 (what Excel on Windows writes)."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), name
            except UnicodeDecodeError as exc:
                raise Invalid(
                    f"The file starts like {name} text but is not (byte {exc.start}); export it again as CSV UTF-8.",
                    [("line 1", f"not {name} text")],
                ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Invalid(
            f"line {line}: the file is not text (neither UTF-8, UTF-16 nor Windows-1252); "
            "export it again as CSV UTF-8.",
            [(f"line {line}", "not text")],
        ) from exc


def _delimiter(text: str) -> str:
    """The delimiter the header line uses most: comma, semicolon or tab (comma when none)."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _too_big(what: str, limit: str, where: str, action: str) -> Invalid:
    return Invalid(f"{where}: the {what} is too large (more than {limit}); {action}.", [(where, f"more than {limit}")])


def read_records(data: bytes | str, *, what: str = "file") -> tuple[list[tuple[int, list[str]]], Reading]:
    """Each non-blank CSV record with the line it starts on, and how the file was read. Refused with one clear
    message: a file over the size limit, NUL characters, a quoted cell that is never closed, a record with more
    than `MAX_COLUMNS` cells or a cell over `MAX_CELL` characters, more than `MAX_ROWS` records."""
    if len(data) > MAX_BYTES:
        raise _too_big(what, f"{MAX_BYTES // 1_000_000} MB", "line 1", "split it into smaller files")
    text, encoding = (data, "text") if isinstance(data, str) else decode(data)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise Invalid(
            f"line {line}: the {what} contains a NUL character, which cannot be stored; "
            "remove it or export the file again as CSV UTF-8.",
            [(f"line {line}", "NUL character")],
        )
    reading = Reading(encoding, _delimiter(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=reading.delimiter, strict=True)
    out: list[tuple[int, list[str]]] = []
    row = line = 0
    try:
        for record in reader:
            row, start, line = row + 1, line + 1, reader.line_num
            if row != start:
                reading.rows[start] = row
            if not any(cell.strip() for cell in record):
                continue
            where = reading.place(start)
            if len(record) > MAX_COLUMNS:
                raise _too_big("row", f"{MAX_COLUMNS:,} columns", where, "remove the columns that are not needed")
            if any(len(cell) > MAX_CELL for cell in record):
                raise _too_big("cell", f"{MAX_CELL // 1024} KB", where, "shorten it")
            if len(out) >= MAX_ROWS + HEADER_ROWS:
                raise _too_big(what, f"{MAX_ROWS:,} rows", where, "split it into smaller files")
            out.append((start, record))
    except csv.Error as exc:
        if row != line:  # the record that failed is row + 1, starting on line + 1
            reading.rows[line + 1] = row + 1
        where = reading.place(line + 1)
        if "field limit" in str(exc):
            raise _too_big("cell", f"{MAX_CELL // 1024} KB", where, "shorten it") from exc
        if "end of data" in str(exc):
            reason = 'a quoted cell starting here is never closed (a " is missing), so all later lines would join it'
        else:
            reason = 'a quote ends a cell in the middle (inside a quoted cell write a quote as "")'
        raise Invalid(f"{where}: {reason}.", [(where, reason)]) from exc
    return out, reading


def unique_headers(header: list[str], *, what: str = "file") -> None:
    """Refuse a header naming a column twice: which of the two would count?"""
    seen: set[str] = set()
    twice: list[str] = []
    for name in (normalise(h) for h in header):
        if name and name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        raise Invalid(
            f"line 1: the {what} names the column {', '.join(repr(t) for t in twice)} twice; keep one.",
            [("line 1", f"column {t!r} twice") for t in twice],
        )


def delimiter_hint(header: list[str], reading: Reading) -> str:
    """A sentence to add when the header came out as one column: the file is split by something else."""
    if len(header) > 1 or not reading.delimiter:
        return ""
    return (
        f" The header was read as one column ({reading.described}): "
        "separate the columns with commas, semicolons or tabs."
    )


def _role(label: str) -> str:
    n = normalise(label)
    for role, names in (("id", ID_COLUMNS), ("email", EMAIL_COLUMNS), ("team", TEAM_COLUMNS), ("time", TIME_COLUMNS)):
        if n in names:
            return role
    return "meta" if n in META_COLUMNS else "data"


def _assign_roles(columns: list[Column], line: int) -> list[Column]:
    """The first column of each identifying role takes it; a later one of another name is metadata, and one of
    the same name is refused (which of the two was meant?)."""
    taken: dict[str, str] = {}
    for column in columns:
        role = next((r for r in (_role(label) for label in column.labels) if r != "data"), "data")
        if role in ("id", "email", "team", "time") and role in taken:
            if normalise(column.header) == taken[role]:
                reason = f"the column {column.header!r} appears twice; keep one"
                raise Invalid(f"line {line}: {reason}.", [(f"line {line}", reason)])
            role = "meta"
        taken.setdefault(role, normalise(column.header))
        column.role = role
    return columns


def _is_import_id(cell: str) -> bool:
    return cell.strip().startswith("{") and "importid" in cell.casefold()


def detect(records: list[tuple[int, list[str]]], filename: str = "") -> str:
    header = [normalise(c) for c in records[0][1]] if records else []
    second = [normalise(c) for c in records[1][1]] if len(records) > 1 else []
    if len(records) > 2 and any(_is_import_id(c) for c in records[2][1]):
        return "qualtrics"
    if "responseid" in header and ("startdate" in header or "responseset" in header):
        return "qualtrics"
    if header[:1] == ["v1"] and "responseid" in second:  # legacy Qualtrics: V1…Vn, then the column names
        return "qualtrics"
    if {"start time", "completion time"} <= set(header):
        return "msforms"
    if (
        header
        and header[0] in ("respondentid", "respondent id")
        and any(c in ("response", "open-ended response") for c in second)
    ):
        return "surveymonkey"
    if header and header[0] == "timestamp":
        return "google"
    return "native"


def read_table(data: bytes, *, filename: str = "", format: str = "auto") -> Table:
    if format not in ("auto", *FORMATS):
        raise Invalid(f"Unknown format {format!r}; choose one of auto, {', '.join(FORMATS)}.")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data, format)
    records, reading = read_records(data)
    if not records:
        raise Invalid("The file is empty (line 1).", [("line 1", "empty file")])
    chosen = detect(records, filename) if format == "auto" else format
    if chosen == "qualtrics":
        table = _qualtrics(records)
    elif chosen == "surveymonkey":
        table = _surveymonkey(records)
    else:
        header = records[0][1]
        columns = [Column(i, h.strip(), [h.strip()]) for i, h in enumerate(header)]
        table = Table(chosen, _assign_roles(columns, records[0][0]), records[1:], header_lines=records[0][0])
    table.reading = reading
    return table


def _qualtrics(records: list[tuple[int, list[str]]]) -> Table:
    tags = records[0][1]
    texts = records[1][1] if len(records) > 1 else tags
    skip = 3 if len(records) > 2 and any(_is_import_id(c) for c in records[2][1]) else 2
    columns = []
    for i, tag in enumerate(tags):
        text = texts[i].strip() if i < len(texts) else ""
        labels = [tag.strip()] + ([text] if text and text != tag.strip() else [])
        columns.append(Column(i, f"{tag.strip()}: {text}" if len(labels) > 1 else tag.strip(), labels))
    return Table("qualtrics", _assign_roles(columns, records[0][0]), records[skip:], header_lines=records[skip - 1][0])


def _surveymonkey(records: list[tuple[int, list[str]]]) -> Table:
    texts, subs = records[0][1], records[1][1] if len(records) > 1 else []
    columns, current = [], ""
    for i, text in enumerate(texts):
        current = text.strip() or current
        sub = subs[i].strip() if i < len(subs) else ""
        label = current if normalise(sub) in SURVEYMONKEY_SUBLABELS else f"{current} [{sub}]"
        columns.append(Column(i, label, [label]))
    return Table("surveymonkey", _assign_roles(columns, records[0][0]), records[2:], header_lines=records[1][0])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, format: str = "auto") -> Table:
    """The first sheet, streamed: the dimension a file declares is ignored (it may claim a million rows), and only
    rows with a value are kept, within the same bounds as a CSV."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise _too_big("file", f"{MAX_BYTES // 1_000_000} MB", "line 1", "split it into smaller files")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile and openpyxl raise many kinds for a file that is not a workbook
        raise Invalid("The file is not a readable XLSX workbook (line 1).", [("line 1", "not an XLSX file")]) from exc
    if unpacked > MAX_XLSX_XML:
        book.close()
        raise _too_big("workbook", f"{MAX_XLSX_XML // 1_000_000} MB unpacked", "line 1", "split it into smaller files")
    try:
        numbered = _xlsx_rows(book.worksheets[0])
    finally:
        book.close()
    if not numbered:
        raise Invalid("The workbook is empty (line 1).", [("line 1", "empty workbook")])
    chosen = detect(numbered) if format == "auto" else format
    if chosen == "qualtrics":
        return _qualtrics(numbered)
    if chosen == "surveymonkey":
        return _surveymonkey(numbered)
    header = numbered[0][1]
    columns = [Column(i, h.strip(), [h.strip()]) for i, h in enumerate(header) if h.strip()]
    return Table(chosen, _assign_roles(columns, numbered[0][0]), numbered[1:], header_lines=numbered[0][0])


def _xlsx_rows(sheet: Any) -> list[tuple[int, list[str]]]:
    """Each row with a value and its row number, refused beyond the bounds a CSV has."""
    sheet.reset_dimensions()
    numbered: list[tuple[int, list[str]]] = []
    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        where = f"line {n}"
        if len(values) > MAX_COLUMNS and any(_cell(v).strip() for v in values[MAX_COLUMNS:]):
            raise _too_big("row", f"{MAX_COLUMNS:,} columns", where, "remove the columns that are not needed")
        cells = [_cell(v) for v in values[:MAX_COLUMNS]]
        if not any(c.strip() for c in cells):
            continue
        if any(len(c) > MAX_CELL for c in cells):
            raise _too_big("cell", f"{MAX_CELL // 1024} KB", where, "shorten it")
        if any("\x00" in c for c in cells):
            reason = "a cell contains a NUL character, which cannot be stored; remove it"
            raise Invalid(f"{where}: {reason}.", [(where, reason)])
        if len(numbered) >= MAX_ROWS + HEADER_ROWS:
            raise _too_big("workbook", f"{MAX_ROWS:,} rows", where, "split it into smaller files")
        numbered.append((n, cells))
    return numbered
