"""Responses collected in other tools, imported into a wave; and a wave's responses exported.

An import reads the file (`ldcore.io.tables`), maps its columns to the wave's questions (`ldcore.io.mapping`),
converts and validates every row, and only then writes, all in the caller's transaction: any bad row refuses the
whole file, naming its line and column. Blank answers are stored as unanswered and counted. Each response is stored
once, whatever how often the file is imported (by its response id column, or a hash of the row).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.errors import Invalid
from ldcore.io import exports
from ldcore.io.mapping import Matcher, convert
from ldcore.io.tables import Table, delimiter_hint, normalise, read_table
from ldcore.models import Person, SurveyWave, Team
from ldcore.services import audit, responses, surveys

MAX_PROBLEMS = 200
TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y %H:%M")


class ColumnMapping(BaseModel):
    column: str
    question: str


class ImportReport(BaseModel):
    """What an import does or would do; `blanks` counts rows without an answer, per question."""

    wave: str
    format: str
    read_as: str
    rows: int
    new: int
    duplicates: int
    empty_rows: int
    mapping: list[ColumnMapping]
    unmapped: list[str]
    metadata: list[str]
    blanks: dict[str, int]
    teams: dict[str, int]
    without_team: int

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "would import" if dry_run else "imported"
        lines = [
            f"{self.format} file, {self.rows} rows: {verb} {self.new} new responses into {self.wave}; "
            f"{self.duplicates} already there; {self.empty_rows} rows without any answer skipped",
            f"{self.read_as}",
            f"mapped columns: {len(self.mapping)}",
        ]
        if self.unmapped:
            lines.append("unmapped columns (not imported): " + "; ".join(self.unmapped))
        if self.metadata:
            lines.append("tool metadata columns (not imported): " + "; ".join(self.metadata))
        blanks = {k: v for k, v in self.blanks.items() if v}
        if blanks:
            lines.append("unanswered: " + ", ".join(f"{k} {v}" for k, v in blanks.items()))
        if self.without_team:
            lines.append(f"{self.without_team} responses have no team (no team column and no roster email)")
        return "\n".join(lines)


def _time(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is not None and parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _refuse(problems: list[tuple[str, str]]) -> Invalid:
    shown = problems[:MAX_PROBLEMS]
    more = f" (first {len(shown)} shown)" if len(problems) > len(shown) else ""
    return Invalid(
        f"{len(problems)} problem(s) in the file; nothing was imported{more}: "
        + "; ".join(f"{where}: {msg}" for where, msg in shown[:10]),
        shown,
    )


def _prepare(
    session: Session, *, wave_key: str, data: bytes, filename: str, format: str
) -> tuple[SurveyWave, ImportReport, list[responses.ImportedResponse]]:
    wave = surveys.get_wave(session, key=wave_key)
    definition = surveys.wave_definition(wave)
    caps = surveys.wave_capabilities(session, wave)
    table = read_table(data, filename=filename, format=format)
    mapped, unmapped = Matcher(definition, [(c.key, c.name) for c in caps]).map_columns(table.columns)
    header = f"line {table.header_lines}"
    _check_columns(table, mapped, definition, header)

    by_index = {c.index: c for c in table.columns}
    teams = {normalise(t.name): t for t in session.scalars(select(Team))}
    teams.update({normalise(t.key): t for t in teams.values()})
    team_column, email_column, time_column = (table.column(r) for r in ("team", "email", "time"))
    emails = {_cell(cells, email_column.index).lower() for _, cells in table.rows} if email_column else set()
    people = {p.email: p for p in session.scalars(select(Person).where(func.lower(Person.email).in_(emails - {""})))}
    cap_keys = [c.key for c in caps]
    place, read_as = table.reading.place, f"the file was read as {table.reading.described}"
    problems: list[tuple[str, str]] = []
    prepared: list[responses.ImportedResponse] = []
    blanks: Counter[str] = Counter()
    team_counts: Counter[str] = Counter()
    empty = without_team = 0
    for (line, cells), external_id in zip(table.rows, table.external_ids(), strict=True):
        if len(cells) > len(table.columns) and any(c.strip() for c in cells[len(table.columns) :]):
            problems.append(
                (place(line), f"{len(cells)} cells but the header has {len(table.columns)} columns ({read_as})")
            )
            continue
        payload: dict[str, Any] = {}
        column_of: dict[str, str] = {}
        for index, target in mapped.items():
            text = _cell(cells, index)
            if not text:
                continue
            q, where = target.question, f"{place(line)}, column {by_index[index].header!r}"
            try:
                value = convert(text, target)
            except ValueError as exc:
                problems.append((where, str(exc)))
                continue
            if target.capability:
                payload.setdefault(q.key, {})[target.capability] = value
                column_of[f"{q.key}.{target.capability}"] = where
            elif target.option:
                payload.setdefault(q.key, []).extend(value)
            else:
                payload[q.key] = value
            column_of.setdefault(q.key, where)
        try:
            answers = responses.validate_answers(definition, cap_keys, payload, enforce_required=False)
        except Invalid as exc:
            problems.extend((column_of.get(k, column_of.get(k.split(".")[0], place(line))), m) for k, m in exc.problems)
            continue
        if not answers:
            empty += 1
            continue
        team = None
        if team_column is not None and (name := _cell(cells, team_column.index)):
            team = teams.get(normalise(name))
            if team is None:
                problems.append((f"{place(line)}, column {team_column.header!r}", f"no team with key or name {name!r}"))
                continue
        person = people.get(_cell(cells, email_column.index).lower()) if email_column else None
        team_id = team.id if team else (person.team_id if person else None)
        if team_id is None:
            without_team += 1
        else:
            team_counts[team.name if team else person.team.name] += 1
        for q in definition.questions:
            blanks[q.key] += q.key not in answers
        prepared.append(
            responses.ImportedResponse(
                line=line,
                external_id=external_id,
                team_id=team_id,
                person_id=person.id if person else None,
                submitted_at=_time(_cell(cells, time_column.index)) if time_column else None,
                answers=answers,
            )
        )
    if problems:
        raise _refuse(problems)
    known = responses.existing_external_ids(session, wave)
    distinct = {r.external_id for r in prepared}
    new = len(distinct - known)
    report = ImportReport(
        wave=wave.key,
        format=table.format,
        read_as=table.reading.read_as,
        rows=len(table.rows),
        new=new,
        duplicates=len(prepared) - new,
        empty_rows=empty,
        mapping=[ColumnMapping(column=by_index[i].header, question=t.describe()) for i, t in mapped.items()],
        unmapped=[c.header for c in unmapped],
        metadata=[c.header for c in table.columns if c.role != "data"],
        blanks={q.key: blanks[q.key] for q in definition.questions},
        teams=dict(sorted(team_counts.items())),
        without_team=without_team,
    )
    return wave, report, prepared


def _check_columns(table: Table, mapped: dict, definition, header: str) -> None:
    if not mapped:
        raise Invalid(
            f"{header}: no column matches a question of this wave (by key or text). "
            f"Columns: {'; '.join(c.header for c in table.columns if c.role == 'data')[:500]}"
            + delimiter_hint([c.header for c in table.columns], table.reading),
            [(header, "no column matches a question")],
        )
    asked = {t.question.key for t in mapped.values()}
    missing = [q.key for q in definition.questions if q.required and q.key not in asked]
    if missing:
        raise Invalid(
            f"{header}: missing column for the required question(s) {', '.join(missing)}.",
            [(header, f"missing column for required question {k}") for k in missing],
        )
    seen: dict[tuple, str] = {}
    for index, target in mapped.items():
        key = (target.question.key, target.capability, target.option)
        column = next(c.header for c in table.columns if c.index == index)
        if key in seen:
            raise Invalid(
                f"{header}: columns {seen[key]!r} and {column!r} both answer {target.describe()}.",
                [(header, f"two columns for {target.describe()}")],
            )
        seen[key] = column


def preview_import(session: Session, *, wave_key: str, data: bytes, filename: str = "", format: str = "auto"):
    """What importing the file would do, without writing; `Invalid` naming line and column if it cannot."""
    return _prepare(session, wave_key=wave_key, data=data, filename=filename, format=format)[1]


def import_responses(
    session: Session, *, wave_key: str, data: bytes, filename: str = "", format: str = "auto", actor: str = "cli"
) -> ImportReport:
    """Import the whole file into the wave in the caller's transaction, or nothing."""
    wave, report, prepared = _prepare(session, wave_key=wave_key, data=data, filename=filename, format=format)
    added, duplicates = responses.store_imported(session, wave=wave, responses=prepared)
    audit.record(
        session, actor=actor, action="responses.import", entity="survey_wave", key=wave.key, added=added,
        format=report.format,
    )  # fmt: skip
    return report.model_copy(update={"new": added, "duplicates": duplicates})


def export_responses(session: Session, *, wave_key: str, kind: str = "csv") -> bytes:
    """The wave's responses as CSV or XLSX in the native layout; identity only in non-anonymous waves, never
    a link or token; cells that a spreadsheet would run as a formula are neutralised."""
    wave = surveys.get_wave(session, key=wave_key)
    columns, rows = responses.response_table(session, wave=wave)
    if kind == "csv":
        return exports.to_csv(columns, rows)
    if kind == "xlsx":
        return exports.to_xlsx(columns, rows, sheet=wave.key)
    raise Invalid(f"Export as .csv or .xlsx, not {kind!r}.")
