"""Read-only share links: one plan's executive view for a leader without an account.

The token (secrets.token_urlsafe(32)) is shown once, at creation; only its SHA-256 (hex) is stored. A link opens
nothing once it has expired or been revoked, and an unknown token opens nothing either.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldcore.errors import Conflict, NotFound, invalid_from
from ldcore.models import Plan, ShareLink, hash_token, utcnow
from ldcore.services import audit, plans

DEFAULT_DAYS = 30
MAX_DAYS = 366
SHARE_PARAM = "share"
EXECUTIVE_PATH = "executive"


class ShareLinkIn(BaseModel):
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ShareLinkOut(BaseModel):
    id: int
    plan: str
    label: str
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    status: Literal["active", "expired", "revoked"]


class CreatedLink(BaseModel):
    link: ShareLinkOut
    token: str  # shown once; never stored


def share_url(token: str, *, base_url: str = "") -> str:
    """The link a leader opens; `base_url` is the app's configured address (settings), else a local one."""
    base = (base_url or "http://localhost:8501").rstrip("/")
    return f"{base}/{EXECUTIVE_PATH}?{SHARE_PARAM}={token}"


def _out(link: ShareLink, plan_key: str, now: dt.datetime) -> ShareLinkOut:
    status: Literal["active", "expired", "revoked"] = (
        "revoked" if link.revoked_at is not None else "expired" if link.expires_at <= now else "active"
    )
    return ShareLinkOut(
        id=link.id,
        plan=plan_key,
        label=link.label,
        created_by=link.created_by,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        status=status,
    )


def create_share_link(
    session: Session, *, plan_key: str, days: int = DEFAULT_DAYS, label: str = "", actor: str
) -> CreatedLink:
    """A new link to the plan's executive view, valid for `days` days."""
    try:
        data = ShareLinkIn(days=days, label=label)
    except ValidationError as exc:
        raise invalid_from(exc, "share link") from exc
    plan = plans.get_plan(session, key=plan_key)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = ShareLink(
        plan_id=plan.id,
        token_hash=hash_token(token),
        label=data.label,
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=data.days),
    )
    session.add(link)
    session.flush()
    audit.record(session, actor=actor, action="share_link.create", entity="share_link", key=str(link.id), plan=plan_key)
    return CreatedLink(link=_out(link, plan.key, now), token=token)


def list_share_links(session: Session, *, plan_key: str) -> list[ShareLinkOut]:
    plan = plans.get_plan(session, key=plan_key)
    now = utcnow()
    links = session.scalars(
        select(ShareLink).where(ShareLink.plan_id == plan.id).order_by(ShareLink.created_at.desc(), ShareLink.id)
    )
    return [_out(link, plan.key, now) for link in links]


def revoke_share_link(session: Session, *, link_id: int, actor: str) -> ShareLinkOut:
    link = session.get(ShareLink, link_id)
    if link is None:
        raise NotFound(f"No share link #{link_id}.")
    if link.revoked_at is not None:
        raise Conflict(f"Share link #{link_id} was already revoked on {link.revoked_at:%Y-%m-%d %H:%M}.")
    link.revoked_at = utcnow()
    audit.record(session, actor=actor, action="share_link.revoke", entity="share_link", key=str(link_id))
    return _out(link, link.plan.key, utcnow())


def plan_for_share_token(session: Session, *, token: str | None) -> str | None:
    """The key of the plan a valid share token opens; None for an unknown, expired or revoked token."""
    if not token:
        return None
    row = session.execute(
        select(Plan.key, ShareLink.expires_at, ShareLink.revoked_at)
        .join(Plan, Plan.id == ShareLink.plan_id)
        .where(ShareLink.token_hash == hash_token(token))
    ).one_or_none()
    if row is None:
        return None
    key, expires_at, revoked_at = row
    if revoked_at is not None or expires_at <= utcnow():
        return None
    return key
