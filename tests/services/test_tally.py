"""The running totals the database keeps (`ldcore.tally`) equal the answers after every kind of write, on both
databases: bulk loads, submissions, erasure (deleted or kept anonymously), retention, a follow-up linked to another
baseline, an answer changed, a response or a whole wave deleted."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import delete, func, select, update

from ldcore import tally
from ldcore.db import read_session, unit_of_work
from ldcore.devtools import demo
from ldcore.models import Answer, Person, Response, SurveyWave
from ldcore.services import evidence, privacy

TODAY = dt.date(2026, 11, 22)
ANSWERS = "SELECT wave_id, question_key, capability_id, team_id, value_num, n FROM answer_tally WHERE n <> 0"
PAIRS = (
    "SELECT baseline_wave_id, followup_wave_id, question_key, capability_id, team_id, n, sd, sdd, spre, spost "
    "FROM pair_tally WHERE n <> 0"
)


def _read(conn: sa.Connection) -> tuple[dict, dict]:
    answers = {tuple(r[:5]): r[5] for r in conn.execute(sa.text(ANSWERS))}
    pairs = {tuple(r[:5]): tuple(round(x, 9) for x in r[5:]) for r in conn.execute(sa.text(PAIRS))}
    return answers, pairs


def totals_and_recount(engine: sa.Engine) -> tuple[tuple[dict, dict], tuple[dict, dict]]:
    """The totals as kept, and as recomputed from the answers (in a transaction rolled back)."""
    with engine.connect() as conn:
        kept = _read(conn)
        tally.rebuild(conn)
        recounted = _read(conn)
        conn.rollback()
    return kept, recounted


def assert_exact(engine: sa.Engine) -> tuple[dict, dict]:
    kept, recounted = totals_and_recount(engine)
    assert kept[0] == recounted[0]
    assert kept[1] == recounted[1]
    return kept


def paired_people(engine: sa.Engine) -> list[tuple[int, str]]:
    """People (id, email) with a response in the follow-up and in its baseline."""
    with read_session(engine) as session:
        follow = session.scalars(select(SurveyWave).where(SurveyWave.baseline_wave_id.is_not(None))).first()
        assert follow is not None
        both = (
            select(Response.person_id)
            .where(Response.wave_id.in_([follow.id, follow.baseline_wave_id]), Response.person_id.is_not(None))
            .group_by(Response.person_id)
            .having(func.count() == 2)
        )
        return [(p.id, p.email) for p in session.scalars(select(Person).where(Person.id.in_(both)).order_by(Person.id))]


def pairs_of(engine: sa.Engine, person_id: int) -> int:
    """How many paired answers one person makes (counted from the raw answers)."""
    with read_session(engine) as session:
        follow = session.scalars(select(SurveyWave).where(SurveyWave.baseline_wave_id.is_not(None))).first()
        assert follow is not None
        pre, post = sa.orm.aliased(Answer), sa.orm.aliased(Answer)
        pre_r, post_r = sa.orm.aliased(Response), sa.orm.aliased(Response)
        return session.scalar(
            select(func.count())
            .select_from(post_a := post)
            .join(post_r, post_r.id == post_a.response_id)
            .join(pre_r, (pre_r.person_id == post_r.person_id) & (pre_r.wave_id == follow.baseline_wave_id))
            .join(pre, (pre.response_id == pre_r.id) & (pre.question_key == post_a.question_key)
                  & (pre.capability_id == post_a.capability_id))
            .where(post_r.wave_id == follow.id, post_r.person_id == person_id, post_a.capability_id.is_not(None),
                   post_a.value_num.is_not(None), pre.value_num.is_not(None))
        ) or 0  # fmt: skip


def total_pairs(pairs: dict) -> int:
    return sum(v[0] for v in pairs.values())


def test_the_totals_equal_the_answers_after_every_kind_of_write(engine):
    demo.build_demo(engine, employees=150, seed=11, today=TODAY)
    answers, pairs = assert_exact(engine)
    assert sum(answers.values()) > 1000 and total_pairs(pairs) > 300

    (deleted_id, deleted), (kept_id, kept), (moved_id, _) = paired_people(engine)[:3]
    lost, lost_too = pairs_of(engine, deleted_id), pairs_of(engine, kept_id)
    assert lost > 0 and lost_too > 0
    with unit_of_work(engine) as session:
        privacy.erase_person(session, email=deleted, answers="delete", actor="test")
    _, after = assert_exact(engine)
    assert total_pairs(after) == total_pairs(pairs) - lost

    with unit_of_work(engine) as session:  # kept anonymously: the answers count, the pairs no longer
        privacy.erase_person(session, email=kept, answers="anonymise", actor="test")
    answers_now, pairs_now = assert_exact(engine)
    assert total_pairs(pairs_now) == total_pairs(after) - lost_too

    with unit_of_work(engine) as session:  # one answer changed, one response deleted directly
        answer = session.scalars(select(Answer).where(Answer.capability_id.is_not(None)).order_by(Answer.id)).first()
        answer.value_num = 5 if answer.value_num != 5 else 1
        session.flush()
        session.execute(delete(Response).where(Response.person_id == moved_id))
    answers_now, pairs_now = assert_exact(engine)

    with unit_of_work(engine) as session:  # a follow-up linked to no baseline, then back
        follow = session.scalars(select(SurveyWave).where(SurveyWave.baseline_wave_id.is_not(None))).first()
        follow_id, base_id = follow.id, follow.baseline_wave_id
        session.execute(update(SurveyWave).where(SurveyWave.id == follow_id).values(baseline_wave_id=None))
        unlinked = _read(session.connection())[1]
        assert [k for k in pairs_now if k[1] == follow_id] and not [k for k in unlinked if k[1] == follow_id]
        session.execute(update(SurveyWave).where(SurveyWave.id == follow_id).values(baseline_wave_id=base_id))
    assert assert_exact(engine) == (answers_now, pairs_now)

    with unit_of_work(engine) as session:  # retention removes every identity of the baseline: no pairs left
        base = session.get(SurveyWave, base_id)
        base.closes, base.identity_retention_days = TODAY - dt.timedelta(days=400), 30
        session.flush()
        privacy.apply_retention(session, now=dt.datetime(2026, 11, 22, 12))
    answers_after_retention, pairs_after_retention = assert_exact(engine)
    assert not [k for k in pairs_after_retention if k[0] == base_id]
    assert answers_after_retention == answers_now  # the answers stay

    with unit_of_work(engine) as session:  # a whole wave deleted: its counts go to zero
        session.execute(delete(SurveyWave).where(SurveyWave.id == follow_id))
    answers_left, _ = assert_exact(engine)
    assert answers_left and not [k for k in answers_left if k[0] == follow_id]


def test_the_change_figures_read_from_the_totals_equal_the_query_over_the_answers(engine):
    demo.build_demo(engine, employees=150, seed=11, today=TODAY)
    with read_session(engine) as session:
        follow = session.scalars(select(SurveyWave).where(SurveyWave.baseline_wave_id.is_not(None))).first()
        base = session.get(SurveyWave, follow.baseline_wave_id)
        kept = evidence._pair_sums(session, base, follow)
        linked, follow.baseline_wave_id = follow.baseline_wave_id, None  # not flushed: forces the query
        queried = evidence._pair_sums(session, base, follow)
        follow.baseline_wave_id = linked
        session.rollback()
    assert kept and set(kept) == set(queried)
    for group, sums in kept.items():
        other = queried[group]
        assert (sums.n, sums.total, sums.total_sq, sums.pre_total, sums.post_total) == (
            other.n, other.total, other.total_sq, other.pre_total, other.post_total,
        )  # fmt: skip
