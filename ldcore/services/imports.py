"""Responses collected in other tools, imported into a wave; and a wave's responses exported.

An import reads the file (`ldcore.io.tables`), maps its columns to the wave's questions (`ldcore.io.mapping`),
converts and validates every row, and only then writes, all in the caller's transaction: any bad row refuses the
whole file, naming its line and column. Blank answers are stored as unanswered and counted. Each response is stored
once, whatever how often the file is imported (by its response id column, or a hash of the row).

`ImportOptions` carries what a person decides in the preview (or on the command line): the date order of an
ambiguous time column, columns mapped by hand, extra "no answer" codes, whether values that are on no scale count as
no answer or refuse the file, and whether unfinished Qualtrics responses are imported. The preview never refuses
for those: it reports them so the person can choose.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.errors import Invalid
from ldcore.io import exports, times
from ldcore.io.mapping import Matcher, Target, UnknownValue, convert
from ldcore.io.tables import Column, Table, delimiter_hint, normalise, read_table
from ldcore.models import Person, SurveyWave, Team
from ldcore.services import audit, responses, surveys
from ldcore.survey_defs import SurveyDefinition

MAX_PROBLEMS = 200
RATING_TYPES = ("capability_rating", "likert", "nps")
NOT_FINISHED = ("0", "false", "no")
AMBIGUOUS = "ambiguous"


class ImportOptions(BaseModel):
    date_order: Literal["dayfirst", "monthfirst"] | None = None
    columns: dict[str, str] = Field(default_factory=dict)  # header or export tag → `key` or `key[capability]`
    no_answer: list[str] = Field(default_factory=list)  # labels or codes meaning "no answer", besides the survey's
    unknown: Literal["refuse", "no_answer"] = "refuse"  # a value on no scale: refuse the file, or store no answer
    unfinished: bool = False  # import Qualtrics responses with Finished = 0


class ColumnMapping(BaseModel):
    column: str
    question: str


class UnknownValues(BaseModel):
    column: str
    value: str
    rows: int


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
    time_column: str | None = None
    date_order: str | None = None  # dayfirst | monthfirst | ambiguous | None (nothing to decide)
    date_example: str = ""
    unknown: list[UnknownValues] = Field(default_factory=list)
    unknown_policy: str = "refuse"
    unfinished: int = 0
    unfinished_imported: bool = False

    def time_note(self) -> str:
        if self.time_column is None:
            return "no time column: each response gets the time of the import"
        order = {"dayfirst": " (day first)", "monthfirst": " (month first)"}.get(self.date_order or "", "")
        if self.date_order == AMBIGUOUS:
            return (
                f"times from column {self.time_column!r}: dates like {self.date_example!r} could be day-first or "
                "month-first — choose the date order (--dayfirst or --monthfirst)"
            )
        return f"times from column {self.time_column!r}{order}"

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "would import" if dry_run else "imported"
        lines = [
            f"{self.format} file, {self.rows} rows: {verb} {self.new} new responses into {self.wave}; "
            f"{self.duplicates} already there; {self.empty_rows} rows without any answer skipped",
            f"{self.read_as}",
            f"mapped columns: {len(self.mapping)}",
            self.time_note(),
        ]
        if self.unfinished:
            done = "imported" if self.unfinished_imported else "skipped (--include-unfinished to import them)"
            lines.append(f"{self.unfinished} unfinished responses {done}")
        if self.unknown:
            what = "stored as no answer" if self.unknown_policy == "no_answer" else "refused (--unknown no-answer)"
            lines.append(
                f"values on no scale, {what}: "
                + "; ".join(f"{u.column!r}: {u.value!r} ×{u.rows}" for u in self.unknown)
            )
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


def _cell(cells: list[str], index: int | None) -> str:
    """The cell's text as the person typed it (the apostrophe our export adds before a formula is removed)."""
    return exports.restore(cells[index].strip()) if index is not None and index < len(cells) else ""


def _refuse(problems: list[tuple[str, str]]) -> Invalid:
    shown = problems[:MAX_PROBLEMS]
    more = f" (first {len(shown)} shown)" if len(problems) > len(shown) else ""
    return Invalid(
        f"{len(problems)} problem(s) in the file; nothing was imported{more}: "
        + "; ".join(f"{where}: {msg}" for where, msg in shown[:10]),
        shown,
    )


def _times(
    table: Table, column: Column | None, order: str | None, problems: list[tuple[str, str]]
) -> tuple[dict[int, dt.datetime], str | None, str]:
    """Each line's submission time, the date order used (or `ambiguous`, then no times) and an example value."""
    if column is None:
        return {}, None, ""
    texts = [(line, _cell(cells, column.index)) for line, cells in table.rows]
    try:
        found = times.date_order([t for _, t in texts])
    except times.TimeColumnError as exc:
        if order is None:
            return {}, AMBIGUOUS, exc.example
        found = order
    order = order or found
    out = {}
    for line, text in texts:
        if text:
            try:
                out[line] = times.parse_time(text, order)
            except ValueError as exc:
                problems.append((f"{table.reading.place(line)}, column {column.header!r}", str(exc)))
    return out, order, ""


def _unfinished(table: Table, cells: list[str]) -> bool:
    column = next((c for c in table.columns if normalise(c.header) == "finished"), None)
    return column is not None and _cell(cells, column.index).casefold() in NOT_FINISHED


def _prepare(
    session: Session, *, wave_key: str, data: bytes, filename: str, format: str, options: ImportOptions, preview: bool
) -> tuple[SurveyWave, ImportReport, list[responses.ImportedResponse]]:
    wave = surveys.get_wave(session, key=wave_key)
    definition = surveys.wave_definition(wave)
    caps = surveys.wave_capabilities(session, wave)
    table = read_table(data, filename=filename, format=format)
    header = f"line {table.header_lines}"
    try:
        mapped, unmapped = Matcher(definition, [(c.key, c.name) for c in caps], options.columns).map_columns(
            table.columns
        )
    except ValueError as exc:
        raise Invalid(f"{header}: {exc}.", [(header, str(exc))]) from None
    _check_columns(table, mapped, unmapped, definition, header)
    no_answer = frozenset(normalise(v) for v in [*definition.no_answer, *options.no_answer])

    by_index = {c.index: c for c in table.columns}
    teams = {normalise(t.name): t for t in session.scalars(select(Team))}
    teams.update({normalise(t.key): t for t in teams.values()})
    team_column, email_column, time_column = (table.column(r) for r in ("team", "email", "time"))
    emails = {_cell(cells, email_column.index).lower() for _, cells in table.rows} if email_column else set()
    people = {p.email: p for p in session.scalars(select(Person).where(func.lower(Person.email).in_(emails - {""})))}
    cap_keys = [c.key for c in caps]
    place, read_as = table.reading.place, f"the file was read as {table.reading.described}"
    problems: list[tuple[str, str]] = []
    stamps, date_order, date_example = _times(table, time_column, options.date_order, problems)
    if date_order == AMBIGUOUS and time_column and not preview:
        where = f"{header}, column {time_column.header!r}"
        message = (
            f"dates like {date_example!r} could be day-first or month-first; choose the date order "
            "(--dayfirst or --monthfirst, or the date order in the preview)"
        )
        raise Invalid(f"{where}: {message}.", [(where, message)])
    prepared: list[responses.ImportedResponse] = []
    blanks: Counter[str] = Counter()
    team_counts: Counter[str] = Counter()
    unknown: Counter[tuple[str, str]] = Counter()
    unknown_at: dict[tuple[str, str], str] = {}
    empty = without_team = unfinished = 0
    for (line, cells), external_id in zip(table.rows, table.external_ids(), strict=True):
        if len(cells) > len(table.columns) and any(c.strip() for c in cells[len(table.columns) :]):
            problems.append(
                (place(line), f"{len(cells)} cells but the header has {len(table.columns)} columns ({read_as})")
            )
            continue
        if _unfinished(table, cells):
            unfinished += 1
            if not options.unfinished:
                continue
        payload: dict[str, Any] = {}
        column_of: dict[str, str] = {}
        for index, target in mapped.items():
            text = _cell(cells, index)
            if not text:
                continue
            q, where = target.question, f"{place(line)}, column {by_index[index].header!r}"
            try:
                value = convert(text, target, no_answer)
            except UnknownValue as exc:
                unknown[(by_index[index].header, text)] += 1
                unknown_at.setdefault((by_index[index].header, text), f"{where}: {exc}")
                continue
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
            team_counts[team.name if team else person.team.name if person else ""] += 1
        for q in definition.questions:
            blanks[q.key] += q.key not in answers
        prepared.append(
            responses.ImportedResponse(
                line=line,
                external_id=external_id,
                team_id=team_id,
                person_id=person.id if person else None,
                submitted_at=stamps.get(line),
                answers=answers,
            )
        )
    if unknown and options.unknown == "refuse" and not preview:
        problems.extend(
            (where.split(": ", 1)[0], f"{where.split(': ', 1)[1]} ({unknown[key]} rows; treat such values as no "
             "answer with --unknown no-answer or in the preview)")
            for key, where in unknown_at.items()
        )  # fmt: skip
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
        metadata=[c.header for c in table.columns if c.role != "data" and c.index not in mapped],
        blanks={q.key: blanks[q.key] for q in definition.questions},
        teams=dict(sorted(team_counts.items())),
        without_team=without_team,
        time_column=time_column.header if time_column else None,
        date_order=date_order,
        date_example=date_example,
        unknown=[UnknownValues(column=c, value=v, rows=n) for (c, v), n in unknown.items()],
        unknown_policy=options.unknown,
        unfinished=unfinished,
        unfinished_imported=options.unfinished,
    )
    return wave, report, prepared


def _check_columns(
    table: Table, mapped: dict[int, Target], unmapped: list[Column], definition: SurveyDefinition, header: str
) -> None:
    """Refuse a file whose columns would leave the wave's ratings or a required question empty, naming the
    columns that map to nothing (they are most likely the ones meant)."""
    left = f" Columns that match no question: {'; '.join(c.header for c in unmapped)[:500]}." if unmapped else ""
    if not mapped:
        raise Invalid(
            f"{header}: no column matches a question of this wave (by key or text).{left}"
            + delimiter_hint([c.header for c in table.columns], table.reading),
            [(header, "no column matches a question")],
        )
    asked = {t.question.key for t in mapped.values()}
    missing = [q.key for q in definition.questions if q.required and q.key not in asked]
    if missing:
        raise Invalid(
            f"{header}: missing column for the required question(s) {', '.join(missing)}.{left}",
            [(header, f"missing column for required question {k}") for k in missing],
        )
    ratings = [q.key for q in definition.questions if q.type in RATING_TYPES]
    if ratings and not asked & set(ratings):
        raise Invalid(
            f"{header}: no column matches a rating question of this wave ({', '.join(ratings)}); nothing would be "
            f"rated.{left}",
            [(header, "no column matches a rating question")],
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


def preview_import(
    session: Session,
    *,
    wave_key: str,
    data: bytes,
    filename: str = "",
    format: str = "auto",
    options: ImportOptions | None = None,
) -> ImportReport:
    """What importing the file would do, without writing; `Invalid` naming line and column if it cannot. Values on
    no scale and an ambiguous date order are reported, not refused, so the person can choose."""
    options = options or ImportOptions()
    return _prepare(
        session, wave_key=wave_key, data=data, filename=filename, format=format, options=options, preview=True
    )[1]


def import_responses(
    session: Session,
    *,
    wave_key: str,
    data: bytes,
    filename: str = "",
    format: str = "auto",
    options: ImportOptions | None = None,
    actor: str = "cli",
) -> ImportReport:
    """Import the whole file into the wave in the caller's transaction, or nothing."""
    options = options or ImportOptions()
    wave, report, prepared = _prepare(
        session, wave_key=wave_key, data=data, filename=filename, format=format, options=options, preview=False
    )
    added, duplicates = responses.store_imported(session, wave=wave, responses=prepared)
    audit.record(
        session, actor=actor, action="responses.import", entity="survey_wave", key=wave.key, added=added,
        format=report.format,
    )  # fmt: skip
    return report.model_copy(update={"new": added, "duplicates": duplicates})


def export_responses(session: Session, *, wave_key: str, kind: str = "csv", actor: str | None = None) -> bytes:
    """The wave's responses as CSV or XLSX in the native layout; identity only in non-anonymous waves, never
    a link or token; cells that a spreadsheet would run as a formula are neutralised. With an `actor` (in a write
    transaction) the export is audited."""
    wave = surveys.get_wave(session, key=wave_key)
    columns, rows = responses.response_table(session, wave=wave)
    if actor is not None:
        audit.record(session, actor=actor, action="responses.export", entity="survey_wave", key=wave.key,
                     rows=len(rows), format=kind)  # fmt: skip
    if kind == "csv":
        return exports.to_csv(columns, rows)
    if kind == "xlsx":
        return exports.to_xlsx(columns, rows, sheet=wave.key)
    raise Invalid(f"Export as .csv or .xlsx, not {kind!r}.")
