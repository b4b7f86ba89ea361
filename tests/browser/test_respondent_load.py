"""Fifty respondents at once through real Streamlit sessions (one browser context each) on one replica on Postgres:
every submission is stored exactly once. The time from "Send" to the thank-you page (p95) and the replica's memory
per open respondent session are measured and reported, never asserted (speed is the benchmark's business)."""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from ldcore.db import get_engine, read_session
from ldcore.devtools import bench
from ldcore.models import Invitation, Response
from tests.browser.conftest import CHROMIUM_FLAGS, _start, _stop
from tests.browser.wave_setup import CAPABILITY, prepare_wave, rss_mb
from tests.conftest import PG_URL, skip_or_fail

RESPONDENTS = 50
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 180_000


async def _settle(page) -> None:
    await page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(300)


async def _open(browser, link: str):
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(link, timeout=TIMEOUT_MS)
    await _settle(page)
    await page.locator('[data-testid="stRadio"]').filter(has_text=CAPABILITY).get_by_text("4 Advanced").click()
    await _settle(page)
    return context, page


async def _send(page, start: asyncio.Event) -> float:
    await start.wait()
    began = time.perf_counter()
    await page.get_by_role("button", name="Send my answers").click()
    await page.get_by_role("heading", name="Thank you!").wait_for(timeout=TIMEOUT_MS)
    return time.perf_counter() - began


async def _respond_all(links: list[str], pid: int) -> tuple[list[float], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        before = rss_mb(pid)
        opened = []
        for batch in range(0, len(links), 10):  # open in batches: fifty cold page loads at once measure Chromium
            opened += await asyncio.gather(*(_open(browser, link) for link in links[batch : batch + 10]))
        per_session = (rss_mb(pid) - before) / len(links)
        start = asyncio.Event()
        sends = [asyncio.create_task(_send(page, start)) for _, page in opened]
        start.set()
        seconds = await asyncio.gather(*sends)
        await browser.close()
    return seconds, per_session


@pytest.fixture
def replica(tmp_path):
    if not PG_URL:
        skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so the load test cannot run")
    if not shutil.which("chromium"):
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")
    with bench.scratch_database(PG_URL) as url:
        app = _start(url, tmp_path / "streamlit.log")
        try:
            yield app
        finally:
            _stop(app)


def test_fifty_respondents_at_once_are_all_stored_exactly_once(replica, tmp_path, record_property):
    links = prepare_wave(replica.db_url, tmp_path, people=RESPONDENTS, base_url=replica.url)
    assert len(links) == RESPONDENTS

    # In its own thread: the session's sync Playwright browser (other tests) keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as worker:
        seconds, per_session_mb = worker.submit(asyncio.run, _respond_all(links, replica.process.pid)).result()

    with read_session(get_engine(replica.db_url)) as session:
        assert session.scalar(select(func.count(Response.id))) == RESPONDENTS
        assert session.scalar(select(func.count(Invitation.id)).where(Invitation.used_at.is_not(None))) == RESPONDENTS
        assert session.scalar(select(func.count(func.distinct(Response.invitation_id)))) == RESPONDENTS
    p95 = statistics.quantiles(seconds, n=20)[-1]
    record_property("submit_to_thanks_p95_s", round(p95, 3))
    record_property("memory_per_session_mb", round(per_session_mb, 2))
    print(f"\n{RESPONDENTS} respondents: submit→thank-you p95 {p95:.2f} s, median {statistics.median(seconds):.2f} s, "
          f"max {max(seconds):.2f} s; replica memory per open session {per_session_mb:.1f} MB")  # fmt: skip
