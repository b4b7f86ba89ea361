import datetime as dt

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid
from ldcore.models import Account, AccountSession, AuditEvent
from ldcore.services import accounts


def _create(engine, email="lead@example.org", role="admin", password="correct-horse-battery"):
    with unit_of_work(engine) as session:
        return accounts.create_account(session, email=email, role=role, password=password)


def test_a_password_is_stored_as_an_argon2id_hash_and_checked(engine):
    created = _create(engine)
    with read_session(engine) as session:
        stored = session.get(Account, created.id).password_hash
    assert stored.startswith("$argon2id$") and "correct-horse" not in stored
    with unit_of_work(engine) as session:
        signed_in = accounts.sign_in(session, email="LEAD@example.org", password="correct-horse-battery")
        assert signed_in.account.id == created.id
        assert accounts.sign_in(session, email="lead@example.org", password="wrong").account is None
        assert accounts.sign_in(session, email="nobody@example.org", password="x").account is None


def test_bad_account_input_names_the_field_and_duplicates_are_refused(engine):
    with pytest.raises(Invalid) as err, unit_of_work(engine) as session:
        accounts.create_account(session, email="not-an-email", role="owner", password="short")
    assert {path for path, _ in err.value.problems} == {"email", "role", "password"}
    _create(engine)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        accounts.create_account(session, email="lead@example.org", role="viewer", password="another-password")


def test_a_session_token_is_refused_when_unknown_or_signed_out_and_each_sign_in_gets_a_new_one(engine):
    created = _create(engine)
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=created.id)
        other = accounts.issue_session_token(session, account_id=created.id)
        stored = session.scalars(select(AccountSession.token_hash)).all()
    assert token != other and token not in stored and len(stored) == 2
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token).email == "lead@example.org"
        assert accounts.account_for_token(session, token=token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert accounts.account_for_token(session, token="garbage") is None
    with unit_of_work(engine) as session:
        accounts.sign_out_everywhere(session, account_id=created.id)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token) is None
        assert accounts.account_for_token(session, token=other) is None


def test_deactivating_an_account_ends_its_sessions_but_the_last_admin_stays(engine):
    admin = _create(engine)
    editor = _create(engine, email="editor@example.org", role="editor")
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=editor.id)
        accounts.update_account(session, email="editor@example.org", active=False, actor="test")
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token) is None
    with pytest.raises(Conflict, match="no active admin"), unit_of_work(engine) as session:
        accounts.update_account(session, email=admin.email, role="viewer", actor="test")
    with read_session(engine) as session:
        assert session.get(Account, admin.id).role == "admin"


def test_a_session_ends_after_eight_idle_hours_or_thirty_days_whatever_the_use(engine):
    created = _create(engine)
    t0 = dt.datetime(2026, 11, 23, 9, 0)
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=created.id, now=t0)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(hours=7, minutes=59)) is not None
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(hours=8, minutes=1)) is None
    at = t0
    while at + dt.timedelta(hours=7) < t0 + dt.timedelta(days=30):  # in use every 7 hours: never idle
        at += dt.timedelta(hours=7)
        with unit_of_work(engine, bump=False) as session:
            accounts.touch_session(session, token=token, now=at)
        with read_session(engine) as session:
            assert accounts.account_for_token(session, token=token, now=at) is not None
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(days=30, minutes=1)) is None


def test_session_limits_come_from_the_settings(engine, monkeypatch):
    monkeypatch.setenv("LDALIGN_SESSION_IDLE_HOURS", "1")
    monkeypatch.setenv("LDALIGN_SESSION_MAX_DAYS", "2")
    created = _create(engine)
    t0 = dt.datetime(2026, 11, 23, 9, 0)
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=created.id, now=t0)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(minutes=59)) is not None
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(minutes=61)) is None
    for step in range(1, 58):  # in use every 50 minutes, for 47.5 hours
        with unit_of_work(engine, bump=False) as session:
            accounts.touch_session(session, token=token, now=t0 + dt.timedelta(minutes=50 * step))
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(minutes=50 * 57)) is not None
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(minutes=50 * 58)) is None


def test_a_sign_in_handoff_code_is_traded_once_within_a_minute_for_a_session_token(engine):
    _create(engine)
    t0 = dt.datetime(2026, 11, 23, 9, 0)
    with unit_of_work(engine, bump=False) as session:
        code = accounts.sign_in(
            session, email="lead@example.org", password="correct-horse-battery", now=t0, handoff=True
        ).token
        late = accounts.issue_session_token(session, account_id=1, now=t0, handoff=True)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=code, now=t0) is None  # the code is not a session
    with unit_of_work(engine, bump=False) as session:
        token = accounts.redeem_handoff(session, code=code, now=t0 + dt.timedelta(seconds=59))
        assert accounts.redeem_handoff(session, code=code, now=t0 + dt.timedelta(seconds=59)) is None
        assert accounts.redeem_handoff(session, code=late, now=t0 + dt.timedelta(seconds=61)) is None
        assert accounts.redeem_handoff(session, code="made-up", now=t0) is None
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token, now=t0 + dt.timedelta(minutes=1)).email == (
            "lead@example.org"
        )


def _sso(engine, email, **claims):
    with unit_of_work(engine, bump=False) as session:
        return accounts.sign_in_sso(session, email=email, claims=claims)


def test_single_sign_on_applies_the_highest_mapped_role_by_email_domain_or_claim(engine, monkeypatch):
    monkeypatch.setenv(
        "LDALIGN_SSO_ROLES", '{"ld-admins": "admin", "@corp.example": "viewer", "Boss@Corp.example": "editor"}'
    )
    _create(engine)
    assert _sso(engine, "lead@corp.example", groups=["staff", "ld-admins"]).account.role == "admin"
    assert _sso(engine, "boss@corp.example").account.role == "editor"
    assert _sso(engine, "anyone@corp.example", groups="staff").account.role == "viewer"
    result = _sso(engine, "lead@corp.example", groups=["staff"])  # left the admin group: the mapping follows
    assert result.account.role == "viewer" and result.token
    with read_session(engine) as session:
        events = [(e.actor, e.action, e.entity_key, e.detail) for e in session.scalars(select(AuditEvent))]
    assert ("sso", "account.update", "lead@corp.example", {"role": "viewer", "was_role": "admin"}) in events
    assert ("lead@corp.example", "sign_in.sso", "lead@corp.example", {}) in events


def test_an_unmapped_person_waits_inactive_until_an_admin_grants_a_role_or_a_default_role_applies(engine, monkeypatch):
    _create(engine)
    waiting = _sso(engine, "new@elsewhere.example", name="New Person")
    assert waiting.account is None and waiting.message == accounts.WAITING_FOR_ROLE
    with read_session(engine) as session:
        stored = session.scalar(select(Account).where(Account.email == "new@elsewhere.example"))
        assert (stored.active, stored.name) == (False, "New Person")
    with unit_of_work(engine) as session:
        accounts.update_account(session, email="new@elsewhere.example", role="editor", active=True, actor="lead")
    assert _sso(engine, "new@elsewhere.example").account.role == "editor"  # the admin's grant stays
    monkeypatch.setenv("LDALIGN_SSO_DEFAULT_ROLE", "viewer")
    assert _sso(engine, "other@elsewhere.example").account.role == "viewer"
    with unit_of_work(engine, bump=False) as session:  # an SSO account has no password that could match
        assert accounts.sign_in(session, email="other@elsewhere.example", password="!sso").account is None


def test_password_sign_in_can_be_switched_off(engine, monkeypatch):
    _create(engine)
    monkeypatch.setenv("LDALIGN_PASSWORD_SIGN_IN", "false")
    with unit_of_work(engine, bump=False) as session:
        result = accounts.sign_in(session, email="lead@example.org", password="correct-horse-battery")
    assert result.account is None and "Password sign-in is switched off" in result.message
