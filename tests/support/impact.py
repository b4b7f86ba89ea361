"""A plan with three initiatives (one per isolation method), its KPI observations and survey answers, inserted
directly; tests/services/test_impact.py works the figures out by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import unit_of_work
from ldcore.models import Answer, Capability, Kpi, KpiObservation, Response, SurveyWave, Team
from ldcore.schemas import PlanDocument
from ldcore.services import plans


def kpi(key, name, direction, baseline, target, unit_value, unit="%"):
    return {
        "key": key,
        "name": name,
        "unit": unit,
        "direction": direction,
        "baseline": {"value": baseline, "date": "2027-01-01"},
        "target": {"value": target, "date": "2027-12-31"},
        "unit_value": unit_value,
    }


def plan_document() -> PlanDocument:
    return PlanDocument.model_validate(
        {
            "plan": {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {
                    "key": "rev",
                    "title": "Grow revenue",
                    "category": "revenue_growth",
                    "priority": 5,
                    "kpis": [kpi("win", "Win rate", "up", 20, 30, 1000)],
                },
                {
                    "key": "cost",
                    "title": "Serve for less",
                    "category": "cost_efficiency",
                    "priority": 3,
                    "kpis": [kpi("aht", "Handle time", "down", 10, 8, 100, unit="min")],
                },
                {
                    "key": "ret",
                    "title": "Keep people",
                    "category": "people",
                    "priority": 4,
                    "kpis": [kpi("attr", "Attrition", "down", 10, 5, 500)],
                },
            ],
            "capabilities": [{"key": "neg", "name": "Negotiation", "drives": {"rev": 5}}],
            "teams": [
                {"key": k, "name": k.upper(), "headcount": 10, "targets": {"neg": 4} if k == "a1" else {}}
                for k in ("a1", "a2", "c1", "s1", "l1")
            ],
            "initiatives": [
                {
                    "key": "academy",
                    "name": "Sales Academy",
                    "objectives": ["rev"],
                    "capabilities": ["neg"],
                    "kpis": ["win"],
                    "audience": ["a1", "a2"],
                    "control_teams": ["c1"],
                    "starts": "2027-03-01",
                    "ends": "2027-03-31",
                    "isolation": "control_group",
                    "costs": {"development": 2000, "delivery": 1000},
                },
                {
                    "key": "service",
                    "name": "Service Excellence",
                    "objectives": ["cost"],
                    "kpis": ["aht"],
                    "audience": ["s1"],
                    "starts": "2027-04-01",
                    "ends": "2027-04-30",
                    "isolation": "trend",
                    "costs": {"delivery": 500},
                },
                {
                    "key": "leaders",
                    "name": "Leadership Essentials",
                    "objectives": ["ret", "rev"],
                    "kpis": ["attr"],
                    "audience": ["l1"],
                    "starts": "2027-03-01",
                    "ends": "2027-03-31",
                    "isolation": "participant_estimate",
                    "costs": {"delivery": 1000},
                },
            ],
        }
    )


D = dt.date


OBSERVATIONS = {
    # control group: audience before 20.5, after 25; control before 20, after 21 → 4.5 − 1 = 3.5
    "win": {
        "a1": [(D(2027, 1, 1), 20), (D(2027, 2, 1), 22), (D(2027, 5, 1), 25), (D(2027, 6, 1), 27)],
        "a2": [(D(2027, 1, 1), 20), (D(2027, 2, 1), 20), (D(2027, 5, 1), 24), (D(2027, 6, 1), 24)],
        "c1": [(D(2027, 1, 1), 20), (D(2027, 2, 1), 20), (D(2027, 5, 1), 21), (D(2027, 6, 1), 21)],
    },
    # trend: 10 − 0.01 a day before the start (days 0, 31, 59); projected 8.49 and 8.19 on days 151 and 181,
    # observed 8.0 and 7.7 → 0.49 below the trend, an improvement of 0.49 for a KPI that should fall
    "aht": {"s1": [(D(2027, 1, 1), 10), (D(2027, 2, 1), 9.69), (D(2027, 3, 1), 9.41), (D(2027, 6, 1), 8.0)]}
    | {"s1-late": [(D(2027, 7, 1), 7.7)]},
    # participant estimate: 10 before, 8 after → change −2
    "attr": {"l1": [(D(2027, 1, 1), 10), (D(2027, 2, 1), 10), (D(2027, 5, 1), 8), (D(2027, 6, 1), 8)]},
}


# (attributed %, confidence %) of the audience's follow-up respondents: products .4 .2 .6 .1 .18 → mean 0.296
ATTRIBUTION = [(50, 80), (40, 50), (60, 100), (20, 50), (30, 60)]


def add_wave(session, plan, key, survey, *, kind="followup", initiative=None, baseline=None, min_group=5):
    wave = SurveyWave(
        key=key,
        plan_id=plan.id,
        survey_key=survey,
        title=key,
        kind=kind,
        definition={**survey_defs.load_definition(survey).snapshot(), "capabilities": ["neg"]},
        opens=D(2027, 6, 1),
        min_group=min_group,
        initiative_id=initiative.id if initiative else None,
        baseline_wave_id=baseline.id if baseline else None,
    )
    session.add(wave)
    session.flush()
    return wave


def respond(session, wave, team_id, answers: dict, capability_id=None) -> None:
    rows = [
        Answer(
            wave_id=wave.id,
            team_id=team_id,
            question_key=q,
            capability_id=capability_id if q in ("proficiency", "applied", "observed_change") else None,
            value_num=v,
        )
        for q, v in answers.items()
    ]
    session.add(Response(wave_id=wave.id, team_id=team_id, source="import", answers=rows))


def build(engine, *, attribution=ATTRIBUTION, own_wave_attribution=None) -> None:
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=plan_document())
        session.flush()
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        kpis = {k.key: k.id for k in session.scalars(select(Kpi))}
        for kpi_key, by_team in OBSERVATIONS.items():
            for team, points in by_team.items():
                for date, value in points:
                    team_id = teams[team.removesuffix("-late")]
                    session.add(KpiObservation(kpi_id=kpis[kpi_key], team_id=team_id, date=date, value=value))
        initiatives = {i.key: i for i in plan.initiatives}
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))

        base = add_wave(session, plan, "base", "capability_baseline", kind="baseline")
        fu = add_wave(session, plan, "fu", "capability_followup", baseline=base)
        for pct, confidence in attribution:
            respond(session, fu, teams["l1"], {"attribution_pct": pct, "attribution_confidence": confidence})
        respond(session, fu, teams["l1"], {"attribution_pct": 90})  # no confidence given: left out
        respond(session, fu, teams["a1"], {"attribution_pct": 100, "attribution_confidence": 100})  # not audience
        for applied in (1, 2, 3, 4, 5):  # a1 rates negotiation 2 → 3, and 4 of 5 apply it
            respond(session, base, teams["a1"], {"proficiency": 2}, neg)
            respond(session, fu, teams["a1"], {"proficiency": 3, "applied": applied}, neg)
        if own_wave_attribution:
            own = add_wave(session, plan, "leaders-fu", "capability_followup", initiative=initiatives["leaders"])
            for pct, confidence in own_wave_attribution:
                respond(session, own, teams["l1"], {"attribution_pct": pct, "attribution_confidence": confidence})

        reaction = add_wave(session, plan, "academy-reaction", "program_reaction", initiative=initiatives["academy"])
        for satisfaction, nps in ((5, 10), (4, 9), (4, 8), (3, 6), (5, 10)):
            respond(session, reaction, teams["a1"], {"satisfaction": satisfaction, "nps": nps})
        observed = add_wave(session, plan, "leaders-obs", "manager_observation", initiative=initiatives["leaders"])
        for value in (3, 4, 2):  # three observations: fewer than the minimum group
            respond(session, observed, teams["l1"], {"observed_change": value}, neg)
