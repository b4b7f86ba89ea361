"""The executive page in AppTest: what a viewer sees, what a share link opens (one plan, nothing else), that share
links are managed elsewhere (the Share links page), and fresh figures after a write."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ldcore.db import unit_of_work
from ldcore.models import Plan, ShareLink
from ldcore.services import kpis, sharing
from tests.pages.helpers import make_account, page_test, texts
from tests.support.impact import build

PAGE = "pages/executive.py"


def shown(at: AppTest) -> str:
    """Every text of the page with markdown escapes removed, plus every table."""
    parts = [texts(at).replace("\\", "")]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


@pytest.fixture
def company(sqlite_engine):
    build(sqlite_engine)
    return sqlite_engine


def open_as(monkeypatch, engine, role: str | None, *, share: str | None = None) -> AppTest:
    account = make_account(engine, role=role) if role else None
    at = page_test(monkeypatch, str(engine.url), PAGE, account_id=account, engine=engine)
    if share is not None:
        at.query_params[sharing.SHARE_PARAM] = share
    return at.run()


def new_link(engine) -> str:
    with unit_of_work(engine) as session:
        return sharing.create_share_link(session, plan_key="p1", actor="admin@example.org").token


def test_a_viewer_sees_every_section_with_the_plans_figures(monkeypatch, company):
    at = open_as(monkeypatch, company, "viewer")

    assert not at.exception
    assert [h.value for h in at.header] == [
        "Objectives",
        "Alignment and budget",
        "Skills gap closed",
        "From learning to results",
        "Return on investment",
        "Take it into the room",
    ]
    metrics = {m.label.replace("\\", ""): m.value for m in at.metric}
    assert metrics["Win rate"] == "24.0%"
    assert metrics["Handle time"] == "7.70 min"
    assert metrics["Programs aligned"] == "100%" and metrics["Aligned programs"] == "3 of 3"
    assert metrics["L&D budget"] == "4,500"
    text = shown(at)
    assert "Sales Academy lifted Win rate by 3.5 points" in text
    assert "Live: updated at" in text
    roi = at.dataframe[3].value.set_index("program")  # after the three program chains
    assert roi.loc["Sales Academy", "first-year benefits"] == "3,500"
    assert roi.loc["Sales Academy", "ROI"] == "16.7%"
    chain = at.dataframe[2].value.set_index("measure")  # Leadership Essentials
    assert chain.loc["Satisfaction", "value"] == "missing"
    assert chain.loc["Change seen by managers", "note"] == "fewer than 5 observations"
    assert len(at.get("plotly_chart")) == 4  # progress, budget, gap closure, skills over time
    assert at.get("download_button")[0].label == "Download the report (HTML)"
    assert "Share links" not in text  # admins only


def test_a_share_link_opens_its_plan_without_an_account_and_without_admin_tools(monkeypatch, company):
    at = open_as(monkeypatch, company, None, share=new_link(company))

    assert not at.exception
    text = shown(at)
    assert "A read-only view shared with you" in text
    assert "Plan one" in text and "Sales Academy" in text
    assert [s.key for s in at.selectbox] == ["executive_trend_team"]  # no plan picker: the link opens one plan
    assert "Share links" not in text and "Please sign in" not in text


@pytest.mark.parametrize("token", ["revoked", "expired", "unknown"])
def test_a_revoked_expired_or_unknown_link_shows_nothing_of_the_plan(monkeypatch, company, token):
    valid = new_link(company)
    with unit_of_work(company) as session:
        link = sharing.list_share_links(session, plan_key="p1")[0]
        if token == "revoked":
            sharing.revoke_share_link(session, link_id=link.id, actor="admin")
        elif token == "expired":
            session.get(ShareLink, link.id).expires_at = dt.datetime(2020, 1, 1)
    at = open_as(monkeypatch, company, None, share="made-up-token" if token == "unknown" else valid)

    assert not at.exception
    text = shown(at)
    assert "This share link has expired, been revoked or is not valid" in text
    assert "Plan one" not in text and "Win rate" not in text and len(at.metric) == 0


def test_without_an_account_or_a_link_the_page_asks_to_sign_in(monkeypatch, company):
    at = open_as(monkeypatch, company, None)

    assert "Please sign in" in shown(at) and len(at.metric) == 0


def test_new_kpi_values_show_on_the_next_run(monkeypatch, company):
    at = open_as(monkeypatch, company, "viewer")
    with unit_of_work(company) as session:
        kpis.record_observation(
            session, plan_key="p1", kpi="win", date=dt.date(2027, 7, 1), value=29.0, team="a1", actor="test"
        )
    at.run()

    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Win rate"] == "29.0%"
    assert at.session_state["executive_version"] > 0


def test_free_text_is_shown_as_text_not_markdown(monkeypatch, company):
    with unit_of_work(company) as session:
        session.scalar(select(Plan).where(Plan.key == "p1")).name = "**Bold** [link](http://x) :red[alarm]"
    at = open_as(monkeypatch, company, "viewer")

    assert at.title[0].value == "\\*\\*Bold\\*\\* \\[link\\](http:\u2060//x) \\:red\\[alarm\\]"


def test_the_page_is_drawn_once_even_while_new_data_keeps_landing(monkeypatch, company):
    from itertools import count

    from ldcore.ui import cache

    versions = count(1)
    monkeypatch.setattr(cache, "version", lambda plan_key: next(versions))  # a new version at every look
    at = open_as(monkeypatch, company, "viewer")
    assert not at.exception and at.title
    assert next(versions) <= 4  # a drawing or two (sign-in may rerun once), not a redraw for every new version


def test_skills_over_time_shows_all_teams_or_one_team_and_never_a_team_below_the_minimum(monkeypatch, company):
    at = open_as(monkeypatch, company, "viewer")
    options = at.selectbox(key="executive_trend_team").options

    assert not at.exception
    assert options == ["All teams", "A1"]  # only a1 answered both surveys; the other teams have no series
    at.selectbox(key="executive_trend_team").set_value("a1").run()
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "executive_skills_trend" in c.proto.id)
    lines = [t for t in json.loads(chart.proto.spec)["data"] if t.get("mode") == "lines+markers"]
    assert [t["y"] for t in lines] == [[2.0, 3.0]]  # a1's negotiation: 2 at the baseline, 3 at the follow-up


def test_the_page_opens_with_the_status_table_and_says_in_words_whether_skills_really_changed(monkeypatch, company):
    at = open_as(monkeypatch, company, "viewer")

    assert not at.exception
    assert at.subheader[0].value == "Where we stand"
    status = at.table[0].value.set_index("KPI")
    assert list(status.columns) == ["Objective", "Baseline → current → target", "Status", "Main program's ROI"]
    assert status.loc["Win rate", "Baseline → current → target"] == "20.0% → 24.0% → 30.0%"
    assert status.loc["Win rate", "Status"] == "On track"
    assert status.loc["Win rate", "Main program's ROI"] == "Sales Academy: 16.7%"
    closure = at.table[1].value
    assert set(closure["real change?"]) <= {"likely a real change", "could be chance", "not enough answers to tell"}
    assert len(closure) >= 1
