"""The mail of a wave on the Surveys page with AppTest: the template editor refuses an unknown placeholder by name,
previews the typed text for one person, saves the templates and the schedule; the send-status table shows each
person's invitation, reminders and problem."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.models import WaveMailing
from ldcore.services import mailing, surveys
from ldcore.settings import SmtpSettings
from tests.pages.helpers import make_account, page_test, texts
from tests.support.surveys import BASE, build, invite, make_wave

PAGE = "pages/surveys.py"
OPENS = dt.date(2027, 3, 1)


@pytest.fixture
def editor_page(monkeypatch, db_url, engine):
    build(engine, {"alpha": 3})
    make_wave(engine, opens=OPENS, closes=dt.date(2027, 3, 15), title="Skills check")
    account = make_account(engine, role="editor")
    monkeypatch.setenv("LDALIGN_BASE_URL", "https://hr.example")
    return lambda: page_test(monkeypatch, db_url, PAGE, account_id=account, engine=engine).run()


def test_the_template_editor_refuses_an_unknown_placeholder_previews_and_saves(editor_page, engine):
    at = editor_page()
    assert not at.exception
    assert "Mail and schedule" in texts(at)
    default = [c.value for c in at.code]
    assert any(body.startswith("Hello Alpha Person 0,") for body in default)

    at.text_area(key="mail_invite_body_base").input("Hi {name}: {link} by {colses}.")
    at.button(key="FormSubmitter:mail_form_base-Preview").click().run()
    assert not at.exception
    assert any("unknown placeholders {colses}" in e.value for e in at.error)

    at.text_area(key="mail_invite_body_base").input("Hi {name}: {link} by {closes}.")
    at.button(key="FormSubmitter:mail_form_base-Preview").click().run()
    assert not at.error
    assert "Hi Alpha Person 0: https://hr.example/respond?t=PERSONAL-LINK by 15 March 2027." in [
        c.value for c in at.code
    ]
    with read_session(engine) as session:
        assert session.scalar(select(WaveMailing)) is None  # a preview stores nothing

    at.checkbox(key="mail_scheduled_base").check()
    at.text_input(key="mail_days_base").input("2, 5")
    at.button(key="FormSubmitter:mail_form_base-Save").click().run()
    assert not at.exception
    assert "Saved the mail of this wave." in [s.value for s in at.success]
    assert any("reminders 2 and 5 days after the invitation" in c.value for c in at.caption)
    assert any("The schedule has not run on this server yet" in c.value for c in at.caption)
    with read_session(engine) as session:
        row = session.scalar(select(WaveMailing))
    assert (row.invite_body, row.invite_subject, row.reminder_days, row.scheduled) == (
        "Hi {name}: {link} by {closes}.",
        None,  # the default subject, unchanged
        [2, 5],
        True,
    )


def test_bad_reminder_days_are_refused_next_to_the_field(editor_page, engine):
    at = editor_page()
    at.text_input(key="mail_days_base").input("7, 3")
    at.button(key="FormSubmitter:mail_form_base-Save").click().run()
    assert any("reminder days go up" in e.value for e in at.error)
    with read_session(engine) as session:
        assert session.scalar(select(WaveMailing)) is None
    at.text_input(key="mail_days_base").input("3, 7")
    at.button(key="FormSubmitter:mail_form_base-Preview").click().run()
    assert not at.error  # a preview starts afresh


def test_the_send_status_shows_sent_failed_and_not_yet_per_person(editor_page, engine):
    invite(engine, "base")
    with unit_of_work(engine) as session:
        mailing.save_templates(session, wave_key="base", texts={}, scheduled=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    now = dt.datetime(2027, 3, 1, 9)
    mailing.tick(engine, smtp=SmtpSettings(host="127.0.0.1", port=closed_port), base_url=BASE, now=now)
    with unit_of_work(engine) as session:  # one person's invitation went out by hand since
        surveys.mark_sent(session, wave_key="base", emails=["alpha2@example.org"], at=now)

    at = editor_page()
    assert not at.exception
    assert any("The schedule last ran on " in c.value for c in at.caption)
    table = at.dataframe[-1].value.set_index("email")
    assert table.loc["alpha0@example.org", "invitation"] == (
        "failed: the mail server could not be reached (1 try, tried again on the next run)"
    )
    assert table.loc["alpha2@example.org", "invitation"] == "sent 1 Mar 2027 09:00 UTC"
    assert list(table["reminders"]) == ["none", "none", "none"]
    assert "3 invited, 1 invitations mailed, 2 with a problem" in texts(at)
