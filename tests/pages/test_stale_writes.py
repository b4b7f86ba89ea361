"""A tab left open after its account signed out, was deactivated or demoted cannot write: Streamlit runs a widget's
callback before the page (and its guard) runs again, so the check happens inside the write itself."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import AuditEvent, KpiObservation
from ldcore.services import accounts, intake, plans
from tests.pages.helpers import make_account, page_test, texts

EDITOR = "editor@pages.example"
SIGNED_OUT = "You were signed out — sign in again. Nothing was saved."
DEMOTED = "Your role no longer allows this (it needs editor; you are viewer). Nothing was saved."


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


@pytest.fixture
def plan(sqlite_engine):
    with unit_of_work(sqlite_engine) as s:
        intake.save_plan(
            s,
            data={"key": "p", "name": "Plan", "starts": dt.date(2027, 1, 1), "ends": dt.date(2027, 12, 31)},
            actor="t",
        )
        intake.save_objective(
            s,
            plan_key="p",
            data={"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 3},
            actor="t",
        )
        intake.save_kpi(
            s,
            plan_key="p",
            objective_key="rev",
            data={
                "key": "win",
                "name": "Win rate",
                "direction": "up",
                "kind": "lagging",
                "baseline": {"value": 20, "date": "2027-01-01"},
                "target": {"value": 30, "date": "2027-12-31"},
            },
            actor="t",
        )
    return sqlite_engine


def go_stale(engine, how: str, account_id: int) -> None:
    with unit_of_work(engine) as s:
        if how == "signs out in another tab":
            accounts.sign_out_everywhere(s, account_id=account_id)
        elif how == "is deactivated":
            accounts.update_account(s, email=EDITOR, active=False, actor="admin@pages.example")
        else:
            accounts.update_account(s, email=EDITOR, role="viewer", actor="admin@pages.example")


def editor_writes(engine) -> list[str]:
    """What the audit trail says the editor did, apart from signing out."""
    with read_session(engine) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == EDITOR))
        return [a for a in actions if a != "account.sign_out"]


HOW = ["signs out in another tab", "is deactivated", "is demoted to viewer"]


@pytest.mark.parametrize("how", HOW)
def test_yes_delete_in_a_stale_intake_tab_keeps_the_plan_and_says_why(monkeypatch, plan, how):
    make_account(plan, role="admin")
    editor = make_account(plan, role="editor")
    at = page_test(monkeypatch, str(plan.url), "pages/intake.py", account_id=editor, engine=plan).run()
    at = click(at, "Delete this plan")
    assert "Yes, delete" in [b.label for b in at.button]

    go_stale(plan, how, editor)
    at = click(at, "Yes, delete")

    assert not at.exception
    with read_session(plan) as s:
        assert [p.key for p in plans.list_plans(s)] == ["p"]
    assert editor_writes(plan) == []
    assert (DEMOTED if how == "is demoted to viewer" else SIGNED_OUT) in [e.value for e in at.error]
    assert "Deleted plan" not in texts(at)


@pytest.mark.parametrize("how", HOW)
def test_recording_a_kpi_value_in_a_stale_tab_stores_nothing_and_says_why(monkeypatch, plan, how):
    make_account(plan, role="admin")
    editor = make_account(plan, role="editor")
    at = page_test(monkeypatch, str(plan.url), "pages/kpi_data.py", account_id=editor, engine=plan).run()
    at.number_input(key="kpi_entry_value").set_value(25.0)

    go_stale(plan, how, editor)
    at = click(at, "Record")

    assert not at.exception
    with read_session(plan) as s:
        assert s.scalar(select(func.count(KpiObservation.id))) == 0
    assert (DEMOTED if how == "is demoted to viewer" else SIGNED_OUT) in [e.value for e in at.error]


def test_the_same_record_from_a_live_tab_is_stored_as_the_editor(monkeypatch, plan):
    editor = make_account(plan, role="editor")
    at = page_test(monkeypatch, str(plan.url), "pages/kpi_data.py", account_id=editor, engine=plan).run()
    at.number_input(key="kpi_entry_value").set_value(25.0)
    at = click(at, "Record")

    assert not at.exception
    with read_session(plan) as s:
        assert s.scalar(select(func.count(KpiObservation.id))) == 1
    assert "Recorded." in [m.value for m in at.success]
    assert editor_writes(plan) == ["kpi_observation.record"]
