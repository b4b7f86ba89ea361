"""The capability gaps page in AppTest: what a viewer sees, and that no hidden group's figure is anywhere on it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from streamlit.testing.v1 import AppTest

from ldcore.db import read_session
from ldcore.services import evidence
from ldcore.ui import evidence_view
from tests.pages.helpers import make_account, page_test, texts
from tests.support.heatmap import SUPPRESSION, Filed, build
from tests.support.prepost import ALPHA_POST, ALPHA_PRE, WAVES, people

# Figures of the hidden groups in SUPPRESSION: beta × coach (mean 3.75, gap 0.25), tiny × neg (4.67),
# tiny × excel (5.00), and the all-teams means that would reveal them (neg 2.93, coach 2.70).
HIDDEN_FIGURES = ["3.75", "0.25", "4.67", "5.00", "2.93", "2.70", "n = 4", "n = 3", "n = 2"]


def everything(at: AppTest) -> str:
    """All text, every table cell and every chart's data and hover text of the page."""
    parts = [texts(at)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            parts += [json.dumps(trace.get(field)) for field in ("x", "y", "z", "text", "customdata")]
    return "\n".join(parts)


def prepost_table(at: AppTest):
    return next(d.value for d in at.dataframe if "test" in d.value.columns)


@pytest.fixture
def viewer_page(monkeypatch, sqlite_engine):
    def open_page(responses, **kwargs) -> AppTest:
        build(sqlite_engine, responses, **kwargs)
        viewer = make_account(sqlite_engine, role="viewer")
        return page_test(
            monkeypatch, str(sqlite_engine.url), "pages/heatmap.py", account_id=viewer, engine=sqlite_engine
        ).run()

    return open_page


def test_a_viewer_sees_the_gap_grid_sorted_by_priority_with_hidden_cells_as_less_than_five(viewer_page):
    at = viewer_page(SUPPRESSION)

    assert not at.exception
    grid = at.dataframe[0].value.set_index("team")
    assert list(grid.index) == ["Alpha", "Beta", "Duo", "Tiny"]
    assert list(grid.columns) == ["Negotiation", "Coaching", "Spreadsheets", "All capabilities (Σ)"]
    assert grid.loc["Alpha", "Negotiation"] == "1.33"
    assert grid.loc["Beta", "Coaching"] == "< 5" and grid.loc["Tiny", "Negotiation"] == "< 5"
    assert grid.loc["Beta", "All capabilities (Σ)"] == "< 5"
    assert grid.loc["Alpha", "Spreadsheets"] == "—"  # no target, so no gap


def test_no_hidden_value_appears_in_any_measure_or_drill_down(viewer_page):
    at = viewer_page(SUPPRESSION)

    for measure in ["Gap", "Priority", "Current", "Target"]:
        at.radio(key="heatmap_measure").set_value(measure.lower()).run()
        shown = everything(at)
        assert not at.exception
        assert "< 5" in shown
        for figure in HIDDEN_FIGURES:
            assert figure not in shown, (measure, figure)
    at.selectbox(key="heatmap_drill_team").set_value("beta").run()
    at.radio(key="heatmap_drill_by").set_value("capability").run()
    at.selectbox(key="heatmap_drill_capability").set_value("neg").run()
    assert "Not shown (< 5 answers): Tiny" in texts(at)
    assert not at.exception


def test_the_current_measure_shows_the_all_teams_row_only_where_it_reveals_no_hidden_cell(viewer_page):
    at = viewer_page(SUPPRESSION)
    at.radio(key="heatmap_measure").set_value("current").run()

    all_teams = at.dataframe[0].value.set_index("team").loc["All teams"]
    assert all_teams.to_dict() == {"Negotiation": "< 5", "Coaching": "< 5", "Spreadsheets": f"{47 / 17:.2f}"}


def test_the_download_leaves_hidden_cells_empty_and_neutralises_formulas(sqlite_engine):
    build(sqlite_engine, SUPPRESSION)
    with read_session(sqlite_engine) as session:
        heat = evidence.gap_heatmap(session, plan_key="p1")
    heat.teams[0] = heat.teams[0].model_copy(update={"name": "=cmd()"})

    rows = list(csv.DictReader(io.StringIO(evidence_view.cells_csv(heat).decode("utf-8-sig"))))
    hidden = next(r for r in rows if r["team"] == "Beta" and r["capability"] == "Coaching")
    assert hidden == {
        "wave": "base",
        "team": "Beta",
        "capability": "Coaching",
        "current": "",
        "target": "4",
        "gap": "",
        "priority": "",
        "n": "< 5",
    }
    assert {r["team"] for r in rows} >= {"'=cmd()", "Beta"}


def test_a_new_response_shows_on_the_next_run_without_waiting_for_the_cache(viewer_page, sqlite_engine):
    at = viewer_page(SUPPRESSION)
    assert at.dataframe[0].value.set_index("team").loc["Beta", "Coaching"] == "< 5"

    from ldcore.db import mark_changed, unit_of_work
    from ldcore.models import Answer, Capability, Response, SurveyWave, Team

    with unit_of_work(sqlite_engine) as session:
        wave = session.query(SurveyWave).one()
        beta = session.query(Team).filter_by(key="beta").one()
        coach = session.query(Capability).filter_by(key="coach").one()
        answer = Answer(wave_id=wave.id, team_id=beta.id, question_key="proficiency", capability_id=coach.id)
        answer.value_num = 4.0
        session.add(Response(wave_id=wave.id, team_id=beta.id, source="import", answers=[answer]))
        mark_changed(session, wave=wave)  # what the services that store responses do
    at.run()

    assert at.dataframe[0].value.set_index("team").loc["Beta", "Coaching"] == f"{4 - 19 / 5:.2f}"


def test_the_pre_post_section_says_which_test_it_used(viewer_page):
    at = viewer_page(people("alpha", ALPHA_PRE, ALPHA_POST, 1), waves=WAVES)

    assert not at.exception
    assert "paired t-test (people who answered both waves) for 1 of 1 capabilities" in texts(at)
    table = prepost_table(at)
    assert table.loc[0, "test"] == "paired t" and table.loc[0, "team"] == "All teams"
    assert table.loc[0, "pairs"] == 8


def test_welch_is_named_when_nobody_pairs_up(viewer_page):
    responses = [Filed("base", "alpha", {"neg": v}) for v in ALPHA_PRE]
    responses += [Filed("follow", "alpha", {"neg": v}) for v in ALPHA_POST]
    at = viewer_page(responses, waves=WAVES)

    assert "Welch's t-test for 1" in texts(at)
    assert prepost_table(at).loc[0, "test"] == "Welch t"


def test_a_plan_without_a_proficiency_wave_says_what_to_do(viewer_page):
    at = viewer_page([], waves=())

    assert not at.exception
    assert "launch a capability baseline survey first" in texts(at)


def test_the_drill_down_sets_a_team_against_the_company_without_any_hidden_figure(viewer_page):
    at = viewer_page(SUPPRESSION)
    at.selectbox(key="heatmap_drill_team").set_value("beta").run()

    bench = next(d.value for d in at.dataframe if "company" in d.value.columns).set_index("capability")
    assert bench.loc["Negotiation", "team"] == "2.33"
    assert bench.loc["Negotiation", "company"] == "2.50"  # alpha and beta pooled; tiny's 3 answers left out
    assert bench.loc["Coaching", "team"] == "< 5" and bench.loc["Coaching", "team − company"] == "—"
    shown = everything(at)
    for figure in HIDDEN_FIGURES:
        assert figure not in shown, figure


def test_over_time_shows_every_team_large_enough_and_never_a_small_one(viewer_page):
    waves = (("base", "baseline", None, 1), ("follow", "followup", "base", 3))
    responses = SUPPRESSION + [Filed("follow", f.team, f.ratings) for f in SUPPRESSION]
    at = viewer_page(responses, waves=waves)
    at.selectbox(key="trend_capability").set_value("neg").run()
    options = at.multiselect(key="trend_teams").options
    at.multiselect(key="trend_teams").set_value(["alpha", "beta"]).run()

    assert not at.exception
    assert options == ["Alpha", "Beta"]  # Tiny has no series to pick
    chart = next(c for c in at.get("plotly_chart") if "Over time" in texts(at) and "trend" in c.proto.id)
    names = [t.get("name") for t in json.loads(chart.proto.spec)["data"] if t.get("mode") == "lines+markers"]
    assert names == ["All teams", "Alpha", "Beta"]
    shown = everything(at)
    for figure in HIDDEN_FIGURES:
        assert figure not in shown, figure


def test_paired_rows_show_t_df_and_the_paired_means_and_applied_gets_its_own_before_after_table(viewer_page):
    responses = people("alpha", ALPHA_PRE, ALPHA_POST, 1) + [Filed("base", "alpha", {"neg": 1})]
    for n, r in enumerate(responses[:16]):
        r.applied = {"neg": [1, 3][r.wave == "follow"] + n % 2}
    at = viewer_page(responses, waves=WAVES)

    assert not at.exception
    row = prepost_table(at).iloc[0]
    assert (row["baseline"], row["follow-up"]) == (f"{sum(ALPHA_PRE) / 8:.2f}", f"{sum(ALPHA_POST) / 8:.2f}")
    assert float(row["change"]) == pytest.approx(float(row["follow-up"]) - float(row["baseline"]), abs=0.011)
    assert row["df"] == "7.0" and row["t"] != "—"
    tables = [d.value for d in at.dataframe if "test" in d.value.columns]
    assert len(tables) == 2 and tables[1].iloc[0]["test"] == "paired t"
    assert "Before → after for the per-capability questions both waves asked" in texts(at)
    assert "In the last 30 days, how often did you apply each capability on the job?" in texts(at)


def test_a_team_nobody_in_has_answered_shows_no_data_never_a_gap_of_zero(viewer_page):
    at = viewer_page([f for f in SUPPRESSION if f.team != "tiny"])

    assert not at.exception
    grid = at.dataframe[0].value.set_index("team")
    assert grid.loc["Tiny", "Negotiation"] == "no data" and grid.loc["Tiny", "All capabilities (Σ)"] == "no data"
    assert grid.loc["Alpha", "Negotiation"] == "1.33"
    burden = next(d.value for d in at.dataframe if "burden (headcount × gap)" in d.value.columns).set_index("team")
    assert burden.loc["Tiny", "total gap (levels)"] == "no data" and burden.loc["Tiny", "burden (headcount × gap)"] == (
        "no data"
    )
    assert "'no data' means nobody in the team has answered yet" in texts(at)
