"""A business leader takes the pack into the room: the PowerPoint and the PDF download from the executive page,
prepared on click, and open with the plan's figures."""

from __future__ import annotations

import json
import subprocess

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from pptx import Presentation

from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

PLAN_NAME = "FY27 growth & retention plan"


def save(page: Page, button: str, path):
    wait_for_app(page, timeout=60_000)
    with page.expect_download(timeout=120_000) as started:
        page.get_by_role("button", name=button).click()
    started.value.save_as(path)
    return path


def download(page: Page, button: str, path):
    """Click and save; if a live rerun (the page follows every write) replaced the button mid-download, the
    browser cancels that download: wait for the rerun to finish and click the new button once more."""
    for _ in range(2):
        try:
            return save(page, button, path)
        except PlaywrightError:  # cancelled by a rerun: the page is redrawn, click the new button
            page.wait_for_timeout(1_000)
    return save(page, button, path)


def test_a_viewer_downloads_the_slides_and_the_pdf_from_the_executive_page(app_server, page: Page, tmp_path):
    report = json.loads(app_server.cli("report", "--plan", "fy27").stdout)
    sign_in(page, app_server.url, "viewer@demo.example", "ldalign-demo")
    open_page(page, app_server.url, "executive")
    wait_for_app(page, timeout=60_000)

    deck = Presentation(download(page, "Download the slides (PowerPoint)", tmp_path / "pack.pptx"))
    assert deck.slides[0].shapes.title.text == PLAN_NAME
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == len(report["objectives"])
    assert list(charts[0].plots[0].series[0].values) == [k["progress_pct"] for k in report["objectives"][0]["kpis"]]

    pdf = download(page, "Download the report (PDF)", tmp_path / "pack.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert PLAN_NAME in text and "Return on investment" in text
    assert_no_exception(page)
