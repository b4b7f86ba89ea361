"""A partner builds a plan from nothing in the browser, sees it aligned, and the plan survives export → import."""

import re

from playwright.sync_api import Page, expect

from ldcore import vocab
from tests.browser.conftest import LiveApp
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

OBJECTIVES = [
    ("Grow new-logo revenue", "Win rate", "21", "26"),
    ("Keep our best people", "Regretted attrition", "12", "9"),
    ("Faster service", "First contact resolution", "60", "70"),
]


def tab(page: Page, name: str):
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)
    return page.locator('[role="tabpanel"]:visible')


def choose(page: Page, where, label: str, option: str) -> None:
    """Pick `option` in the selectbox or multiselect labelled `label` inside `where`."""
    field = where.get_by_label(label, exact=True)
    field.click()
    field.fill(option)  # the list filters as one types
    page.get_by_role("option", name=option, exact=True).click()
    if page.get_by_role("listbox").count():  # a multiselect stays open for more choices
        page.keyboard.press("Escape")


def submit(page: Page, where, label: str, saved: str) -> None:
    where.get_by_role("button", name=label).click()
    wait_for_app(page)
    expect(page.get_by_text(saved)).to_be_visible()
    assert_no_exception(page)


def test_a_partner_builds_a_plan_sees_it_aligned_and_it_round_trips_as_yaml(page, empty_app_server, tmp_path):
    app = empty_app_server
    sign_in(page, app.url, "editor@example.org", "editor-password-1")
    open_page(page, app.url, "intake")
    assert_no_exception(page)
    if page.get_by_role("button", name="Create plan").count() == 0:  # the server already has a plan (another test's)
        choose(page, page, "Plan", "＋ New plan")
        wait_for_app(page)

    page.get_by_label("Plan name").fill("Journey plan")
    page.get_by_role("button", name="Create plan").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved plan 'Journey plan'.")).to_be_visible()

    step = tab(page, "2 Objectives")
    for title, *_ in OBJECTIVES:
        step.get_by_label("Title", exact=True).fill(title)
        submit(page, step, "Save objective", f"Saved objective '{title}'.")

    step = tab(page, "3 KPIs")
    for title, kpi, baseline, target in OBJECTIVES:
        choose(page, step, "Objective", title)
        wait_for_app(page)
        if float(target) < float(baseline):
            choose(page, step, "Good direction", vocab.DIRECTION_LABELS["down"])
        step.get_by_label("KPI name").fill(kpi)
        step.get_by_label("Baseline value").fill(baseline)
        step.get_by_label("Target value").fill(target)
        submit(page, step, "Save KPI", f"Saved KPI '{kpi}'.")

    step = tab(page, "6 Capabilities")
    for name, objective, steps in [("Negotiation", OBJECTIVES[0][0], 5), ("Coaching", OBJECTIVES[1][0], 2)]:
        step.get_by_role("textbox", name="Capability", exact=True).fill(name)
        slider = step.locator('[data-testid="stSlider"]').filter(has_text=f"Weight against: {objective}")
        slider.get_by_role("slider").focus()
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        submit(page, step, "Save capability", f"Saved capability '{name}'.")

    step = tab(page, "7 Teams & targets")
    for team, headcount, level in [("Sales EMEA", "40", "4 Advanced"), ("Sales APAC", "25", "2 Basic")]:
        step.get_by_label("Team name").fill(team)
        step.get_by_label("Headcount").fill(headcount)
        choose(page, step, "Target: Negotiation", level)
        submit(page, step, "Save team", f"Saved team '{team}'.")

    step = tab(page, "8 Initiatives")
    step.get_by_role("textbox", name="Initiative", exact=True).fill("Sales Academy")
    choose(page, step, "Objectives", OBJECTIVES[0][0])
    choose(page, step, "Capabilities it builds", "Negotiation")
    choose(page, step, "KPIs it should move", f"Win rate ({OBJECTIVES[0][0]})")
    choose(page, step, "Audience teams", "Sales EMEA")
    choose(page, step, "Control teams (comparison group)", "Sales APAC")
    step.get_by_label("Delivery").fill("20000")
    step.get_by_label("What L&D will deliver").fill("Six workshops and coaching")
    submit(page, step, "Save initiative", "Saved initiative 'Sales Academy'.")

    open_page(page, app.url, "alignment")
    assert_no_exception(page)
    metric = page.locator('[data-testid="stMetric"]')
    expect(metric.filter(has_text="Programs aligned")).to_contain_text("100%")
    expect(metric.filter(has_text="Aligned initiatives")).to_contain_text("1 of 1")
    expect(metric.filter(has_text="Budget on priority capabilities")).to_contain_text("100%")
    chart = page.locator('[data-testid="stPlotlyChart"]')
    expect(chart.locator(".sankey")).to_have_count(1, timeout=20_000)
    labels = chart.locator(".sankey .node-label")
    expect(labels).to_have_count(6)  # nodes without a flow (Faster service, two KPIs) are not drawn
    shown = set(labels.all_text_contents())
    assert {OBJECTIVES[0][0], "Negotiation", "Coaching", "Sales Academy", "Win rate"} <= shown
    expect(page.get_by_text("• Faster service")).to_be_visible()

    exported = app.cli("plan", "export", "journey-plan")
    assert exported.returncode == 0, exported.stderr
    text = exported.stdout
    assert re.search(r"control_teams:\s*\n\s*- sales-apac", text) and "delivery: 20000" in text
    yaml_file = tmp_path / "journey.yaml"
    yaml_file.write_text(text)
    fresh = LiveApp(url="", db_url=f"sqlite:///{tmp_path / 'fresh.db'}", process=None)  # type: ignore[arg-type]
    imported = fresh.cli("plan", "import", str(yaml_file))
    assert imported.returncode == 0, imported.stderr
    assert "3 objectives, 3 KPIs, 2 capabilities, 2 teams, 1 initiatives" in imported.stdout
    again = fresh.cli("plan", "export", "journey-plan")
    assert again.returncode == 0, again.stderr
    assert again.stdout == text
