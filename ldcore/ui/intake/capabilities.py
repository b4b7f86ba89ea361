"""Step 6: the capabilities that drive the objectives, each weighted 1–5 against the objectives it drives."""

from __future__ import annotations

from typing import Any, get_args

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms, widgets
from ldcore.ui.intake.scaffold import Step, editor, text, value


def save(step: Step, original: str | None) -> None:
    p = f"capability_{original or forms.new_item('capability')}_"
    data = {f: text(p, f) for f in ("key", "name", "description")} | {
        "type": value(p, "type"),
        "drives": {o: value(p, f"w_{o}") for o in step.objective_titles if value(p, f"w_{o}")},
    }
    step.write(
        "capability",
        original is None,
        lambda s: intake.save_capability(s, plan_key=step.plan_key, data=data, original_key=original, actor=step.actor),
        lambda c: f"Saved capability {c.name!r}.",
    )


def fields(step: Step, current: Any, p: str, errors: forms.Problems) -> None:
    left, right = st.columns([2, 1])
    with left:
        name = current.name if current else ""
        st.text_input("Capability", value=name, key=p + "name", placeholder="Consultative selling")
        errors.at("name")
    with right:
        types = list(get_args(vocab.CapabilityType))
        st.selectbox(
            "Type",
            types,
            format_func=lambda k: str(vocab.CAPABILITY_TYPE_LABELS.get(k)),
            key=p + "type",
            index=types.index(current.type) if current else 0,
        )
        errors.at("type")
    st.text_input("Key (leave empty to derive it from the name)", value=current.key if current else "", key=p + "key")
    errors.at("key")
    st.text_area("Description", value=current.description if current else "", key=p + "description")
    errors.at("description")
    if not step.objective_titles:
        st.info("Add objectives (step 2) to weight this capability against them.")
    for okey, title in step.objective_titles.items():
        weight = current.drives.get(okey, 0) if current else 0
        st.slider(f"Weight against: {widgets.plain(title)}", 0, 5, value=weight, key=p + f"w_{okey}")
        errors.at(f"drives.{okey}")


def draw(step: Step) -> None:
    st.subheader("Which capabilities drive the objectives?")
    st.caption("Skills, knowledge and behaviours, each weighted 1–5 against the objectives it drives (0 = not).")
    titles = step.objective_titles
    if step.document.capabilities:
        rows = [
            {"capability": c.name, "type": vocab.label(vocab.CAPABILITY_TYPE_LABELS, c.type)}
            | {titles[o]: c.drives.get(o) for o in titles}
            for c in step.document.capabilities
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    editor(
        step,
        form="capability",
        items={c.key: c for c in step.document.capabilities},
        name=lambda c: c.name,
        picker_label="Capability to edit",
        picker_key="capability_pick",
        fields=lambda current, p, errors: fields(step, current, p, errors),
        on_save=lambda original: save(step, original),
        describe=lambda c: f"capability {c.name!r}",
    )
