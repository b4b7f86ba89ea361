"""One report view per request, on SQLite and Postgres: the plan graph is loaded once and the baseline → follow-up
comparison computed once, and every format renders that one view without reading the database again."""

from __future__ import annotations

import datetime as dt

from ldcore.db import read_session
from ldcore.models import SurveyWave, hash_token
from ldcore.reporting import contract, deck, html
from ldcore.services import evidence, plans, sharing, surveys
from tests.support.impact import build

AT = dt.datetime(2027, 6, 1, 9, 30)


def counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_building_the_report_loads_the_plan_once_and_compares_the_waves_once(engine, monkeypatch):
    build(engine)
    graphs = counting(monkeypatch, plans, "load_plan_graph")
    comparisons = counting(monkeypatch, evidence, "prepost")
    with read_session(engine) as session:
        report = contract.build(session, plan_key="p1")

    assert (len(graphs), len(comparisons)) == (1, 1)
    assert report.plan_key == "p1"
    assert report.prepost is not None and report.heatmap is not None and report.heatmap.wave.key == "base"
    assert [g.capability for g in report.executive.gap_closure] == [
        r.capability for r in report.prepost.rows if r.team is None
    ]


def test_the_json_of_one_view_equals_each_section_computed_on_its_own(engine):
    build(engine)
    with read_session(engine) as session:
        data = contract.json_of(contract.build(session, plan_key="p1"))
        assert data["heatmap"] == contract.heatmap_section(session, plan_key="p1")
        assert data["prepost"] == contract.prepost_section(session, plan_key="p1")
        assert data["trends"] == contract.trends_section(session, plan_key="p1")
        assert data == contract.report_json(session, plan_key="p1")


def test_html_and_slides_render_from_the_view_alone_after_the_session_is_gone(engine):
    build(engine)
    with read_session(engine) as session:
        report = contract.build(session, plan_key="p1")
        expected = html.report_html(session, plan_key="p1", generated_at=AT)

    page = html.render(report, generated_at=AT)
    assert page == expected  # a pure function of the view: the same figures as computing afresh
    assert page == html.render(report, generated_at=AT)
    assert "Report generated 2027-06-01 09:30 UTC" in page
    assert deck.render(report, generated_at=AT).startswith(b"PK")  # a .pptx is a zip file


def test_the_html_report_opens_with_the_status_table(engine):
    build(engine)
    with read_session(engine) as session:
        report = contract.build(session, plan_key="p1")
    rows = contract.status_rows(report.executive)
    page = html.render(report, generated_at=AT)

    win = next(r for r in rows if r["KPI"] == "Win rate")
    assert win["Baseline → current → target"] == "20.0% → 24.0% → 30.0%"
    assert win["Status"] == "On track" and win["Objective"] == "Grow revenue"
    assert win["Main program's ROI"] == "Sales Academy: 16.7%"
    assert page.index("Baseline → current → target") < page.index("<h2>Objectives</h2>")


def test_survey_and_share_links_hash_their_tokens_with_the_one_function(engine):
    assert surveys.hash_token("abc") == hash_token("abc") == sharing.hash_token("abc")
    assert len(hash_token("abc")) == 64 and hash_token("abc") != hash_token("abd")


def test_a_wave_says_which_questions_it_asks_and_sorts_newest_first():
    def wave(n: int, opens: dt.date | None) -> SurveyWave:
        return SurveyWave(
            id=n,
            opens=opens,
            created_at=dt.datetime(2027, 1, n),
            definition={"questions": [{"key": "proficiency"}], "capabilities": ["neg", "coach"]},
        )

    waves = [wave(1, dt.date(2027, 1, 1)), wave(2, None), wave(3, dt.date(2027, 3, 1))]
    assert waves[0].asks("proficiency") and not waves[0].asks("applied")
    assert waves[0].capability_keys == ["neg", "coach"]
    assert SurveyWave(definition={"questions": []}).capability_keys is None
    assert [w.id for w in sorted(waves, key=SurveyWave.newest_first, reverse=True)] == [3, 1, 2]
