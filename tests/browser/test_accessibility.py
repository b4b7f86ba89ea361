"""Every main page passes axe-core in Chromium with no serious or critical violation, and the fields a person fills
in on a page have distinct names (a screen reader announces "Role" twice otherwise): the sign-in page, then each page
an admin reaches from the navigation and every step of the strategy intake, on the demo company, signed in once."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin

from tests.browser.helpers import assert_no_exception, sign_in, wait_for_app
from tests.conftest import skip_or_fail

BLOCKING = ("serious", "critical")
MAIN_PAGES = ["Plan overview", "Strategy intake", "Alignment", "KPI data", "Surveys", "Capability gaps",
              "Executive view", "What people wrote", "Accounts", "Audit trail", "Privacy"]  # fmt: skip
# Roles of the fields a person fills in (a radio group counts once: its options are named within the group).
FIELD_ROLES = {"textbox", "searchbox", "combobox", "slider", "spinbutton", "checkbox", "switch", "radiogroup"}


def field_names(page) -> list[str]:
    """The name Chromium gives each field a screen reader can reach on the page (hidden tabs and steps excluded)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        node.get("name", {}).get("value", "").strip()
        for node in nodes
        if not node.get("ignored") and node.get("role", {}).get("value") in FIELD_ROLES
    ]


def problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as drawn (rule, impact, elements), and the names that
    no field or more than one field has."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed")
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        + (f" … and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]
    names = Counter(field_names(page))
    found += [f"{n} fields without a name" for name, n in names.items() if not name]
    found += [f"{n} fields named {name!r}" for name, n in names.items() if name and n > 1]
    return found


def _nav_links(page) -> dict[str, str]:
    nav = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    return {
        nav.nth(i).inner_text().strip().split("\n")[-1]: nav.nth(i).get_attribute("href") for i in range(nav.count())
    }


def test_the_sign_in_page_and_every_main_page_have_no_serious_or_critical_violation(page, app_server):
    page.goto(app_server.url)
    wait_for_app(page)
    found = {"Sign in": problems(page)}
    sign_in(page, app_server.url, "admin@demo.example", "ldalign-demo")
    links = _nav_links(page)
    assert set(MAIN_PAGES) <= set(links)  # and any page added later is checked too
    for title, href in links.items():
        page.goto(urljoin(app_server.url + "/", href))
        wait_for_app(page, timeout=60_000)
        assert_no_exception(page)
        found[title] = problems(page)
        if title == "Strategy intake":
            tabs = page.get_by_role("tab")
            assert tabs.count() == 8
            for i in range(1, tabs.count()):
                step = tabs.nth(i).inner_text().strip()
                tabs.nth(i).click()
                wait_for_app(page)
                found[f"{title}, step {step}"] = problems(page)
    failing = {title: lines for title, lines in found.items() if lines}
    assert not failing, "\n".join(f"{title}:\n  " + "\n  ".join(lines) for title, lines in failing.items())
