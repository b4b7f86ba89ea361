"""Holes an attack found, closed in the browser: a stale tab cannot write, a signed-out visitor of a page URL sees
nothing but the sign-in, and user-supplied names show as typed (no markdown, no request to a third party)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from ldcore.db import dispose_engine, get_engine, read_session, unit_of_work
from ldcore.services import accounts, intake, plans
from tests.browser.conftest import ROOT, LiveApp, _start, _stop
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

EDITOR, PASSWORD = "editor@example.org", "editor-password-1"


def fresh_app(tmp_path) -> LiveApp:
    """A just-started app on its own database, with an admin and an editor."""
    db_url = f"sqlite:///{tmp_path / 'attacks.db'}"
    app = LiveApp(url="", db_url=db_url, process=None)  # type: ignore[arg-type]
    for email, role, password in [("admin@example.org", "admin", "admin-password-1"), (EDITOR, "editor", PASSWORD)]:
        result = app.cli("create-user", email, "--role", role, "--password-stdin", input=password + "\n")
        assert result.returncode == 0, result.stderr
    return _start(db_url, tmp_path / "streamlit.log")


@pytest.fixture
def live(tmp_path):
    app = fresh_app(tmp_path)
    yield app
    _stop(app)
    dispose_engine(app.db_url)


def test_a_signed_out_visitor_of_a_page_url_after_a_restart_sees_only_the_sign_in(live, context):
    page_files = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    for url_path in ["admin", "surveys"]:
        page = context.new_page()
        open_page(page, live.url, url_path)

        expect(page.get_by_text("Please sign in to see this page.")).to_be_visible()
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        hrefs = [urlparse(a.get_attribute("href") or "").path for a in page.locator("a[href]").all()]
        assert [h for h in hrefs if h.strip("/") in page_files] == []
        html = page.content()
        assert all(f'/{name}"' not in html for name in page_files)
        page.close()


def test_yes_delete_after_the_editor_was_deactivated_keeps_the_plan_and_says_why(live, page):
    engine = get_engine(live.db_url)
    with unit_of_work(engine) as session:
        intake.save_plan(
            session,
            data={"key": "keep", "name": "Plan to keep", "starts": dt.date(2027, 1, 1), "ends": dt.date(2027, 12, 31)},
            actor="setup",
        )
    sign_in(page, live.url, EDITOR, PASSWORD)
    open_page(page, live.url, "intake")
    page.get_by_role("button", name="Delete this plan").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Yes, delete")).to_be_visible()

    with unit_of_work(engine) as session:
        accounts.update_account(session, email=EDITOR, active=False, actor="admin@example.org")
    page.get_by_role("button", name="Yes, delete").click()
    wait_for_app(page)

    expect(page.get_by_text("You were signed out — sign in again. Nothing was saved.")).to_be_visible()
    assert_no_exception(page)
    with read_session(engine) as session:
        assert [p.key for p in plans.list_plans(session)] == ["keep"]
