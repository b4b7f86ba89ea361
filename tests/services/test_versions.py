"""Data versions per plan and per wave: moved only by the use cases that change that data, in the same
transaction, and never by sign-ins, sessions or audit rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ldcore.db import mark_changed, plan_version, read_session, unit_of_work, wave_version
from ldcore.models import DataChange
from ldcore.services import accounts, audit, intake, kpis, plans, responses
from tests.support.surveys import build, invite, make_wave, token_of

ANSWERS = {"proficiency": {"neg": 3, "coach": 4, "excel": 2}}


def _second_plan(engine) -> None:
    with unit_of_work(engine) as session:
        plan = {"key": "p2", "name": "Plan two", "starts": "2027-01-01", "ends": "2027-12-31"}
        intake.save_plan(session, data=plan, actor="t")


def _versions(engine) -> tuple[int, int, int]:
    return plan_version(engine, "p1"), plan_version(engine, "p2"), wave_version(engine, "base")


def _changes(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count(DataChange.id))) or 0


@pytest.fixture
def two_plans(engine):
    build(engine)
    _second_plan(engine)
    make_wave(engine)
    return engine


def test_a_response_moves_its_wave_and_plan_and_leaves_the_other_plan_alone(two_plans):
    engine = two_plans
    link = invite(engine, "base")[0]
    p1, p2, wave = _versions(engine)
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(link), answers=ANSWERS)
    after = _versions(engine)
    assert after[0] > p1
    assert after[1] == p2
    assert after[2] > wave


def test_a_plan_edit_moves_that_plan_only_and_not_its_waves(two_plans):
    engine = two_plans
    p1, p2, wave = _versions(engine)
    with unit_of_work(engine) as session:
        intake.save_stakeholder(session, plan_key="p2", data={"name": "Dana", "role": "VP Sales"}, actor="t")
    assert _versions(engine)[0] == p1
    assert _versions(engine)[1] > p2
    assert _versions(engine)[2] == wave


def test_a_kpi_observation_moves_its_plan(two_plans):
    engine = two_plans
    before = plan_version(engine, "p1")
    with unit_of_work(engine) as session:
        document = plans.export_plan(session, key="p1")
    assert document.objectives[0].kpis == []  # the fixture plan has no KPI: add one, then observe it
    with unit_of_work(engine) as session:
        intake.save_kpi(
            session,
            plan_key="p1",
            objective_key="rev",
            data={
                "key": "win",
                "name": "Win rate",
                "unit": "%",
                "direction": "up",
                "baseline": {"value": 20, "date": "2027-01-01"},
                "target": {"value": 30, "date": "2027-12-31"},
            },
            actor="t",
        )
    middle = plan_version(engine, "p1")
    with unit_of_work(engine) as session:
        kpis.record_observation(session, plan_key="p1", kpi="win", date="2027-02-01", value=22, actor="t")
    assert before < middle < plan_version(engine, "p1")


def test_sign_ins_sessions_and_audit_rows_move_no_version(two_plans):
    engine = two_plans
    with unit_of_work(engine) as session:
        account = accounts.create_account(session, email="a@x.example", role="admin", password="long-password-1")
    before, changes = _versions(engine), _changes(engine)
    with unit_of_work(engine) as session:
        assert accounts.sign_in(session, email="a@x.example", password="wrong-password-1").account is None
    with unit_of_work(engine) as session:
        accounts.issue_session_token(session, account_id=account.id)
        audit.record(session, actor="a@x.example", action="page.view")
    assert _versions(engine) == before
    assert _changes(engine) == changes


def test_teams_and_people_move_every_plan(two_plans):
    engine = two_plans
    before = _versions(engine)
    with unit_of_work(engine) as session:
        intake.save_team(session, plan_key="p1", data={"key": "alpha", "name": "Alpha Sales EMEA"}, actor="t")
    assert all(a > b for a, b in zip(_versions(engine), before, strict=True))


def test_a_failed_write_moves_nothing(two_plans):
    engine = two_plans
    before, changes = _versions(engine), _changes(engine)
    with pytest.raises(ValueError), unit_of_work(engine) as session:
        intake.save_stakeholder(session, plan_key="p1", data={"name": "Dana", "role": "VP"}, actor="t")
        raise ValueError("crash")
    assert _versions(engine) == before
    assert _changes(engine) == changes


def test_one_transaction_that_marks_a_plan_twice_appends_one_change(two_plans):
    engine = two_plans
    changes = _changes(engine)
    with unit_of_work(engine) as session:
        intake.save_stakeholder(session, plan_key="p1", data={"name": "Dana", "role": "VP"}, actor="t")
        intake.save_stakeholder(session, plan_key="p1", data={"name": "Eli", "role": "CFO"}, actor="t")
        mark_changed(session, plan=plans.get_plan(session, key="p1").id)
    assert _changes(engine) == changes + 1


def test_an_unknown_plan_or_wave_has_the_version_of_the_shared_data(two_plans):
    engine = two_plans
    assert plan_version(engine, "nope") == wave_version(engine, "nope") > 0
