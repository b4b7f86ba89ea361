"""The plan report on SQLite and Postgres: the JSON contract's exact keys and figures, nulls for what cannot be
computed, and one self-contained, escaped HTML file."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from ldcore.cli import main
from ldcore.db import read_session, unit_of_work
from ldcore.models import CostLine, Initiative, Kpi, KpiObservation, Plan
from ldcore.reporting import contract
from ldcore.reporting.html import report_html
from tests.support.impact import D, build

TOP_KEYS = ["schema_version", "plan", "objectives", "alignment", "roi", "heatmap", "prepost", "trends"]


def report(engine) -> dict:
    with read_session(engine) as session:
        return contract.report_json(session, plan_key="p1")


def test_the_json_report_has_exactly_the_contract_keys_and_the_figures(engine):
    build(engine)
    data = report(engine)

    assert list(data) == TOP_KEYS
    assert data["schema_version"] == 1
    assert data["plan"] == {"key": "p1", "name": "Plan one"}
    assert data["alignment"] == {"initiatives": 3, "aligned": 3, "aligned_pct": 100.0}
    revenue = data["objectives"][0]
    assert list(revenue) == ["key", "title", "priority", "status", "kpis"]
    assert revenue == {
        "key": "rev",
        "title": "Grow revenue",
        "priority": 5,
        "status": "on_track",
        "kpis": [{"key": "win", "baseline": 20.0, "target": 30.0, "current": 24.0, "progress_pct": 40.0}],
    }
    academy = data["roi"][0]
    assert academy == {
        "initiative": "academy",
        "isolation": "control_group",
        "costs": 3000.0,
        "benefits": 3500.0,
        "bcr": 1.17,
        "roi_pct": 16.7,
        "payback_months": 10.3,
    }
    assert [r["isolation"] for r in data["roi"]] == ["control_group", "trend", "participant_estimate"]
    with read_session(engine) as session:
        assert data["heatmap"] == contract.heatmap_section(session, plan_key="p1")
        assert data["prepost"] == contract.prepost_section(session, plan_key="p1")
    assert data["heatmap"]["wave"] == "base"
    json.dumps(data, allow_nan=False)  # plain JSON: no NaN, no dates


def test_the_published_phillips_example_through_the_database_gives_bcr_1_75_and_roi_75_percent(engine):
    build(engine)
    with unit_of_work(engine) as session:  # the academy's isolated effect is 3.5 points of win rate
        session.scalar(select(Kpi).where(Kpi.key == "win")).unit_value = 100_000  # → benefits 350,000
        academy = session.scalar(select(Initiative).where(Initiative.key == "academy"))
        academy.cost_lines = [CostLine(category="delivery", amount=150_000), CostLine(category="other", amount=50_000)]
    row = report(engine)["roi"][0]

    assert (row["costs"], row["benefits"], row["bcr"], row["roi_pct"]) == (200_000.0, 350_000.0, 1.75, 75.0)
    assert row["payback_months"] == 6.9


def test_an_initiative_whose_benefits_cannot_be_computed_has_null_benefits_bcr_roi_and_payback(engine):
    build(engine)
    with unit_of_work(engine) as session:
        for observation in session.scalars(select(KpiObservation).where(KpiObservation.date > D(2027, 3, 31))):
            session.delete(observation)
    data = report(engine)

    for row in data["roi"]:
        assert (row["benefits"], row["bcr"], row["roi_pct"], row["payback_months"]) == (None, None, None, None)
        assert row["costs"] > 0
    assert data["objectives"][0]["kpis"][0]["current"] == 20.667  # February (22, 20, 20): the latest month left


def test_the_html_report_is_self_contained_with_charts_and_escapes_free_text(engine):
    build(engine)
    with unit_of_work(engine) as session:
        session.scalar(select(Plan).where(Plan.key == "p1")).name = "<script>alert('plan')</script> & Co"
        session.scalar(select(Initiative).where(Initiative.key == "academy")).name = "<b>Academy</b>"
    with read_session(engine) as session:
        page = report_html(session, plan_key="p1")

    assert "<script>alert('plan')</script>" not in page and "<b>Academy</b>" not in page
    assert "&lt;script&gt;alert(&#x27;plan&#x27;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;b&gt;Academy&lt;/b&gt;" in page
    assert not re.search(r"<script[^>]+src=", page)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]+href=", page)
    assert page.count("plotly.js v") == 1  # the library inline, once
    assert page.count("Plotly.newPlot") == 5  # progress, KPI trends, budget, gap closure, skills over time
    for section in (
        "Summary",
        "Objectives",
        "Alignment and budget",
        "From learning to results",
        "Return on investment",
    ):
        assert f"{section}" in page
    assert "Difference in differences" in page  # the ROI audit
    assert "missing" in page  # evidence that is not there says so


def test_ldalign_report_writes_json_and_html_files(engine, tmp_path, capsys):
    build(engine)
    url = engine.url.render_as_string(hide_password=False)
    assert (
        main(["--database", url, "report", "--plan", "p1", "--format", "json", "--out", str(tmp_path / "r.json")]) == 0
    )
    assert list(json.loads((tmp_path / "r.json").read_text())) == TOP_KEYS
    assert (
        main(["--database", url, "report", "--plan", "p1", "--format", "html", "--out", str(tmp_path / "r.html")]) == 0
    )
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["--database", url, "report", "--plan", "nope"]) == 2
    assert "No plan with key 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("value", [None, 1.0])
def test_rounding_keeps_null_as_null(value):
    assert contract._round(value, 1) == value
