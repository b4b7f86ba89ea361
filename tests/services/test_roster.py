"""Roster import: create and update by email, team by key or name, every bad line reported, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Person, Response, Team
from ldcore.services import plans, responses, roster
from tests.support.surveys import invite, make_wave, plan_document, token_of


@pytest.fixture
def planned(engine):
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
    return engine


def people(engine) -> dict[str, tuple[str, str, str, str]]:
    with read_session(engine) as session:
        return {
            p.email: (p.name, p.team.key, p.employee_id, p.manager_email) for p in session.scalars(select(Person)).all()
        }


def test_a_roster_is_imported_with_teams_found_by_key_or_by_name(planned):
    data = (
        "email,name,team,employee_id,role,manager_email\n"
        "Ann@Example.org,Ann,alpha,E1,Seller,boss@example.org\n"
        "bob@example.org,Bob,beta service,E2,,\n"
    )
    with unit_of_work(planned) as session:
        result = roster.import_roster(session, data=data.encode())
    assert (result.created, result.updated) == (2, 0)
    assert people(planned) == {
        "ann@example.org": ("Ann", "alpha", "E1", "boss@example.org"),
        "bob@example.org": ("Bob", "beta", "E2", ""),
    }


def test_reimporting_updates_people_by_email_and_counts_team_moves(planned):
    with unit_of_work(planned) as session:
        roster.import_roster(session, data="email,name,team\nann@example.org,Ann,alpha\nbob@example.org,Bob,beta\n")
    with unit_of_work(planned) as session:
        result = roster.import_roster(
            session, data="email,name,team\nANN@example.org,Ann Lee,beta\nbob@example.org,Bob,beta\n"
        )
    assert (result.created, result.updated, result.moved, result.unchanged) == (0, 1, 1, 1)
    assert people(planned)["ann@example.org"][:2] == ("Ann Lee", "beta")


def test_a_person_who_changes_team_keeps_the_team_of_earlier_answers(planned):
    make_wave(planned)
    with unit_of_work(planned) as session:
        roster.import_roster(session, data="email,name,team\nann@example.org,Ann,alpha\n")
    (link,) = invite(planned, "base")
    with unit_of_work(planned) as session:
        responses.submit_response(
            session, token=token_of(link), answers={"proficiency": {"neg": 3, "coach": 2, "excel": "Not applicable"}}
        )
    with unit_of_work(planned) as session:
        roster.import_roster(session, data="email,name,team\nann@example.org,Ann,beta\n")
    with read_session(planned) as session:
        response = session.scalars(select(Response)).one()
        assert session.get(Person, response.person_id).team.key == "beta"
        assert session.get(Team, response.team_id).key == "alpha"


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(planned):
    data = (
        "email,name,team\n"
        "good@example.org,Good,alpha\n"
        "not-an-email,Bad,alpha\n"
        "x@example.org,,alpha\n"
        "y@example.org,Y,nowhere\n"
        "good@example.org,Twice,beta\n"
    )
    with pytest.raises(Invalid) as caught, unit_of_work(planned) as session:
        roster.import_roster(session, data=data)
    where = [w for w, _ in caught.value.problems]
    assert where == ["line 3", "line 4", "line 5", "line 6"]
    assert "nowhere" in caught.value.problems[2][1]
    assert "line 2" in caught.value.problems[3][1]
    with read_session(planned) as session:
        assert session.scalar(select(func.count(Person.id))) == 0


def test_missing_or_unknown_columns_are_refused_naming_the_header_line(planned):
    with pytest.raises(Invalid, match="missing: team"), unit_of_work(planned) as session:
        roster.import_roster(session, data="email,name\na@example.org,A\n")
    with pytest.raises(Invalid, match="Unknown roster columns.*salary"), unit_of_work(planned) as session:
        roster.import_roster(session, data="email,name,team,salary\na@example.org,A,alpha,1\n")


def test_a_roster_that_is_not_text_is_refused_with_its_line(planned):
    data = b"email,name,team\na@example.org,Zo\x81,alpha\n"
    with pytest.raises(Invalid, match=r"^line 2: the file is not text"), unit_of_work(planned) as session:
        roster.import_roster(session, data=data)
