"""The attacks of issue 13 (A2, A3) replayed on SQLite and Postgres: what they read before, and that nothing they
can read now singles out a small team or a person."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.models import Capability, KpiObservation, Team
from ldcore.schemas import PlanDocument
from ldcore.services import impact, plans, reports
from tests.services.test_impact import add_wave, kpi, respond

D = dt.date
MIN_GROUP = 5
# big-a and big-b answer "10% of the change is the program's, 100% sure, never used it"; the 2-person team says 90%
# and uses it daily — the answers an attacker would recover by subtracting initiative A's figures from B's.
TEAMS = {"big-a": (7, 10, 1), "big-b": (6, 10, 1), "small": (2, 90, 5)}


def attack_plan() -> PlanDocument:
    def initiative(key, audience):
        return {
            "key": key,
            "name": f"Program {key.upper()}",
            "objectives": ["ret"],
            "capabilities": ["neg"],
            "kpis": ["attr"],
            "audience": audience,
            "starts": "2027-03-01",
            "ends": "2027-03-31",
            "isolation": "participant_estimate",
            "costs": {"delivery": 1000},
        }

    return PlanDocument.model_validate(
        {
            "plan": {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {
                    "key": "ret",
                    "title": "Keep people",
                    "category": "people",
                    "priority": 4,
                    "kpis": [kpi("attr", "Attrition", "down", 10, 5, 500)],
                }
            ],
            "capabilities": [{"key": "neg", "name": "Negotiation", "drives": {"ret": 5}}],
            "teams": [{"key": k, "name": k.upper(), "headcount": n} for k, (n, _, _) in TEAMS.items()],
            "initiatives": [initiative("a", ["big-a", "big-b"]), initiative("b", ["big-a", "big-b", "small"])],
        }
    )


def build_attack(engine) -> None:
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=attack_plan())
        session.flush()
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))
        kpi_id = plan.objectives[0].kpis[0].id
        for team_id in teams.values():
            for date, value in ((D(2027, 1, 1), 10), (D(2027, 2, 1), 10), (D(2027, 5, 1), 8), (D(2027, 6, 1), 8)):
                session.add(KpiObservation(kpi_id=kpi_id, team_id=team_id, date=date, value=value))
        base = add_wave(session, plan, "base", "capability_baseline", kind="baseline")
        fu = add_wave(session, plan, "fu", "capability_followup", baseline=base)
        for team, (n, pct, applied) in TEAMS.items():
            for _ in range(n):
                respond(session, base, teams[team], {"proficiency": 2}, neg)
                answers = {"attribution_pct": pct, "attribution_confidence": 100, "applied": applied}
                respond(session, fu, teams[team], answers, neg)


def few_apart(counts: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in itertools.combinations(counts, 2) if 0 < abs(a - b) < MIN_GROUP]


def test_two_initiatives_a_small_team_apart_never_both_show_their_attribution(engine):
    build_attack(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")
        html = reports.report_html(session, plan_key="p1")
        report = reports.report_json(session, plan_key="p1")

    by_key = {r.initiative: r for r in view.roi}
    assert "13 respondents of fu credit the program with 10.0%" in by_key["a"].effects[0].steps[1]
    assert by_key["b"].benefits is None
    assert "hidden to protect a small group" in by_key["b"].effects[0].missing
    assert not any("respondents" in step for step in by_key["b"].effects[0].steps)
    assert "15 respondents" not in html and "with 90.0%" not in html and "with 20.7%" not in html
    assert {r["initiative"]: r["benefits"] is None for r in report["roi"]} == {"a": False, "b": True}


def test_two_initiatives_a_small_team_apart_never_both_show_the_share_applying(engine):
    build_attack(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")

    applying = {c.initiative: next(x for x in c.links if x.measure == "Applying on the job") for c in view.chains}
    assert (applying["a"].value, applying["a"].n) == (None, None)
    assert "hidden to protect a small group" in applying["a"].missing
    assert (round(applying["b"].value, 1), applying["b"].n) == (13.3, 15)
    # the plan's own figure (every team) is the one B agrees with; nothing published is 1–4 people apart
    assert [(a.n, a.applying) for a in view_application(engine)] == [(15, 2)]
    published = [a.n for a in view_application(engine)] + [x.n for x in applying.values() if x.value is not None]
    assert few_apart(published) == []


def view_application(engine):
    from ldcore.services import evidence

    with read_session(engine) as session:
        return [a for a in evidence.prepost(session, plan_key="p1").application if not a.suppressed]
