"""Step 5: the performance gaps and their root cause — only skill, knowledge and behaviour gaps call for training."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms, widgets
from ldcore.ui.intake.scaffold import Step, editor, text, value


def save(step: Step, original: str | None) -> None:
    p = f"gap_{original or forms.new_item('gap')}_"
    data = {f: text(p, f) for f in ("description", "fix_owner", "notes")}
    data |= {f: value(p, f) for f in ("root_cause", "objective", "team")}
    gap_id = int(original) if original else None
    step.write(
        "gap",
        original is None,
        lambda s: intake.save_gap(s, plan_key=step.plan_key, data=data, gap_id=gap_id, actor=step.actor),
        lambda saved: f"Saved the gap. {saved.advice}",
    )


def root_cause(current: Any, p: str, errors: forms.Problems) -> None:
    """Outside the form, so that the advice follows the choice at once."""
    causes = list(vocab.ROOT_CAUSE_LABELS)
    cause = st.selectbox(
        "Root cause",
        causes,
        format_func=lambda k: str(vocab.ROOT_CAUSE_LABELS.get(k)),
        key=p + "root_cause",
        index=causes.index(current.root_cause) if current else 0,
    )
    errors.at("root_cause")
    if intake.is_training_cause(cause):
        st.info(intake.root_cause_advice(cause), icon=":material/school:")
    else:
        st.warning(intake.root_cause_advice(cause), icon=":material/block:")


def _optional(label: str, names: dict[str, str], current: str | None, key: str) -> None:
    options = [None, *names]
    st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda k: vocab.EMPTY if k is None else names[k],
        index=options.index(current) if current in options else 0,
    )


def fields(step: Step, current: Any, p: str, errors: forms.Problems) -> None:
    st.text_area(
        "The performance gap (what people do today vs. what the business needs)",
        value=current.description if current else "",
        key=p + "description",
    )
    errors.at("description")
    left, right = st.columns(2)
    with left:
        _optional("Objective it holds back", step.objective_titles, current and current.objective, p + "objective")
        errors.at("objective")
    with right:
        _optional("Team", step.team_names, current and current.team, p + "team")
        errors.at("team")
    st.text_input(
        "Who owns the fix (needed when training is not the answer)",
        value=current.fix_owner if current else "",
        key=p + "fix_owner",
    )
    errors.at("fix_owner")
    st.text_area("Notes", value=current.notes if current else "", key=p + "notes")
    errors.at("notes")


def draw(step: Step) -> None:
    st.subheader("What is the gap, and why?")
    st.caption(
        "Only skill, knowledge and behaviour gaps are training problems. A process, tools, incentive or staffing "
        "gap needs someone else to fix it: training is not the answer."
    )
    for g in step.gaps:
        with st.container(border=True):
            st.text(g.description)
            labels = [f"Root cause: {vocab.label(vocab.ROOT_CAUSE_LABELS, g.root_cause)}"]
            if g.objective:
                labels.append(f"objective: {step.objective_titles.get(g.objective, g.objective)}")
            if g.team:
                labels.append(f"team: {step.team_names.get(g.team, g.team)}")
            st.caption(widgets.plain(" · ".join(labels)))
            if g.training_answer:
                st.info(g.advice, icon=":material/school:")
            else:
                st.warning(widgets.plain(f"{g.verdict} Fix owned by: {g.fix_owner}"), icon=":material/block:")
    editor(
        step,
        form="gap",
        items={str(g.id): g for g in step.gaps},
        name=lambda g: g.description[:80],
        picker_label="Gap",
        picker_key="gap_pick",
        fields=lambda current, p, errors: fields(step, current, p, errors),
        before_form=root_cause,
        on_save=lambda original: save(step, original),
        describe=lambda g: "the gap",
    )
