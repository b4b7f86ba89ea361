"""Every write a page makes re-checks its account inside the write transaction (SQLite and Postgres).

A page writes through `guard.transaction`, which opens one unit of work and calls `accounts.require_actor` first.
Here each page's write runs exactly that way, after the account signed out, was deactivated or was demoted: it is
refused with a plain message and the database is left exactly as it was (no row, no audit event). The same writes
with a live session change the database, so the comparison can fail.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from argon2 import PasswordHasher
from sqlalchemy import or_, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import AccessDenied
from ldcore.models import AuditEvent, Base
from ldcore.services import accounts, intake, kpis, privacy, roster, sharing, surveys
from tests.support.surveys import BASE, build, make_wave

ACTOR = "actor@example.org"

KPI = {
    "key": "win",
    "name": "Win rate",
    "unit": "%",
    "direction": "up",
    "kind": "lagging",
    "baseline": {"value": 20, "date": "2027-01-01"},
    "target": {"value": 30, "date": "2027-12-31"},
}

# (page, what, minimum role, write(session, actor email)): the writes the pages make, through the same services.
WRITES = [
    (
        "intake",
        "create a plan",
        "editor",
        lambda s, a: intake.save_plan(
            s, data={"key": "p2", "name": "Plan two", "starts": "2027-01-01", "ends": "2027-12-31"}, actor=a
        ),
    ),
    (
        "intake",
        "rename the plan",
        "editor",
        lambda s, a: intake.save_plan(
            s,
            data={"key": "p1", "name": "Renamed", "starts": "2027-01-01", "ends": "2027-12-31"},
            original_key="p1",
            actor=a,
        ),
    ),  # fmt: skip
    ("intake", "delete the plan", "editor", lambda s, a: intake.delete(s, plan_key="p1", kind="plan", actor=a)),
    (
        "intake",
        "save an objective",
        "editor",
        lambda s, a: intake.save_objective(
            s, plan_key="p1", data={"title": "Keep people", "category": "people", "priority": 3}, actor=a
        ),
    ),
    (
        "intake",
        "save a KPI",
        "editor",
        lambda s, a: intake.save_kpi(s, plan_key="p1", objective_key="rev", data=KPI | {"key": "nps"}, actor=a),
    ),
    (
        "intake",
        "save a gap",
        "editor",
        lambda s, a: intake.save_gap(
            s, plan_key="p1", data={"description": "Slow quotes", "root_cause": "skill"}, actor=a
        ),
    ),  # fmt: skip
    (
        "intake",
        "save a team",
        "editor",
        lambda s, a: intake.save_team(s, plan_key="p1", data={"name": "Gamma", "headcount": 4}, actor=a),
    ),
    (
        "intake",
        "delete an initiative",
        "editor",
        lambda s, a: intake.delete(s, plan_key="p1", kind="initiative", key="academy", actor=a),
    ),
    (
        "kpi_data",
        "record an observation",
        "editor",
        lambda s, a: kpis.record_observation(s, plan_key="p1", kpi="win", date=dt.date(2027, 3, 1), value=25, actor=a),
    ),
    (
        "kpi_data",
        "import a KPI CSV",
        "editor",
        lambda s, a: kpis.import_kpi_csv(s, plan_key="p1", data=b"kpi,date,value\nwin,2027-04-01,26\n", actor=a),
    ),
    (
        "surveys",
        "create a wave",
        "editor",
        lambda s, a: surveys.create_wave(
            s, wave={"plan": "p1", "survey": "capability_baseline", "key": "base2", "kind": "baseline"}, actor=a
        ),
    ),
    (
        "surveys",
        "create personal links",
        "editor",
        lambda s, a: surveys.issue_invitations(s, wave_key="base", base_url=BASE, actor=a),
    ),
    (
        "surveys",
        "create an open link",
        "editor",
        lambda s, a: surveys.create_open_link(s, wave_key="base", base_url=BASE, actor=a),
    ),
    (
        "surveys",
        "import a roster",
        "editor",
        lambda s, a: roster.import_roster(s, data="email,name,team\nnew@example.org,New Person,alpha\n", actor=a),
    ),
    (
        "executive",
        "create a share link",
        "admin",
        lambda s, a: sharing.create_share_link(s, plan_key="p1", days=7, label="Board", actor=a),
    ),
    (
        "executive",
        "revoke a share link",
        "admin",
        lambda s, a: sharing.revoke_share_link(s, link_id=1, actor=a),
    ),
    (
        "privacy",
        "erase a person",
        "admin",
        lambda s, a: privacy.erase_person(s, email="alpha0@example.org", answers="delete", actor=a),
    ),
    (
        "admin",
        "create an account",
        "admin",
        lambda s, a: accounts.create_account(
            s, email="new@example.org", role="viewer", password="long-enough-password", actor=a
        ),
    ),
    (
        "admin",
        "change an account",
        "admin",
        lambda s, a: accounts.update_account(s, email="keeper@example.org", role="editor", actor=a),
    ),
]
IDS = [f"{page}: {what}" for page, what, _, _ in WRITES]


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, so that any write at all shows as a difference."""
    with read_session(engine) as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """Hashing is not under test here; the real cost would make this file of many accounts slow."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def setting(engine):
    """A plan with a KPI, a roster, a wave and a share link; an admin who stays, and the actor's signed-in token."""
    build(engine)
    make_wave(engine, "base")
    with unit_of_work(engine) as s:
        intake.save_kpi(s, plan_key="p1", objective_key="rev", data=KPI, actor="setup")
        sharing.create_share_link(s, plan_key="p1", days=7, label="Old", actor="setup")
        accounts.create_account(s, email="keeper@example.org", role="admin", password="keeper-password-1")

    def signed_in(role: str) -> tuple[int, str]:
        with unit_of_work(engine) as s:
            account = accounts.create_account(s, email=ACTOR, role=role, password="actor-password-1")
            return account.id, accounts.issue_session_token(s, account_id=account.id)

    return signed_in


def make_stale(engine, how: str, account_id: int) -> None:
    with unit_of_work(engine) as s:
        if how == "signed out":
            accounts.sign_out_everywhere(s, account_id=account_id)
        elif how == "deactivated":
            accounts.update_account(s, email=ACTOR, active=False, actor="keeper@example.org")
        else:
            accounts.update_account(s, email=ACTOR, role="viewer", actor="keeper@example.org")


def guarded_write(engine, token: str, minimum: str, write) -> None:
    """What `guard.transaction(minimum)` does around a page's write."""
    with unit_of_work(engine) as s:
        actor = accounts.require_actor(s, token=token, minimum=minimum)
        write(s, actor.email)


@pytest.mark.parametrize("how", ["signed out", "deactivated", "demoted"])
@pytest.mark.parametrize(("page", "what", "minimum", "write"), WRITES, ids=IDS)
def test_a_write_from_a_stale_session_is_refused_and_stores_nothing(
    engine, setting, how, page, what, minimum, write
):  # fmt: skip
    account_id, token = setting(minimum)
    make_stale(engine, how, account_id)
    before = snapshot(engine)

    with pytest.raises(AccessDenied) as refused:
        guarded_write(engine, token, minimum, write)

    assert snapshot(engine) == before
    if how == "demoted":
        assert str(refused.value) == (
            f"Your role no longer allows this (it needs {minimum}; you are viewer). Nothing was saved."
        )
    else:
        assert str(refused.value) == "You were signed out — sign in again. Nothing was saved."


@pytest.mark.parametrize(("page", "what", "minimum", "write"), WRITES, ids=IDS)
def test_the_same_write_from_a_live_session_is_stored_and_audited_as_its_account(
    engine, setting, page, what, minimum, write
):  # fmt: skip
    _, token = setting(minimum)
    before = snapshot(engine)

    guarded_write(engine, token, minimum, write)

    assert snapshot(engine) != before
    with read_session(engine) as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.actor == ACTOR)) is not None


def test_a_write_needing_a_higher_role_than_the_account_ever_had_is_refused(engine, setting):
    _, token = setting("editor")
    with pytest.raises(AccessDenied, match="it needs admin; you are editor"):
        guarded_write(engine, token, "admin", WRITES[-2][3])
    with read_session(engine) as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.actor == ACTOR)) is None


@pytest.mark.parametrize("token", [None, "", "1.0.99999999999.forged", "garbage"])
def test_a_missing_or_forged_token_is_refused_as_signed_out(engine, setting, token):
    setting("editor")
    with pytest.raises(AccessDenied, match="You were signed out"):
        guarded_write(engine, token, "editor", WRITES[0][3])


def test_a_deactivation_waits_until_a_write_that_passed_the_check_has_committed(engine, setting):
    """The check holds the account until the write ends: a deactivation cannot land in between and leave a write
    audited as an account that was already deactivated."""
    account_id, token = setting("editor")
    deactivating = threading.Thread(target=make_stale, args=(engine, "deactivated", account_id))
    with unit_of_work(engine) as s:
        actor = accounts.require_actor(s, token=token, minimum="editor")
        deactivating.start()
        deactivating.join(timeout=1)  # time for the deactivation to land here, if the check did not hold it off
        WRITES[0][3](s, actor.email)
    deactivating.join()

    with read_session(engine) as s:
        about_the_actor = or_(AuditEvent.actor == ACTOR, AuditEvent.entity_key == ACTOR)
        order = s.scalars(select(AuditEvent.action).where(about_the_actor).order_by(AuditEvent.id)).all()
    assert order == ["account.create", "plan.create", "account.update"]
