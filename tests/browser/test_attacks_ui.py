"""Holes an attack found, closed in the browser: a stale tab cannot write, a signed-out visitor of a page URL sees
nothing but the sign-in, and user-supplied names show as typed (no markdown, no request to a third party)."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from ldcore.db import dispose_engine, get_engine, read_session, unit_of_work
from ldcore.schemas import PlanDocument
from ldcore.services import accounts, intake, plans, surveys
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


class Leak:
    """A web server on this machine that counts every request: an injected image would call it."""

    def __init__(self):
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def leak():
    server = Leak()
    yield server
    server.close()


def injected(port: int) -> str:
    return f"**bold** ![x](http://127.0.0.1:{port}/leak.png) [link](http://evil) :red[alarm] http://evil.example/x"


def injected_elements(port: int) -> str:
    """An image or a link the injected name would make, had it been rendered as markdown (a heading's own anchor,
    "#bold-x-http-…", is Streamlit's)."""
    return (
        f"img[src*='leak'], a[href*='evil']:not([href^='#']), a[href*=':{port}'], "
        "a[href='http://127.0.0.1'], a[href='http://127.0.0.1/']"
    )


def shown(locator) -> str:
    """The text a person reads (without the invisible word joiners that keep addresses from becoming links)."""
    return locator.inner_text().replace("\u2060", "").strip()


def test_names_with_markdown_show_as_typed_and_call_no_address_on_any_page(live, leak, page, browser):
    name = injected(leak.port)
    engine = get_engine(live.db_url)
    document = PlanDocument.model_validate(
        {
            "plan": {"key": "p", "name": name, "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [{"key": "rev", "title": name, "category": "revenue_growth", "priority": 5}],
            "capabilities": [{"key": "neg", "name": name, "drives": {"rev": 4}}],
            "teams": [{"key": "alpha", "name": name, "targets": {"neg": 4}}],
            "initiatives": [{"key": "academy", "name": name, "objectives": ["rev"], "capabilities": ["neg"]}],
        }
    )
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=document)
        session.flush()
        surveys.create_wave(
            session,
            wave={"plan": "p", "survey": "capability_baseline", "key": "w", "kind": "baseline", "title": name,
                  "anonymity": "anonymous"},
        )  # fmt: skip
        respond_link = surveys.create_open_link(session, wave_key="w", base_url=live.url)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    sign_in(page, live.url, EDITOR, PASSWORD)
    for url_path in ["", "intake", "alignment", "surveys", "heatmap", "executive"]:
        open_page(page, live.url, url_path)
        assert_no_exception(page)
        made = page.locator(injected_elements(leak.port))
        assert made.count() == 0, (url_path, [made.nth(i).evaluate("e => e.outerHTML") for i in range(made.count())])
    open_page(page, live.url, "")
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="01 Jan 2027")
    assert shown(caption) == f"{name}: 01 Jan 2027 – 31 Dec 2027"

    respondent = browser.new_context().new_page()
    respondent.on("request", lambda request: requested.append(request.url))
    respondent.goto(respond_link)
    wait_for_app(respondent)
    assert shown(respondent.locator("h1").first) == name
    assert respondent.locator(injected_elements(leak.port)).count() == 0
    respondent.context.close()

    assert [u for u in requested if f":{leak.port}/" in u or "evil" in u] == []
    assert leak.hits == []
