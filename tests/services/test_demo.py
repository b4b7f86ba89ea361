import datetime as dt

from sqlalchemy import func, select

from ldcore.db import read_session
from ldcore.devtools import demo
from ldcore.models import Account, Answer, Initiative, KpiObservation, Objective, Person, Response, SurveyWave, Team

TODAY = dt.date(2026, 11, 22)


def _fingerprint(engine):
    with read_session(engine) as session:
        return (
            session.scalar(select(func.count(Person.id))),
            session.scalar(select(func.count(Response.id))),
            session.scalar(select(func.count(Answer.id))),
            round(session.scalar(select(func.sum(Answer.value_num))), 3),
            round(session.scalar(select(func.sum(KpiObservation.value))), 3),
        )


def test_the_demo_company_has_the_promised_shape(engine):
    summary = demo.build_demo(engine, employees=300, seed=3, today=TODAY)
    assert "admin@demo.example" in summary and demo.DEMO_PASSWORD in summary
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Objective.id))) == 4
        assert session.scalar(select(func.count(Team.id))) == 12
        assert session.scalar(select(func.count(Person.id))) == 300
        isolation = dict(session.execute(select(Initiative.key, Initiative.isolation)).all())
        assert isolation == {
            "sales-academy": "control_group",
            "service-excellence": "trend",
            "leadership-essentials": "participant_estimate",
        }
        waves = set(session.scalars(select(SurveyWave.key)))
        assert {"fy27-baseline", "fy27-followup-90"} <= waves
        months = session.scalar(select(func.count(func.distinct(KpiObservation.date))))
        assert months == 18
        assert session.scalar(select(func.count(Account.id))) == 3
        tiny = session.scalar(select(Team.headcount).where(Team.key == "exec-office"))
        assert tiny < 5


def test_the_follow_up_shows_a_real_improvement_for_trained_capabilities(engine):
    demo.build_demo(engine, employees=400, seed=5, today=TODAY)
    with read_session(engine) as session:
        means = dict(
            session.execute(
                select(SurveyWave.key, func.avg(Answer.value_num))
                .join(SurveyWave, SurveyWave.id == Answer.wave_id)
                .where(Answer.question_key == "proficiency")
                .group_by(SurveyWave.key)
            ).all()
        )
    assert means["fy27-followup-90"] - means["fy27-baseline"] > 0.1


def test_the_same_seed_gives_the_same_data_and_a_rerun_changes_nothing(engine, tmp_path):
    from ldcore.db import dispose_engine, get_engine, migrate

    demo.build_demo(engine, employees=150, seed=11, today=TODAY)
    first = _fingerprint(engine)
    assert "already" in demo.build_demo(engine, employees=150, seed=11, today=TODAY)
    assert _fingerprint(engine) == first

    other_url = f"sqlite:///{tmp_path / 'again.db'}"
    other = get_engine(other_url)
    migrate(other)
    demo.build_demo(other, employees=150, seed=11, today=TODAY)
    assert _fingerprint(other) == first
    dispose_engine(other_url)
