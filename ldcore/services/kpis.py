"""KPI observations: manual entry, CSV import (preview, then all-or-nothing) and the series behind a KPI chart.

A KPI holds at most one value per (team, date): recording a value for a (KPI, team, date) that already has one
replaces it (a correction), and recording the same value again changes nothing, so re-importing a file is safe.

CSV columns: `kpi,date,value` and optionally `team` and `note`; a KPI and a team by key or by name (any case); the
header row is line 1. Dates are
ISO (2027-03-31); values are plain numbers (a decimal point, no thousands separator).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete as sql_delete
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ldcore.db import mark_changed
from ldcore.errors import Invalid, NotFound, describe, invalid_from
from ldcore.io import exports
from ldcore.io.tables import delimiter_hint, read_records
from ldcore.models import Kpi, KpiObservation, Team
from ldcore.schemas import ObservationIn
from ldcore.services import audit, plans

REQUIRED_COLUMNS = ("kpi", "date", "value")
OPTIONAL_COLUMNS = ("team", "note")


class RowProblem(BaseModel):
    line: int
    reason: str


class KpiImportPreview(BaseModel):
    """What an import would do: `ok` only when no row is bad; `new` rows would be added, `replaced` rows change
    an existing value of the same KPI, team and date, `unchanged` rows are already there."""

    rows: list[ObservationIn] = []
    problems: list[RowProblem] = []
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    read_as: str = ""  # e.g. "Read as Windows-1252, semicolon-separated"

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


class ImportResult(BaseModel):
    added: int
    replaced: int
    unchanged: int


class ObservationOut(BaseModel):
    id: int
    date: dt.date
    value: float
    team: str | None  # team key; None for the whole organisation
    team_name: str
    note: str
    source: str


class KpiSeries(BaseModel):
    """A KPI with its baseline, target and every observation, oldest first: what a chart needs."""

    key: str
    name: str
    unit: str
    direction: str
    baseline_value: float
    baseline_date: dt.date
    target_value: float
    target_date: dt.date
    observations: list[ObservationOut]


# --- reading --------------------------------------------------------------------------------------------------


def plan_kpis(session: Session, *, plan_key: str) -> list[tuple[str, str]]:
    """(key, name) of the plan's KPIs in the order of their objectives."""
    plan = plans.load_plan_graph(session, key=plan_key)
    return [(k.key, k.name) for o in plan.objectives for k in o.kpis]


def kpi_series(session: Session, *, plan_key: str, kpi_key: str) -> KpiSeries:
    kpi = _kpis(session, plan_key).get(kpi_key)
    if kpi is None:
        raise NotFound(f"No KPI with key {kpi_key!r} in plan {plan_key!r}.")
    rows = session.execute(
        select(KpiObservation, Team.key, Team.name)
        .outerjoin(Team, KpiObservation.team_id == Team.id)
        .where(KpiObservation.kpi_id == kpi.id)
        .order_by(KpiObservation.date, Team.name, KpiObservation.id)
    ).all()
    return KpiSeries(
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline_value=kpi.baseline_value,
        baseline_date=kpi.baseline_date,
        target_value=kpi.target_value,
        target_date=kpi.target_date,
        observations=[
            ObservationOut(
                id=o.id,
                date=o.date,
                value=o.value,
                team=team_key,
                team_name=team_name or "Whole organisation",
                note=o.note,
                source=o.source,
            )
            for o, team_key, team_name in rows
        ],
    )


def _kpis(session: Session, plan_key: str) -> dict[str, Kpi]:
    plan = plans.get_plan(session, key=plan_key)
    return {k.key: k for k in session.scalars(select(Kpi).where(Kpi.plan_id == plan.id))}


def _teams(session: Session) -> dict[str, int]:
    return {key: id_ for key, id_ in session.execute(select(Team.key, Team.id))}


# --- writing --------------------------------------------------------------------------------------------------


def record_observations(
    session: Session, *, plan_key: str, observations: list[Any], actor: str, source: str = "manual"
) -> ImportResult:
    """Record observations (ObservationIn or dicts) all at once; a bad one refuses them all, its index named."""
    rows: list[ObservationIn] = []
    problems: list[tuple[str, str]] = []
    for n, item in enumerate(observations):
        try:
            rows.append(item if isinstance(item, ObservationIn) else ObservationIn.model_validate(item))
        except ValidationError as exc:
            problems.append((str(n), describe(exc)))
    if problems:
        raise Invalid("Observations not recorded: " + "; ".join(f"{p}: {m}" for p, m in problems), problems)
    preview = _plan_rows(session, plan_key, list(enumerate(rows)))
    if preview.problems:
        problems = [(str(p.line), p.reason) for p in preview.problems]
        raise Invalid("Observations not recorded: " + "; ".join(f"{p}: {m}" for p, m in problems), problems)
    return _write(session, plan_key, preview, actor=actor, source=source)


def record_observation(
    session: Session,
    *,
    plan_key: str,
    kpi: str,
    date: dt.date,
    value: float,
    team: str | None = None,
    note: str = "",
    actor: str,
) -> ImportResult:
    """One observation; a refused field is named by its field (kpi, date, value, team, note)."""
    try:
        row = ObservationIn(kpi=kpi, date=date, value=value, team=team or None, note=note)
    except ValidationError as exc:
        raise invalid_from(exc, "observation") from exc
    try:
        return record_observations(session, plan_key=plan_key, observations=[row], actor=actor)
    except Invalid as exc:
        reasons = [msg for _, msg in exc.problems]
        raise Invalid(f"Observation not recorded: {'; '.join(reasons)}", [("", r) for r in reasons]) from exc


def delete_observation(session: Session, *, plan_key: str, observation_id: int, actor: str) -> None:
    observation = session.get(KpiObservation, observation_id)
    kpis = _kpis(session, plan_key)
    if observation is None or observation.kpi_id not in {k.id for k in kpis.values()}:
        raise NotFound(f"No observation #{observation_id} in plan {plan_key!r}.")
    session.delete(observation)
    mark_changed(session, plan=plans.get_plan(session, key=plan_key))
    audit.record(
        session, actor=actor, action="kpi_observation.delete", entity="kpi_observation", key=str(observation_id)
    )


def preview_kpi_csv(session: Session, *, plan_key: str, data: bytes) -> KpiImportPreview:
    """Parse and check a CSV without writing: every bad row is reported with its line number and reason."""
    plan = plans.get_plan(session, key=plan_key)
    kpi_names = dict(session.execute(select(Kpi.key, Kpi.name).where(Kpi.plan_id == plan.id)).all())
    team_names = dict(session.execute(select(Team.key, Team.name)).all())
    parsed, problems, read_as = _parse_csv(data, Names(kpi_names, "KPI"), Names(team_names, "team"))
    preview = _plan_rows(session, plan_key, parsed)
    preview.read_as = read_as
    preview.problems = sorted(problems + preview.problems, key=lambda p: p.line)
    if not preview.problems and not preview.rows:
        preview.problems = [RowProblem(line=1, reason="the file has a header but no data rows")]
    return preview


def import_kpi_csv(session: Session, *, plan_key: str, data: bytes, actor: str) -> ImportResult:
    """Import a CSV: nothing is written when any row is bad; rows already recorded are not duplicated."""
    preview = preview_kpi_csv(session, plan_key=plan_key, data=data)
    if preview.problems:
        shown = preview.problems[:20]
        more = f" (and {len(preview.problems) - 20} more)" if len(preview.problems) > 20 else ""
        raise Invalid(
            f"Nothing imported: {_count_rows(len(preview.problems))} bad. "
            + "; ".join(f"line {p.line}: {p.reason}" for p in shown)
            + more,
            [(f"line {p.line}", p.reason) for p in preview.problems],
        )
    return _write(session, plan_key, preview, actor=actor, source="import")


def _count_rows(n: int) -> str:
    return f"{n} row is" if n == 1 else f"{n} rows are"


# --- parsing and checking -------------------------------------------------------------------------------------


def template_csv(session: Session, *, plan_key: str) -> bytes:
    """A CSV to fill in: the header, then one example row per KPI of the plan (its key, today, its baseline)."""
    plan = plans.load_plan_graph(session, key=plan_key)
    today = dt.date.today().isoformat()
    rows = [[k.key, today, k.baseline_value, "", f"{k.name} (example row: replace or delete)"]
            for o in plan.objectives for k in o.kpis]  # fmt: skip
    return exports.to_csv([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS], rows)


class Names:
    """Keys of one kind of thing, found by key or by name in any case; says what to use instead of an unknown one."""

    def __init__(self, names: dict[str, str], what: str):
        self.what, self.keys = what, sorted(names)
        self.by_text = {name.casefold(): key for key, name in names.items()} | {k.casefold(): k for k in names}

    def key(self, text: str) -> str | None:
        return self.by_text.get(text.strip().casefold())

    def unknown(self, text: str) -> str:
        known = ", ".join(self.keys[:12]) + (" …" if len(self.keys) > 12 else "")
        return f"unknown {self.what} {text!r} (use a {self.what} of this plan by key or name: {known or 'none yet'})"


def _parse_csv(data: bytes, kpis: Names, teams: Names) -> tuple[list[tuple[int, ObservationIn]], list[RowProblem], str]:
    records, reading = read_records(data)
    if not records:
        raise Invalid("The file is empty; it needs a header row: kpi,date,value[,team,note].")
    columns = [h.strip().lower() for h in records[0][1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        reasons = []
        if missing:
            reasons.append(f"missing column {', '.join(missing)}")
        if unknown:
            reasons.append(f"unknown column {', '.join(repr(u) for u in unknown)}")
        if len(set(columns)) != len(columns):
            reasons.append("a column is named twice")
        raise Invalid(
            f"line 1: {'; '.join(reasons)}. The header must be kpi,date,value and optionally team and note."
            + delimiter_hint(columns, reading),
            [("line 1", "; ".join(reasons))],
        )
    rows: list[tuple[int, ObservationIn]] = []
    problems: list[RowProblem] = []
    for line, record in records[1:]:
        if len(record) != len(columns):
            reason = f"{len(record)} cells where the header has {len(columns)} (read as {reading.described})"
            problems.append(RowProblem(line=line, reason=reason))
            continue
        cells = {c: v.strip() for c, v in zip(columns, record, strict=True)}
        refused, row = _row(cells, kpis, teams)
        if refused:
            problems.append(RowProblem(line=line, reason=refused))
        elif row is not None:
            rows.append((line, row))
    return rows, problems, reading.read_as


def _row(cells: dict[str, str], kpis: Names, teams: Names) -> tuple[str | None, ObservationIn | None]:
    if not cells["kpi"]:
        return "kpi is empty", None
    kpi, team = kpis.key(cells["kpi"]), teams.key(cells["team"]) if cells.get("team") else None
    if kpi is None:
        return kpis.unknown(cells["kpi"]), None
    if cells.get("team") and team is None:
        return teams.unknown(cells["team"]), None
    try:
        date = dt.date.fromisoformat(cells["date"])
    except ValueError:
        return f"date {cells['date']!r} is not a date like 2027-03-31", None
    try:
        value = float(cells["value"])
    except ValueError:
        return f"value {cells['value']!r} is not a number", None
    if not math.isfinite(value):
        return f"value {cells['value']!r} is not a finite number", None
    try:
        return None, ObservationIn(kpi=kpi, date=date, value=value, team=team, note=cells.get("note", ""))
    except ValidationError as exc:
        return describe(exc), None


def _plan_rows(session: Session, plan_key: str, rows: list[tuple[int, ObservationIn]]) -> KpiImportPreview:
    """Check the references of numbered rows (line numbers of a file, indexes of a list) and compare them with
    what is stored."""
    kpis = _kpis(session, plan_key)
    teams = _teams(session)
    problems: list[RowProblem] = []
    first_seen: dict[tuple[str, str | None, dt.date], tuple[int, float]] = {}
    good: list[ObservationIn] = []
    for n, row in rows:
        reasons = []
        if row.kpi not in kpis:
            reasons.append(f"unknown KPI {row.kpi!r} (the plan's KPIs: {', '.join(sorted(kpis)) or 'none yet'})")
        if row.team is not None and row.team not in teams:
            reasons.append(f"unknown team {row.team!r}")
        ident = (row.kpi, row.team, row.date)
        if ident in first_seen and first_seen[ident][1] != row.value:
            reasons.append(
                f"{row.kpi} for {row.team or 'the whole organisation'} on {row.date} has a different value on "
                f"line {first_seen[ident][0]}"
            )
        if reasons:
            problems.append(RowProblem(line=n, reason="; ".join(reasons)))
            continue
        if ident in first_seen:  # the same row twice in one file counts once
            continue
        first_seen[ident] = (n, row.value)
        good.append(row)

    preview = KpiImportPreview(rows=good, problems=problems)
    stored = _stored(session, kpis, teams, good)
    for row in good:
        values = stored.get((row.kpi, row.team, row.date))
        if values is None:
            preview.new += 1
        elif values == [row.value]:
            preview.unchanged += 1
        else:
            preview.replaced += 1
    return preview


def _stored(
    session: Session, kpis: dict[str, Kpi], teams: dict[str, int], rows: list[ObservationIn]
) -> dict[tuple[str, str | None, dt.date], list[float]]:
    """Stored values keyed by (kpi key, team key, date) for the KPIs and dates the rows touch."""
    if not rows:
        return {}
    kpi_key = {k.id: key for key, k in kpis.items()}
    team_key = {v: k for k, v in teams.items()}
    wanted = {(kpis[r.kpi].id, r.date) for r in rows}
    out: dict[tuple[str, str | None, dt.date], list[float]] = {}
    for chunk in _chunks(sorted(wanted), 500):
        for kpi_id, team_id, date, value in session.execute(
            select(KpiObservation.kpi_id, KpiObservation.team_id, KpiObservation.date, KpiObservation.value)
            .where(tuple_(KpiObservation.kpi_id, KpiObservation.date).in_(chunk))
            .order_by(KpiObservation.id)
        ):
            out.setdefault((kpi_key[kpi_id], team_key.get(team_id) if team_id else None, date), []).append(value)
    return out


T = TypeVar("T")


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(session: Session, plan_key: str, preview: KpiImportPreview, *, actor: str, source: str) -> ImportResult:
    kpis = _kpis(session, plan_key)
    teams = _teams(session)
    stored = _stored(session, kpis, teams, preview.rows)
    added = replaced = unchanged = 0
    for row in preview.rows:
        kpi_id, team_id = kpis[row.kpi].id, teams[row.team] if row.team else None
        values = stored.get((row.kpi, row.team, row.date))
        if values == [row.value]:
            unchanged += 1
            continue
        if values is not None:
            session.execute(
                sql_delete(KpiObservation).where(
                    KpiObservation.kpi_id == kpi_id,
                    KpiObservation.date == row.date,
                    KpiObservation.team_id.is_(None) if team_id is None else KpiObservation.team_id == team_id,
                )
            )
            replaced += 1
        else:
            added += 1
        session.add(
            KpiObservation(kpi_id=kpi_id, team_id=team_id, date=row.date, value=row.value, note=row.note, source=source)
        )
    session.flush()
    mark_changed(session, plan=plans.get_plan(session, key=plan_key))
    audit.record(
        session,
        actor=actor,
        action="kpi_observation.record",
        entity="plan",
        key=plan_key,
        added=added,
        replaced=replaced,
        unchanged=unchanged,
        source=source,
    )
    return ImportResult(added=added, replaced=replaced, unchanged=unchanged)
