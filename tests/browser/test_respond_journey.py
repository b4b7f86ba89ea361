"""A respondent on a phone: opens a personal link, answers, sends, sees thanks; the same link then refuses.
Runs on the demo app's database with a small plan of its own (starting long ago, so it is never the default)."""

from __future__ import annotations

import csv

from playwright.sync_api import expect

from ldcore.services.responses import ALREADY_ANSWERED
from tests.browser.helpers import assert_no_exception, wait_for_app

PLAN = """
plan: {key: journey, name: Journey plan, starts: 1999-01-01, ends: 1999-12-31}
objectives:
  - {key: grow, title: Grow, category: revenue_growth, priority: 3}
capabilities:
  - {key: listening, name: Active listening, drives: {grow: 3}}
  - {key: pricing, name: Pricing, drives: {grow: 2}}
teams:
  - {key: journey-team, name: Journey Team, targets: {listening: 4, pricing: 3}}
"""


def prepare(app, tmp_path) -> str:
    (tmp_path / "plan.yaml").write_text(PLAN)
    (tmp_path / "roster.csv").write_text("email,name,team\nphone.user@example.org,Phone User,journey-team\n")
    steps = [
        ("plan", "import", str(tmp_path / "plan.yaml")),
        ("roster", "import", str(tmp_path / "roster.csv")),
        ("wave", "create", "--plan", "journey", "--survey", "capability_baseline", "--kind", "baseline",
         "--key", "journey-baseline"),
        ("invite", "--wave", "journey-baseline", "--out", str(tmp_path / "links.csv"), "--base-url", app.url),
    ]  # fmt: skip
    for step in steps:
        result = app.cli(*step)
        assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8-sig"))
    assert row["email"] == "phone.user@example.org"
    return row["link"]


def test_a_respondent_answers_on_a_phone_and_the_link_then_refuses(browser, app_server, tmp_path):
    link = prepare(app_server, tmp_path)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(20_000)
    page = phone.new_page()
    try:
        page.goto(link)
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Where are you today? Capability self-assessment")).to_be_visible()
        assert page.locator('[data-testid="stSidebar"]:visible, [data-testid="stSidebarNav"]:visible').count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        expect(page.get_by_text("0 of 3 questions answered")).to_be_visible()

        page.get_by_role("button", name="Send my answers").click()
        wait_for_app(page)
        expect(page.get_by_role("alert").filter(has_text="an answer is required")).to_be_visible()

        for capability, choice in (("Active listening", "4 Advanced"), ("Pricing", "Not applicable")):
            group = page.locator('[data-testid="stRadio"]').filter(has_text=capability)
            group.get_by_text(choice, exact=True).click()
            wait_for_app(page)
        page.get_by_role("textbox").fill("Coaching from my manager, please")
        page.get_by_role("button", name="Send my answers").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        assert_no_exception(page)

        again = phone.new_page()
        again.goto(link)
        wait_for_app(again)
        expect(again.get_by_text(ALREADY_ANSWERED)).to_be_visible()
        expect(again.get_by_role("button", name="Send my answers")).to_have_count(0)
    finally:
        phone.close()
    result = app_server.cli("export", "responses", "--wave", "journey-baseline", "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert [(r["email"], r["proficiency[listening]"], r["proficiency[pricing]"]) for r in rows] == [
        ("phone.user@example.org", "4", "")
    ]
