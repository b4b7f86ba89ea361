"""The respondent page with AppTest: no account, the form of the link's wave, problems next to their question,
a thank-you, then the same link refuses; unknown links get one plain message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import Answer, Response
from ldcore.services import responses, surveys
from tests.pages.helpers import page_test, texts
from tests.support.surveys import BASE, build, invite, make_wave, token_of

PAGE = "pages/respond.py"


def respond_page(monkeypatch, db_url, **params):
    at = page_test(monkeypatch, db_url, PAGE)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def stored(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        return session.scalar(select(func.count(Response.id))), session.scalar(select(func.count(Answer.id)))


@pytest.fixture
def link(engine):
    build(engine, {"alpha": 2})
    make_wave(engine)
    return token_of(invite(engine, "base")[0])


def test_a_personal_link_shows_the_form_without_navigation_or_personal_data(monkeypatch, db_url, engine, link):
    at = respond_page(monkeypatch, db_url, t=link)
    assert not at.exception
    assert at.title[0].value == "Where are you today? Capability self-assessment"
    assert [r.label for r in at.radio][:3] == ["1.1 Negotiation", "1.2 Coaching", "1.3 Spreadsheets"]
    assert "0 of 3 questions answered" in at.get("progress")[0].proto.text
    assert "alpha0@example.org" not in texts(at)
    assert len(at.sidebar) == 0


def test_a_missing_answer_is_shown_next_to_its_question_and_nothing_is_stored(monkeypatch, db_url, engine, link):
    at = respond_page(monkeypatch, db_url, t=link)
    at.radio(key="q:proficiency:neg").set_value(3)
    at.button(key="respond_submit").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == "an answer is required for every row"
    assert stored(engine) == (0, 0)


def test_answering_shows_thanks_and_the_link_then_refuses(monkeypatch, db_url, engine, link):
    at = respond_page(monkeypatch, db_url, t=link)
    at.radio(key="q:proficiency:neg").set_value(4)
    at.radio(key="q:proficiency:coach").set_value(2)
    at.radio(key="q:proficiency:excel").set_value("Not applicable")
    at.radio(key="q:confidence").set_value(3)
    at.text_area(key="q:comments").input("**bold** <script>alert(1)</script>")
    at.run()
    assert "3 of 3 questions answered" in at.get("progress")[0].proto.text
    at.button(key="respond_submit").click().run()
    assert not at.exception
    assert at.title[0].value == "Thank you!"
    assert stored(engine) == (1, 4)
    with read_session(engine) as session:
        comment = session.scalar(select(Answer.value_text).where(Answer.question_key == "comments"))
    assert comment == "**bold** <script>alert(1)</script>"
    again = respond_page(monkeypatch, db_url, t=link)
    assert [i.value for i in again.info] == ["You have already answered — thank you."]
    assert not again.radio and not again.title


@pytest.mark.parametrize("params", [{"t": "made-up"}, {"o": "made-up"}, {}])
def test_an_unknown_or_missing_link_gets_one_plain_message(monkeypatch, db_url, engine, link, params):
    at = respond_page(monkeypatch, db_url, **params)
    assert not at.exception
    assert [i.value for i in at.info] == [responses.REFUSED]
    assert not at.title and not at.radio


def test_an_open_link_asks_for_the_team_and_says_it_cannot_guarantee_one_answer_per_person(monkeypatch, db_url, engine):
    build(engine, {"alpha": 1})
    make_wave(engine, initiative="academy", anonymity="anonymous")
    with unit_of_work(engine) as session:
        token = token_of(surveys.create_open_link(session, wave_key="base", base_url=BASE))
    at = respond_page(monkeypatch, db_url, o=token)
    assert not at.exception
    assert responses.OPEN_LINK_NOTE in texts(at)
    at.radio(key="q:proficiency:neg").set_value(5)
    at.button(key="respond_submit").click().run()
    assert responses.CHOOSE_TEAM in [e.value for e in at.error]
    at.selectbox(key="respond_team").set_value("beta")
    at.text_input(key="pairing:mother").input("Al")
    at.run()
    at.button(key="respond_submit").click().run()
    assert stored(engine) == (0, 0)
    assert any("two letters or digits" in e.value for e in at.error)
    for key, value in (("pairing:birthday", "12"), ("pairing:street", "Oak")):
        at.text_input(key=key).input(value)
    at.run()
    at.button(key="respond_submit").click().run()
    assert at.title[0].value == "Thank you!"
    with read_session(engine) as session:
        response = session.scalars(select(Response)).one()
    assert (response.source, response.person_id, len(response.pairing_code)) == ("open", None, 64)


def test_a_nul_character_in_a_text_answer_is_shown_next_to_it_and_the_answers_stay(monkeypatch, db_url, engine, link):
    at = respond_page(monkeypatch, db_url, t=link)
    at.radio(key="q:proficiency:neg").set_value(4)
    at.radio(key="q:proficiency:coach").set_value(2)
    at.radio(key="q:proficiency:excel").set_value(1)
    at.text_area(key="q:comments").input("pasted\x00text")
    at.button(key="respond_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error][:1] == ["contains a NUL character (\\0), which cannot be stored; remove it"]
    assert at.text_area(key="q:comments").value == "pasted\x00text"
    assert stored(engine) == (0, 0)
    at.text_area(key="q:comments").input("pasted text")
    at.button(key="respond_submit").click().run()
    assert at.title[0].value == "Thank you!"
    assert stored(engine) == (1, 4)
