"""Roster tab: the people who answer, uploaded as CSV (a template to start from)."""

from __future__ import annotations

import streamlit as st

from ldcore.io import exports
from ldcore.services import roster
from ldcore.ui import forms, guard
from ldcore.ui.surveys.context import SurveysPage

COLUMNS = ["email", "name", "team", "employee_id", "role", "manager_email"]
FORM = "roster_import"


def template(page: SurveysPage) -> bytes:
    """The roster columns with two example rows in the plan's first team (or an example team)."""
    team = next((t.name for t in page.plan.teams), "Sales EMEA")
    rows = [
        ["ana.lopez@example.com", "Ana Lopez", team, "E1001", "Account executive", "sam.lee@example.com"],
        ["sam.lee@example.com", "Sam Lee", team, "E1000", "Sales manager", ""],
    ]
    return exports.to_csv(COLUMNS, rows)


def import_people(data: bytes) -> str:
    with guard.transaction("editor") as (session, actor):
        r = roster.import_roster(session, data=data, actor=actor.email)
    return (
        f"Roster imported: {r.created} new, {r.updated} updated ({r.moved} changed team), {r.unchanged} unchanged. "
        f"{r.read_as}."
    )


def draw(page: SurveysPage) -> None:
    st.caption(
        "CSV with the columns email, name, team (team key or name) and optionally employee_id, role, "
        "manager_email. Re-importing updates people by email; nothing is imported while any row is bad."
    )
    st.download_button(
        "Download a roster template (CSV)",
        template(page),
        file_name="roster-template.csv",
        mime="text/csv",
        key="roster_template",
        icon=":material/download:",
    )
    upload = st.file_uploader("Roster CSV", type=["csv"], key="roster_file")
    if upload is not None:
        forms.save_button(
            "Import roster", FORM, lambda: import_people(upload.getvalue()), type="primary", key="roster_import"
        )
