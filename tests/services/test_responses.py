"""Submitting answers: validation against the wave snapshot, the storage contract, single use under double
clicks and 20 simultaneous submitters, refused links, open links, anonymity and the self-generated pairing code."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Answer, Capability, Invitation, Response
from ldcore.services import responses, surveys
from tests.support.surveys import BASE, build, invite, make_wave, token_of

FOLLOWUP = {
    "proficiency": {"neg": 4, "coach": "Not applicable", "excel": 2},
    "applied": {"neg": 5, "coach": None},
    "confidence": 4,
    "barriers": ["No opportunity to use it", "No time"],
    "attribution_pct": 40,
    "attribution_confidence": 72.5,
    "comments": "  =HYPERLINK('x') <b>kept as written</b>  ",
}


def counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return (
            session.scalar(select(func.count(Response.id))),
            session.scalar(select(func.count(Answer.id))),
            session.scalar(select(func.count(Invitation.id)).where(Invitation.used_at.is_not(None))),
        )


def submit(engine, **kwargs) -> int:
    with unit_of_work(engine) as session:
        return responses.submit_response(session, **kwargs)


@pytest.fixture
def followup(engine):
    build(engine, {"alpha": 6, "beta": 5})
    make_wave(engine, "follow", "capability_followup", kind="followup")
    return engine, invite(engine, "follow")


def test_a_followup_response_is_stored_one_row_per_answer(followup):
    engine, links = followup
    submit(engine, token=token_of(links[0]), answers=FOLLOWUP)
    with read_session(engine) as session:
        caps = {c.id: c.key for c in session.scalars(select(Capability))}
        response = session.scalars(select(Response)).one()
        rows = sorted(
            (
                (a.question_key, caps.get(a.capability_id), a.value_num, a.value_text, a.team_id, a.wave_id)
                for a in response.answers
            ),
            key=str,
        )
        invitation = session.scalars(select(Invitation).where(Invitation.used_at.is_not(None))).one()
    team, wave = response.team_id, response.wave_id
    assert (
        rows
        == sorted(
            [
                ("proficiency", "neg", 4.0, None, team, wave),
                ("proficiency", "excel", 2.0, None, team, wave),
                ("applied", "neg", 5.0, None, team, wave),
                ("confidence", None, 4.0, None, team, wave),
                ("barriers", None, 1.0, "No time", team, wave),
                ("barriers", None, 2.0, "No opportunity to use it", team, wave),
                ("attribution_pct", None, 40.0, None, team, wave),
                ("attribution_confidence", None, 72.5, None, team, wave),
                ("comments", None, None, FOLLOWUP["comments"], team, wave),
            ],
            key=str,
        )
        or rows
    )
    assert (response.source, response.invitation_id, response.person_id is not None) == ("link", invitation.id, True)


@pytest.mark.parametrize(
    ("answers", "where", "message"),
    [
        ({"proficiency": {"neg": 6}}, "proficiency.neg", "must be one of: 1, 2, 3, 4, 5"),
        ({"proficiency": {"sales": 3}}, "proficiency.sales", "must be one of: neg, coach, excel"),
        ({"confidence": 0}, "confidence", "must be one of"),
        ({"confidence": "4"}, "confidence", "valid integer"),
        ({"barriers": ["No time", "Too hot"]}, "barriers", "must be one of: No time"),
        ({"barriers": "No time"}, "barriers", "valid list"),
        ({"attribution_pct": 120}, "attribution_pct", "less than or equal to 100"),
        ({"attribution_pct": float("nan")}, "attribution_pct", "finite"),
        ({"comments": 5}, "comments", "valid string"),
        ({"mood": "good"}, "mood", "not a question of this survey"),
    ],
)
def test_answers_that_do_not_fit_are_refused_next_to_their_question_and_nothing_is_stored(
    followup, answers, where, message
):
    engine, links = followup
    with pytest.raises(Invalid) as caught:
        submit(engine, token=token_of(links[0]), answers=answers)
    assert caught.value.problems[0][0] == where
    assert message in caught.value.problems[0][1]
    assert counts(engine) == (0, 0, 0)


def test_required_questions_need_an_answer_for_every_row(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    (link,) = invite(engine, "base")
    with pytest.raises(Invalid) as caught:
        submit(engine, token=token_of(link), answers={"confidence": 3, "proficiency": {"neg": 2}})
    assert caught.value.problems == [("proficiency", "an answer is required for every row (missing: coach, excel)")]
    with pytest.raises(Invalid) as caught:
        submit(engine, token=token_of(link), answers={"comments": "   "})
    assert caught.value.problems == [("proficiency", "an answer is required")]
    assert counts(engine) == (0, 0, 0)


def test_a_link_works_once_then_says_already_answered_and_every_other_refusal_reads_the_same(followup):
    engine, links = followup
    token = token_of(links[0])
    submit(engine, token=token, answers=FOLLOWUP)
    with pytest.raises(responses.LinkRefused, match="^You have already answered — thank you.$"):
        submit(engine, token=token, answers=FOLLOWUP)
    for bad in ("unknown-token", "", None):
        with pytest.raises(responses.LinkRefused) as caught:
            submit(engine, token=bad, answers=FOLLOWUP)
        assert str(caught.value) == responses.REFUSED
    assert counts(engine)[0] == 1


def test_expired_closed_and_not_yet_open_links_are_refused_with_the_same_message(engine):
    build(engine, {"alpha": 1})
    today = dt.date.today()
    make_wave(engine, "closed", closes=today - dt.timedelta(days=1))
    make_wave(engine, "later", opens=today + dt.timedelta(days=1))
    make_wave(engine, "open")
    closed, later = invite(engine, "closed")[0], invite(engine, "later")[0]
    with unit_of_work(engine) as session:
        expired = surveys.issue_invitations(
            session, wave_key="open", base_url=BASE, expires_at=dt.datetime.now() - dt.timedelta(hours=1)
        )[0]
    for link in (closed, later, expired):
        with pytest.raises(responses.LinkRefused, match="cannot be used"), read_session(engine) as session:
            responses.respond_form(session, token=token_of(link))
    assert counts(engine) == (0, 0, 0)


def test_a_double_click_stores_one_response(followup):
    engine, links = followup
    token = token_of(links[0])
    results = []
    for _ in range(2):
        try:
            results.append(submit(engine, token=token, answers=FOLLOWUP))
        except responses.LinkRefused:
            results.append("refused")
    assert results[1] == "refused" and counts(engine) == (1, 9, 1)


def run_together(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except responses.LinkRefused:
            results[i] = "refused"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_twenty_respondents_submitting_at_the_same_moment_all_land_exactly_once(engine):
    build(engine, {"alpha": 20})
    make_wave(engine)
    tokens = [token_of(link) for link in invite(engine, "base")]
    answers = {"proficiency": {"neg": 3, "coach": 3, "excel": 3}}
    results = run_together(20, lambda i: submit(engine, token=tokens[i], answers=answers))
    assert all(isinstance(r, int) for r in results), results
    assert counts(engine) == (20, 60, 20)


def test_twenty_tabs_submitting_one_link_at_the_same_moment_store_one_response(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    token = token_of(invite(engine, "base")[0])
    answers = {"proficiency": {"neg": 3, "coach": 3, "excel": 3}}
    results = run_together(20, lambda i: submit(engine, token=token, answers=answers))
    assert sum(isinstance(r, int) for r in results) == 1
    assert results.count("refused") == 19, results
    assert counts(engine) == (1, 3, 1)


def test_an_anonymous_wave_stores_neither_person_nor_invitation_and_keeps_only_the_day(engine):
    build(engine, {"alpha": 1})
    make_wave(engine, anonymity="anonymous")
    (link,) = invite(engine, "base")
    submit(engine, token=token_of(link), answers={"proficiency": {"neg": 1, "coach": 2, "excel": 3}})
    with read_session(engine) as session:
        response = session.scalars(select(Response)).one()
        invitation = session.scalars(select(Invitation)).one()
    assert (response.person_id, response.invitation_id) == (None, None)
    assert response.submitted_at.time() == dt.time() and invitation.used_at == response.submitted_at
    assert response.team_id is not None


def test_a_self_generated_code_pairs_anonymous_baseline_and_followup(engine):
    build(engine, {"alpha": 2})
    make_wave(engine, "base", anonymity="anonymous")
    make_wave(engine, "follow", "capability_followup", kind="followup", baseline_wave="base", anonymity="anonymous")
    base, follow = invite(engine, "base"), invite(engine, "follow")
    rating = {"proficiency": {"neg": 2, "coach": 2, "excel": 2}}
    submit(
        engine, token=token_of(base[0]), answers=rating, pairing={"mother": "Zoë", "birthday": "07", "street": "Elm"}
    )
    submit(
        engine, token=token_of(follow[0]), answers=rating, pairing={"mother": " zoe ", "birthday": 7, "street": "EL"}
    )
    submit(engine, token=token_of(base[1]), answers=rating, pairing={"mother": "Al", "birthday": 7, "street": "el"})
    with read_session(engine) as session:
        codes = [r.pairing_code for r in session.scalars(select(Response).order_by(Response.id))]
    assert codes[0] == codes[1] != codes[2] and len(codes[0]) == 64
    with pytest.raises(Invalid) as caught:
        submit(engine, token=token_of(follow[1]), answers=rating, pairing={"mother": "al", "birthday": 40})
    assert [w for w, _ in caught.value.problems] == ["pairing.birthday", "pairing.street"]


def test_an_open_link_takes_the_chosen_team_and_refuses_a_second_answer_from_the_same_browser(engine):
    build(engine)
    make_wave(engine, initiative="academy")
    with unit_of_work(engine) as session:
        link = surveys.create_open_link(session, wave_key="base", base_url=BASE)
    token = token_of(link)
    with read_session(engine) as session:
        form = responses.respond_form(session, open_token=token, client_id="browser-1")
    assert [t.key for t in form.teams] == ["alpha", "beta"] and form.open_link
    answers = {"proficiency": {"neg": 3}}
    with pytest.raises(Invalid, match="choose your team"):
        submit(engine, open_token=token, answers=answers, team_key="tiny", client_id="browser-1")
    submit(engine, open_token=token, answers=answers, team_key="beta", client_id="browser-1")
    submit(engine, open_token=token, answers=answers, team_key="alpha", client_id="browser-2")
    with pytest.raises(responses.LinkRefused, match="already been sent from this browser"):
        submit(engine, open_token=token, answers=answers, team_key="beta", client_id="browser-1")
    with pytest.raises(responses.LinkRefused), read_session(engine) as session:
        responses.respond_form(session, open_token=token, client_id="browser-1")
    results = run_together(
        10, lambda i: submit(engine, open_token=token, answers=answers, team_key="alpha", client_id="browser-3")
    )
    assert sum(isinstance(r, int) for r in results) == 1, results
    with read_session(engine) as session:
        stored = session.execute(select(Response.source, Response.client_id).order_by(Response.id)).all()
    assert stored == [("open", "browser-1"), ("open", "browser-2"), ("open", "browser-3")]


def test_the_form_shows_the_wave_snapshot_and_nothing_about_the_person(followup):
    engine, links = followup
    with read_session(engine) as session:
        form = responses.respond_form(session, token=token_of(links[0]))
    dumped = form.model_dump_json()
    assert form.definition.question("applied").per_capability
    assert [c.name for c in form.capabilities] == ["Negotiation", "Coaching", "Spreadsheets"]
    assert links[0].email not in dumped and links[0].name not in dumped
