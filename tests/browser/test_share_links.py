"""Share links as leaders open them: a link an admin creates on the Share links page opens the executive view of its
plan cleanly — no "Page not found" dialog, the address kept — on a desktop and on a phone, in a fresh browser; a
signed-in person who opens one sees that plan, and it stays chosen on the next page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

PLAN_NAME = "FY27 growth & retention plan"
PILOT_NAME = "Shell pilot plan"
PILOT_YAML = """
plan: {key: shell-pilot, name: Shell pilot plan, starts: 2025-01-01, ends: 2025-12-31}
objectives:
  - {key: quality, title: Fewer defects, category: customer, priority: 3}
"""


def created_link(page: Page) -> str:
    return page.locator("code").filter(has_text="share=").first.inner_text().strip()


def assert_opens_cleanly(page: Page, link: str, plan_name: str) -> None:
    page.goto(link)
    wait_for_app(page, timeout=90_000)
    expect(page.get_by_role("heading", name=plan_name)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1_500)  # a "Page not found" dialog comes after the first draw
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0
    assert re.search(r"/executive\?share=", page.url), page.url
    assert_no_exception(page)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_a_link_created_on_the_share_links_page_opens_the_plan_without_a_dialog(app_server, browser, page, viewport):
    sign_in(page, app_server.url, "admin@demo.example", "ldalign-demo")
    open_page(page, app_server.url, "executive")  # the page admins came from when the links broke
    open_page(page, app_server.url, "share_links")
    page.get_by_label("For whom").fill(f"Board {viewport['width']}")
    page.get_by_role("button", name="Create a share link").click()
    expect(page.get_by_text("Link created. Copy it now")).to_be_visible(timeout=30_000)
    link = created_link(page)
    assert link.startswith(app_server.url + "/executive?share=")

    fresh = browser.new_context(viewport=viewport)  # nobody signed in
    fresh.set_default_timeout(30_000)
    try:
        leader = fresh.new_page()
        assert_opens_cleanly(leader, link, PLAN_NAME)
        expect(leader.get_by_text("A read-only view shared with you")).to_be_visible()
        assert leader.locator('[data-testid="stSidebar"]').count() == 0
    finally:
        fresh.close()


def test_a_signed_in_person_opening_a_link_sees_its_plan_and_keeps_it_on_the_next_page(app_server, page, tmp_path):
    source = tmp_path / "pilot.yaml"
    source.write_text(PILOT_YAML)
    imported = app_server.cli("plan", "import", str(source))
    assert imported.returncode == 0 or "already" in imported.stderr, imported.stderr
    created = app_server.cli("share", "create", "--plan", "shell-pilot", "--base-url", app_server.url)
    assert created.returncode == 0, created.stderr
    link = created.stdout.splitlines()[0]

    sign_in(page, app_server.url, "viewer@demo.example", "ldalign-demo")
    open_page(page, app_server.url, "executive")
    expect(page.get_by_role("heading", name=PLAN_NAME)).to_be_visible(timeout=30_000)  # the picker's plan

    assert_opens_cleanly(page, link, PILOT_NAME)
    assert page.get_by_text("A read-only view shared with you").count() == 0  # signed in: their own view
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Plan overview").click()
    wait_for_app(page, timeout=60_000)
    expect(page.get_by_text(PILOT_NAME).first).to_be_visible()
    assert "plan=shell-pilot" in page.url
