"""A respondent's survey page and a leader's share view ask nothing of any other site: every request the browser
makes (documents, scripts, styles, fonts, images, web sockets) goes to the app's own origin, so no third party
learns who opened a survey or a dashboard, or when."""

from __future__ import annotations

import csv
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, wait_for_app

PLAN = """
plan: {key: quiet, name: Quiet plan, starts: 1998-01-01, ends: 1998-12-31}
objectives:
  - {key: grow, title: Grow, category: revenue_growth, priority: 3}
capabilities:
  - {key: listening, name: Active listening, drives: {grow: 3}}
teams:
  - {key: quiet-team, name: Quiet Team, targets: {listening: 4}}
"""


def personal_link(app, tmp_path) -> str:
    (tmp_path / "plan.yaml").write_text(PLAN)
    (tmp_path / "roster.csv").write_text("email,name,team\nquiet.user@example.org,Quiet User,quiet-team\n")
    steps = [
        ("plan", "import", str(tmp_path / "plan.yaml")),
        ("roster", "import", str(tmp_path / "roster.csv")),
        ("wave", "create", "--plan", "quiet", "--survey", "capability_baseline", "--kind", "baseline",
         "--key", "quiet-baseline"),
        ("invite", "--wave", "quiet-baseline", "--out", str(tmp_path / "links.csv"), "--base-url", app.url),
    ]  # fmt: skip
    for step in steps:
        result = app.cli(*step)
        assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader((tmp_path / "links.csv").open())
    return row["link"]


def share_link(app) -> str:
    result = app.cli("share", "create", "--plan", "fy27", "--label", "quiet test", "--base-url", app.url)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[0]


def origins_requested(context, url: str, *, wait_for: str) -> set[str]:
    """Open `url` in a fresh page and return the origin of every request and web socket it made."""
    seen: list[tuple[str, str]] = []
    context.on("request", lambda request: seen.append((request.resource_type, request.url)))
    page = context.new_page()
    page.on("websocket", lambda socket: seen.append(("websocket", socket.url)))
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text(wait_for).first).to_be_visible()
    page.mouse.wheel(0, 4000)  # lazily loaded parts (charts further down) load too
    wait_for_app(page)
    assert_no_exception(page)
    # The favicon is fetched after the page settles (a ":material/…:" icon came from fonts.gstatic.com): name its
    # origin directly instead of hoping the recording lasted long enough to catch it.
    page.wait_for_timeout(2000)
    icon = page.evaluate("document.querySelector(\"link[rel='shortcut icon']\").href")
    seen.append(("icon", icon))
    page.close()
    assert {"document", "script", "stylesheet", "websocket"} <= {kind for kind, _ in seen}, "the recording missed"
    return {f"{urlsplit(u).scheme.replace('ws', 'http')}://{urlsplit(u).netloc}" for _, u in seen if not _inline(u)}


def _inline(url: str) -> bool:
    return urlsplit(url).scheme in ("data", "blob")


def test_the_survey_page_makes_requests_to_the_apps_own_origin_only(context, app_server, tmp_path):
    link = personal_link(app_server, tmp_path)
    assert origins_requested(context, link, wait_for="Where are you today?") == {app_server.url}


def test_the_share_view_makes_requests_to_the_apps_own_origin_only(context, app_server):
    link = share_link(app_server)
    assert origins_requested(context, link, wait_for="A read-only view shared with you") == {app_server.url}
