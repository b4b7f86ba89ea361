"""A follow-up wave whose respondents wrote comments and barriers, one team below the minimum group."""

from __future__ import annotations

from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import unit_of_work
from ldcore.models import Answer, Capability, Person, Response, SurveyWave, Team
from ldcore.services import plans
from tests.support.impact import D, plan_document

# team → (comment, negotiation rating, barriers) per respondent; l1 has 3 respondents: below the minimum of 5
PEOPLE = {
    "a1": [
        ("More practice with real cases", 1, ["No time"]),
        ("More practice with role plays", 2, ["No time", "Little support from my manager"]),
        ("Time to apply it is the hard part", 2, ["No time"]),
        ("<b>More practice</b> please", 4, ["Nothing got in the way"]),
        ("My manager helped", 5, ["No time"]),
        ("", 3, []),  # an empty answer is no comment
    ],
    "s1": [(f"Refresher in a few months, person {n}", 3, ["Not relevant to my role"]) for n in range(5)],
    "l1": [("Only three of us wrote this", 1, ["No time"]) for _ in range(3)],
}


def build(engine, anonymity: str = "identified") -> None:
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=plan_document())
        session.flush()
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))
        wave = SurveyWave(
            key="fu",
            plan_id=plan.id,
            survey_key="capability_followup",
            title="Follow-up",
            kind="followup",
            definition={**survey_defs.load_definition("capability_followup").snapshot(), "capabilities": ["neg"]},
            opens=D(2027, 6, 1),
            anonymity=anonymity,
            min_group=5,
        )
        session.add(wave)
        session.flush()
        for team, people in PEOPLE.items():
            for n, (text, rating, barriers) in enumerate(people):
                person = Person(email=f"{team}-{n}@example.org", name=f"Person {team} {n}", team_id=teams[team])
                session.add(person)
                session.flush()
                answers = [
                    Answer(wave_id=wave.id, team_id=teams[team], question_key="comments", value_text=text),
                    Answer(
                        wave_id=wave.id,
                        team_id=teams[team],
                        question_key="proficiency",
                        capability_id=neg,
                        value_num=rating,
                    ),
                    *[
                        Answer(wave_id=wave.id, team_id=teams[team], question_key="barriers", value_text=b)
                        for b in barriers
                    ],
                ]
                session.add(
                    Response(
                        wave_id=wave.id,
                        team_id=teams[team],
                        person_id=person.id if anonymity == "identified" else None,
                        source="import",
                        answers=answers,
                    )
                )
