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
from dataclasses import dataclass, field

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


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


@dataclass
class Column:
    index: int
    header: str
    labels: list[str]
    role: str = "data"  # id | email | team | time | meta | data


@dataclass
class Table:
    format: str
    columns: list[Column]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_lines: int = 1

    def column(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def external_ids(self) -> list[str]:
        """The response id column's value, or a hash of the row and how often the same row came before (two
        identical answers in one file are two responses; the same file imported twice gives the same ids)."""
        id_column = self.column("id")
        seen: dict[str, int] = {}
        out = []
        for _, cells in self.rows:
            value = cells[id_column.index].strip() if id_column and id_column.index < len(cells) else ""
            if value:
                out.append(f"id:{value}"[:128])
                continue
            digest = hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:40]
            seen[digest] = seen.get(digest, 0) + 1
            out.append(f"row:{digest}:{seen[digest]}")
        return out


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Invalid(
            f"The file is not UTF-8 text (line {line}); export it again as CSV UTF-8.",
            [(f"line {line}", "not UTF-8 text")],
        ) from exc


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, line = [], 0
    try:
        for record in reader:
            out.append((line + 1, record))
            line = reader.line_num
    except csv.Error as exc:
        raise Invalid(f"line {line + 1}: not readable as CSV ({exc}).", [(f"line {line + 1}", str(exc))]) from exc
    return [(n, r) for n, r in out if any(cell.strip() for cell in r)]


def _role(label: str) -> str:
    n = normalise(label)
    for role, names in (("id", ID_COLUMNS), ("email", EMAIL_COLUMNS), ("team", TEAM_COLUMNS), ("time", TIME_COLUMNS)):
        if n in names:
            return role
    return "meta" if n in META_COLUMNS else "data"


def _assign_roles(columns: list[Column]) -> list[Column]:
    """The first column of each identifying role takes it; later duplicates are metadata."""
    taken: set[str] = set()
    for column in columns:
        role = next((r for r in (_role(label) for label in column.labels) if r != "data"), "data")
        if role in ("id", "email", "team", "time") and role in taken:
            role = "meta"
        taken.add(role)
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
    records = _records(decode(data))
    if not records:
        raise Invalid("The file is empty (line 1).", [("line 1", "empty file")])
    chosen = detect(records, filename) if format == "auto" else format
    if chosen == "qualtrics":
        return _qualtrics(records)
    if chosen == "surveymonkey":
        return _surveymonkey(records)
    header = records[0][1]
    columns = [Column(i, h.strip(), [h.strip()]) for i, h in enumerate(header)]
    return Table(chosen, _assign_roles(columns), records[1:], header_lines=records[0][0])


def _qualtrics(records: list[tuple[int, list[str]]]) -> Table:
    tags = records[0][1]
    texts = records[1][1] if len(records) > 1 else tags
    skip = 3 if len(records) > 2 and any(_is_import_id(c) for c in records[2][1]) else 2
    columns = []
    for i, tag in enumerate(tags):
        text = texts[i].strip() if i < len(texts) else ""
        labels = [tag.strip()] + ([text] if text and text != tag.strip() else [])
        columns.append(Column(i, f"{tag.strip()}: {text}" if len(labels) > 1 else tag.strip(), labels))
    return Table("qualtrics", _assign_roles(columns), records[skip:], header_lines=records[skip - 1][0])


def _surveymonkey(records: list[tuple[int, list[str]]]) -> Table:
    texts, subs = records[0][1], records[1][1] if len(records) > 1 else []
    columns, current = [], ""
    for i, text in enumerate(texts):
        current = text.strip() or current
        sub = subs[i].strip() if i < len(subs) else ""
        label = current if normalise(sub) in SURVEYMONKEY_SUBLABELS else f"{current} [{sub}]"
        columns.append(Column(i, label, [label]))
    return Table("surveymonkey", _assign_roles(columns), records[2:], header_lines=records[1][0])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, format: str = "auto") -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise Invalid("The file is not a readable XLSX workbook (line 1).", [("line 1", "not an XLSX file")]) from exc
    sheet = book.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise Invalid("The workbook is empty (line 1).", [("line 1", "empty workbook")])
    chosen = detect(numbered) if format == "auto" else format
    if chosen == "qualtrics":
        return _qualtrics(numbered)
    if chosen == "surveymonkey":
        return _surveymonkey(numbered)
    header = numbered[0][1]
    columns = [Column(i, h.strip(), [h.strip()]) for i, h in enumerate(header) if h.strip()]
    return Table(chosen, _assign_roles(columns), numbered[1:], header_lines=numbered[0][0])
