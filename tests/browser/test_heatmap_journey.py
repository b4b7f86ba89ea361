"""A business leader reads the capability gaps of the demo company and never sees a hidden group's figure."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from ldcore.db import dispose_engine, get_engine, read_session
from ldcore.models import Answer, Capability, SurveyWave, Team
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app

TINY = "Executive Office"  # the demo team below the minimum group


def hidden_means(db_url: str) -> list[str]:
    """The true means of the tiny team's cells, computed from the raw answers, as the page would print them."""
    engine = get_engine(db_url)
    try:
        with read_session(engine) as session:
            rows = session.execute(
                select(Capability.key, func.avg(Answer.value_num), func.count())
                .join(Capability, Capability.id == Answer.capability_id)
                .join(Team, Team.id == Answer.team_id)
                .join(SurveyWave, SurveyWave.id == Answer.wave_id)
                .where(SurveyWave.key == "fy27-baseline", Answer.question_key == "proficiency", Team.name == TINY)
                .group_by(Capability.key)
            ).all()
    finally:
        dispose_engine(db_url)
    assert rows and all(n < 5 for _, _, n in rows)
    return [f"{mean:.2f}" for _, mean, _ in rows]


def heatmap_traces(page: Page) -> list[dict]:
    """The data of every plotly chart on the page, as the browser holds it (once the heatmap is drawn)."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(p => (p.data || []).some(t => t.type === 'heatmap'))"
    )
    raw = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(
            plot => plot.data.map(t => JSON.stringify({type: t.type, name: t.name, x: t.x, y: t.y, z: t.z,
                                                        text: t.text, customdata: t.customdata})))"""
    )
    return [json.loads(t) for t in raw]


def grid_rows(page: Page) -> dict[str, list[str]]:
    """The first table's rows by their first cell, read from the grid's accessible cells."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator('[role="row"]', has_text=TINY).first.wait_for(state="attached")
    rows = {}
    for row in grid.locator('[role="row"]').all():
        cells = [c.inner_text().strip() for c in row.locator('[role="gridcell"]').all()]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def choose(page: Page, label: str, option: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.click()
    field.fill(option)  # the list filters as one types
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def assert_tiny_team_hidden(page: Page, means: list[str]) -> None:
    heatmap = next(t for t in heatmap_traces(page) if t["type"] == "heatmap")
    row = heatmap["y"].index(TINY)
    assert all(v is None for v in heatmap["z"][row])
    assert set(heatmap["text"][row]) == {"< 5"}
    assert not any("n =" in note for note in heatmap["customdata"][row])
    cells = grid_rows(page)[TINY]
    assert cells and set(cells) == {"< 5"}
    assert not set(cells) & set(means)


def test_a_viewer_switches_measure_drills_into_a_team_and_never_sees_a_hidden_value(page, app_server):
    means = hidden_means(app_server.db_url)
    sign_in(page, app_server.url, "viewer@demo.example", "ldalign-demo")
    open_page(page, app_server.url, "heatmap")
    assert_no_exception(page)
    expect(page.get_by_text("Top priority gaps")).to_be_visible()
    assert_tiny_team_hidden(page, means)

    page.get_by_text("Current", exact=True).click()
    wait_for_app(page)
    assert_no_exception(page)
    assert_tiny_team_hidden(page, means)
    assert set(grid_rows(page)["All teams"]) == {"< 5"}  # it would reveal the tiny team by subtraction

    choose(page, "Which team", TINY)
    assert_no_exception(page)
    expect(page.get_by_text("Not shown (< 5 answers):")).to_be_visible()
    assert all(TINY not in (t["y"] or []) for t in heatmap_traces(page) if t["type"] == "bar")

    choose(page, "Which team", "Sales EMEA")
    page.wait_for_function(  # the drill-down is redrawn for the team (other bar charts may be drawn already)
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(p => (p.data || []).some(t => t.type === 'bar' && t.name === '1 Awareness'))"
    )
    levels = [
        t.get("name")
        for t in heatmap_traces(page)
        if t["type"] == "bar" and "Negotiation" in (t["y"] or []) and (t.get("name") or "")[:1].isdigit()
    ]
    assert levels[:5] == ["1 Awareness", "2 Basic", "3 Intermediate", "4 Advanced", "5 Expert"]
    assert_tiny_team_hidden(page, means)
