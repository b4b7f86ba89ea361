"""Step 8: what L&D will do — initiatives linked to objectives, capabilities, KPIs and teams, with fully loaded
costs, an isolation method and a commitment both ways."""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.reporting import fmt
from ldcore.services import intake
from ldcore.ui import forms
from ldcore.ui.intake.scaffold import Step, editor, text, value

LINKS = ("objectives", "capabilities", "kpis", "audience", "control_teams")


def save(step: Step, original: str | None) -> None:
    p = f"initiative_{original or forms.new_item('initiative')}_"
    commitment = {"deliver": text(p, "deliver"), "needs": text(p, "needs"), "by": value(p, "by")}
    data: dict[str, Any] = {f: text(p, f) for f in ("key", "name", "description", "format")}
    data |= {f: value(p, f) for f in ("stage", "starts", "ends", "isolation")}
    data |= {f: value(p, f) or [] for f in LINKS}
    data |= {
        "costs": {c: value(p, f"cost_{c}") for c in vocab.COST_LABELS if value(p, f"cost_{c}")},
        "commitment": commitment if any(commitment.values()) else None,
    }
    step.write(
        "initiative",
        original is None,
        lambda s: intake.save_initiative(s, plan_key=step.plan_key, data=data, original_key=original, actor=step.actor),
        lambda i: f"Saved initiative {i.name!r}.",
    )


def _links(label: str, names: dict[str, str], current: Any, field: str, p: str) -> None:
    default = getattr(current, field) if current else []
    st.multiselect(label, list(names), format_func=lambda k: str(names.get(k)), key=p + field, default=default)


def fields(step: Step, current: Any, p: str, errors: forms.Problems) -> None:
    left, right = st.columns([2, 1])
    with left:
        st.text_input("Initiative", value=current.name if current else "", key=p + "name", placeholder="Sales Academy")
        errors.at("name")
    with right:
        key = current.key if current else ""
        st.text_input("Key (leave empty to derive it from the name)", value=key, key=p + "key")
        errors.at("key")
    st.text_area("Description", value=current.description if current else "", key=p + "description")
    errors.at("description")
    c1, c2, c3 = st.columns(3)
    with c1:
        stages = list(get_args(vocab.Stage))
        st.selectbox(
            "4D stage",
            stages,
            format_func=lambda k: str(vocab.STAGE_LABELS.get(k)),
            key=p + "stage",
            index=stages.index(current.stage) if current else 0,
        )
        errors.at("stage")
    with c2:
        fmt = current.format if current else ""
        st.text_input("Format", value=fmt, key=p + "format", placeholder="blended: workshops + coaching")
        errors.at("format")
    with c3:
        isolations = [None, *get_args(vocab.Isolation)]
        st.selectbox(
            "Isolation method",
            isolations,
            key=p + "isolation",
            format_func=lambda v: "— not chosen" if v is None else vocab.ISOLATION_LABELS[v],
            index=isolations.index(current.isolation) if current else 0,
        )
        errors.at("isolation")
    _links("Objectives", step.objective_titles, current, "objectives", p)
    errors.at("objectives")
    _links("Capabilities it builds", step.capability_names, current, "capabilities", p)
    errors.at("capabilities")
    _links("KPIs it should move", step.kpi_names, current, "kpis", p)
    errors.at("kpis")
    left, right = st.columns(2)
    with left:
        _links("Audience teams", step.team_names, current, "audience", p)
        errors.at("audience")
    with right:
        _links("Control teams (comparison group)", step.team_names, current, "control_teams", p)
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
    for n, (ckey, label) in enumerate(vocab.COST_LABELS.items()):
        with columns[n % 4]:
            cost = float(current.costs.get(ckey, 0.0)) if current else 0.0
            label = f"{label} ({step.currency})"
            st.number_input(label, min_value=0.0, step=1000.0, format="%g", key=p + f"cost_{ckey}", value=cost)
            errors.at(f"costs.{ckey}")
    st.markdown("**Commitment**")
    commitment = current.commitment if current else None
    st.text_area("What L&D will deliver", value=commitment.deliver if commitment else "", key=p + "deliver")
    errors.at("commitment.deliver")
    st.text_area("What L&D needs from the business", value=commitment.needs if commitment else "", key=p + "needs")
    errors.at("commitment.needs")
    st.date_input("By when", value=commitment.by if commitment else None, key=p + "by")
    errors.at("commitment.by", "commitment")


def draw(step: Step) -> None:
    st.subheader("What will L&D do, and what will it move?")
    st.caption(
        "Each initiative links to objectives, capabilities and KPIs, names its audience and costs, and "
        "records a commitment both ways."
    )
    kpis, teams = step.kpi_names, step.team_names
    if step.document.initiatives:
        rows = [
            {
                "initiative": i.name,
                "stage": vocab.label(vocab.STAGE_LABELS, i.stage),
                "objectives": ", ".join(step.objective_titles.get(k, k) for k in i.objectives) or vocab.EMPTY,
                "KPIs": ", ".join(kpis.get(k, k) for k in i.kpis) or vocab.EMPTY,
                "audience": ", ".join(teams.get(k, k) for k in i.audience) or vocab.EMPTY,
                "isolation": vocab.label(vocab.ISOLATION_LABELS, i.isolation),
                "cost": fmt.money(sum(i.costs.values()), step.currency),
            }
            for i in step.document.initiatives
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    editor(
        step,
        form="initiative",
        items={i.key: i for i in step.document.initiatives},
        name=lambda i: i.name,
        picker_label="Initiative to edit",
        picker_key="initiative_pick",
        fields=lambda current, p, errors: fields(step, current, p, errors),
        on_save=lambda original: save(step, original),
        describe=lambda i: f"initiative {i.name!r}",
    )
