"""The alignment view (a viewer may read it) and the KPI data page (manual entry, CSV preview then import)."""

import datetime as dt

from ldcore.db import read_session, unit_of_work
from ldcore.services import intake, kpis
from tests.pages.helpers import make_account, page_test, texts

D = dt.date


def build(engine):
    with unit_of_work(engine) as s:
        intake.save_plan(
            s, data={"key": "p", "name": "Plan", "starts": D(2027, 1, 1), "ends": D(2028, 3, 31)}, actor="t"
        )
        for key, title, priority in [("rev", "Grow revenue", 5), ("ret", "Keep people", 3)]:
            intake.save_objective(
                s, plan_key="p", data={"key": key, "title": title, "category": "other", "priority": priority}, actor="t"
            )
        intake.save_kpi(
            s,
            plan_key="p",
            objective_key="rev",
            actor="t",
            data={
                "key": "win",
                "name": "Win rate",
                "unit": "%",
                "direction": "up",
                "baseline": {"value": 20, "date": D(2027, 1, 1)},
                "target": {"value": 25, "date": D(2027, 12, 31)},
            },
        )
        intake.save_capability(
            s, plan_key="p", data={"key": "neg", "name": "Negotiation", "drives": {"rev": 4}}, actor="t"
        )
        intake.save_capability(
            s, plan_key="p", data={"key": "coach", "name": "Coaching", "drives": {"ret": 2}}, actor="t"
        )
        intake.save_team(s, plan_key="p", data={"key": "sales", "name": "Sales", "targets": {"neg": 3}}, actor="t")
        intake.save_initiative(
            s,
            plan_key="p",
            actor="t",
            data={
                "key": "academy",
                "name": "Sales Academy",
                "objectives": ["rev"],
                "capabilities": ["neg"],
                "kpis": ["win"],
                "costs": {"delivery": 30_000},
            },
        )
        intake.save_initiative(
            s,
            plan_key="p",
            actor="t",
            data={"key": "lunch", "name": "Lunch and learn", "capabilities": ["coach"], "costs": {"delivery": 10_000}},
        )


def test_a_viewer_reads_the_alignment_score_the_sankey_and_the_open_gaps(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    viewer = make_account(sqlite_engine, role="viewer")
    at = page_test(
        monkeypatch, str(sqlite_engine.url), "pages/alignment.py", account_id=viewer, engine=sqlite_engine
    ).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Programs aligned": "50%",
        "Aligned initiatives": "1 of 2",
        "Budget on priority capabilities": "75%",
        "Budget": "40,000",
    }
    unaligned = at.dataframe[0].value
    assert unaligned.to_dict("records") == [{"initiative": "Lunch and learn", "missing": "an objective and a KPI"}]
    shown = texts(at)
    assert "• Keep people" in shown and "Grow revenue" not in shown.split("Objectives no initiative serves")[-1]
    sankey = at.get("plotly_chart")[0]
    assert '"type":"sankey"' in sankey.proto.spec.replace(" ", "")


def test_the_kpi_page_records_a_value_and_names_a_missing_one(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    editor = make_account(sqlite_engine, role="editor")
    at = page_test(
        monkeypatch, str(sqlite_engine.url), "pages/kpi_data.py", account_id=editor, engine=sqlite_engine
    ).run()
    assert not at.exception
    at.date_input(key="kpi_entry_date").set_value(D(2027, 2, 28))
    at = next(b for b in at.button if b.label == "Record").click().run()
    assert any(e.value == "Input should be a valid number" for e in at.error)
    at.number_input(key="kpi_entry_value").set_value(21.5)
    at.selectbox(key="kpi_entry_team").select("sales")
    at = next(b for b in at.button if b.label == "Record").click().run()
    assert "Recorded." in [s.value for s in at.success]
    with read_session(sqlite_engine) as s:
        observations = kpis.kpi_series(s, plan_key="p", kpi_key="win").observations
    assert [(o.date, o.value, o.team) for o in observations] == [(D(2027, 2, 28), 21.5, "sales")]


def test_a_csv_is_previewed_with_its_bad_lines_and_imported_only_when_clean(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    editor = make_account(sqlite_engine, role="editor")
    at = page_test(
        monkeypatch, str(sqlite_engine.url), "pages/kpi_data.py", account_id=editor, engine=sqlite_engine
    ).run()
    at.file_uploader(key="kpi_csv").set_value(
        ("kpis.csv", b"kpi,date,value,team\nwin,2027-01-31,21,sales\nwin,2027-02-30,22,sales\n", "text/csv")
    )
    at.run()
    assert "1 bad row(s): fix them and upload again. Nothing will be imported." in [e.value for e in at.error]
    assert at.dataframe[-1].value.to_dict("records") == [
        {"line": 3, "reason": "date '2027-02-30' is not a date like 2027-03-31"}
    ]
    assert not [b for b in at.button if b.label.startswith("Import")]
    at.file_uploader(key="kpi_csv").set_value(
        ("kpis.csv", b"kpi,date,value,team\nwin,2027-01-31,21,sales\nwin,2027-02-28,22,\n", "text/csv")
    )
    at.run()
    assert any("2 rows are valid: 2 new" in i.value for i in at.info)
    at = next(b for b in at.button if b.label == "Import 2 rows").click().run()
    assert not at.exception
    assert "Imported: 2 added, 0 replaced, 0 already recorded." in [s.value for s in at.success]
    with read_session(sqlite_engine) as s:
        assert len(kpis.kpi_series(s, plan_key="p", kpi_key="win").observations) == 2


def test_the_kpi_csv_takes_kpi_and_team_names_and_offers_a_template_with_the_plans_keys(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    with read_session(sqlite_engine) as s:
        team_name = next(t.name for t in intake.team_grid(s, plan_key="p") if t.key == "sales")
        template = kpis.template_csv(s, plan_key="p").decode("utf-8-sig").splitlines()
    assert template[0] == "kpi,date,value,team,note"
    assert template[1].startswith(f"win,{dt.date.today().isoformat()},20.0,,Win rate")
    editor = make_account(sqlite_engine, role="editor")
    at = page_test(
        monkeypatch, str(sqlite_engine.url), "pages/kpi_data.py", account_id=editor, engine=sqlite_engine
    ).run()
    assert "Download a template with this plan's KPIs (CSV)" in [b.label for b in at.get("download_button")]
    csv = f"kpi,date,value,team\nWIN RATE,2027-01-31,21,{team_name.upper()}\nChurn,2027-02-28,22,\n"
    at.file_uploader(key="kpi_csv").set_value(("kpis.csv", csv.encode(), "text/csv"))
    at.run()
    assert at.dataframe[-1].value.to_dict("records") == [
        {"line": 3, "reason": "unknown KPI 'Churn' (use a KPI of this plan by key or name: win)"}
    ]
    at.file_uploader(key="kpi_csv").set_value(
        ("kpis.csv", csv.splitlines(True)[0].encode() + csv.splitlines(True)[1].encode(), "text/csv")
    )
    at.run()
    at = next(b for b in at.button if b.label == "Import 1 rows").click().run()
    assert "Imported: 1 added, 0 replaced, 0 already recorded." in [s.value for s in at.success]
    with read_session(sqlite_engine) as s:
        observations = kpis.kpi_series(s, plan_key="p", kpi_key="win").observations
    assert [(o.date, o.value, o.team) for o in observations] == [(D(2027, 1, 31), 21.0, "sales")]
