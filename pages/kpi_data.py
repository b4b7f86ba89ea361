"""KPI data: enter observations by hand or import a CSV (preview first), and see each KPI over time."""

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import LDAlignError
from ldcore.reporting import charts
from ldcore.services import intake, kpis
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine

me = guard.require("editor")
st.title("KPI data")
st.caption("Observations of the plan's KPIs, for the whole organisation or per team.")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()
forms.flash()

with read_session(engine()) as session:
    kpi_names = dict(kpis.plan_kpis(session, plan_key=plan_key))
    teams = {t.key: t.name for t in intake.team_grid(session, plan_key=plan_key)}
if not kpi_names:
    st.info("This plan has no KPI yet: add them on the Strategy intake page (step 3).")
    st.stop()

kpi_key = st.selectbox("KPI", list(kpi_names), format_func=kpi_names.get, key="kpi_data_kpi")
with read_session(engine()) as session:
    series = kpis.kpi_series(session, plan_key=plan_key, kpi_key=kpi_key)

chart, entry = st.tabs(["Chart", "Enter or import"])

with chart:
    if not series.observations:
        st.info("No observation of this KPI yet.")
    frame = pd.DataFrame(
        [{"date": o.date, "value": o.value, "team": o.team_name, "note": o.note} for o in series.observations],
        columns=["date", "value", "team", "note"],
    )
    figure = charts.kpi_series_figure(series)
    st.plotly_chart(figure, width="stretch", key="kpi_chart")
    if series.observations:
        st.dataframe(frame.sort_values("date", ascending=False), hide_index=True, width="stretch")


def record() -> None:
    p = "kpi_entry_"

    def action() -> str:
        with guard.transaction("editor") as (session, _):
            result = kpis.record_observation(
                session,
                plan_key=plan_key,
                kpi=kpi_key,
                date=st.session_state.get(p + "date"),
                value=st.session_state.get(p + "value"),
                team=st.session_state.get(p + "team"),
                note=st.session_state.get(p + "note") or "",
                actor=me.email,
            )
        return (
            "Replaced the value of that day."
            if result.replaced
            else ("Recorded." if result.added else "That value was already recorded.")
        )

    forms.run_save("kpi_entry", action)


def commit(data: bytes) -> None:
    def action() -> str:
        with guard.transaction("editor") as (session, _):
            result = kpis.import_kpi_csv(session, plan_key=plan_key, data=data, actor=me.email)
        return f"Imported: {result.added} added, {result.replaced} replaced, {result.unchanged} already recorded."

    forms.run_save("kpi_import", action)


with entry:
    st.subheader(f"Enter a value of {widgets.plain(series.name)}")
    errors = forms.Problems("kpi_entry")
    with st.form("kpi_entry"):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.date_input("Date", key="kpi_entry_date")
            errors.at("date")
        with c2:
            st.number_input(
                f"Value ({widgets.plain(series.unit)})" if series.unit else "Value",
                value=None,
                format="%g",
                key="kpi_entry_value",
            )
            errors.at("value")
        with c3:
            st.selectbox(
                "Team",
                [None, *teams],
                format_func=lambda k: "Whole organisation" if k is None else teams[k],
                key="kpi_entry_team",
            )
            errors.at("team")
        st.text_input("Note", key="kpi_entry_note")
        errors.at("note")
        errors.rest()
        st.form_submit_button("Record", type="primary", on_click=record)

    st.subheader("Import a CSV")
    st.caption(
        "Columns kpi, date, value and optionally team and note; a KPI and a team by key or by name; dates like "
        f"2027-03-31. KPIs of this plan: {widgets.plain(', '.join(kpi_names.values()))}. Nothing is imported while "
        "any row is bad; importing the same rows again adds nothing."
    )
    with read_session(engine()) as session:
        template = kpis.template_csv(session, plan_key=plan_key)
    st.download_button(
        "Download a template with this plan's KPIs (CSV)",
        template,
        file_name=f"{plan_key}-kpi-template.csv",
        mime="text/csv",
        key="kpi_template",
        icon=":material/download:",
    )
    upload = st.file_uploader("CSV file", type=["csv"], key="kpi_csv")
    forms.Problems("kpi_import").rest()
    if upload is not None:
        data = upload.getvalue()
        try:
            with read_session(engine()) as session:
                preview = kpis.preview_kpi_csv(session, plan_key=plan_key, data=data)
        except LDAlignError as exc:  # not the expected CSV at all (encoding, header): say why, plainly
            st.error(str(exc))
            preview = None
        if preview is not None and preview.problems:
            st.error(f"{len(preview.problems)} bad row(s): fix them and upload again. Nothing will be imported.")
            st.dataframe(
                pd.DataFrame([{"line": p.line, "reason": p.reason} for p in preview.problems]),
                hide_index=True,
                width="stretch",
            )
        elif preview is not None:
            st.info(
                f"{len(preview.rows)} rows are valid: {preview.new} new, {preview.replaced} replace a value of the "
                f"same day, {preview.unchanged} are already recorded."
            )
            st.caption(f"{preview.read_as}.")
            st.dataframe(pd.DataFrame([r.model_dump() for r in preview.rows[:200]]), hide_index=True, width="stretch")
            st.button(
                f"Import {len(preview.rows)} rows",
                key="kpi_import_commit",
                type="primary",
                on_click=commit,
                args=(data,),
            )
