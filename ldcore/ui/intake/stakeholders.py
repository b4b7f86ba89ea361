"""Step 4: who was asked — the leaders consulted and the metrics that matter to them."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms
from ldcore.ui.intake.scaffold import Step, editor, text, value


def save(step: Step, original: str | None) -> None:
    p = f"stakeholder_{original or forms.new_item('stakeholder')}_"
    data = {f: text(p, f) for f in ("name", "role", "metrics_that_matter")} | {"consulted_on": value(p, "consulted_on")}
    stakeholder_id = int(original) if original else None
    step.write(
        "stakeholder",
        original is None,
        lambda s: intake.save_stakeholder(
            s, plan_key=step.plan_key, data=data, stakeholder_id=stakeholder_id, actor=step.actor
        ),
        lambda saved: f"Saved stakeholder {saved.name!r}.",
    )


def fields(current: Any, p: str, errors: forms.Problems) -> None:
    left, right = st.columns(2)
    with left:
        st.text_input("Who", value=current.name if current else "", key=p + "name")
        errors.at("name")
    with right:
        role = current.role if current else ""
        st.text_input("Role", value=role, key=p + "role", placeholder="Chief Revenue Officer")
        errors.at("role")
    st.date_input("Consulted on", value=current.consulted_on if current else None, key=p + "consulted_on")
    errors.at("consulted_on")
    st.text_area(
        "What they said matters (the metrics that matter to them)",
        value=current.metrics_that_matter if current else "",
        key=p + "metrics_that_matter",
    )
    errors.at("metrics_that_matter")


def draw(step: Step) -> None:
    st.subheader("Who did we ask?")
    st.caption("The leaders consulted, and the metrics that matter to them.")
    if step.stakeholders:
        rows = [
            {
                "who": s.name,
                "role": s.role or vocab.EMPTY,
                "consulted on": s.consulted_on,
                "metrics that matter": s.metrics_that_matter or vocab.EMPTY,
            }
            for s in step.stakeholders
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    editor(
        step,
        form="stakeholder",
        items={str(s.id): s for s in step.stakeholders},
        name=lambda s: s.name,
        picker_label="Stakeholder",
        picker_key="stakeholder_pick",
        fields=fields,
        on_save=lambda original: save(step, original),
        describe=lambda s: f"stakeholder {s.name!r}",
    )
