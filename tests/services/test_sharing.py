"""Share links on SQLite and Postgres: a token opens one plan until it expires or is revoked; only its hash is
stored."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from ldcore.cli import main
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid, NotFound
from ldcore.models import AuditEvent, ShareLink
from ldcore.services import plans, sharing
from tests.support.impact import plan_document


@pytest.fixture
def plan(engine):
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
    return "p1"


def create(engine, **kwargs) -> sharing.CreatedLink:
    with unit_of_work(engine) as session:
        return sharing.create_share_link(session, plan_key="p1", actor="admin@example.org", **kwargs)


def opens(engine, token: str | None) -> str | None:
    with read_session(engine) as session:
        return sharing.plan_for_share_token(session, token=token)


def test_a_new_link_opens_its_plan_and_only_the_tokens_sha256_is_stored(engine, plan):
    created = create(engine, days=7, label="Board, March")

    assert opens(engine, created.token) == "p1"
    assert len(created.token) >= 43  # 32 random bytes, URL-safe
    with read_session(engine) as session:
        stored = session.scalars(select(ShareLink)).one()
        assert stored.token_hash == hashlib.sha256(created.token.encode()).hexdigest()
        assert created.token not in (stored.token_hash, stored.label)
        assert (stored.expires_at - stored.created_at) == dt.timedelta(days=7)
        assert session.scalars(select(AuditEvent.action)).all()[-1] == "share_link.create"
    assert created.link.status == "active" and created.link.label == "Board, March"


def test_unknown_empty_and_tampered_tokens_open_nothing(engine, plan):
    created = create(engine)

    assert opens(engine, None) is None
    assert opens(engine, "") is None
    assert opens(engine, "not-a-token") is None
    assert opens(engine, created.token[:-1] + ("A" if created.token[-1] != "A" else "B")) is None


def test_a_revoked_link_stops_opening_and_cannot_be_revoked_twice(engine, plan):
    created = create(engine)
    with unit_of_work(engine) as session:
        revoked = sharing.revoke_share_link(session, link_id=created.link.id, actor="admin@example.org")

    assert revoked.status == "revoked"
    assert opens(engine, created.token) is None
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        sharing.revoke_share_link(session, link_id=created.link.id, actor="admin@example.org")
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        sharing.revoke_share_link(session, link_id=999, actor="admin@example.org")


def test_an_expired_link_opens_nothing_and_is_listed_as_expired(engine, plan):
    created = create(engine)
    with unit_of_work(engine) as session:
        session.get(ShareLink, created.link.id).expires_at = dt.datetime(2020, 1, 1)

    assert opens(engine, created.token) is None
    with read_session(engine) as session:
        assert [link.status for link in sharing.list_share_links(session, plan_key="p1")] == ["expired"]


def test_expiry_and_label_are_checked_and_an_unknown_plan_is_named(engine, plan):
    with pytest.raises(Invalid, match="days"):
        create(engine, days=0)
    with pytest.raises(Invalid, match="label"):
        create(engine, label="x" * 201)
    with pytest.raises(NotFound, match="nope"), unit_of_work(engine) as session:
        sharing.create_share_link(session, plan_key="nope", actor="a")


def test_the_share_url_points_at_the_executive_page():
    assert sharing.share_url("abc", base_url="https://ld.example.org/") == "https://ld.example.org/executive?share=abc"


def test_ldalign_share_creates_lists_and_revokes(engine, plan, capsys):
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "share", "create", "--plan", "p1", "--base-url", "http://x", "--label", "CFO"]) == 0
    link_url = capsys.readouterr().out.splitlines()[0]
    token = link_url.split("share=")[1]
    assert link_url.startswith("http://x/executive?share=") and opens(engine, token) == "p1"
    assert main(["--database", url, "share", "list", "--plan", "p1"]) == 0
    link_id = capsys.readouterr().out.split("\t")[0]
    assert main(["--database", url, "share", "revoke", link_id]) == 0
    assert opens(engine, token) is None
