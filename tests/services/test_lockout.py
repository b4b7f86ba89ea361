"""Password guessing is slowed per email and per client address, and stopped by a 15-minute lockout.

Time is passed in (`now`), so every wait here is simulated: no test sleeps."""

import datetime as dt

from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import AuditEvent, DataChange
from ldcore.services import accounts

T0 = dt.datetime(2026, 11, 23, 9, 0, 0)
PASSWORD = "correct-horse-battery"


def _account(engine, email="lead@example.org", role="admin"):
    with unit_of_work(engine) as session:
        return accounts.create_account(session, email=email, role=role, password=PASSWORD)


def _try(engine, *, at, password="wrong-password", email="lead@example.org", ip="10.0.0.1"):
    with unit_of_work(engine, bump=False) as session:
        return accounts.sign_in(session, email=email, password=password, ip=ip, now=at)


def _seconds(n):
    return dt.timedelta(seconds=n)


def _fail_until_locked(engine, email="lead@example.org"):
    """Ten failures, each as soon as the back-off allows; returns the messages seen and when the lock began."""
    at, messages = T0, []
    for failure in range(1, accounts.LOCK_AFTER_FAILURES + 1):
        messages.append(_try(engine, email=email, at=at, ip="").message)
        messages.append(_try(engine, email=email, at=at, ip="").message)  # too soon: refused with the wait
        at += _seconds(2 ** (failure - 1))
    return messages, T0 + _seconds(511)


def test_each_failure_doubles_the_wait_before_the_next_try_is_checked(engine):
    _account(engine)
    assert _try(engine, at=T0).message == accounts.WRONG
    # After 1 failure: 1 s; after 2: 2 s; after 3: 4 s.
    assert "Wait 1 seconds" in _try(engine, at=T0, password=PASSWORD).message
    assert _try(engine, at=T0 + _seconds(1)).message == accounts.WRONG
    early = _try(engine, at=T0 + _seconds(2), password=PASSWORD)
    assert early.account is None and "Wait 1 seconds" in early.message
    assert _try(engine, at=T0 + _seconds(3)).message == accounts.WRONG
    assert "Wait 4 seconds" in _try(engine, at=T0 + _seconds(3), password=PASSWORD).message
    signed_in = _try(engine, at=T0 + _seconds(7), password=PASSWORD)
    assert signed_in.account.email == "lead@example.org" and signed_in.token


def test_ten_failures_in_fifteen_minutes_lock_the_account_for_fifteen_minutes_even_with_the_right_password(engine):
    _account(engine)
    at = T0
    for failure in range(1, accounts.LOCK_AFTER_FAILURES + 1):
        assert _try(engine, at=at, ip="").message == accounts.WRONG
        at += _seconds(2 ** (failure - 1))  # exactly the back-off: the tenth failure lands 511 s after the first
    locked_at = T0 + _seconds(511)
    refused = _try(engine, at=locked_at + _seconds(60), password=PASSWORD, ip="")
    assert refused.account is None and "Too many failed sign-ins for this email" in refused.message
    assert "14 minutes" in refused.message
    with read_session(engine) as session:
        assert accounts.locked_emails(session, now=locked_at + _seconds(60)) == ["lead@example.org"]
    assert _try(engine, at=locked_at + _seconds(14 * 60 + 59), password=PASSWORD, ip="").account is None
    assert _try(engine, at=locked_at + _seconds(15 * 60), password=PASSWORD, ip="").account is not None


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(engine):
    _account(engine)
    for i in range(12):
        assert _try(engine, at=T0 + _seconds(i * 20 * 60), ip="").message == accounts.WRONG
    assert _try(engine, at=T0 + _seconds(12 * 20 * 60), password=PASSWORD, ip="").account is not None


def test_an_unknown_email_backs_off_and_locks_with_the_same_messages_as_a_known_one(engine):
    _account(engine)
    known, _ = _fail_until_locked(engine, "lead@example.org")
    unknown, _ = _fail_until_locked(engine, "nobody@example.org")
    messages = {"lead@example.org": known, "nobody@example.org": unknown}
    assert messages["lead@example.org"] == messages["nobody@example.org"]
    assert "Too many failed sign-ins for this email" in messages["nobody@example.org"][-1]


def test_one_client_address_trying_many_emails_is_slowed_after_a_grace_for_shared_addresses(engine):
    _account(engine)
    for i in range(accounts.ADDRESS_GRACE + 5):
        _try(engine, email=f"guess{i}@example.org", at=T0 + _seconds(60 * i))
    # Fifteen failures from this address, each on a new email: its next try waits 16 s, whatever the email;
    # another address does not wait.
    assert "Wait 16 seconds" in _try(engine, at=T0 + _seconds(60 * 14), password=PASSWORD).message
    assert _try(engine, at=T0 + _seconds(60 * 14), password=PASSWORD, ip="10.0.0.2").account is not None


def test_two_hundred_wrong_passwords_in_a_loop_get_only_a_handful_checked_per_minute_and_never_succeed(engine):
    _account(engine)
    checked_per_minute: dict[int, int] = {}
    at = T0
    for i in range(200):
        password = PASSWORD if i == 199 else f"guess-{i}"
        result = _try(engine, at=at, password=password)
        if result.message == accounts.WRONG:
            minute = int((at - T0).total_seconds() // 60)
            checked_per_minute[minute] = checked_per_minute.get(minute, 0) + 1
        at += _seconds(3)  # a script trying every 3 simulated seconds, 10 minutes in all
    assert result.account is None  # the right password on try 200 is refused: the account is locked by then
    assert max(checked_per_minute.values()) <= 6
    assert sum(checked_per_minute.values()) == accounts.LOCK_AFTER_FAILURES
    with read_session(engine) as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in.failed")).all()
    assert len(failed) == accounts.LOCK_AFTER_FAILURES


def test_an_admin_unlock_lets_the_person_sign_in_at_once_and_is_audited(engine):
    _account(engine)
    _account(engine, email="ed@example.org", role="editor")
    _, at = _fail_until_locked(engine, "ed@example.org")
    assert _try(engine, email="ed@example.org", at=at, password=PASSWORD, ip="").account is None
    with unit_of_work(engine) as session:
        accounts.unlock(session, email="ED@example.org", actor="lead@example.org")
    assert _try(engine, email="ed@example.org", at=at, password=PASSWORD, ip="").account.email == "ed@example.org"
    with read_session(engine) as session:
        events = [
            (e.actor, e.action, e.entity_key) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert ("system", "sign_in.lockout", "ed@example.org") in events
    assert ("lead@example.org", "account.unlock", "ed@example.org") in events
    assert events[-1] == ("ed@example.org", "sign_in", "ed@example.org")


def test_sign_in_events_record_the_email_and_address_never_the_password_and_leave_the_data_version_alone(engine):
    _account(engine)
    _try(engine, at=T0, password="my-secret-guess")
    _try(engine, at=T0 + _seconds(5), password=PASSWORD)
    with read_session(engine) as session:
        assert session.scalar(select(func.count(DataChange.id))) == 0  # no data version moved
    with read_session(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("sign_in%"))).all()
    assert [(e.action, e.actor, e.detail) for e in events] == [
        ("sign_in.failed", "lead@example.org", {"ip": "10.0.0.1"}),
        ("sign_in", "lead@example.org", {"ip": "10.0.0.1"}),
    ]
    assert all("my-secret-guess" not in str(e.detail) and PASSWORD not in str(e.detail) for e in events)


def test_a_password_typed_into_the_email_field_is_not_recorded(engine):
    _account(engine)
    _try(engine, at=T0, email="correct-horse-battery", password="x")
    with read_session(engine) as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in.failed")).all()
    assert (event.actor, event.entity_key) == ("(not an email)", "(not an email)")


def test_the_unlock_user_command_lifts_a_lock_and_an_unknown_email_is_one_line_exit_2(db_url, engine):
    from tests.support.cli import ldalign

    _account(engine)
    _, at = _fail_until_locked(engine)
    result = ldalign(db_url, "unlock-user", "Lead@Example.org")
    assert result.returncode == 0 and result.stdout.strip().startswith("unlocked lead@example.org")
    assert _try(engine, at=at, password=PASSWORD, ip="").account is not None
    unknown = ldalign(db_url, "unlock-user", "nobody@example.org")
    assert unknown.returncode == 2 and unknown.stderr == "error: No account for nobody@example.org.\n"
