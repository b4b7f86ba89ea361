"""Save and resume: answers kept while a person fills in a survey, per personal link (any device) or per browser
(open link), gone on submit, on erasure and once the wave has closed; nothing kept that the link does not imply."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import ResponseDraft
from ldcore.services import privacy, responses, surveys
from tests.support.surveys import BASE, TODAY, build, invite, make_wave, token_of

HALFWAY = {"proficiency": {"neg": 4, "coach": "Not applicable"}, "confidence": 2}


def save(engine, **kwargs) -> responses.Draft:
    with unit_of_work(engine) as session:
        return responses.save_draft(session, **kwargs)


def load(engine, **kwargs) -> responses.Draft:
    with read_session(engine) as session:
        return responses.load_draft(session, **kwargs)


def drafts(engine) -> list[tuple]:
    with read_session(engine) as session:
        rows = session.scalars(select(ResponseDraft).order_by(ResponseDraft.id))
        return [(d.invitation_id is not None, d.client_id, d.team_id, d.answers) for d in rows]


@pytest.fixture
def links(engine):
    build(engine, {"alpha": 2})
    make_wave(engine, closes=TODAY + dt.timedelta(days=3))
    return [token_of(link) for link in invite(engine, "base")]


def test_a_personal_link_gets_its_answers_back_on_any_device(engine, links):
    kept = save(engine, token=links[0], answers=HALFWAY)
    assert kept.answers == HALFWAY
    assert load(engine, token=links[0]).answers == HALFWAY
    assert load(engine, token=links[1]) == responses.Draft()
    save(engine, token=links[0], answers={**HALFWAY, "confidence": 5, "comments": "more later"})
    assert load(engine, token=links[0]).answers == {**HALFWAY, "confidence": 5, "comments": "more later"}
    assert len(drafts(engine)) == 1


def test_answers_that_do_not_fit_are_left_out_of_a_draft_not_refused(engine, links):
    kept = save(
        engine,
        token=links[0],
        answers={"proficiency": {"neg": 4, "nope": 2}, "confidence": 9, "invented": 1, "comments": "ok"},
    )
    assert kept.answers == {"proficiency": {"neg": 4}, "comments": "ok"}
    assert load(engine, token=links[0]).answers == {"proficiency": {"neg": 4}, "comments": "ok"}


def test_sending_the_answers_deletes_the_draft_and_the_link_then_refuses(engine, links):
    save(engine, token=links[0], answers=HALFWAY)
    save(engine, token=links[1], answers=HALFWAY)
    with unit_of_work(engine) as session:
        responses.submit_response(
            session, token=links[0], answers={**HALFWAY, "proficiency": {"neg": 4, "coach": 1, "excel": 2}}
        )
    assert [answers for *_, answers in drafts(engine)] == [HALFWAY]
    with pytest.raises(responses.LinkRefused, match="already answered"):
        load(engine, token=links[0])
    with pytest.raises(responses.LinkRefused, match="already answered"):
        save(engine, token=links[0], answers=HALFWAY)


def test_an_unknown_link_keeps_nothing(engine, links):
    with pytest.raises(responses.LinkRefused):
        save(engine, token="made-up", answers=HALFWAY)
    assert drafts(engine) == []


def test_an_open_link_keeps_answers_and_team_per_browser_and_never_the_personal_code(engine):
    build(engine)
    make_wave(engine, initiative="academy")
    with unit_of_work(engine) as session:
        token = token_of(surveys.create_open_link(session, wave_key="base", base_url=BASE))
    save(engine, open_token=token, client_id="browser-1", answers=HALFWAY, team_key="beta")
    save(engine, open_token=token, client_id="browser-2", answers={"confidence": 1}, team_key="tiny")
    only_neg = {"proficiency": {"neg": 4}, "confidence": 2}  # the initiative's capabilities only
    assert load(engine, open_token=token, client_id="browser-1") == responses.Draft(answers=only_neg, team_key="beta")
    assert load(engine, open_token=token, client_id="browser-2") == responses.Draft(answers={"confidence": 1})
    assert load(engine, open_token=token, client_id="browser-3") == responses.Draft()
    with unit_of_work(engine) as session:
        responses.submit_response(
            session,
            open_token=token,
            client_id="browser-1",
            team_key="beta",
            answers=only_neg,
            pairing={"mother": "al", "birthday": 7, "street": "el"},
        )
    assert drafts(engine) == [(False, "browser-2", None, {"confidence": 1})]
    with pytest.raises(responses.LinkRefused, match="from this browser"):
        load(engine, open_token=token, client_id="browser-1")


def test_a_draft_in_an_anonymous_wave_holds_only_answers_and_the_day(engine):
    build(engine, {"alpha": 1})
    make_wave(engine, anonymity="anonymous")
    token = token_of(invite(engine, "base")[0])
    save(engine, token=token, answers=HALFWAY, team_key="alpha", now=dt.datetime(2030, 1, 2, 15, 47, 11))
    with read_session(engine) as session:
        draft = session.scalars(select(ResponseDraft)).one()
        assert (draft.client_id, draft.team_id, draft.answers) == (None, None, HALFWAY)
        assert draft.saved_at == dt.datetime(2030, 1, 2)


def test_erasing_a_person_removes_their_draft_which_their_data_export_shows_before(engine, links):
    save(engine, token=links[0], answers=HALFWAY)
    save(engine, token=links[1], answers={"confidence": 3})
    with unit_of_work(engine) as session:
        data = privacy.person_data(session, email="alpha0@example.org", actor="test")
    assert [i.unsent_answers for i in data.invitations] == [HALFWAY]
    with unit_of_work(engine) as session:
        privacy.erase_person(session, email="alpha0@example.org", answers="delete", actor="test")
    assert [answers for *_, answers in drafts(engine)] == [{"confidence": 3}]


def test_retention_removes_the_drafts_of_a_closed_wave_only(engine, links):
    make_wave(engine, "later", closes=TODAY + dt.timedelta(days=30))
    later = token_of(invite(engine, "later")[0])
    save(engine, token=links[0], answers=HALFWAY)
    save(engine, token=later, answers={"confidence": 3})
    with unit_of_work(engine) as session:
        privacy.apply_retention(session, now=dt.datetime.combine(TODAY + dt.timedelta(days=5), dt.time()))
    assert [answers for *_, answers in drafts(engine)] == [{"confidence": 3}]
    with read_session(engine) as session:
        assert session.scalar(select(func.count(ResponseDraft.id))) == 1


def test_estimated_minutes_grow_with_the_questions_and_the_capabilities():
    from ldcore import survey_defs

    baseline = survey_defs.load_definition("capability_baseline")
    followup = survey_defs.load_definition("capability_followup")
    assert responses.estimated_minutes(baseline, capabilities=3) == 1
    assert responses.estimated_minutes(followup, capabilities=3) == 3
    assert responses.estimated_minutes(followup, capabilities=14) == 5
    assert responses.estimated_minutes(baseline, capabilities=14) == 2


def test_an_import_that_credits_a_person_removes_what_they_began_through_the_link(engine):
    from ldcore.services import imports

    build(engine, {"alpha": 2})
    make_wave(engine)
    links = {link.email: token_of(link) for link in invite(engine, "base")}
    save(engine, token=links["alpha0@example.org"], answers=HALFWAY)
    save(engine, token=links["alpha1@example.org"], answers={"confidence": 3})
    text = "response_id,email,proficiency[neg],proficiency[coach],proficiency[excel]\nx1,alpha0@example.org,3,4,2\n"
    with unit_of_work(engine) as session:
        imports.import_responses(session, wave_key="base", data=text.encode(), filename="answers.csv")
    assert [answers for *_, answers in drafts(engine)] == [{"confidence": 3}]
