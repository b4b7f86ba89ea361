"""The roster: who works in which team, imported from CSV and updated by email.

CSV columns: `email,name,team` (team by key or by name, case ignored) and optionally `employee_id,role,
manager_email`; the header row is line 1, each column named once. The file is read like every table
(`ldcore.io.tables.read_records`: comma, semicolon or tab; UTF-8, UTF-16 or Windows-1252). Re-importing updates
each person found by email. A person who moves team keeps their history, because every response stores the team it
was given from. Every bad row is reported by its line, and nothing is imported while any row is bad.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, EmailStr, StringConstraints, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.db import mark_changed
from ldcore.errors import Invalid, describe
from ldcore.io.tables import delimiter_hint, read_records, unique_headers
from ldcore.models import Person, Team
from ldcore.schemas import Name, Strict
from ldcore.services import audit

REQUIRED_COLUMNS = ("email", "name", "team")
OPTIONAL_COLUMNS = ("employee_id", "role", "manager_email")
MAX_PROBLEMS = 200


class RosterRow(Strict):
    email: EmailStr
    name: Name
    team: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    employee_id: Annotated[str, StringConstraints(max_length=64)] = ""
    role: Annotated[str, StringConstraints(max_length=200)] = ""
    manager_email: EmailStr | None = None

    @field_validator("email", "manager_email")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return v.lower() if v else v

    @field_validator("manager_email", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v


class RosterResult(BaseModel):
    created: int
    updated: int
    moved: int
    unchanged: int
    read_as: str  # e.g. "Read as Windows-1252, semicolon-separated"


def _team_lookup(session: Session) -> dict[str, Team]:
    teams = session.scalars(select(Team)).all()
    lookup = {t.name.strip().casefold(): t for t in teams}
    lookup.update({t.key.casefold(): t for t in teams})
    return lookup


def parse_roster(session: Session, data: bytes | str) -> tuple[list[tuple[RosterRow, Team]], str]:
    """Every row validated and its team found, and how the file was read; `Invalid` listing every bad line
    otherwise."""
    records, reading = read_records(data, what="roster")
    header = [h.strip().lower() for h in (records[0][1] if records else [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise Invalid(
            f"The roster needs the columns {', '.join(REQUIRED_COLUMNS)}; missing: {', '.join(missing)} (line 1)."
            + delimiter_hint(header, reading),
            [("line 1", f"missing column {c}") for c in missing],
        )
    unknown = [h for h in header if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise Invalid(
            f"Unknown roster columns (line 1): {', '.join(unknown)}. "
            f"Allowed: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}.",
            [("line 1", f"unknown column {c}") for c in unknown],
        )
    unique_headers(header, what="roster")
    teams = _team_lookup(session)
    rows: list[tuple[RosterRow, Team]] = []
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for line, record in records[1:]:
        where = reading.place(line)
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append((where, f"more cells than the header has columns (read as {reading.described})"))
            continue
        values = {k: v.strip() for k, v in zip(header, record, strict=False) if k}
        try:
            row = RosterRow.model_validate({k: v for k, v in values.items() if v or k in REQUIRED_COLUMNS})
        except ValidationError as exc:
            problems.append((where, describe(exc)))
            continue
        team = teams.get(row.team.casefold())
        if team is None:
            problems.append((where, f"team: no team with key or name {row.team!r}"))
            continue
        if row.email in seen:
            problems.append((where, f"email: {row.email} is also on {seen[row.email]}"))
            continue
        seen[row.email] = where
        rows.append((row, team))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise Invalid(
            f"{len(problems)} bad row(s) in the roster; nothing was imported{more}: "
            + "; ".join(f"{where}: {msg}" for where, msg in shown),
            shown,
        )
    if not rows:
        raise Invalid("The roster has no rows; nothing was imported.")
    return rows, reading.read_as


def import_roster(session: Session, *, data: bytes | str, actor: str = "cli") -> RosterResult:
    """Create or update every person of the file, in the caller's transaction (all or nothing)."""
    rows, read_as = parse_roster(session, data)
    emails = [row.email for row, _ in rows]
    existing = {p.email: p for p in session.scalars(select(Person).where(func.lower(Person.email).in_(emails))).all()}
    created = updated = moved = unchanged = 0
    for row, team in rows:
        person = existing.get(row.email)
        fields = {
            "name": row.name,
            "team_id": team.id,
            "employee_id": row.employee_id,
            "role": row.role,
            "manager_email": row.manager_email or "",
            "active": True,
        }
        if person is None:
            session.add(Person(email=row.email, **fields))
            created += 1
            continue
        changed = {k: v for k, v in fields.items() if getattr(person, k) != v}
        if not changed:
            unchanged += 1
            continue
        if "team_id" in changed:
            moved += 1
        for k, v in changed.items():
            setattr(person, k, v)
        updated += 1
    session.flush()
    mark_changed(session)  # people and teams show in every plan
    audit.record(session, actor=actor, action="roster.import", entity="person", created=created, updated=updated)
    return RosterResult(created=created, updated=updated, moved=moved, unchanged=unchanged, read_as=read_as)


def roster_size(session: Session) -> int:
    return session.scalar(select(func.count(Person.id)).where(Person.active.is_(True))) or 0
