"""Strategy intake: the eight questions a partner asks business leaders, each step saved on its own."""

import datetime as dt
from typing import get_args

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.db import read_session
from ldcore.schemas import PlanIn
from ldcore.services import intake, plans
from ldcore.ui import forms, guard, widgets
from ldcore.ui.forms import NEW
from ldcore.ui.state import engine

me = guard.require("editor")

CATEGORY = {
    "revenue_growth": "Revenue growth",
    "cost_efficiency": "Cost & efficiency",
    "innovation": "Innovation",
    "customer": "Customer",
    "people": "People & retention",
    "compliance": "Compliance",
    "other": "Other",
}
CAUSE = {
    "skill": "Skill",
    "knowledge": "Knowledge",
    "behaviour": "Behaviour",
    "process": "Process",
    "tools": "Tools",
    "motivation": "Incentives / motivation",
    "staffing": "Staffing",
}
COSTS = {
    "needs_analysis": "Needs analysis",
    "development": "Development",
    "delivery": "Delivery",
    "participant_time": "Participant time",
    "travel": "Travel",
    "evaluation": "Evaluation",
    "other": "Other",
}
LEVEL_LABEL = {n: f"{n} {label}" for n, label in vocab.PROFICIENCY_LABELS.items()}
LEVEL_OF = {label: n for n, label in LEVEL_LABEL.items()}


def value(prefix: str, field: str):
    return st.session_state.get(prefix + field)


def text(prefix: str, field: str) -> str:
    return value(prefix, field) or ""


def write(form: str, created: bool, work, message) -> None:
    """Run `work(session)` in one transaction; on success say `message(result)` and, after a creation, start the
    form for a new item afresh."""

    def action() -> str:
        with guard.transaction("editor") as (session, _):
            result = work(session)
        return message(result)

    if forms.run_save(form, action) and created:
        forms.renew(form)


def impact(kind: str, key: str):
    def sentence() -> str:
        with read_session(engine()) as session:
            return intake.delete_impact(session, plan_key=plan_key, kind=kind, key=key).message

    return sentence


def remove(kind: str, key: str, what: str):
    def action() -> str:
        with guard.transaction("editor") as (session, _):
            done = intake.delete(session, plan_key=plan_key, kind=kind, key=key, actor=me.email)
        return f"Deleted {what}." + (f" That also {', '.join(done.effects)}." if done.effects else "")

    return action


# --- choose or create the plan -----------------------------------------------------------------------------------

st.title("Strategy intake")
st.caption(
    "Run this with business leaders: start from the business, not from courses. Each step is saved on its own; "
    "come back to any step later."
)
forms.flash()

with read_session(engine()) as session:
    available = plans.list_plans(session)
plan_names = {p.key: p.name for p in available}
if st.session_state.get("intake_plan") not in [*plan_names, NEW]:
    remembered = st.session_state.get(widgets.PLAN_KEY)
    st.session_state["intake_plan"] = remembered if remembered in plan_names else next(iter(plan_names), NEW)
plan_key = st.selectbox(
    "Plan",
    [*plan_names, NEW],
    format_func=lambda k: "＋ New plan" if k == NEW else plan_names[k],
    key="intake_plan",
)


def save_plan(original: str | None) -> None:
    p = f"plan_{original or forms.new_item('plan')}_"
    data = {f: value(p, f) for f in ("key", "name", "starts", "ends")} | {"description": text(p, "description")}
    data["key"], data["name"] = text(p, "key"), text(p, "name")

    def work(session):
        saved = intake.save_plan(session, data=data, original_key=original, actor=me.email)
        st.session_state["intake_plan"] = st.session_state[widgets.PLAN_KEY] = saved.key
        return saved

    def message(saved: PlanIn) -> str:
        warnings = " ".join(intake.horizon_warnings(saved))
        return f"Saved plan {saved.name!r}. {warnings}".strip()

    write("plan", original is None, work, message)


def plan_step(current: PlanIn | None) -> None:
    item = current.key if current else forms.new_item("plan")
    p = f"plan_{item}_"
    errors = forms.Problems("plan")
    if current:
        for warning in intake.horizon_warnings(current):
            st.warning(warning, icon=":material/schedule:")
    today = dt.date.today()
    with st.form(f"plan_form_{item}"):
        st.text_input(
            "Plan name",
            value=current.name if current else "",
            key=p + "name",
            placeholder="FY27 growth & retention plan",
        )
        errors.at("name")
        st.text_input(
            "Key (leave empty to derive it from the name)", value=current.key if current else "", key=p + "key"
        )
        errors.at("key")
        left, right = st.columns(2)
        with left:
            st.date_input("Starts", value=current.starts if current else today.replace(day=1), key=p + "starts")
            errors.at("starts")
        with right:
            st.date_input(
                "Ends", value=current.ends if current else today.replace(day=1, year=today.year + 1), key=p + "ends"
            )
            errors.at("ends")
        st.caption("A plan usually covers 12–18 months; outside 6–24 months you get a warning.")
        st.text_area("Description", value=current.description if current else "", key=p + "description")
        errors.at("description")
        errors.rest()
        st.form_submit_button(
            "Save plan" if current else "Create plan",
            type="primary",
            on_click=save_plan,
            args=(current.key if current else None,),
        )
    if current:
        forms.confirm_delete(
            f"delete_plan_{item}",
            "Delete this plan",
            impact=impact("plan", ""),
            action=remove("plan", "", f"plan {current.name!r}"),
        )


if plan_key == NEW:
    st.subheader("1. Plan")
    plan_step(None)
    st.stop()

with read_session(engine()) as session:
    doc = plans.export_plan(session, key=plan_key)
    stakeholders = intake.list_stakeholders(session, plan_key=plan_key)
    gaps = intake.list_gaps(session, plan_key=plan_key)
    grid = intake.team_grid(session, plan_key=plan_key)
    unmeasurable = intake.unmeasurable_objectives(session, plan_key=plan_key)

objectives = {o.key: o for o in doc.objectives}
objective_titles = {o.key: o.title for o in doc.objectives}
kpi_names = {k.key: f"{k.name} ({objective_titles[o.key]})" for o in doc.objectives for k in o.kpis}
capability_names = {c.key: c.name for c in doc.capabilities}
team_names = {t.key: t.name for t in grid}

steps = st.tabs(
    [
        "1 Plan",
        "2 Objectives",
        "3 KPIs",
        "4 Stakeholders",
        "5 Gaps & root causes",
        "6 Capabilities",
        "7 Teams & targets",
        "8 Initiatives",
    ],
    key="intake_step",  # keeps the step open while messages above it come and go
    on_change="rerun",
)

with steps[0]:
    plan_step(doc.plan)

# --- 2 objectives ------------------------------------------------------------------------------------------------


def save_objective(original: str | None) -> None:
    p = f"objective_{original or forms.new_item('objective')}_"
    data = {
        "key": text(p, "key"),
        "title": text(p, "title"),
        "category": value(p, "category"),
        "priority": value(p, "priority"),
        "owner": text(p, "owner"),
        "description": text(p, "description"),
    }
    write(
        "objective",
        original is None,
        lambda s: intake.save_objective(s, plan_key=plan_key, data=data, original_key=original, actor=me.email),
        lambda o: f"Saved objective {o.title!r}.",
    )


with steps[1]:
    st.subheader("What must the business achieve?")
    st.caption("The top 3–5 objectives, each with an owner and a priority (5 = highest).")
    warning = intake.objective_count_warning(len(doc.objectives))
    if warning:
        st.warning(warning)
    if doc.objectives:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "objective": o.title,
                        "category": CATEGORY[o.category],
                        "priority": o.priority,
                        "owner": o.owner,
                        "KPIs": len(o.kpis),
                    }
                    for o in doc.objectives
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    for title in unmeasurable:
        st.warning(
            widgets.plain(f"{title!r} has no KPI yet: it is unmeasurable. Add one in step 3."),
            icon=":material/straighten:",
        )
    chosen = forms.picker("Objective", objective_titles, key="objective_pick", new_label="＋ New objective")
    current = objectives.get(chosen)
    item = chosen if current else forms.new_item("objective")
    p = f"objective_{item}_"
    errors = forms.Problems("objective")
    with st.form(f"objective_form_{item}"):
        st.text_input(
            "Title", value=current.title if current else "", key=p + "title", placeholder="Grow new-logo revenue"
        )
        errors.at("title")
        st.text_input(
            "Key (leave empty to derive it from the title)", value=current.key if current else "", key=p + "key"
        )
        errors.at("key")
        left, right = st.columns(2)
        with left:
            categories = list(get_args(vocab.Category))
            st.selectbox(
                "Category",
                categories,
                format_func=CATEGORY.get,
                key=p + "category",
                index=categories.index(current.category) if current else 0,
            )
            errors.at("category")
        with right:
            st.slider("Priority", 1, 5, value=current.priority if current else 3, key=p + "priority")
            errors.at("priority")
        st.text_input("Owner (who answers for it)", value=current.owner if current else "", key=p + "owner")
        errors.at("owner")
        st.text_area("Description", value=current.description if current else "", key=p + "description")
        errors.at("description")
        errors.rest()
        st.form_submit_button(
            "Save objective", type="primary", on_click=save_objective, args=(chosen if current else None,)
        )
    if current:
        forms.confirm_delete(
            f"delete_objective_{chosen}",
            "Delete this objective",
            impact=impact("objective", chosen),
            action=remove("objective", chosen, f"objective {current.title!r}"),
        )

# --- 3 KPIs ------------------------------------------------------------------------------------------------------


def save_kpi(objective_key: str, original: str | None) -> None:
    p = f"kpi_{objective_key}_{original or forms.new_item('kpi')}_"
    data = {
        "key": text(p, "key"),
        "name": text(p, "name"),
        "unit": text(p, "unit"),
        "direction": value(p, "direction"),
        "kind": value(p, "kind"),
        "baseline": {"value": value(p, "baseline_value"), "date": value(p, "baseline_date")},
        "target": {"value": value(p, "target_value"), "date": value(p, "target_date")},
        "unit_value": value(p, "unit_value"),
    }
    write(
        "kpi",
        original is None,
        lambda s: intake.save_kpi(
            s, plan_key=plan_key, objective_key=objective_key, data=data, original_key=original, actor=me.email
        ),
        lambda k: f"Saved KPI {k.name!r}.",
    )


with steps[2]:
    st.subheader("How will we know it moved?")
    st.caption("For each objective, the KPIs that show it: leading ones move first, lagging ones are the result.")
    for title in unmeasurable:
        st.warning(widgets.plain(f"{title!r} has no KPI: it is unmeasurable."), icon=":material/straighten:")
    if not doc.objectives:
        st.info("Add an objective first (step 2).")
    else:
        objective_key = st.selectbox(
            "Objective", list(objective_titles), format_func=objective_titles.get, key="kpi_objective"
        )
        objective = objectives[objective_key]
        if objective.kpis:
            st.dataframe(
                widgets.kpi_table(objective.kpis),
                hide_index=True,
                width="stretch",
            )
        kpis_here = {k.key: k for k in objective.kpis}
        chosen = forms.picker(
            "KPI", {k: v.name for k, v in kpis_here.items()}, key=f"kpi_pick_{objective_key}", new_label="＋ New KPI"
        )
        current = kpis_here.get(chosen)
        item = chosen if current else forms.new_item("kpi")
        p = f"kpi_{objective_key}_{item}_"
        errors = forms.Problems("kpi")
        with st.form(f"kpi_form_{objective_key}_{item}"):
            left, right = st.columns(2)
            with left:
                st.text_input("KPI name", value=current.name if current else "", key=p + "name", placeholder="Win rate")
                errors.at("name")
            with right:
                st.text_input(
                    "Key (leave empty to derive it from the name)", value=current.key if current else "", key=p + "key"
                )
                errors.at("key")
            c1, c2, c3 = st.columns(3)
            with c1:
                st.text_input("Unit", value=current.unit if current else "", key=p + "unit", placeholder="%")
                errors.at("unit")
            with c2:
                st.selectbox(
                    "Good direction",
                    ["up", "down"],
                    key=p + "direction",
                    index=["up", "down"].index(current.direction) if current else 0,
                )
                errors.at("direction")
            with c3:
                st.selectbox(
                    "Leading or lagging",
                    ["lagging", "leading"],
                    key=p + "kind",
                    index=["lagging", "leading"].index(current.kind) if current else 0,
                )
                errors.at("kind")
            c1, c2, c3, c4 = st.columns(4)
            with c1:
                st.number_input(
                    "Baseline value",
                    value=current.baseline.value if current else None,
                    key=p + "baseline_value",
                    format="%g",
                )
                errors.at("baseline.value")
            with c2:
                st.date_input(
                    "Baseline date",
                    value=current.baseline.date if current else doc.plan.starts,
                    key=p + "baseline_date",
                )
                errors.at("baseline.date", "baseline")
            with c3:
                st.number_input(
                    "Target value", value=current.target.value if current else None, key=p + "target_value", format="%g"
                )
                errors.at("target.value")
            with c4:
                st.date_input(
                    "Target date", value=current.target.date if current else doc.plan.ends, key=p + "target_date"
                )
                errors.at("target.date", "target")
            st.number_input(
                "Money value of one unit (optional; needed for ROI)",
                min_value=0.0,
                value=current.unit_value if current else None,
                key=p + "unit_value",
                format="%g",
            )
            errors.at("unit_value")
            errors.rest()
            st.form_submit_button(
                "Save KPI", type="primary", on_click=save_kpi, args=(objective_key, chosen if current else None)
            )
        if current:
            forms.confirm_delete(
                f"delete_kpi_{chosen}",
                "Delete this KPI",
                impact=impact("kpi", chosen),
                action=remove("kpi", chosen, f"KPI {current.name!r}"),
            )

# --- 4 stakeholders ----------------------------------------------------------------------------------------------


def save_stakeholder(original: int | None) -> None:
    p = f"stakeholder_{original or forms.new_item('stakeholder')}_"
    data = {
        "name": text(p, "name"),
        "role": text(p, "role"),
        "consulted_on": value(p, "consulted_on"),
        "metrics_that_matter": text(p, "metrics_that_matter"),
    }
    write(
        "stakeholder",
        original is None,
        lambda s: intake.save_stakeholder(s, plan_key=plan_key, data=data, stakeholder_id=original, actor=me.email),
        lambda saved: f"Saved stakeholder {saved.name!r}.",
    )


with steps[3]:
    st.subheader("Who did we ask?")
    st.caption("The leaders consulted, and the metrics that matter to them.")
    if stakeholders:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "who": s.name,
                        "role": s.role,
                        "consulted on": s.consulted_on,
                        "metrics that matter": s.metrics_that_matter,
                    }
                    for s in stakeholders
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    by_id = {str(s.id): s for s in stakeholders}
    chosen = forms.picker(
        "Stakeholder", {k: s.name for k, s in by_id.items()}, key="stakeholder_pick", new_label="＋ New stakeholder"
    )
    current = by_id.get(chosen)
    item = chosen if current else forms.new_item("stakeholder")
    p = f"stakeholder_{item}_"
    errors = forms.Problems("stakeholder")
    with st.form(f"stakeholder_form_{item}"):
        left, right = st.columns(2)
        with left:
            st.text_input("Who", value=current.name if current else "", key=p + "name")
            errors.at("name")
        with right:
            st.text_input(
                "Role", value=current.role if current else "", key=p + "role", placeholder="Chief Revenue Officer"
            )
            errors.at("role")
        st.date_input("Consulted on", value=current.consulted_on if current else None, key=p + "consulted_on")
        errors.at("consulted_on")
        st.text_area(
            "What they said matters (the metrics that matter to them)",
            value=current.metrics_that_matter if current else "",
            key=p + "metrics_that_matter",
        )
        errors.at("metrics_that_matter")
        errors.rest()
        st.form_submit_button(
            "Save stakeholder", type="primary", on_click=save_stakeholder, args=(current.id if current else None,)
        )
    if current:
        forms.confirm_delete(
            f"delete_stakeholder_{chosen}",
            "Delete this stakeholder",
            impact=impact("stakeholder", chosen),
            action=remove("stakeholder", chosen, f"stakeholder {current.name!r}"),
        )

# --- 5 performance gaps ------------------------------------------------------------------------------------------


def save_gap(original: int | None) -> None:
    p = f"gap_{original or forms.new_item('gap')}_"
    data = {
        "description": text(p, "description"),
        "root_cause": value(p, "root_cause"),
        "objective": value(p, "objective"),
        "team": value(p, "team"),
        "fix_owner": text(p, "fix_owner"),
        "notes": text(p, "notes"),
    }
    write(
        "gap",
        original is None,
        lambda s: intake.save_gap(s, plan_key=plan_key, data=data, gap_id=original, actor=me.email),
        lambda saved: f"Saved the gap. {saved.advice}",
    )


with steps[4]:
    st.subheader("What is the gap, and why?")
    st.caption(
        "Only skill, knowledge and behaviour gaps are training problems. A process, tools, incentive or staffing "
        "gap needs someone else to fix it: training is not the answer."
    )
    for g in gaps:
        with st.container(border=True):
            st.text(g.description)
            labels = [f"Root cause: {CAUSE[g.root_cause]}"]
            if g.objective:
                labels.append(f"objective: {objective_titles.get(g.objective, g.objective)}")
            if g.team:
                labels.append(f"team: {team_names.get(g.team, g.team)}")
            st.caption(widgets.plain(" · ".join(labels)))
            if g.training_answer:
                st.info(g.advice, icon=":material/school:")
            else:
                st.warning(
                    widgets.plain(f"{g.advice.split(' Record')[0]} Fix owned by: {g.fix_owner}"),
                    icon=":material/block:",
                )
    by_id = {str(g.id): g for g in gaps}
    chosen = forms.picker(
        "Gap", {k: g.description[:80] for k, g in by_id.items()}, key="gap_pick", new_label="＋ New gap"
    )
    current = by_id.get(chosen)
    item = chosen if current else forms.new_item("gap")
    p = f"gap_{item}_"
    errors = forms.Problems("gap")
    causes = list(CAUSE)
    cause = st.selectbox(
        "Root cause",
        causes,
        format_func=CAUSE.get,
        key=p + "root_cause",
        index=causes.index(current.root_cause) if current else 0,
    )
    errors.at("root_cause")
    if intake.is_training_cause(cause):
        st.info(intake.root_cause_advice(cause), icon=":material/school:")
    else:
        st.warning(intake.root_cause_advice(cause), icon=":material/block:")
    with st.form(f"gap_form_{item}"):
        st.text_area(
            "The performance gap (what people do today vs. what the business needs)",
            value=current.description if current else "",
            key=p + "description",
        )
        errors.at("description")
        left, right = st.columns(2)
        with left:
            options = [None, *objective_titles]
            st.selectbox(
                "Objective it holds back",
                options,
                key=p + "objective",
                format_func=lambda k: "—" if k is None else objective_titles[k],
                index=options.index(current.objective) if current and current.objective in options else 0,
            )
            errors.at("objective")
        with right:
            options = [None, *team_names]
            st.selectbox(
                "Team",
                options,
                key=p + "team",
                format_func=lambda k: "—" if k is None else team_names[k],
                index=options.index(current.team) if current and current.team in options else 0,
            )
            errors.at("team")
        st.text_input(
            "Who owns the fix (needed when training is not the answer)",
            value=current.fix_owner if current else "",
            key=p + "fix_owner",
        )
        errors.at("fix_owner")
        st.text_area("Notes", value=current.notes if current else "", key=p + "notes")
        errors.at("notes")
        errors.rest()
        st.form_submit_button("Save gap", type="primary", on_click=save_gap, args=(current.id if current else None,))
    if current:
        forms.confirm_delete(
            f"delete_gap_{chosen}",
            "Delete this gap",
            impact=impact("gap", chosen),
            action=remove("gap", chosen, "the gap"),
        )

# --- 6 capabilities ----------------------------------------------------------------------------------------------


def save_capability(original: str | None) -> None:
    p = f"capability_{original or forms.new_item('capability')}_"
    drives = {o: value(p, f"w_{o}") for o in objective_titles if value(p, f"w_{o}")}
    data = {
        "key": text(p, "key"),
        "name": text(p, "name"),
        "type": value(p, "type"),
        "description": text(p, "description"),
        "drives": drives,
    }
    write(
        "capability",
        original is None,
        lambda s: intake.save_capability(s, plan_key=plan_key, data=data, original_key=original, actor=me.email),
        lambda c: f"Saved capability {c.name!r}.",
    )


with steps[5]:
    st.subheader("Which capabilities drive the objectives?")
    st.caption("Skills, knowledge and behaviours, each weighted 1–5 against the objectives it drives (0 = not).")
    if doc.capabilities:
        st.dataframe(
            pd.DataFrame(
                [
                    {"capability": c.name, "type": c.type}
                    | {objective_titles[o]: c.drives.get(o) for o in objective_titles}
                    for c in doc.capabilities
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    capabilities = {c.key: c for c in doc.capabilities}
    chosen = forms.picker("Capability", capability_names, key="capability_pick", new_label="＋ New capability")
    current = capabilities.get(chosen)
    item = chosen if current else forms.new_item("capability")
    p = f"capability_{item}_"
    errors = forms.Problems("capability")
    with st.form(f"capability_form_{item}"):
        left, right = st.columns([2, 1])
        with left:
            st.text_input(
                "Capability", value=current.name if current else "", key=p + "name", placeholder="Consultative selling"
            )
            errors.at("name")
        with right:
            types = list(get_args(vocab.CapabilityType))
            st.selectbox("Type", types, key=p + "type", index=types.index(current.type) if current else 0)
            errors.at("type")
        st.text_input(
            "Key (leave empty to derive it from the name)", value=current.key if current else "", key=p + "key"
        )
        errors.at("key")
        st.text_area("Description", value=current.description if current else "", key=p + "description")
        errors.at("description")
        if not objective_titles:
            st.info("Add objectives (step 2) to weight this capability against them.")
        for okey, title in objective_titles.items():
            st.slider(
                f"Weight against: {widgets.plain(title)}",
                0,
                5,
                value=current.drives.get(okey, 0) if current else 0,
                key=p + f"w_{okey}",
            )
            errors.at(f"drives.{okey}")
        errors.rest()
        st.form_submit_button(
            "Save capability", type="primary", on_click=save_capability, args=(chosen if current else None,)
        )
    if current:
        forms.confirm_delete(
            f"delete_capability_{chosen}",
            "Delete this capability",
            impact=impact("capability", chosen),
            action=remove("capability", chosen, f"capability {current.name!r}"),
        )

# --- 7 teams and targets -----------------------------------------------------------------------------------------


def save_grid(rows: list[dict]) -> None:
    write(
        "grid",
        False,
        lambda s: intake.save_team_grid(s, plan_key=plan_key, rows=rows, actor=me.email),
        lambda saved: f"Saved targets of {len(saved)} teams.",
    )


def save_team() -> None:
    p = f"team_{forms.new_item('team')}_"
    data = {
        "key": text(p, "key"),
        "name": text(p, "name"),
        "headcount": value(p, "headcount"),
        "targets": {c: value(p, f"t_{c}") for c in capability_names if value(p, f"t_{c}")},
    }
    write(
        "team",
        True,
        lambda s: intake.save_team(s, plan_key=plan_key, data=data, actor=me.email),
        lambda t: f"Saved team {t.name!r}.",
    )


with steps[6]:
    st.subheader("Which teams, and what level do they need?")
    st.caption(
        "Target proficiency per team and capability: 1 Awareness, 2 Basic, 3 Intermediate, 4 Advanced, 5 Expert. "
        "Teams are shared by every plan; an empty cell means no target in this plan."
    )
    if grid and capability_names:
        frame = pd.DataFrame(
            [
                {"key": t.key, "team": t.name, "headcount": t.headcount}
                | {capability_names[c]: LEVEL_LABEL.get(t.targets.get(c)) for c in capability_names}
                for t in grid
            ]
        )
        edited = st.data_editor(
            frame,
            key=f"team_grid_{plan_key}",
            hide_index=True,
            width="stretch",
            disabled=["key"],
            column_config={
                "headcount": st.column_config.NumberColumn("headcount", min_value=0, step=1),
                **{
                    name: st.column_config.SelectboxColumn(name, options=list(LEVEL_OF))
                    for name in capability_names.values()
                },
            },
        )
        grid_errors = forms.Problems("grid")
        grid_errors.rest()
        rows = [
            {
                "key": r["key"],
                "name": r["team"] or "",
                "headcount": int(r["headcount"]) if pd.notna(r["headcount"]) else 0,
                "targets": {c: LEVEL_OF[r[name]] for c, name in capability_names.items() if isinstance(r[name], str)},
            }
            for r in edited.to_dict("records")
        ]
        st.button("Save targets", key="save_grid", type="primary", on_click=save_grid, args=(rows,))
    elif not capability_names:
        st.info("Add capabilities first (step 6): targets are set per capability.")

    st.markdown("**Add or update a team**")
    errors = forms.Problems("team")
    p = f"team_{forms.new_item('team')}_"
    with st.form(f"team_form_{forms.new_item('team')}"):
        left, mid, right = st.columns([2, 2, 1])
        with left:
            st.text_input("Team name", key=p + "name", placeholder="Sales EMEA")
            errors.at("name")
        with mid:
            st.text_input("Key (leave empty to derive it from the name)", key=p + "key")
            errors.at("key")
        with right:
            st.number_input("Headcount", min_value=0, step=1, value=0, key=p + "headcount")
            errors.at("headcount")
        columns = st.columns(3) if capability_names else []
        for n, (ckey, cname) in enumerate(capability_names.items()):
            with columns[n % 3]:
                st.selectbox(
                    f"Target: {widgets.plain(cname)}",
                    [None, *LEVEL_LABEL],
                    key=p + f"t_{ckey}",
                    format_func=lambda v: "— no target" if v is None else LEVEL_LABEL[v],
                )
                errors.at(f"targets.{ckey}")
        errors.rest()
        st.form_submit_button("Save team", type="primary", on_click=save_team)

    in_plan = {t.key: t.name for t in doc.teams}
    if in_plan:
        st.markdown("**Remove a team from this plan**")
        leaving = st.selectbox("Team", list(in_plan), format_func=in_plan.get, key="team_remove_pick")
        forms.confirm_delete(
            f"delete_team_{leaving}",
            "Remove from this plan",
            impact=impact("team", leaving),
            action=remove("team", leaving, f"team {in_plan[leaving]!r} from this plan"),
        )

# --- 8 initiatives -----------------------------------------------------------------------------------------------


def save_initiative(original: str | None) -> None:
    p = f"initiative_{original or forms.new_item('initiative')}_"
    commitment = {"deliver": text(p, "deliver"), "needs": text(p, "needs"), "by": value(p, "by")}
    data = {
        "key": text(p, "key"),
        "name": text(p, "name"),
        "description": text(p, "description"),
        "stage": value(p, "stage"),
        "format": text(p, "format"),
        "objectives": value(p, "objectives") or [],
        "capabilities": value(p, "capabilities") or [],
        "kpis": value(p, "kpis") or [],
        "audience": value(p, "audience") or [],
        "control_teams": value(p, "control_teams") or [],
        "starts": value(p, "starts"),
        "ends": value(p, "ends"),
        "isolation": value(p, "isolation"),
        "costs": {c: value(p, f"cost_{c}") for c in COSTS if value(p, f"cost_{c}")},
        "commitment": commitment if any(commitment.values()) else None,
    }
    write(
        "initiative",
        original is None,
        lambda s: intake.save_initiative(s, plan_key=plan_key, data=data, original_key=original, actor=me.email),
        lambda i: f"Saved initiative {i.name!r}.",
    )


with steps[7]:
    st.subheader("What will L&D do, and what will it move?")
    st.caption(
        "Each initiative links to objectives, capabilities and KPIs, names its audience and costs, and "
        "records a commitment both ways."
    )
    initiatives = {i.key: i for i in doc.initiatives}
    if initiatives:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "initiative": i.name,
                        "stage": i.stage,
                        "objectives": ", ".join(objective_titles.get(k, k) for k in i.objectives),
                        "KPIs": ", ".join(i.kpis),
                        "audience": ", ".join(i.audience),
                        "cost": sum(i.costs.values()),
                    }
                    for i in doc.initiatives
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    chosen = forms.picker(
        "Initiative", {k: i.name for k, i in initiatives.items()}, key="initiative_pick", new_label="＋ New initiative"
    )
    current = initiatives.get(chosen)
    item = chosen if current else forms.new_item("initiative")
    p = f"initiative_{item}_"
    errors = forms.Problems("initiative")
    with st.form(f"initiative_form_{item}"):
        left, right = st.columns([2, 1])
        with left:
            st.text_input(
                "Initiative", value=current.name if current else "", key=p + "name", placeholder="Sales Academy"
            )
            errors.at("name")
        with right:
            st.text_input(
                "Key (leave empty to derive it from the name)", value=current.key if current else "", key=p + "key"
            )
            errors.at("key")
        st.text_area("Description", value=current.description if current else "", key=p + "description")
        errors.at("description")
        c1, c2, c3 = st.columns(3)
        with c1:
            stages = list(get_args(vocab.Stage))
            st.selectbox("4D stage", stages, key=p + "stage", index=stages.index(current.stage) if current else 0)
            errors.at("stage")
        with c2:
            st.text_input(
                "Format",
                value=current.format if current else "",
                key=p + "format",
                placeholder="blended: workshops + coaching",
            )
            errors.at("format")
        with c3:
            isolations = [None, *get_args(vocab.Isolation)]
            st.selectbox(
                "Isolation method",
                isolations,
                key=p + "isolation",
                format_func=lambda v: "— not chosen" if v is None else v.replace("_", " "),
                index=isolations.index(current.isolation) if current else 0,
            )
            errors.at("isolation")
        st.multiselect(
            "Objectives",
            list(objective_titles),
            format_func=objective_titles.get,
            key=p + "objectives",
            default=current.objectives if current else [],
        )
        errors.at("objectives")
        st.multiselect(
            "Capabilities it builds",
            list(capability_names),
            format_func=capability_names.get,
            key=p + "capabilities",
            default=current.capabilities if current else [],
        )
        errors.at("capabilities")
        st.multiselect(
            "KPIs it should move",
            list(kpi_names),
            format_func=kpi_names.get,
            key=p + "kpis",
            default=current.kpis if current else [],
        )
        errors.at("kpis")
        left, right = st.columns(2)
        with left:
            st.multiselect(
                "Audience teams",
                list(team_names),
                format_func=team_names.get,
                key=p + "audience",
                default=current.audience if current else [],
            )
            errors.at("audience")
        with right:
            st.multiselect(
                "Control teams (comparison group)",
                list(team_names),
                format_func=team_names.get,
                key=p + "control_teams",
                default=current.control_teams if current else [],
            )
            errors.at("control_teams", "a team")
        left, right = st.columns(2)
        with left:
            st.date_input("Starts", value=current.starts if current else None, key=p + "starts")
            errors.at("starts")
        with right:
            st.date_input("Ends", value=current.ends if current else None, key=p + "ends")
            errors.at("ends")
        st.markdown("**Fully loaded cost**")
        columns = st.columns(4)
        for n, (ckey, label) in enumerate(COSTS.items()):
            with columns[n % 4]:
                st.number_input(
                    label,
                    min_value=0.0,
                    step=1000.0,
                    format="%g",
                    key=p + f"cost_{ckey}",
                    value=float(current.costs.get(ckey, 0.0)) if current else 0.0,
                )
                errors.at(f"costs.{ckey}")
        st.markdown("**Commitment**")
        commitment = current.commitment if current else None
        st.text_area("What L&D will deliver", value=commitment.deliver if commitment else "", key=p + "deliver")
        errors.at("commitment.deliver")
        st.text_area("What L&D needs from the business", value=commitment.needs if commitment else "", key=p + "needs")
        errors.at("commitment.needs")
        st.date_input("By when", value=commitment.by if commitment else None, key=p + "by")
        errors.at("commitment.by", "commitment")
        errors.rest()
        st.form_submit_button(
            "Save initiative", type="primary", on_click=save_initiative, args=(chosen if current else None,)
        )
    if current:
        forms.confirm_delete(
            f"delete_initiative_{chosen}",
            "Delete this initiative",
            impact=impact("initiative", chosen),
            action=remove("initiative", chosen, f"initiative {current.name!r}"),
        )
