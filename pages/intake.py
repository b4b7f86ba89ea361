"""Strategy intake: the eight questions a partner asks business leaders, each step saved on its own."""

import streamlit as st

from ldcore.db import read_session
from ldcore.services import intake, plans
from ldcore.ui import forms, guard, state
from ldcore.ui.forms import NEW
from ldcore.ui.intake import capabilities, gaps, initiatives, kpis, objectives, plan, stakeholders, teams
from ldcore.ui.intake.scaffold import Step
from ldcore.ui.state import engine

me = guard.require("editor")
st.title("Strategy intake")
st.caption(
    "Run this with business leaders: start from the business, not from courses. Each step is saved on its own; "
    "come back to any step later."
)
forms.flash()

with read_session(engine()) as session:
    plan_names = {p.key: p.name for p in plans.list_plans(session)}
asked = state.address_plan()
if asked in plan_names or st.session_state.get(plan.PICK_KEY) not in [*plan_names, NEW]:
    remembered = asked or state.chosen_plan()
    st.session_state[plan.PICK_KEY] = remembered if remembered in plan_names else next(iter(plan_names), NEW)
plan_key = st.selectbox(
    "Plan",
    [*plan_names, NEW],
    format_func=lambda k: "＋ New plan" if k == NEW else plan_names[k],
    key=plan.PICK_KEY,
)
if plan_key != NEW:
    state.show_plan_in_address(plan_key)

if plan_key == NEW:
    st.subheader("1. Plan")
    plan.draw(Step(plan_key=NEW, actor=me.email), None)
    st.stop()

with read_session(engine()) as session:
    step = Step(
        plan_key=plan_key,
        actor=me.email,
        doc=plans.export_plan(session, key=plan_key),
        stakeholders=intake.list_stakeholders(session, plan_key=plan_key),
        gaps=intake.list_gaps(session, plan_key=plan_key),
        grid=intake.team_grid(session, plan_key=plan_key),
        unmeasurable=intake.unmeasurable_objectives(session, plan_key=plan_key),
    )

STEPS = [
    ("1 Plan", lambda: plan.draw(step, step.doc.plan)),
    ("2 Objectives", lambda: objectives.draw(step)),
    ("3 KPIs", lambda: kpis.draw(step)),
    ("4 Stakeholders", lambda: stakeholders.draw(step)),
    ("5 Gaps & root causes", lambda: gaps.draw(step)),
    ("6 Capabilities", lambda: capabilities.draw(step)),
    ("7 Teams & targets", lambda: teams.draw(step)),
    ("8 Initiatives", lambda: initiatives.draw(step)),
]
# key: keeps the step open while messages above it come and go
tabs = st.tabs([title for title, _ in STEPS], key="intake_step", on_change="rerun")
for tab, (_, draw) in zip(tabs, STEPS, strict=True):
    with tab:
        draw()
