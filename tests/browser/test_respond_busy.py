"""A respondent whose submit meets a long write lock (another writer holds the SQLite database) keeps every answer,
reads a plain "busy" message instead of an error page, and is stored once when sending again (issue 13, A9)."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys

from playwright.sync_api import expect
from sqlalchemy import make_url

from tests.browser.helpers import assert_no_exception, wait_for_app
from tests.browser.test_respond_journey import PLAN
from tests.pages.test_respond_busy import BUSY


def prepare_busy(app, tmp_path) -> str:
    """The respond journey's small plan under keys of its own (both tests share the demo app's database)."""
    (tmp_path / "plan.yaml").write_text(PLAN.replace("journey", "busy").replace("Journey", "Busy"))
    (tmp_path / "roster.csv").write_text("email,name,team\nbusy.user@example.org,Busy User,busy-team\n")
    steps = [
        ("plan", "import", str(tmp_path / "plan.yaml")),
        ("roster", "import", str(tmp_path / "roster.csv")),
        ("wave", "create", "--plan", "busy", "--survey", "capability_baseline", "--kind", "baseline",
         "--key", "busy-baseline"),
        ("invite", "--wave", "busy-baseline", "--out", str(tmp_path / "links.csv"), "--base-url", app.url),
    ]  # fmt: skip
    for step in steps:
        result = app.cli(*step)
        assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8-sig"))
    return row["link"]


def test_a_submit_during_a_long_write_lock_keeps_the_answers_in_the_browser_and_stores_once(
    browser, app_server, tmp_path
):
    link = prepare_busy(app_server, tmp_path)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(30_000)
    page.goto(link)
    wait_for_app(page)
    for capability, choice in (("Active listening", "4 Advanced"), ("Pricing", "Not applicable")):
        page.locator('[data-testid="stRadio"]').filter(has_text=capability).get_by_text(choice, exact=True).click()
        wait_for_app(page)
    page.get_by_role("textbox").fill("kept while busy")

    holder = sqlite3.connect(make_url(app_server.db_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for longer than the respondent waits
    try:
        page.get_by_role("button", name="Send my answers").click()
        wait_for_app(page)
        expect(page.get_by_text(BUSY)).to_be_visible(timeout=20_000)  # after the respondent's 3 s wait
        assert_no_exception(page)
        listening = page.locator('[data-testid="stRadio"]').filter(has_text="Active listening")
        expect(listening.get_by_role("radio", name="4 Advanced")).to_be_checked()
        expect(page.get_by_role("textbox")).to_have_value("kept while busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    page.get_by_role("button", name="Send my answers").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    page.close()
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", app_server.db_url, "export", "responses",
         "--wave", "busy-baseline", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and "kept while busy" in rows[1]
