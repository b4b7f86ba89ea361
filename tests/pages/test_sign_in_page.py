"""The sign-in page in AppTest: a wrong password, the lock after repeated failures, and password sign-in off."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ldcore.services import accounts
from tests.pages.helpers import make_account, page_test, texts


def _try(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_a_wrong_password_and_then_the_wait_are_said_without_naming_the_account(monkeypatch, sqlite_engine):
    make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), "app.py").run()
    assert not at.exception
    _try(at, "admin@pages.example", "not-the-password")
    assert [e.value for e in at.error] == [accounts.WRONG]
    _try(at, "admin@pages.example", "page-test-password")  # within the 1 s back-off after a failure
    assert at.error[0].value.startswith("Too many failed sign-ins. Wait ")
    assert "Signed in as" not in texts(at)


def test_with_password_sign_in_off_and_no_single_sign_on_the_page_says_so(monkeypatch, sqlite_engine):
    monkeypatch.setenv("LDALIGN_PASSWORD_SIGN_IN", "false")
    make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), "app.py").run()
    assert not at.exception
    assert len(at.text_input) == 0
    assert "password sign-in is switched off" in at.error[0].value
