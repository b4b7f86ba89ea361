"""The respondent page in the respondent's language (link, browser header, browser locale, switcher), answers that
do not depend on the language, save and resume, and the builder's preview that stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ldcore.db import read_session
from ldcore.models import Answer, Response, ResponseDraft, SurveyWave
from ldcore.services import responses
from ldcore.ui import survey_form
from tests.pages.helpers import page_test, texts
from tests.pages.test_respond import respond_page, stored
from tests.support.surveys import TEST_SURVEYS, build, invite, make_wave, token_of


@pytest.fixture
def links(engine):
    build(engine, {"alpha": 3})
    make_wave(engine, survey="multilingual", surveys_dir=TEST_SURVEYS)
    return [token_of(link) for link in invite(engine, "base")]


def answer_all(at: AppTest, barriers: list[str]) -> AppTest:
    for cap, point in (("neg", 4), ("coach", 2), ("excel", "Not applicable")):
        at.radio(key=f"q:proficiency:{cap}").set_value(point)
    at.radio(key="q:confidence").set_value(5)
    at.multiselect(key="q:barriers").set_value(barriers)
    return at.run()


def test_the_link_language_shows_the_survey_and_the_page_in_german(monkeypatch, db_url, engine, links):
    at = respond_page(monkeypatch, db_url, t=links[0], lang="de")
    assert not at.exception
    assert at.title[0].value == "Wo stehen Sie heute?"
    assert "Schätzen Sie sich ehrlich ein." in texts(at)
    assert "**1. Wie gut beherrschen Sie das heute?** *" in [m.value for m in at.markdown]
    assert at.radio(key="q:proficiency:neg").options[0] == "1 Erste Kenntnisse"
    assert at.radio(key="q:proficiency:neg").options[-1] == "Nicht zutreffend"
    assert at.radio(key="q:confidence").label == "2. Wie sicher sind Sie?"
    assert at.multiselect(key="q:barriers").options == ["Keine Zeit", "Keine Unterstützung"]
    assert at.button(key="respond_submit").label == "Meine Antworten senden"
    assert "0 von 4 Fragen beantwortet" in at.get("progress")[0].proto.text
    assert "**Etwa 2 Minuten** · 4 Fragen" in [m.value for m in at.markdown]
    assert "Diese Umfrage ist vertraulich" in texts(at)
    assert at.selectbox(key="respond_lang").value == "de"
    assert at.selectbox(key="respond_lang").options == ["English", "Deutsch", "Français"]


def test_the_browser_locale_picks_french_and_untranslated_texts_stay_english(monkeypatch, db_url, engine, links):
    at = page_test(monkeypatch, db_url, "pages/respond.py")
    at.query_params["t"] = links[0]
    at.context["locale"] = "fr-FR"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Où en êtes-vous aujourd'hui ?"
    assert "Rate yourself honestly." in texts(at)
    assert at.radio(key="q:confidence").label == "2. How confident are you?"
    assert at.radio(key="q:proficiency:neg").options[-1] == "Non applicable"
    assert at.button(key="respond_submit").label == "Envoyer mes réponses"


def test_the_accept_language_header_comes_before_the_locale(monkeypatch, db_url, engine, links):
    monkeypatch.setattr(survey_form, "browser_languages", lambda: ("it-IT,de-DE;q=0.8,fr;q=0.5", "fr-FR"))
    at = respond_page(monkeypatch, db_url, t=links[0])
    assert at.title[0].value == "Wo stehen Sie heute?"
    monkeypatch.setattr(survey_form, "browser_languages", lambda: ("it-IT,es;q=0.8", None))
    at = respond_page(monkeypatch, db_url, t=links[1])
    assert at.title[0].value == "Where are you today?"
    assert at.button(key="respond_submit").label == "Send my answers"


def test_the_switcher_changes_the_language_and_keeps_the_answers(monkeypatch, db_url, engine, links):
    at = respond_page(monkeypatch, db_url, t=links[0])
    answer_all(at, ["No support"])
    at.selectbox(key="respond_lang").set_value("de").run()
    assert not at.exception
    assert at.query_params["lang"] == "de"
    assert at.title[0].value == "Wo stehen Sie heute?"
    assert at.multiselect(key="q:barriers").value == ["No support"]
    assert at.multiselect(key="q:barriers").options == ["Keine Zeit", "Keine Unterstützung"]
    assert at.radio(key="q:proficiency:excel").value == "Not applicable"
    assert at.radio(key="q:confidence").value == 5


def test_a_wave_answered_in_two_languages_is_stored_as_one(monkeypatch, db_url, engine, links):
    for token, lang in ((links[0], "en"), (links[1], "de")):
        at = respond_page(monkeypatch, db_url, t=token, lang=lang)
        answer_all(at, ["No time", "No support"])
        at.button(key="respond_submit").click().run()
        assert at.title[0].value == {"en": "Thank you!", "de": "Vielen Dank!"}[lang]
    with read_session(engine) as session:
        ids = list(session.scalars(select(Response.id).order_by(Response.id)))
        rows = [
            sorted(
                (a.question_key, a.capability_id, a.value_num, a.value_text)
                for a in session.scalars(select(Answer).where(Answer.response_id == rid))
            )
            for rid in ids
        ]
    assert len(ids) == 2 and rows[0] == rows[1]
    assert ("barriers", None, 2.0, "No support") in rows[1]
    with read_session(engine) as session:
        header, table = responses.response_table(session, wave=session.scalars(select(SurveyWave)).one())
    first = header.index("proficiency[neg]")
    assert [row[first:] for row in table] == [[4, 2, None, 5, "No time; No support", None]] * 2


def test_answers_come_back_on_another_visit_until_they_are_sent(monkeypatch, db_url, engine, links):
    at = respond_page(monkeypatch, db_url, t=links[0], lang="de")
    at.radio(key="q:proficiency:neg").set_value(4).run()
    at.multiselect(key="q:barriers").set_value(["No time"]).run()
    assert "Willkommen zurück" not in texts(at)
    with read_session(engine) as session:
        assert session.scalars(select(ResponseDraft.answers)).one() == {
            "proficiency": {"neg": 4},
            "barriers": ["No time"],
        }
    later = respond_page(monkeypatch, db_url, t=links[0])  # a new visit, in English this time
    assert not later.exception
    assert "Welcome back: the answers you gave earlier are filled in." in [i.value for i in later.info]
    assert later.radio(key="q:proficiency:neg").value == 4
    assert later.multiselect(key="q:barriers").value == ["No time"]
    assert "1 of 4 questions answered" in later.get("progress")[0].proto.text
    answer_all(later, ["No time"])
    later.button(key="respond_submit").click().run()
    assert later.title[0].value == "Thank you!"
    assert stored(engine)[0] == 1
    with read_session(engine) as session:
        assert session.scalars(select(ResponseDraft)).all() == []
    other = respond_page(monkeypatch, db_url, t=links[1])
    assert not other.info and other.radio(key="q:proficiency:neg").value is None


def test_a_refused_link_speaks_the_language_asked_for(monkeypatch, db_url, engine, links):
    at = respond_page(monkeypatch, db_url, t="made-up", lang="es")
    assert [i.value for i in at.info] == [
        "Este enlace de encuesta no se puede usar. Puede que ya se haya utilizado o que la encuesta no esté "
        "abierta. Si cree que se trata de un error, pregunte a la persona que se lo envió."
    ]


def test_an_open_link_asks_for_the_team_first_and_counts_it(monkeypatch, db_url, engine):
    from ldcore.db import unit_of_work
    from ldcore.services import surveys
    from tests.support.surveys import BASE

    build(engine, {"alpha": 1})
    make_wave(engine, initiative="academy")
    with unit_of_work(engine) as session:
        token = token_of(surveys.create_open_link(session, wave_key="base", base_url=BASE))
    at = respond_page(monkeypatch, db_url, o=token)
    assert at.selectbox(key="respond_team").label == "1. Your team *"
    assert at.radio(key="q:proficiency:neg").label == "2.1 Negotiation"
    assert "0 of 4 questions answered" in at.get("progress")[0].proto.text
    assert "This link does not ask who you are" in texts(at)
    at.selectbox(key="respond_team").set_value("alpha").run()
    assert "1 of 4 questions answered" in at.get("progress")[0].proto.text


def preview_script() -> None:
    from ldcore import survey_defs
    from ldcore.ui import survey_form
    from tests.support.surveys import TEST_SURVEYS

    definition = survey_defs.load_definition("multilingual", TEST_SURVEYS)
    survey_form.preview(definition, lang="de", prefix="phone:")


def test_the_preview_shows_the_survey_in_a_language_without_a_wave_or_a_database(monkeypatch):
    monkeypatch.setenv("LDALIGN_DATABASE_URL", "sqlite:////nonexistent/never-opened.db")
    at = AppTest.from_function(preview_script, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Wo stehen Sie heute?"
    assert at.radio(key="phone:q:proficiency:example_1").label == "1.1 Negotiation"
    assert at.button(key="phone:submit").disabled
    assert at.button(key="phone:submit").label == "Meine Antworten senden"
