"""Waves and invitations: snapshots, audience, follow-up proposals, links stored hashed, response rates that hide
small groups, non-respondents, reminders and mail through a local SMTP server."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import socket

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid
from ldcore.models import Invitation, SurveyWave
from ldcore.services import responses, surveys
from ldcore.settings import SmtpSettings
from ldcore.survey_defs import SURVEYS_DIR
from tests.support.surveys import BASE, build, invite, make_wave, token_of

RATING = {"proficiency": {"neg": 3, "coach": 4, "excel": 2}}


def test_a_wave_snapshots_its_definition_and_the_plan_capabilities(engine, tmp_path):
    build(engine)
    shutil.copy(SURVEYS_DIR / "capability_baseline.yaml", tmp_path / "capability_baseline.yaml")
    wave = make_wave(engine, surveys_dir=tmp_path, opens=dt.date(2027, 1, 10), closes=dt.date(2027, 1, 31))
    assert (wave.min_group, wave.anonymity, wave.capabilities) == (5, "confidential", ["neg", "coach", "excel"])
    assert wave.title == "Where are you today? Capability self-assessment"
    (tmp_path / "capability_baseline.yaml").write_text(
        "title: Changed\nquestions:\n  - {key: other, type: text, text: Other, level: 1}\n"
    )
    with read_session(engine) as session:
        stored = session.scalars(select(SurveyWave)).one()
        definition = surveys.wave_definition(stored)
    assert definition.title == "Where are you today? Capability self-assessment"
    assert definition.question("proficiency").text == "Rate your current proficiency"
    assert stored.definition["capabilities"] == ["neg", "coach", "excel"]


def test_an_initiative_wave_takes_the_initiative_capabilities_and_audience(engine):
    build(engine)
    make_wave(engine, "base", initiative="academy")
    wave = make_wave(
        engine,
        "follow",
        "capability_followup",
        kind="followup",
        initiative="academy",
        baseline_wave="base",
        anonymity="anonymous",
        min_group=3,
    )
    assert (wave.capabilities, wave.baseline_wave, wave.initiative, wave.min_group) == (["neg"], "base", "academy", 3)
    links = invite(engine, "follow")
    assert sorted({link.team for link in links}) == ["Alpha Sales", "Beta Service"]
    assert len(links) == 11


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_group": 2}, "never below 3"),
        ({"opens": dt.date(2027, 2, 1), "closes": dt.date(2027, 1, 1)}, "cannot close before it opens"),
        ({"baseline_wave": "other"}, "only a follow-up wave links to a baseline"),
        ({"anonymity": "secret"}, "anonymity"),
        ({"initiative": "nope"}, "no initiative 'nope'"),
        ({"survey": "no_such_survey"}, "No survey definition 'no_such_survey'"),
    ],
)
def test_a_wave_that_does_not_fit_is_refused_with_the_reason(engine, fields, message):
    build(engine)
    with pytest.raises(Invalid, match=message):
        make_wave(engine, **fields)
    with read_session(engine) as session:
        assert session.scalars(select(SurveyWave)).all() == []


def test_a_followup_must_link_to_a_baseline_wave_and_keys_are_unique(engine):
    build(engine)
    make_wave(engine, "base")
    make_wave(engine, "f1", "capability_followup", kind="followup")
    with pytest.raises(Invalid, match="not a baseline wave"):
        make_wave(engine, "f2", "capability_followup", kind="followup", baseline_wave="f1")
    with pytest.raises(Conflict, match="already exists"):
        make_wave(engine, "base")


def test_followups_are_proposed_30_60_and_90_days_after_the_initiative_ends(engine):
    build(engine)
    make_wave(engine, "academy-followup-60", "capability_followup", kind="followup")
    with read_session(engine) as session:
        proposals = surveys.followup_proposals(session, plan_key="p1")
    assert [(p.days, p.opens, p.key, p.exists) for p in proposals] == [
        (30, dt.date(2027, 4, 30), "academy-followup-30", False),
        (60, dt.date(2027, 5, 30), "academy-followup-60", True),
        (90, dt.date(2027, 6, 29), "academy-followup-90", False),
    ]


def test_each_audience_person_gets_one_link_whose_token_is_stored_only_as_its_hash(engine):
    build(engine, {"alpha": 6, "beta": 5, "tiny": 2, "outside": 3})
    make_wave(engine)
    links = invite(engine, "base")
    assert len(links) == 13  # teams with a target; "outside" has none
    assert all(link.link.startswith(f"{BASE}/respond?t=") for link in links)
    tokens = [token_of(link) for link in links]
    assert len(set(tokens)) == 13 and all(len(t) >= 43 for t in tokens)  # 32 random bytes
    with read_session(engine) as session:
        stored = session.scalars(select(Invitation)).all()
        hashes = {i.token_hash for i in stored}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(t in h for t in tokens for h in hashes)
    assert invite(engine, "base") == []  # nobody is invited twice


def test_response_rates_hide_teams_with_fewer_answers_than_the_minimum_group(engine):
    build(engine, {"alpha": 6, "beta": 5, "tiny": 2})
    make_wave(engine)
    links = {link.email: token_of(link) for link in invite(engine, "base")}
    answered = [f"alpha{i}@example.org" for i in range(5)] + ["beta0@example.org", "tiny0@example.org"]
    for email in answered:
        with unit_of_work(engine) as session:
            responses.submit_response(session, token=links[email], answers=RATING)
    with read_session(engine) as session:
        rates = surveys.response_rates(session, wave_key="base")
        pending = surveys.non_respondents(session, wave_key="base")
    assert [(t.team, t.invited, t.responded, t.rate) for t in rates.teams] == [
        ("Alpha Sales", 6, 5, 0.833),
        ("Other teams", 7, None, None),  # Tiny Team (2 invited) merged, with Beta Service so that it holds 5
    ]
    # hidden teams hold 2 answers: the total would reveal them by subtraction, so it is hidden too
    assert (rates.invited, rates.responded, rates.rate) == (13, None, None)
    assert sorted(p.email for p in pending) == sorted(set(links) - set(answered))


def test_reminders_go_at_most_three_times_two_days_apart_with_the_same_link(engine):
    build(engine, {"alpha": 2})
    make_wave(engine)
    first = {link.email: token_of(link) for link in invite(engine, "base")}
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=first["alpha0@example.org"], answers=RATING)
    start = dt.datetime(2030, 1, 1, 9)

    def remind(at):
        with unit_of_work(engine) as session:
            return surveys.remind(session, wave_key="base", base_url=BASE, now=at)

    links, skipped = remind(start)
    assert ([link.email for link in links], skipped) == (["alpha1@example.org"], 0)
    with pytest.raises(Invalid, match="Too soon for a reminder"):
        remind(start + dt.timedelta(days=1))
    assert len(remind(start + dt.timedelta(days=2))[0]) == 1
    links, _ = remind(start + dt.timedelta(days=4))
    with pytest.raises(Invalid, match="had 3 reminders already"):
        remind(start + dt.timedelta(days=10))
    assert token_of(links[0]) == first["alpha1@example.org"]
    with read_session(engine) as session:
        assert responses.respond_form(session, token=first["alpha1@example.org"]).wave_key == "base"
        assert surveys.non_respondents(session, wave_key="base")[0].reminders_sent == 3


def test_invitations_are_mailed_through_the_configured_smtp_server(engine):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        build(engine, {"alpha": 3})
        make_wave(engine)
        links = invite(engine, "base")
        smtp = SmtpSettings(host="127.0.0.1", port=port, sender="ld@example.org")
        sent, failed = surveys.send_links(smtp, links, title="Baseline")
        with unit_of_work(engine) as session:
            assert surveys.mark_sent(session, wave_key="base", emails=sent) == 3
    finally:
        controller.stop()
    assert (sorted(sent), failed) == (sorted(link.email for link in links), [])
    by_to = {m["To"]: m for m in received}
    assert set(by_to) == set(sent)
    body = by_to[links[0].email].get_payload(decode=True).decode()
    assert links[0].link in body and by_to[links[0].email]["Subject"] == "Baseline"
    with read_session(engine) as session:
        assert all(i.sent_at is not None for i in session.scalars(select(Invitation)))


def test_sending_without_smtp_configured_says_what_to_configure():
    with pytest.raises(Invalid, match=r"\[smtp\] section"):
        surveys.send_links(SmtpSettings(), [], title="x")
