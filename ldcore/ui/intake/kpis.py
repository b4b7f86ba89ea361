"""Step 3: how we will know an objective moved — its KPIs, leading and lagging, with baseline and target."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms, widgets
from ldcore.ui.intake.scaffold import Step, editor, text, value


def save(step: Step, objective_key: str, original: str | None) -> None:
    p = f"kpi_{objective_key}_{original or forms.new_item('kpi')}_"
    data = {f: text(p, f) for f in ("key", "name", "unit")} | {
        "direction": value(p, "direction"),
        "kind": value(p, "kind"),
        "baseline": {"value": value(p, "baseline_value"), "date": value(p, "baseline_date")},
        "target": {"value": value(p, "target_value"), "date": value(p, "target_date")},
        "unit_value": value(p, "unit_value"),
    }
    step.write(
        "kpi",
        original is None,
        lambda s: intake.save_kpi(
            s, plan_key=step.plan_key, objective_key=objective_key, data=data, original_key=original, actor=step.actor
        ),
        lambda k: f"Saved KPI {k.name!r}.",
    )


def _choice(label: str, words: dict[str, str], current: str | None, key: str) -> None:
    options = list(words)
    st.selectbox(
        label, options, format_func=lambda k: str(words.get(k)), key=key, index=options.index(current) if current else 0
    )


def fields(step: Step, current: Any, p: str, errors: forms.Problems) -> None:
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
        _choice("Good direction", vocab.DIRECTION_LABELS, current.direction if current else None, p + "direction")
        errors.at("direction")
    with c3:
        _choice("Leading or lagging", vocab.KPI_KIND_LABELS, current.kind if current else None, p + "kind")
        errors.at("kind")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        baseline = current.baseline.value if current else None
        st.number_input("Baseline value", value=baseline, key=p + "baseline_value", format="%g")
        errors.at("baseline.value")
    with c2:
        since = current.baseline.date if current else step.document.plan.starts
        st.date_input("Baseline date", value=since, key=p + "baseline_date")
        errors.at("baseline.date", "baseline")
    with c3:
        target = current.target.value if current else None
        st.number_input("Target value", value=target, key=p + "target_value", format="%g")
        errors.at("target.value")
    with c4:
        st.date_input(
            "Target date", value=current.target.date if current else step.document.plan.ends, key=p + "target_date"
        )
        errors.at("target.date", "target")
    st.number_input(
        f"Money value of one unit in {step.currency} (optional; needed for ROI)",
        min_value=0.0,
        value=current.unit_value if current else None,
        key=p + "unit_value",
        format="%g",
    )
    errors.at("unit_value")


def draw(step: Step) -> None:
    st.subheader("How will we know it moved?")
    st.caption("For each objective, the KPIs that show it: leading ones move first, lagging ones are the result.")
    for title in step.unmeasurable:
        st.warning(widgets.plain(f"{title!r} has no KPI: it is unmeasurable."), icon=":material/straighten:")
    if not step.document.objectives:
        st.info("Add an objective first (step 2).")
        return
    titles = step.objective_titles
    objective_key = st.selectbox(
        "Objective", list(titles), format_func=lambda k: str(titles.get(k)), key="kpi_objective"
    )
    objective = next(o for o in step.document.objectives if o.key == objective_key)
    if objective.kpis:
        st.dataframe(widgets.kpi_table(objective.kpis), hide_index=True, width="stretch")
    editor(
        step,
        form="kpi",
        noun="KPI",
        items={k.key: k for k in objective.kpis},
        name=lambda k: k.name,
        picker_label="KPI",
        picker_key=f"kpi_pick_{objective_key}",
        widgets_prefix=f"kpi_{objective_key}",
        fields=lambda current, p, errors: fields(step, current, p, errors),
        on_save=lambda original: save(step, objective_key, original),
        describe=lambda k: f"KPI {k.name!r}",
    )
