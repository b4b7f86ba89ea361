"""The Privacy page with AppTest: admins only; a person's data is exported on request and erased only after the
confirmation; each wave's identity retention is shown, changed and applied."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import AuditEvent, Invitation, Person, Response
from ldcore.services import privacy, responses
from tests.pages.helpers import make_account, page_test, texts
from tests.support.surveys import build, invite, make_wave, token_of

PAGE = "pages/privacy.py"
ANSWERS = {"proficiency": {"neg": 3, "coach": 2, "excel": 4}, "comments": "More practice"}


@pytest.fixture
def admin_page(monkeypatch, db_url, engine):
    build(engine, {"alpha": 6, "beta": 5})
    make_wave(engine, "base", closes=dt.date(2027, 3, 31))
    link = next(link for link in invite(engine, "base") if link.email == "beta0@example.org")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(link), answers=ANSWERS)
    account = make_account(engine, role="admin")
    return lambda: page_test(monkeypatch, db_url, PAGE, account_id=account, engine=engine).run()


def people(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count(Person.id)).where(Person.email == "beta0@example.org"))


def audited(engine, action: str) -> list[tuple[str, str]]:
    with read_session(engine) as session:
        return [(e.actor, e.entity) for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_an_editor_cannot_open_the_privacy_page(monkeypatch, db_url, engine):
    build(engine, {"alpha": 1})
    editor = make_account(engine, role="editor")
    at = page_test(monkeypatch, db_url, PAGE, account_id=editor, engine=engine).run()
    assert "needs the admin role" in at.error[0].value
    assert not at.text_input


def test_an_admin_erases_a_person_only_after_confirming(admin_page, engine):
    at = admin_page()
    at.text_input(key="privacy_email").input("Beta0@example.org").run()
    assert not at.exception
    assert "Beta Person 0 · Beta Service · 1 invitations · 1 responses" in texts(at)

    at.button(key="privacy_erase").click().run()
    assert (
        "This removes Beta Person 0 from the roster with their 1 invitations; their 1 responses are deleted. "
        "It cannot be undone." in [w.value for w in at.warning]
    )
    assert people(engine) == 1
    at.button(key="privacy_erase_no").click().run()
    assert not at.warning and people(engine) == 1

    at.button(key="privacy_erase").click().run()
    at.button(key="privacy_erase_yes").click().run()
    assert not at.exception
    assert "Erased the person: responses 1 deleted, 1 invitations removed." in [s.value for s in at.success]
    assert people(engine) == 0
    assert at.text_input(key="privacy_email").value == ""
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Response.id))) == 0
        assert session.scalar(select(func.count(Invitation.id))) == 10
    assert audited(engine, "person.erase") == [("admin@pages.example", "person")]


def test_an_admin_downloads_a_persons_data_and_the_export_is_audited(admin_page, engine):
    at = admin_page()
    at.text_input(key="privacy_email").input("beta0@example.org").run()
    assert not at.get("download_button")
    at.button(key="privacy_export").click().run()
    assert not at.exception
    [download] = at.get("download_button")
    assert download.proto.label == "Download the person's data (JSON)"
    with read_session(engine) as session:
        expected = privacy.person_summary(session, email="beta0@example.org")
    assert (expected.invitations, expected.responses) == (1, 1)
    assert audited(engine, "person.export") == [("admin@pages.example", "person")]


def test_an_unknown_email_is_said_plainly(admin_page):
    at = admin_page()
    at.text_input(key="privacy_email").input("nobody@example.org").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Nobody with the email nobody@example.org is on the roster."]
    assert "privacy_erase" not in [b.key for b in at.button]


def test_an_admin_changes_a_waves_retention_and_applies_it(admin_page, engine):
    at = admin_page()
    table = at.dataframe[0].value
    assert table.to_dict("records") == [
        {
            "wave": "base",
            "closes": dt.date(2027, 3, 31),
            "days kept": 365,
            "identities removed on": dt.date(2028, 3, 30),
            "removed": False,
        }
    ]
    at.number_input(key="privacy_days_base").set_value(30).run()
    at.button(key="privacy_retention_save").click().run()
    assert not at.exception
    assert "Saved: wave base keeps identities 30 days after it closes." in [s.value for s in at.success]
    assert at.dataframe[0].value["identities removed on"].tolist() == [dt.date(2027, 4, 30)]
    at.button(key="privacy_retention_apply").click().run()
    assert "No identities were due yet." in [s.value for s in at.success]


def test_the_surveys_page_says_when_a_waves_identities_are_removed(monkeypatch, db_url, engine):
    build(engine, {"alpha": 6})
    make_wave(engine, "base", closes=dt.date(2027, 3, 31))
    make_wave(engine, "open-ended")
    editor = make_account(engine, role="editor")
    at = page_test(monkeypatch, db_url, "pages/surveys.py", account_id=editor, engine=engine)
    at.session_state["invite_wave"] = "base"
    at.run()
    assert not at.exception
    assert "Identities of respondents are removed on 2028-03-30 (an admin can change it on the Privacy page)." in texts(
        at
    )
    at.selectbox(key="invite_wave").select("open-ended").run()
    assert "Identities of respondents are removed 365 days after the wave closes." in texts(at)
    with unit_of_work(engine) as session:
        privacy.set_retention(session, wave_key="base", days=0, actor="admin@example.org")
        privacy.apply_retention(session, now=dt.datetime(2027, 4, 1, 6, 0))
    at.selectbox(key="invite_wave").select("base").run()
    assert "Identities of respondents were removed on 2027-04-01." in texts(at)
