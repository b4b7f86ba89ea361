"""A plan with four teams (two below the minimum group), its waves and the ratings to file, inserted directly:
the data of the heatmap and change tests."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import unit_of_work
from ldcore.models import Answer, Capability, Person, Response, SurveyWave, Team
from ldcore.schemas import PlanDocument
from ldcore.services import plans

TARGETS = {
    ("alpha", "neg"): 4,
    ("alpha", "coach"): 3,
    ("beta", "neg"): 3,
    ("beta", "coach"): 4,
    ("tiny", "neg"): 4,
}


HEADCOUNT = {"alpha": 20, "beta": 10, "tiny": 3, "duo": 2}


def plan_document() -> PlanDocument:
    targets: dict[str, dict[str, int]] = defaultdict(dict)
    for (team, cap), level in TARGETS.items():
        targets[team][cap] = level
    return PlanDocument.model_validate(
        {
            "plan": {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 5},
                {"key": "ret", "title": "Retention", "category": "people", "priority": 2},
            ],
            "capabilities": [
                {"key": "neg", "name": "Negotiation", "drives": {"rev": 4}},
                {"key": "coach", "name": "Coaching", "drives": {"rev": 1, "ret": 3}},
                {"key": "excel", "name": "Spreadsheets"},
            ],
            "teams": [
                {"key": key, "name": key.title(), "headcount": HEADCOUNT[key], "targets": targets.get(key, {})}
                for key in HEADCOUNT
            ],
            "initiatives": [
                {
                    "key": "academy",
                    "name": "Negotiation Academy",
                    "objectives": ["rev"],
                    "capabilities": ["neg"],
                    "audience": ["alpha"],
                    "control_teams": ["beta"],
                }
            ],
        }
    )


@dataclass
class Filed:
    """One response to file: its team, who answered (roster person or anonymous code) and its ratings."""

    wave: str
    team: str | None
    ratings: dict[str, float]
    person: int | None = None
    code: str | None = None
    applied: dict[str, float] = field(default_factory=dict)


def build(engine, responses: list[Filed], *, waves=(("base", "baseline", None, 1),), min_group: int = 5) -> None:
    """The plan, its waves (key, kind, baseline key, opening month) and the responses, inserted directly."""
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=plan_document())
        session.flush()
        caps = {c.key: c.id for c in session.scalars(select(Capability).where(Capability.plan_id == plan.id))}
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        made: dict[str, SurveyWave] = {}
        for key, kind, baseline, month in waves:
            survey = "capability_baseline" if kind == "baseline" else "capability_followup"
            made[key] = SurveyWave(
                key=key,
                plan_id=plan.id,
                survey_key=survey,
                title=key,
                kind=kind,
                definition={**survey_defs.load_definition(survey).snapshot(), "capabilities": list(caps)},
                opens=dt.date(2027, month, 1),
                min_group=min_group,
                baseline_wave_id=made[baseline].id if baseline else None,
            )
            session.add(made[key])
            session.flush()
        for pid in sorted({r.person for r in responses if r.person is not None}):
            session.add(Person(id=pid, email=f"p{pid}@example.org", name=f"P {pid}", team_id=teams["alpha"]))
        session.flush()
        for r in responses:
            wave, team_id = made[r.wave], teams[r.team] if r.team else None
            answers = [
                Answer(wave_id=wave.id, team_id=team_id, question_key=question, capability_id=caps[cap], value_num=v)
                for question, values in (("proficiency", r.ratings), ("applied", r.applied))
                for cap, v in values.items()
            ]
            session.add(
                Response(
                    wave_id=wave.id,
                    team_id=team_id,
                    person_id=r.person,
                    pairing_code=r.code,
                    source="import",
                    answers=answers,
                )
            )


def ratings(team: str, values: list[float], cap: str) -> list[Filed]:
    return [Filed("base", team, {cap: v}) for v in values]


SUPPRESSION = [
    *ratings("alpha", [2, 3, 3, 4, 2, 2], "neg"),
    *ratings("beta", [3, 3, 2, 1, 2, 3], "neg"),
    *ratings("tiny", [5, 5, 4], "neg"),  # hidden: 3 answers, so the all-teams Negotiation mean is hidden too
    *ratings("alpha", [1, 2, 2, 3, 2, 2], "coach"),
    *ratings("beta", [4, 4, 4, 3], "coach"),  # hidden: 4 answers; beta's totals add this gap, so they are hidden
    *ratings("alpha", [3, 3, 3, 3, 3, 3], "excel"),
    *ratings("beta", [2, 2, 2, 2, 2, 2], "excel"),
    *ratings("tiny", [5, 5, 5], "excel"),  # hidden, but with duo's two answers 5 hide together: the total shows
    *ratings("duo", [1, 1], "excel"),
]
