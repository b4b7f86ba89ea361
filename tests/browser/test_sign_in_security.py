"""Sign-in security in a real browser, served by `ldcore/ui/serve.py`: the session cookie is HttpOnly and set by the
server; the tenth failed sign-in locks the account, the right password is then refused, and the admin reads the
lockout on the Audit page and lifts it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from ldcore import vocab
from ldcore.db import get_engine, unit_of_work
from ldcore.models import utcnow
from ldcore.services import accounts
from tests.browser.conftest import LiveApp, _start, _stop
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

ADMIN = ("admin@example.org", "admin-password-1")
EDITOR = ("ed@example.org", "editor-password-1")


@pytest.fixture(scope="module")
def lockout_app(tmp_path_factory):
    """Its own app (with the cookie routes) and database, so the failures here slow no other test's sign-in."""
    tmp = tmp_path_factory.mktemp("lockout-app")
    db_url = f"sqlite:///{tmp / 'lockout.db'}"
    app = LiveApp(url="", db_url=db_url, process=None)  # type: ignore[arg-type]
    for (email, password), role in ((ADMIN, "admin"), (EDITOR, "editor")):
        result = app.cli("create-user", email, "--role", role, "--password-stdin", input=password + "\n")
        assert result.returncode == 0, result.stderr
    live = _start(db_url, tmp / "streamlit.log", script="ldcore/ui/serve.py")
    yield live
    _stop(live)


def _nine_earlier_failures(db_url: str) -> None:
    """Nine failures in the last ten minutes, each after its back-off (the browser test cannot wait minutes)."""
    at = utcnow() - dt.timedelta(minutes=10)
    for failure in range(1, accounts.LOCK_AFTER_FAILURES):
        with unit_of_work(get_engine(db_url), bump=False) as session:
            assert accounts.sign_in(session, email=EDITOR[0], password="guess", now=at).account is None
        at += dt.timedelta(seconds=2 ** (failure - 1))


def _try(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)


def test_the_session_cookie_is_http_only_strict_survives_a_reload_and_is_cleared_at_sign_out(context, lockout_app):
    page = context.new_page()
    sign_in(page, lockout_app.url, *ADMIN)
    (cookie,) = [c for c in context.cookies() if c["name"] == "ldalign_session"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Strict", False)
    assert page.evaluate("document.cookie").find("ldalign_session") == -1  # page scripts cannot read it
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(f"Signed in as {ADMIN[0]}")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=20_000)
    wait_for_app(page)
    assert [c for c in context.cookies() if c["name"] == "ldalign_session"] == []


def test_the_tenth_failure_locks_the_account_and_the_admin_sees_it_on_the_audit_page(context, lockout_app, tmp_path):
    _nine_earlier_failures(lockout_app.db_url)
    guesser = context.new_page()
    guesser.goto(lockout_app.url)
    wait_for_app(guesser)
    _try(guesser, EDITOR[0], "still-guessing")
    expect(guesser.get_by_text("Email or password is not right")).to_be_visible()
    _try(guesser, EDITOR[0], EDITOR[1])
    expect(guesser.get_by_text("Too many failed sign-ins for this email. Try again in 1")).to_be_visible()
    expect(guesser.get_by_text("Signed in as")).to_have_count(0)
    guesser.screenshot(path=str(tmp_path / "locked.png"))

    admin_context = context.browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    sign_in(admin, lockout_app.url, *ADMIN)
    open_page(admin, lockout_app.url, "audit")
    assert_no_exception(admin)
    grid = admin.locator('[data-testid="stDataFrame"]').first
    words = vocab.AUDIT_ACTION_LABELS  # the page shows actions in words
    grid.locator('[role="row"]', has_text=words["sign_in.lockout"]).first.wait_for(state="attached")
    rows = [
        [c.inner_text().strip() for c in row.locator('[role="gridcell"]').all()]
        for row in grid.locator('[role="row"]').all()
    ]
    rows = [r for r in rows if r]
    assert rows[0][1:5] == ["admin@example.org", words["sign_in"], "account", "admin@example.org"]
    assert rows[1][1:5] == ["system", words["sign_in.lockout"], "account", EDITOR[0]]
    assert [r[2] for r in rows].count(words["sign_in.failed"]) == accounts.LOCK_AFTER_FAILURES
    admin.screenshot(path=str(tmp_path / "audit.png"), full_page=True)

    open_page(admin, lockout_app.url, "admin")
    admin.screenshot(path=str(tmp_path / "accounts.png"), full_page=True)
    admin.get_by_role("button", name="Unlock").click()
    wait_for_app(admin)
    _try(guesser, EDITOR[0], EDITOR[1])
    expect(guesser.get_by_text(f"Signed in as {EDITOR[0]}")).to_be_visible(timeout=20_000)
    admin_context.close()
