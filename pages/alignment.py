"""Alignment: does every initiative serve an objective and move a KPI, and does the money follow the priorities?"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ldcore.db import read_session
from ldcore.services import intake, plans
from ldcore.ui import guard, widgets
from ldcore.ui.state import engine

guard.require("viewer")
st.title("Alignment")
st.caption("Objectives → capabilities → initiatives → KPIs. The target leaders ask for: 100% of programs aligned.")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

with read_session(engine()) as session:
    result = intake.alignment(session, plan_key=plan_key)
    doc = plans.export_plan(session, key=plan_key)

objective_titles = {o.key: o.title for o in doc.objectives}
capability_names = {c.key: c.name for c in doc.capabilities}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


cols = st.columns(4)
cols[0].metric("Programs aligned", percent(result.aligned_pct), help="Linked to at least one objective and one KPI.")
cols[1].metric("Aligned initiatives", f"{result.aligned} of {result.initiatives}")
cols[2].metric(
    "Budget on priority capabilities",
    percent(result.priority_budget_pct),
    help="Share of all initiative costs that goes to the capabilities with the highest weighted priority "
    "(Σ objective priority × weight); an initiative's cost is split evenly over the capabilities it builds.",
)
cols[3].metric("Budget", widgets.money(result.budget))

st.subheader("From objectives to KPIs")
sankey = result.sankey
if not sankey.values:
    st.info("Nothing flows yet: weight capabilities against objectives (intake step 6) and link initiatives to them.")
else:
    colours = {"objective": "#1f77b4", "capability": "#2ca02c", "initiative": "#ff7f0e", "kpi": "#9467bd"}
    # One column per layer, so a capability no initiative builds stays with the capabilities.
    layer_x = {"objective": 0.001, "capability": 0.34, "initiative": 0.67, "kpi": 0.999}
    layer_size = {kind: sankey.kinds.count(kind) for kind in layer_x}
    seen = dict.fromkeys(layer_x, 0)
    node_y = []
    for kind in sankey.kinds:
        seen[kind] += 1
        node_y.append((seen[kind] - 0.5) / layer_size[kind])
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": sankey.labels,
                "color": [colours[k] for k in sankey.kinds],
                "x": [layer_x[k] for k in sankey.kinds],
                "y": node_y,
                "pad": 18,
                "customdata": sankey.kinds,
                "hovertemplate": "%{label} (%{customdata})<extra></extra>",
            },
            link={"source": sankey.sources, "target": sankey.targets, "value": sankey.values},
        )
    )
    figure.update_layout(height=max(360, 28 * len(sankey.labels)), margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(figure, width="stretch", key="alignment_sankey")
    st.caption("Flows are weighted by objective priority × capability weight.")

left, right = st.columns(2)
with left:
    st.subheader("Unaligned initiatives")
    if not result.unaligned:
        st.success("Every initiative is linked to an objective and a KPI." if result.initiatives else "No initiative.")
    else:
        st.dataframe(
            pd.DataFrame([{"initiative": u.name, "missing": " and ".join(u.missing)} for u in result.unaligned]),
            hide_index=True,
            width="stretch",
        )
    st.subheader("Priority capabilities")
    if result.priority_capabilities:
        st.dataframe(
            pd.DataFrame(
                [
                    {"capability": capability_names[c], "weighted priority": result.importance[c]}
                    for c in result.priority_capabilities
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No capability is weighted against an objective yet.")
with right:
    st.subheader("Open gaps")
    st.markdown("**Objectives no initiative serves**")
    if result.objectives_without_initiative:
        for key in result.objectives_without_initiative:
            st.text(f"• {objective_titles[key]}")
    else:
        st.caption("None.")
    st.markdown("**Capabilities no initiative builds**")
    if result.capabilities_without_initiative:
        for key in result.capabilities_without_initiative:
            st.text(f"• {capability_names[key]}")
    else:
        st.caption("None.")
