"""What people wrote, on SQLite and Postgres: comments only from teams at or above the minimum group (within the
filters), never with identity, recurring terms from scikit-learn's vectorizer, and barriers per program."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import NotFound
from ldcore.models import Plan, Response
from ldcore.services import comments
from tests.support.comments import build
from tests.support.impact import D


def written(engine, **filters) -> comments.Comments:
    with read_session(engine) as session:
        return comments.free_text(session, plan_key="p1", wave_key="fu", question_key="comments", **filters)


def test_comments_come_only_from_teams_at_or_above_the_minimum_sorted_by_text_without_identity(engine):
    build(engine)
    found = written(engine)

    assert [(c.team, c.text) for c in found.comments] == [
        ("A1", "<b>More practice</b> please"),  # returned verbatim; the page shows it as text
        ("A1", "More practice with real cases"),
        ("A1", "More practice with role plays"),
        ("A1", "My manager helped"),
        *[("S1", f"Refresher in a few months, person {n}") for n in range(5)],
        ("A1", "Time to apply it is the hard part"),
    ]
    assert found.hidden_teams == 1  # l1's three people
    assert "Only three of us wrote this" not in str(found)
    assert [f.name for f in dataclasses.fields(comments.Comment)] == ["team", "text"]  # no person, no time, no id
    assert "Person" not in str(found) and "@example.org" not in str(found)


def test_a_filter_that_leaves_a_team_below_the_minimum_hides_that_teams_comments(engine):
    build(engine)

    assert [c.team for c in written(engine, team_key="s1").comments] == ["S1"] * 5
    assert written(engine, team_key="l1").comments == []
    # Rating themselves Basic or below in Negotiation: a1 has 3 such people, s1 none, so nothing is shown.
    low = written(engine, low_in_capability="neg")
    assert (low.comments, low.hidden_teams) == ([], 2)
    with pytest.raises(NotFound, match="No capability 'nope'"):
        written(engine, low_in_capability="nope")


def test_anonymous_waves_give_the_same_comments_and_no_identity(engine):
    build(engine, anonymity="anonymous")
    found = written(engine)

    assert len(found.comments) == 10
    with read_session(engine) as session:
        assert session.scalar(select(Response.person_id).where(Response.person_id.is_not(None))) is None


def test_recurring_terms_count_words_and_two_word_phrases_used_in_two_comments_or_more():
    terms = comments.recurring_terms(
        ["More practice with real cases", "More practice with role plays", "Practice makes the difference", "Hello"]
    )

    assert terms.stop_words_removed
    assert [(t.term, t.count, t.comments) for t in terms.terms] == [("practice", 3, 3)]
    # "more" and "with" are English stop words; "real", "cases" and "hello" occur once only


def test_recurring_terms_in_a_language_without_a_stop_word_list_keep_common_words():
    terms = comments.recurring_terms(["mehr Übung bitte", "mehr Übung", "mehr Zeit"], language="de")

    assert not terms.stop_words_removed
    assert [(t.term, t.comments) for t in terms.terms] == [("mehr", 3), ("mehr übung", 2), ("übung", 2)]


def test_barriers_are_ranked_per_program_from_its_audience_and_hidden_below_the_minimum(engine):
    build(engine)
    with read_session(engine) as session:
        by_program = {p.initiative: p for p in comments.program_barriers(session, plan_key="p1")}

    academy = by_program["academy"]  # audience a1 and a2: a1's 5 respondents who named a barrier
    assert academy.respondents == 5
    assert [(b.barrier, b.count) for b in academy.barriers] == [
        ("No time", 4),
        ("Little support from my manager", 1),
        ("Nothing got in the way", 1),
    ]
    assert by_program["service"].respondents == 5  # s1
    leaders = by_program["leaders"]  # l1: three respondents
    assert (leaders.wave, leaders.respondents, leaders.barriers) == ("fu", None, [])


def test_a_wave_of_another_plan_is_not_found(engine):
    build(engine)
    with unit_of_work(engine) as session:
        session.add(Plan(key="p2", name="Other", starts=D(2027, 1, 1), ends=D(2027, 12, 31)))
    with read_session(engine) as session, pytest.raises(NotFound, match="No survey wave 'fu' in plan 'p2'"):
        comments.free_text(session, plan_key="p2", wave_key="fu", question_key="comments")
