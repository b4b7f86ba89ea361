"""The plan report as a PDF: the self-contained HTML report printed by headless Chromium (Playwright driving the
system's `chromium`), on A4 or Letter, each section on a new page, page numbers in the footer. Plotly draws SVG, so
the charts stay vectors in the PDF. The browser runs offline: the HTML carries plotly.js inline and needs nothing
else."""

from __future__ import annotations

import datetime as dt
import shutil
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from ldcore.errors import Invalid
from ldcore.reporting import contract, html

PAPERS = {"a4": ("A4", 210.0), "letter": ("Letter", 215.9)}  # format name, page width in mm
MARGIN_MM = 15
PX_PER_MM = 96 / 25.4
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PRINT_CSS = """
<style>
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  h2 ~ h2 { break-before: page; }
  h3, table, .plotly-graph-div, .together { break-inside: avoid; }
  h3, h4, summary { break-after: avoid; }
  .modebar-container { display: none !important; }
  details table { display: none; }  /* the observation lists stay in the HTML file; the steps are printed */
}
</style>
"""
FOOTER = (
    '<div style="font-size:9px;width:100%;text-align:center;color:#666;font-family:sans-serif">'
    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
ALL_CHARTS_DRAWN = "() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('.main-svg'))"


CHROMIUM_MISSING = (
    "Making a PDF needs Chromium, which is not installed here: install it (on Debian: apt-get install chromium), or "
    "download the HTML report and print it from a browser."
)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise Invalid(CHROMIUM_MISSING)
    return path


def available() -> bool:
    return shutil.which("chromium") is not None


def print_html(page_html: str, *, paper: str = "a4") -> bytes:
    """Print one HTML page to PDF bytes."""
    if paper not in PAPERS:
        raise Invalid(f"Unknown paper size {paper!r}: choose a4 or letter.")
    executable = chromium_path()
    # Playwright's sync API refuses a thread whose asyncio loop runs (a caller's own Playwright, a server's loop):
    # print in a thread of its own.
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(_print, page_html, paper, executable).result()


def _print(page_html: str, paper: str, executable: str) -> bytes:
    from playwright.sync_api import sync_playwright

    name, width_mm = PAPERS[paper]
    printable_px = int((width_mm - 2 * MARGIN_MM) * PX_PER_MM)
    document = page_html.replace("</head>", PRINT_CSS + "</head>", 1)
    # Open <details> (the ROI audit) so the printed page shows the steps the screen hides behind a click.
    document = document.replace("<details>", "<details open>")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": printable_px, "height": 1000})
            page = context.new_page()
            page.set_content(document, wait_until="load")
            page.wait_for_function(ALL_CHARTS_DRAWN)
            page.emulate_media(media="print")
            return page.pdf(
                format=name,
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={
                    "top": f"{MARGIN_MM}mm",
                    "right": f"{MARGIN_MM}mm",
                    "bottom": f"{MARGIN_MM}mm",
                    "left": f"{MARGIN_MM}mm",
                },
            )
        finally:
            browser.close()


def report_pdf(session: Session, *, plan_key: str, paper: str = "a4", generated_at: dt.datetime | None = None) -> bytes:
    """The HTML report printed to PDF bytes."""
    return render(contract.build(session, plan_key=plan_key), paper=paper, generated_at=generated_at)


def render(report: contract.Report, *, paper: str = "a4", generated_at: dt.datetime | None = None) -> bytes:
    """The PDF of a computed report view."""
    return print_html(html.render(report, generated_at=generated_at), paper=paper)
