"""axe-core in the browser (axe-playwright-python): the accessibility violations a page has, as lines to read.

    from tests.browser.axe import serious_violations
    assert serious_violations(page) == []

Checks the page as drawn now (wait for the app first); `impacts` picks the levels that count (serious and critical
by default); `exclude` takes CSS selectors of parts that are not ours to fix."""

from __future__ import annotations

import re

from playwright.sync_api import Page

SERIOUS = ("serious", "critical")


def violations(page: Page, *, impacts: tuple[str, ...] = SERIOUS, exclude: list[str] | None = None) -> list[dict]:
    """axe-core's violations of the given impacts, as axe reports them (id, impact, help, nodes...)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        from tests.conftest import skip_or_fail

        skip_or_fail("axe-playwright-python is not installed (pip install axe-playwright-python)")
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = Axe().run(page, context=context)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def serious_violations(
    page: Page, *, impacts: tuple[str, ...] = SERIOUS, exclude: list[str] | None = None
) -> list[str]:
    """One line per element in violation: `rule (impact): selector — what to fix`; empty when the page passes."""
    lines = []
    for violation in violations(page, impacts=impacts, exclude=exclude):
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or violation["help"]).replace("\n", " ")
            lines.append(f"{violation['id']} ({violation['impact']}): {target} — {summary}")
    return lines


CONTROL_ROLES = ("radiogroup", "textbox", "combobox", "spinbutton", "button", "checkbox", "slider", "switch")
# Buttons inside a widget, named by the widget they belong to (the drop-down arrow of a multiselect)
WIDGET_PARTS = {("button", "Open"), ("button", "Close")}


def accessible_names(page: Page, roles: tuple[str, ...] = CONTROL_ROLES) -> list[tuple[str, str]]:
    """(role, accessible name) of every control in the page's accessibility tree (as the browser computes it), in
    page order; a control without a name has "". Radio buttons are left out (named within their group), and so are
    the parts of a widget in `WIDGET_PARTS`."""
    snapshot = page.locator("body").aria_snapshot()
    found = []
    for line in snapshot.splitlines():
        match = re.match(r'\s*- (\w+)(?: "((?:[^"\\]|\\.)*)")?', line)
        if match and match.group(1) in roles:
            control = (match.group(1), (match.group(2) or "").replace('\\"', '"'))
            if control not in WIDGET_PARTS:
                found.append(control)
    return found
