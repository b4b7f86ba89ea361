"""Reminders never disable a link already sent: every link of a person works until that person answers, then all
refuse; a reminder is refused within the gap after the invitation or the last reminder; links can be fetched again."""

from __future__ import annotations

import datetime as dt

import pytest

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import utcnow
from ldcore.services import responses, surveys
from tests.support.surveys import BASE, build, invite, make_wave, token_of

RATING = {"proficiency": {"neg": 3, "coach": 4, "excel": 2}}
LATER = utcnow() + dt.timedelta(days=3)


def remind(engine, now=LATER, **kw):
    with unit_of_work(engine) as session:
        return surveys.remind(session, wave_key="base", base_url=BASE, now=now, **kw)


def test_a_link_sent_before_a_reminder_still_opens_the_survey_and_refuses_after_the_answer(engine):
    build(engine, {"alpha": 3})
    make_wave(engine)
    first = {link.email: token_of(link) for link in invite(engine, "base")}
    reminded, skipped = remind(engine)
    again = {link.email: token_of(link) for link in reminded}

    assert (sorted(again), skipped) == (sorted(first), 0)
    with read_session(engine) as session:
        for email in first:
            assert responses.respond_form(session, token=first[email]).wave_key == "base"
            assert responses.respond_form(session, token=again[email]).wave_key == "base"
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=again["alpha0@example.org"], answers=RATING)
    with read_session(engine) as session:
        for token in (first["alpha0@example.org"], again["alpha0@example.org"]):
            with pytest.raises(responses.LinkRefused):
                responses.respond_form(session, token=token)
        assert responses.respond_form(session, token=first["alpha1@example.org"]).wave_key == "base"


def test_a_reminder_within_the_gap_of_the_invitation_or_last_reminder_is_refused_with_the_next_date(engine):
    build(engine, {"alpha": 2})
    make_wave(engine)
    invite(engine, "base")

    with pytest.raises(Invalid, match="Too soon for a reminder: reminders go at least 2 days after"):
        remind(engine, now=utcnow() + dt.timedelta(days=1))
    assert len(remind(engine)[0]) == 2
    with pytest.raises(Invalid, match="at least 5 days") as refused:
        remind(engine, now=LATER + dt.timedelta(days=4), gap_days=5)
    assert f"{LATER + dt.timedelta(days=5):%Y-%m-%d}" in str(refused.value)
    assert len(remind(engine, now=LATER + dt.timedelta(days=5), gap_days=5)[0]) == 2


def test_the_reminder_plan_counts_who_a_reminder_would_go_to(engine):
    build(engine, {"alpha": 3})
    make_wave(engine)
    links = invite(engine, "base")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(links[0]), answers=RATING)
        early = surveys.reminder_plan(session, wave_key="base")
        due = surveys.reminder_plan(session, wave_key="base", now=LATER)

    assert (early.due, early.not_due) == (0, 2) and early.next_at is not None
    assert (due.due, due.not_due, due.next_at) == (2, 0, None)


def test_an_editor_fetches_the_same_links_again_for_who_has_not_answered(engine):
    build(engine, {"alpha": 3})
    make_wave(engine)
    first = invite(engine, "base")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(first[0]), answers=RATING)
        again = surveys.invitation_links(session, wave_key="base", base_url=BASE)

    assert sorted(link.link for link in again) == sorted(link.link for link in first[1:])


def test_an_anonymous_wave_still_reminds_everybody_invited(engine):
    build(engine, {"alpha": 6})
    make_wave(engine, anonymity="anonymous")
    first = invite(engine, "base")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(first[0]), answers=RATING)

    links, _ = remind(engine)
    assert len(links) == 6
