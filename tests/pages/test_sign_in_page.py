"""The sign-in page in AppTest: a wrong password, the lock after repeated failures, and password sign-in off."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from ldcore.db import unit_of_work
from ldcore.models import utcnow
from ldcore.services import accounts
from tests.pages.helpers import make_account, page_test, texts


def _try(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_a_wrong_password_and_a_locked_account_are_said_without_naming_the_account(monkeypatch, sqlite_engine):
    make_account(sqlite_engine, role="admin")
    make_account(sqlite_engine, role="editor")
    at = utcnow() - dt.timedelta(seconds=511)  # ten failures, each right after its back-off: locked from now
    for failure in range(1, accounts.LOCK_AFTER_FAILURES + 1):
        with unit_of_work(sqlite_engine, bump=False) as session:
            accounts.sign_in(session, email="editor@pages.example", password="guess", now=at)
        at += dt.timedelta(seconds=2 ** (failure - 1))
    page = page_test(monkeypatch, str(sqlite_engine.url), "app.py").run()
    assert not page.exception
    _try(page, "admin@pages.example", "not-the-password")
    assert [e.value for e in page.error] == [accounts.WRONG]
    _try(page, "editor@pages.example", "page-test-password")
    locked = page.error[0].value
    assert locked.startswith("Too many failed sign-ins for this email. Try again in 1") and " minutes, or ask" in locked
    assert "Signed in as" not in texts(page)


def test_with_password_sign_in_off_and_no_single_sign_on_the_page_says_so(monkeypatch, sqlite_engine):
    monkeypatch.setenv("LDALIGN_PASSWORD_SIGN_IN", "false")
    make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), "app.py").run()
    assert not at.exception
    assert len(at.text_input) == 0
    assert "password sign-in is switched off" in at.error[0].value
