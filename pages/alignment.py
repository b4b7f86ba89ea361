"""Alignment: does every initiative serve an objective and move a KPI, and does the money follow the priorities?"""

import pandas as pd
import streamlit as st

from ldcore.reporting import fmt
from ldcore.ui import cache, guard, widgets

guard.require("viewer")
st.title("Alignment")
st.caption("Objectives → capabilities → initiatives → KPIs. The target leaders ask for: 100% of programs aligned.")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

result, doc, sankey_figure = cache.alignment(plan_key)

objective_titles = {o.key: o.title for o in doc.objectives}
capability_names = {c.key: c.name for c in doc.capabilities}


cols = st.columns(4)
cols[0].metric("Programs aligned", fmt.pct(result.aligned_pct), help="Linked to at least one objective and one KPI.")
cols[1].metric("Aligned initiatives", f"{result.aligned} of {result.initiatives}")
cols[2].metric(
    "Budget on priority capabilities",
    fmt.pct(result.priority_budget_pct),
    help="Share of all initiative costs that goes to the capabilities with the highest weighted priority "
    "(Σ objective priority × weight); an initiative's cost is split evenly over the capabilities it builds.",
)
cols[3].metric("Budget", fmt.money(result.budget))

st.subheader("From objectives to KPIs")
if sankey_figure is None:
    st.info("Nothing flows yet: weight capabilities against objectives (intake step 6) and link initiatives to them.")
else:
    st.plotly_chart(sankey_figure, width="stretch", key="alignment_sankey")
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
