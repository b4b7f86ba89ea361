"""One person, one response per wave, whatever the channel: an import with a roster email credits that person's
invitation (response rates, reminders, their link), and a second response of a person is refused by line."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Invitation, Response, utcnow
from ldcore.services import imports, responses, surveys
from tests.support.surveys import BASE, build, invite, make_wave, token_of

RATING = {"proficiency": {"neg": 3, "coach": 4, "excel": 2}}
HEADER = "response_id,email,proficiency[neg],proficiency[coach],proficiency[excel]\n"


def run_import(engine, text: str) -> imports.ImportReport:
    with unit_of_work(engine) as session:
        return imports.import_responses(session, wave_key="base", data=text.encode(), filename="answers.csv")


def stored(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count(Response.id)))


def test_an_imported_response_with_a_roster_email_credits_the_persons_invitation(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    links = {link.email: token_of(link) for link in invite(engine, "base")}

    report = run_import(engine, HEADER + "x1,Alpha0@example.org,3,4,2\nx2,alpha1@example.org,2,2,2\n")

    assert report.new == 2
    with read_session(engine) as session:
        rates = surveys.response_rates(session, wave_key="base")
        pending = surveys.non_respondents(session, wave_key="base")
        with pytest.raises(responses.LinkRefused, match="You have already answered"):
            responses.respond_form(session, token=links["alpha0@example.org"])
        assert responses.respond_form(session, token=links["alpha2@example.org"]).wave_key == "base"
    assert (rates.invited, rates.responded) == (6, None)  # 2 answered: under the minimum group of 5, hidden
    assert sorted(p.email for p in pending) == [f"alpha{i}@example.org" for i in (2, 3, 4, 5)]
    with unit_of_work(engine) as session:
        reminded, _ = surveys.remind(session, wave_key="base", base_url=BASE, now=utcnow() + dt.timedelta(days=3))
    assert sorted(link.email for link in reminded) == [f"alpha{i}@example.org" for i in (2, 3, 4, 5)]


def test_a_person_who_answered_through_the_link_is_refused_in_an_import_by_line(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    links = {link.email: token_of(link) for link in invite(engine, "base")}
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=links["alpha0@example.org"], answers=RATING)

    with pytest.raises(Invalid) as refused:
        run_import(engine, HEADER + "x1,alpha1@example.org,3,4,2\nx2,alpha0@example.org,2,2,2\n")

    assert refused.value.problems == [("line 3", "this person has already answered this wave; one answer per person")]
    assert stored(engine) == 1


def test_two_rows_of_one_person_in_a_file_are_refused_and_nothing_is_stored(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    invite(engine, "base")

    with pytest.raises(Invalid) as refused:
        run_import(engine, HEADER + "x1,alpha1@example.org,3,4,2\nx2,ALPHA1@example.org,2,2,2\n")

    assert [line for line, _ in refused.value.problems] == ["line 3"]
    assert stored(engine) == 0


def test_a_person_credited_by_an_import_cannot_answer_again_through_their_link(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    links = {link.email: token_of(link) for link in invite(engine, "base")}
    run_import(engine, HEADER + "x1,alpha3@example.org,3,4,2\n")

    with unit_of_work(engine) as session, pytest.raises(responses.LinkRefused, match="already answered"):
        responses.submit_response(session, token=links["alpha3@example.org"], answers=RATING)
    assert stored(engine) == 1


def test_someone_imported_before_the_invitations_counts_as_answered_and_gets_no_link(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    run_import(engine, HEADER + "x1,alpha3@example.org,3,4,2\n")

    links = invite(engine, "base")

    assert sorted(link.email for link in links) == [f"alpha{i}@example.org" for i in (0, 1, 2, 4, 5)]
    with read_session(engine) as session:
        used = session.scalar(select(func.count(Invitation.id)).where(Invitation.used_at.is_not(None)))
    assert used == 1


def test_an_anonymous_wave_credits_the_person_without_keeping_who_answered(engine):
    build(engine, {"alpha": 6})
    make_wave(engine, anonymity="anonymous")
    links = {link.email: token_of(link) for link in invite(engine, "base")}

    run_import(engine, HEADER + "x1,alpha0@example.org,3,4,2\n")

    with read_session(engine) as session:
        assert session.scalars(select(Response.person_id)).all() == [None]
        with pytest.raises(responses.LinkRefused, match="already answered"):
            responses.respond_form(session, token=links["alpha0@example.org"])
    with pytest.raises(Invalid, match="answer twice"):
        run_import(engine, HEADER + "x2,alpha0@example.org,3,4,2\n")
