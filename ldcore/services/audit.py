"""The audit trail: who changed what, when — recorded by every service that writes, read by admins.

Events name people by email and things by key; they never hold passwords or survey answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ldcore.io import exports
from ldcore.models import AuditEvent

COLUMNS = ["when (UTC)", "who", "what", "about", "key", "details"]
# What a person reads for the first part of an action ("sign_in.failed" → "Sign-ins"); others show as written.
AREAS = {
    "sign_in": "Sign-ins, failures, lockouts",
    "account": "Accounts and roles",
    "share_link": "Share links",
    "wave": "Survey waves",
    "responses": "Response imports and exports",
    "roster": "Roster imports",
    "plan": "Plans",
    "person": "A person's data (export, erase)",
    "audit": "Audit exports",
}


def record(session: Session, *, actor: str, action: str, entity: str = "", key: str = "", **detail: Any) -> None:
    session.add(AuditEvent(actor=actor or "system", action=action, entity=entity, entity_key=key, detail=detail))


def areas(session: Session) -> list[str]:
    """The first parts of the actions recorded so far, for filtering."""
    actions = session.scalars(select(AuditEvent.action).distinct())
    return sorted({action.split(".", 1)[0] for action in actions})


def area_label(area: str) -> str:
    return AREAS.get(area, area.replace("_", " "))


def list_events(
    session: Session,
    *,
    who: str = "",
    areas: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = 2000,
) -> pd.DataFrame:
    """Events newest first: `who` matches part of the actor, `areas` the first part of the action, and the dates
    are inclusive."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if who.strip():
        query = query.where(AuditEvent.actor.icontains(who.strip(), autoescape=True))
    if areas:
        exact = [AuditEvent.action == a for a in areas]
        query = query.where(or_(*exact, *[AuditEvent.action.startswith(f"{a}.", autoescape=True) for a in areas]))
    if since is not None:
        query = query.where(AuditEvent.at >= dt.datetime.combine(since, dt.time.min))
    if until is not None:
        query = query.where(AuditEvent.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = [
        (e.at.replace(microsecond=0), e.actor, e.action, e.entity, e.entity_key, _details(e.detail))
        for e in session.scalars(query)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def export_csv(session: Session, *, actor: str, **filters: Any) -> bytes:
    """Every event the filters match as CSV (cells neutralised against formula injection); the export is audited."""
    frame = list_events(session, limit=None, **filters)
    record(session, actor=actor, action="audit.export", entity="audit_event", rows=len(frame))
    rows = frame.assign(**{"when (UTC)": frame["when (UTC)"].astype(str)}).itertuples(index=False, name=None)
    return exports.to_csv(COLUMNS, list(rows))


def _details(detail: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted((detail or {}).items()))
