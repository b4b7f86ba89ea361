"""A pilot's first month, clicked through as the people do it, from an empty database on SQLite and on Postgres:
the HR partner builds the plan in intake, uploads the roster and KPIs by name, creates the baseline wave and its
links (which carry the address the browser used: no base URL is configured), a respondent answers on a phone with a
reload halfway, answers collected by mail are imported with roster emails, a reminder goes out after the gap (the
links sent before still work), a leader opens a share link in a fresh browser, and the HTML report is downloaded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text, update

from ldcore.db import get_engine, migrate
from ldcore.models import Invitation
from tests.browser.conftest import LiveApp, _start, _stop
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app
from tests.browser.test_intake_journey import choose, submit, tab
from tests.conftest import skip_or_fail

EDITOR = ("partner@pilot.example", "partner-password-1")
ADMIN = ("it@pilot.example", "it-password-1")
PEOPLE = [(f"person{n}@pilot.example", f"Person {n}") for n in range(1, 8)]
WAVE = "pilot-baseline"
PLAN = "pilot-plan"


@pytest.fixture(params=["sqlite", "postgres"])
def pilot_app(request, tmp_path):
    """The app on an empty database with no base URL configured, so links take the address the browser used."""
    if request.param == "sqlite":
        db_url, drop = f"sqlite:///{tmp_path / 'pilot.db'}", None
    else:
        server = os.environ.get("LDALIGN_TEST_POSTGRES_URL")
        if not server:
            skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so the Postgres pilot cannot run")
        name = f"ldalign_pilot_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db_url = server.rsplit("/", 1)[0] + "/" + name

        def drop() -> None:
            get_engine(db_url).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        migrate(get_engine(db_url))
    scratch = LiveApp(url="", db_url=db_url, process=None)  # type: ignore[arg-type]
    for (email, password), role in ((EDITOR, "editor"), (ADMIN, "admin")):
        result = scratch.cli("create-user", email, "--role", role, "--password-stdin", input=password + "\n")
        assert result.returncode == 0, result.stderr
    live = _start(db_url, tmp_path / "streamlit.log", base_url=False)
    yield live
    _stop(live)
    if drop:
        drop()


def build_plan(page: Page, app: LiveApp) -> None:
    open_page(page, app.url, "intake")
    page.get_by_label("Plan name").fill("Pilot plan")
    page.get_by_role("button", name="Create plan").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved plan 'Pilot plan'.")).to_be_visible()
    step = tab(page, "2 Objectives")
    step.get_by_label("Title", exact=True).fill("Grow new-logo revenue")
    submit(page, step, "Save objective", "Saved objective 'Grow new-logo revenue'.")
    step = tab(page, "3 KPIs")
    choose(page, step, "Objective", "Grow new-logo revenue")
    wait_for_app(page)
    step.get_by_label("KPI name").fill("Win rate")
    step.get_by_label("Baseline value").fill("21")
    step.get_by_label("Target value").fill("26")
    submit(page, step, "Save KPI", "Saved KPI 'Win rate'.")
    step = tab(page, "6 Capabilities")
    step.get_by_role("textbox", name="Capability", exact=True).fill("Negotiation")
    slider = step.locator('[data-testid="stSlider"]').filter(has_text="Weight against: Grow new-logo revenue")
    slider.get_by_role("slider").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    submit(page, step, "Save capability", "Saved capability 'Negotiation'.")
    step = tab(page, "7 Teams & targets")
    step.get_by_label("Team name").fill("Sales EMEA")
    step.get_by_label("Headcount").fill("40")
    choose(page, step, "Target: Negotiation", "4 Advanced")
    submit(page, step, "Save team", "Saved team 'Sales EMEA'.")


def upload(page: Page, label: str, name: str, content: str) -> None:
    field = page.locator('[data-testid="stFileUploader"]:visible').filter(has_text=label).locator('input[type="file"]')
    field.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}])
    wait_for_app(page)


def surveys_tab(page: Page, app: LiveApp, name: str):
    open_page(page, app.url, f"surveys?plan={PLAN}")
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)
    return page.locator('[role="tabpanel"]:visible')


def download_csv(page: Page, button) -> list[dict[str, str]]:
    with page.expect_download() as info:
        button.click()
    with open(info.value.path(), encoding="utf-8-sig") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


def answer_on_a_phone_with_a_reload(browser, link: str) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(20_000)
    page = phone.new_page()
    try:
        page.goto(link)
        wait_for_app(page)
        group = page.locator('[data-testid="stRadio"]').filter(has_text="Negotiation")
        group.get_by_text("3 Intermediate", exact=True).click()
        wait_for_app(page)
        page.wait_for_timeout(1500)  # the draft is saved as the person goes
        page.reload()
        wait_for_app(page)
        group = page.locator('[data-testid="stRadio"]').filter(has_text="Negotiation")
        expect(group.get_by_role("radio", name="3 Intermediate")).to_be_checked()
        page.get_by_role("button", name="Send my answers").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        assert_no_exception(page)
    finally:
        phone.close()


def link_says(browser, link: str, words: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(link)
        wait_for_app(page)
        expect(page.get_by_text(words)).to_be_visible()
    finally:
        context.close()


def test_a_pilots_first_month(browser, pilot_app, tmp_path):
    try:
        journey(browser, pilot_app, tmp_path)
    finally:
        for n, p in enumerate(OPEN_PAGES):
            if not p.is_closed():
                p.screenshot(path=str(tmp_path / f"page{n}.png"), full_page=True)


OPEN_PAGES: list[Page] = []


def journey(browser, app, tmp_path):
    OPEN_PAGES.clear()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    OPEN_PAGES.append(page)
    sign_in(page, app.url, *EDITOR)
    build_plan(page, app)

    # KPIs by name, not by key
    open_page(page, app.url, f"kpi_data?plan={PLAN}")
    page.get_by_role("tab", name="Enter or import").click()
    upload(page, "CSV file", "kpis.csv", "kpi,date,value,team\nWin rate,2027-02-28,22.5,Sales EMEA\n")
    page.get_by_role("button", name=re.compile(r"^Import 1 row")).click()
    wait_for_app(page)
    expect(page.get_by_text("Imported: 1 added")).to_be_visible()

    # The roster, with team names
    panel = surveys_tab(page, app, "Roster")
    roster = "email,name,team\n" + "".join(f"{e},{n},Sales EMEA\n" for e, n in PEOPLE)
    upload(page, "Roster CSV", "roster.csv", roster)
    panel.get_by_role("button", name="Import roster").click()
    wait_for_app(page)
    expect(page.get_by_text("Roster imported: 7 new")).to_be_visible()

    # The baseline wave
    panel = surveys_tab(page, app, "Waves")
    panel.get_by_label("Key").fill(WAVE)
    panel.get_by_role("button", name="Create wave").click()
    wait_for_app(page)
    expect(page.get_by_text("Created wave Where are you today? Capability self-assessment.")).to_be_visible()

    # Personal links, at the address the browser uses
    panel = surveys_tab(page, app, "Invite and monitor")
    expect(panel.locator('[data-testid="stCode"]').first).to_contain_text(app.url)
    panel.get_by_role("button", name="Create personal links").click()
    wait_for_app(page)
    links = {row["email"]: row["link"] for row in download_csv(page, page.get_by_role("button", name="Download 7"))}
    assert sorted(links) == sorted(e for e, _ in PEOPLE)
    assert all(link.startswith(f"{app.url}/respond?t=") for link in links.values()), links

    answer_on_a_phone_with_a_reload(browser, links[PEOPLE[0][0]])

    # Answers collected by mail, imported with roster emails: those people count as answered
    panel = surveys_tab(page, app, "Import responses")
    rows = "".join(f"{e},{level}\n" for (e, _), level in zip(PEOPLE[1:6], "23423", strict=True))
    upload(page, "Export file (CSV, tab-separated text or XLSX)", "mail.csv", "email,proficiency[negotiation]\n" + rows)
    page.get_by_role("button", name="Import 5 responses").click()
    wait_for_app(page)
    expect(page.get_by_text("Imported 5 responses.")).to_be_visible()
    link_says(browser, links[PEOPLE[2][0]], "You have already answered")
    panel = surveys_tab(page, app, "Invite and monitor")
    expect(panel.get_by_text("7 invited, 6 (86%) answered")).to_be_visible()
    expect(panel.get_by_text("Not answered yet (1)")).to_be_visible()

    # A reminder after the gap goes to the one person left; the link they already have keeps working
    engine = get_engine(app.db_url)
    with engine.begin() as conn:
        conn.execute(
            update(Invitation).values(created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=3))
        )
    page.get_by_role("button", name="Send reminders").click()
    wait_for_app(page)
    page.get_by_role("button", name="Confirm: send 1 reminders").click()
    wait_for_app(page)
    reminded = download_csv(page, page.get_by_role("button", name="Download 1"))
    assert [(r["email"], r["link"]) for r in reminded] == [(PEOPLE[6][0], links[PEOPLE[6][0]])]
    link_says(browser, links[PEOPLE[6][0]], "Send my answers")

    # A leader opens a share link in a fresh browser: no dialog, this plan
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    OPEN_PAGES.append(admin)
    sign_in(admin, app.url, *ADMIN)
    open_page(admin, app.url, f"share_links?plan={PLAN}")
    admin.get_by_label("For whom").fill("Board meeting")
    admin.get_by_role("button", name="Create a share link").click()
    wait_for_app(admin)
    share = admin.locator("code").filter(has_text="share=").first.inner_text().strip()
    assert share.startswith(f"{app.url}/executive?share="), share
    admin_context.close()
    leader = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        view = leader.new_page()
        view.goto(share)
        wait_for_app(view)
        view.wait_for_timeout(2000)
        assert view.get_by_role("dialog").count() == 0
        expect(view.get_by_text("Pilot plan").first).to_be_visible()
        expect(view.get_by_text("Win rate").first).to_be_visible()
        assert_no_exception(view)
    finally:
        leader.close()

    # The HTML report
    open_page(page, app.url, f"executive?plan={PLAN}")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the report (HTML)").click()
    with open(info.value.path(), encoding="utf-8") as fh:
        report = fh.read()
    assert "<title>Pilot plan — LD Align report</title>" in report
    assert "21.00 → 22.50 → 26.00" in report  # Win rate: baseline → the value uploaded by name → target
    context.close()
