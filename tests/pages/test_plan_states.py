"""Every page, the JSON, HTML and PowerPoint reports render for every state a real plan goes through: new and empty,
objectives without KPIs, KPIs without data, no waves, a wave without answers, and a baseline and follow-up without
answers."""

from __future__ import annotations

import pytest

from ldcore.db import read_session, unit_of_work
from ldcore.reporting import contract, deck
from ldcore.reporting.html import report_html
from ldcore.schemas import PlanDocument
from ldcore.services import plans
from tests.pages.helpers import ROOT, make_account, page_test, texts
from tests.support.surveys import build, invite, make_wave

PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
PLAN = {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"}
KPI = {
    "key": "win_rate",
    "name": "Win rate",
    "unit": "%",
    "direction": "up",
    "baseline": {"value": 21.0, "date": "2027-01-01"},
    "target": {"value": 26.0, "date": "2027-12-31"},
}


def import_document(engine, document: dict) -> None:
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=PlanDocument.model_validate(document))


def new_and_empty(engine) -> None:
    import_document(engine, {"plan": PLAN})


def objectives_without_kpis(engine) -> None:
    objective = {"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 5}
    import_document(engine, {"plan": PLAN, "objectives": [objective]})


def kpis_without_data_and_no_waves(engine) -> None:
    objective = {"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 5, "kpis": [KPI]}
    import_document(engine, {"plan": PLAN, "objectives": [objective]})


def a_wave_without_answers(engine) -> None:
    build(engine)
    make_wave(engine)
    invite(engine, "base")


def a_baseline_and_followup_without_answers(engine) -> None:
    build(engine)
    make_wave(engine)
    make_wave(engine, "follow", "capability_followup", kind="followup", baseline_wave="base")


STATES = {
    "new and empty": new_and_empty,
    "objectives without KPIs": objectives_without_kpis,
    "KPIs without data, no waves": kpis_without_data_and_no_waves,
    "a wave without answers": a_wave_without_answers,
    "a baseline and follow-up without answers": a_baseline_and_followup_without_answers,
}


@pytest.fixture(params=list(STATES))
def state(request, sqlite_engine):
    STATES[request.param](sqlite_engine)
    return request.param, sqlite_engine


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_every_plan_state(monkeypatch, state, page):
    name, engine = state
    admin = make_account(engine, role="admin")
    at = page_test(monkeypatch, str(engine.url), page, account_id=admin, engine=engine, timeout=60).run()

    assert not at.exception, f"{page} in state {name!r}: {at.exception}"
    shown = texts(at)
    assert shown.strip(), f"{page} shows nothing in state {name!r}"
    if page == "pages/executive.py":
        assert "No KPI has been measured yet, so there is no movement to report." in shown
    if page == "pages/surveys.py":
        assert ("No wave yet: create the baseline below." in shown) == ("without answers" not in name)


def test_both_reports_render_for_every_plan_state_and_say_what_is_missing(state):
    name, engine = state
    with read_session(engine) as session:
        data = contract.report_json(session, plan_key="p1")
        page = report_html(session, plan_key="p1")

    assert data["plan"]["key"] == "p1"
    assert "Plan one" in page
    kpis = [k for o in data["objectives"] for k in o["kpis"]]
    if name == "KPIs without data, no waves":
        assert [k["current"] for k in kpis] == [None]
        assert "no data yet" in page
    else:
        assert kpis == []


def test_the_slides_and_the_status_table_render_for_every_plan_state(state):
    name, engine = state
    with read_session(engine) as session:
        report = contract.build(session, plan_key="p1")
    rows = contract.status_rows(report.executive)

    assert deck.render(report).startswith(b"PK")
    assert report.prepost is None or report.prepost.rows == []
    if name == "new and empty":
        assert rows == []
    elif name == "KPIs without data, no waves":
        assert [(r["KPI"], r["Baseline → current → target"], r["Status"]) for r in rows] == [
            ("Win rate", "21.0% → — → 26.0%", "No data yet")
        ]
    else:
        assert [(r["Objective"], r["KPI"], r["Status"]) for r in rows] == [("Revenue", "no KPI yet", "No data yet")]
