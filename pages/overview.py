"""Plan overview: objectives with their KPIs, capabilities, teams and initiatives of one plan."""

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.reporting import charts, fmt
from ldcore.services import plans
from ldcore.ui import guard, widgets
from ldcore.ui.state import engine
from ldcore.vocab import ISOLATION_LABELS, PROFICIENCY_LABELS

guard.require("viewer")
st.title("Plan overview")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

with read_session(engine()) as session:
    doc = plans.export_plan(session, key=plan_key)

budget = {i.key: sum(i.costs.values()) for i in doc.initiatives}
cols = st.columns(5)
cols[0].metric("Objectives", len(doc.objectives))
cols[1].metric("KPIs", sum(len(o.kpis) for o in doc.objectives))
cols[2].metric("Capabilities", len(doc.capabilities))
cols[3].metric("Initiatives", len(doc.initiatives))
cols[4].metric("Budget", fmt.money(sum(budget.values())))
st.caption(widgets.plain(f"{doc.plan.name}: {doc.plan.starts:%d %b %Y} – {doc.plan.ends:%d %b %Y}"))
if doc.plan.description:
    st.text(doc.plan.description)

st.subheader("Objectives and their KPIs")
for o in sorted(doc.objectives, key=lambda o: -o.priority):
    with st.expander(widgets.plain(f"{o.title} — priority {o.priority}, owner {o.owner or 'not set'}"), expanded=True):
        if not o.kpis:
            st.warning("No KPI measures this objective yet: it cannot be shown to have moved.")
            continue
        st.dataframe(
            widgets.kpi_table(o.kpis),
            hide_index=True,
            width="stretch",
        )

st.subheader("Initiatives")
if not doc.initiatives:
    st.info("No initiative yet.")
else:
    titles = {o.key: o.title for o in doc.objectives}
    table = pd.DataFrame(
        [
            {
                "initiative": i.name,
                "stage": i.stage,
                "objectives": ", ".join(titles[k] for k in i.objectives),
                "KPIs": ", ".join(i.kpis),
                "audience": ", ".join(i.audience),
                "control": ", ".join(i.control_teams),
                "starts": i.starts,
                "ends": i.ends,
                "isolation": ISOLATION_LABELS.get(i.isolation or "", fmt.NO_VALUE),
                "cost": budget[i.key],
            }
            for i in doc.initiatives
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.plotly_chart(charts.cost_figure(table["initiative"], table["cost"]), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Capabilities")
    st.dataframe(
        pd.DataFrame(
            [
                {"capability": c.name, "type": c.type, "drives": ", ".join(f"{k} ({w})" for k, w in c.drives.items())}
                for c in doc.capabilities
            ]
        ),
        hide_index=True,
        width="stretch",
    )
with right:
    st.subheader("Teams and target proficiency")
    names = {c.key: c.name for c in doc.capabilities}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "team": t.name,
                    "headcount": t.headcount,
                    "targets": ", ".join(f"{names[k]}: {PROFICIENCY_LABELS[v]}" for k, v in t.targets.items()),
                }
                for t in doc.teams
            ]
        ),
        hide_index=True,
        width="stretch",
    )
