"""The audit trail: who changed what, when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ldcore.models import AuditEvent


def record(session: Session, *, actor: str, action: str, entity: str = "", key: str = "", **detail: Any) -> None:
    session.add(AuditEvent(actor=actor or "system", action=action, entity=entity, entity_key=key, detail=detail))
