"""A business leader reads the executive view of the demo company; it updates by itself when KPI values arrive; a
share link opens it (and nothing else) without an account until revoked; the exported report opens offline."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

PLAN_NAME = "FY27 growth & retention plan"
SECTIONS = ["In short", "Objectives", "Alignment and budget", "Skills gap closed", "From learning to results"]
SECTIONS += ["Return on investment"]


def next_month(today: dt.date) -> dt.date:
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


def updated_at(page: Page) -> str:
    text = page.get_by_text(re.compile(r"updated at \d\d:\d\d:\d\d")).first.inner_text()
    return re.search(r"\d\d:\d\d:\d\d", text).group(0)


def win_rate_tile(page: Page):
    return page.locator('[data-testid="stMetric"]', has_text="Win rate").first


def test_a_viewer_sees_every_section_and_the_page_follows_a_kpi_import(app_server, page: Page, tmp_path):
    sign_in(page, app_server.url, "viewer@demo.example", "ldalign-demo")
    open_page(page, app_server.url, "executive")

    expect(page.get_by_role("heading", name=PLAN_NAME)).to_be_visible()
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    for program in ("Sales Academy", "Service Excellence", "Leadership Essentials"):
        expect(page.get_by_role("heading", name=program)).to_be_visible()
    expect(win_rate_tile(page)).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3")
    assert_no_exception(page)

    # New KPI values arrive from another process; the open page redraws by itself.
    before, tile_before = updated_at(page), win_rate_tile(page).inner_text()
    csv = tmp_path / "win.csv"
    csv.write_text(f"kpi,date,value,team\nwin_rate,{next_month(dt.date.today())},31.5,sales-apac\n")
    result = app_server.cli("kpi", "import", str(csv), "--plan", "fy27")
    assert result.returncode == 0, result.stderr
    expect(win_rate_tile(page)).to_contain_text("31.5%", timeout=20_000)
    assert win_rate_tile(page).inner_text() != tile_before
    assert updated_at(page) != before
    assert_no_exception(page)

    # The report as a leader downloads it opens with no network at all and draws its charts. Wait for the live
    # rerun to finish first: a button drawn by the previous run points at a file that run no longer serves.
    wait_for_app(page, timeout=60_000)
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Download the report (HTML)").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    offline = page.context.browser.new_context(offline=True)
    try:
        view = offline.new_page()
        view.goto(report.as_uri())
        view.wait_for_selector(".plotly svg.main-svg", timeout=20_000)
        assert view.locator(".js-plotly-plot").count() == 5  # with skills over time
        expect(view.get_by_role("heading", name="Return on investment")).to_be_visible()
        expect(view.get_by_role("heading", name=PLAN_NAME)).to_be_visible()
    finally:
        offline.close()


def test_a_share_link_opens_only_the_executive_view_until_it_is_revoked(app_server, browser):
    created = app_server.cli("share", "create", "--plan", "fy27", "--label", "Board", "--base-url", app_server.url)
    assert created.returncode == 0, created.stderr
    url = created.stdout.splitlines()[0]
    link_id = re.search(r"link #(\d+)", created.stdout).group(1)

    context = browser.new_context(viewport={"width": 1280, "height": 900})  # no cookies: nobody signed in
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_app(page)
        expect(page.get_by_role("heading", name=PLAN_NAME)).to_be_visible()
        expect(page.get_by_text("A read-only view shared with you")).to_be_visible()
        expect(page.get_by_role("heading", name="Return on investment")).to_be_visible()
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        assert page.get_by_role("heading", name="Share links").count() == 0
        assert_no_exception(page)

        for other in ("heatmap", "overview"):
            open_page(page, app_server.url, other)
            expect(page.get_by_label("Email", exact=True)).to_be_visible()
            assert page.get_by_text(PLAN_NAME).count() == 0

        revoked = app_server.cli("share", "revoke", link_id)
        assert revoked.returncode == 0, revoked.stderr
        page.goto(url)
        wait_for_app(page)
        expect(page.get_by_text("This share link has expired, been revoked or is not valid")).to_be_visible()
        assert page.get_by_text(PLAN_NAME).count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        context.close()
