"""Step 2: what the business must achieve — 3 to 5 objectives, each with an owner and a priority."""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms, widgets
from ldcore.ui.intake.scaffold import Step, editor, text, value


def save(step: Step, original: str | None) -> None:
    p = f"objective_{original or forms.new_item('objective')}_"
    data = {f: text(p, f) for f in ("key", "title", "owner", "description")}
    data |= {"category": value(p, "category"), "priority": value(p, "priority")}
    step.write(
        "objective",
        original is None,
        lambda s: intake.save_objective(s, plan_key=step.plan_key, data=data, original_key=original, actor=step.actor),
        lambda o: f"Saved objective {o.title!r}.",
    )


def fields(current: Any, p: str, errors: forms.Problems) -> None:
    st.text_input("Title", value=current.title if current else "", key=p + "title", placeholder="Grow new-logo revenue")
    errors.at("title")
    st.text_input("Key (leave empty to derive it from the title)", value=current.key if current else "", key=p + "key")
    errors.at("key")
    left, right = st.columns(2)
    with left:
        categories = list(get_args(vocab.Category))
        st.selectbox(
            "Category",
            categories,
            format_func=lambda k: str(vocab.CATEGORY_LABELS.get(k)),
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


def draw(step: Step) -> None:
    st.subheader("What must the business achieve?")
    st.caption("The top 3–5 objectives, each with an owner and a priority (5 = highest).")
    warning = intake.objective_count_warning(len(step.document.objectives))
    if warning:
        st.warning(warning)
    if step.document.objectives:
        rows = [
            {
                "objective": o.title,
                "category": vocab.label(vocab.CATEGORY_LABELS, o.category),
                "priority": o.priority,
                "owner": o.owner or vocab.EMPTY,
                "KPIs": len(o.kpis),
            }
            for o in step.document.objectives
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for title in step.unmeasurable:
        st.warning(
            widgets.plain(f"{title!r} has no KPI yet: it is unmeasurable. Add one in step 3."),
            icon=":material/straighten:",
        )
    editor(
        step,
        form="objective",
        items={o.key: o for o in step.document.objectives},
        name=lambda o: o.title,
        picker_label="Objective",
        picker_key="objective_pick",
        fields=fields,
        on_save=lambda original: save(step, original),
        describe=lambda o: f"objective {o.title!r}",
    )
