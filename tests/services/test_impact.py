"""The impact service on SQLite and Postgres: ROI by each isolation method from the stored KPI observations and
follow-up answers, scorecards, the evidence chain and the narrative, against figures worked out by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.models import Kpi, KpiObservation, Plan
from ldcore.services import impact
from tests.support.impact import ATTRIBUTION, D, build


def roi_of(engine) -> dict:
    with read_session(engine) as session:
        return {r.initiative: r for r in impact.plan_roi(session, plan_key="p1")}


def test_control_group_roi_is_the_difference_in_differences_of_the_stored_observations(engine):
    build(engine)
    academy = roi_of(engine)["academy"]

    effect = academy.effects[0]
    assert effect.means == pytest.approx(
        {"audience_before": 20.5, "audience_after": 25.0, "control_before": 20.0, "control_after": 21.0}
    )
    assert effect.effect == pytest.approx(3.5)
    assert academy.costs == 3000.0
    assert academy.benefits == pytest.approx(3500.0)
    assert academy.bcr == pytest.approx(3500 / 3000)
    assert academy.roi_pct == pytest.approx(500 / 3000 * 100)
    assert academy.payback_months == pytest.approx(3000 / (3500 / 12))
    assert sorted({(o.group, o.team) for o in effect.observations}) == [
        ("audience", "a1"),
        ("audience", "a2"),
        ("control", "c1"),
    ]


def test_trend_roi_compares_the_audience_after_the_end_with_its_projected_trend(engine):
    build(engine)
    service = roi_of(engine)["service"]

    effect = service.effects[0]
    assert effect.means["trend_projection"] == pytest.approx((8.49 + 8.19) / 2)
    assert effect.effect == pytest.approx(0.49)  # handle time fell 0.49 below its trend: an improvement
    assert service.benefits == pytest.approx(49.0)
    assert service.roi_pct == pytest.approx((49 - 500) / 500 * 100)


def test_participant_estimate_uses_the_audiences_follow_up_answers_with_both_percentages(engine):
    build(engine)
    leaders = roi_of(engine)["leaders"]

    effect = leaders.effects[0]
    assert effect.means["attributed_share"] == pytest.approx(0.296)
    assert effect.effect == pytest.approx(2 * 0.296)
    assert leaders.benefits == pytest.approx(2 * 0.296 * 500)
    assert any("5 respondents of fu" in step for step in effect.steps)


def test_participant_estimate_prefers_the_initiatives_own_follow_up_wave(engine):
    build(engine, own_wave_attribution=[(100, 50)] * 5)
    leaders = roi_of(engine)["leaders"]

    assert leaders.effects[0].means["attributed_share"] == pytest.approx(0.5)
    assert leaders.benefits == pytest.approx(2 * 0.5 * 500)


def test_participant_estimate_from_too_few_respondents_claims_no_benefit(engine):
    build(engine, attribution=ATTRIBUTION[:4])
    leaders = roi_of(engine)["leaders"]

    assert leaders.benefits is None and leaders.bcr is None and leaders.roi_pct is None
    assert leaders.payback_months is None
    assert leaders.effects[0].missing == "fewer than 5 follow-up respondents estimated the program's share"


def test_a_kpi_without_observations_after_the_end_gives_null_benefits(engine):
    build(engine)
    with unit_of_work(engine) as session:
        late = session.scalars(select(KpiObservation).where(KpiObservation.date > D(2027, 3, 31))).all()
        for observation in late:
            session.delete(observation)
    for result in roi_of(engine).values():
        assert result.benefits is None and result.bcr is None


def test_scorecards_show_the_latest_months_mean_progress_and_status(engine):
    build(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")

    cards = {c.key: c for c in view.scorecards}
    win = cards["rev"].kpis[0]
    assert win.current == pytest.approx((27 + 24 + 21) / 3)  # June, every team
    assert win.current_month == D(2027, 6, 1)
    assert win.progress_pct == pytest.approx(40.0)
    assert win.expected_pct == pytest.approx(100 * 151 / 364)
    assert win.status == "on_track"
    assert [m for m, _ in win.series] == [D(2027, m, 1) for m in (1, 2, 5, 6)]
    assert cards["cost"].kpis[0].progress_pct == pytest.approx(115.0)  # handle time 7.7: past the 8.0 target
    assert cards["rev"].budget == pytest.approx(3000 + 500)  # the leadership program serves two objectives
    assert view.alignment.budget_by_objective == pytest.approx(
        {"Grow revenue": 3500.0, "Serve for less": 500.0, "Keep people": 500.0}
    )
    assert (view.alignment.initiatives, view.alignment.aligned, view.alignment.aligned_pct) == (3, 3, 100.0)


def test_the_evidence_chain_shows_each_level_and_missing_evidence_as_missing_not_zero(engine):
    build(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")
    chains = {c.initiative: {link.measure: link for link in c.links} for c in view.chains}

    academy = chains["academy"]
    assert academy["Satisfaction"].value == pytest.approx(4.2) and academy["Satisfaction"].n == 5
    assert academy["NPS"].value == pytest.approx(100 * (3 - 1) / 5)
    assert academy["Proficiency change"].value == pytest.approx(1.0)
    assert academy["Applying on the job"].value == pytest.approx(80.0)
    assert academy["Win rate (isolated effect)"].value == pytest.approx(3.5)
    assert academy["ROI"].value == pytest.approx(500 / 3000 * 100)

    leaders = chains["leaders"]
    assert leaders["Satisfaction"].value is None and leaders["Satisfaction"].missing
    assert leaders["Change seen by managers"].value is None
    assert leaders["Change seen by managers"].missing == "fewer than 5 observations"
    assert leaders["Proficiency change"].value is None


def test_the_narrative_says_in_business_terms_what_moved_and_what_it_was_worth(engine):
    build(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")
    text = "\n".join(view.narrative)

    assert "Serve for less: Handle time fell from 10.0 min to 7.7 min, 115% of the way to the 8.0 min target." in text
    assert "Sales Academy lifted Win rate by 3.5 points" in text
    assert "worth 3,500 in the first year against 3,000 invested: a return of 17%" in text
    for jargon in ("Kirkpatrick", "level 3", "proficiency", "isolation", "BCR"):
        assert jargon not in text


@pytest.mark.parametrize(
    ("progress", "expected", "status"),
    [(40, 45, "on_track"), (35, 45, "on_track"), (30, 45, "at_risk"), (20, 45, "at_risk"), (19, 45, "off_track")]
    + [(100, 100, "on_track"), (-5, 10, "at_risk"), (None, 50, None)],
)
def test_status_compares_progress_with_the_share_of_the_horizon_elapsed(progress, expected, status):
    assert impact.kpi_status(progress, expected) == status


def test_an_objective_takes_the_worst_status_of_its_kpis(engine):
    build(engine)
    with unit_of_work(engine) as session:  # win rate falls back to 20 in July: 0% progress at 50% of the horizon
        plan = session.scalar(select(Plan).where(Plan.key == "p1"))
        win = session.scalar(select(Kpi).where(Kpi.key == "win", Kpi.plan_id == plan.id))
        session.add(KpiObservation(kpi_id=win.id, team_id=None, date=D(2027, 7, 1), value=20))
    with read_session(engine) as session:
        cards = {c.key: c for c in impact.executive_view(session, plan_key="p1").scorecards}

    assert cards["rev"].kpis[0].current == 20 and cards["rev"].status == "off_track"
