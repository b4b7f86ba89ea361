"""Step 1: the plan — its name, key, horizon and description."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st

from ldcore.schemas import PlanIn
from ldcore.services import intake
from ldcore.settings import load_settings
from ldcore.ui import forms, state
from ldcore.ui.intake.scaffold import Delete, Step, step_form, text, value

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PICK_KEY = "intake_plan"


def save(step: Step, original: str | None) -> None:
    p = f"plan_{original or forms.new_item('plan')}_"
    data = {f: value(p, f) for f in ("starts", "ends")} | {
        "key": text(p, "key"),
        "name": text(p, "name"),
        "description": text(p, "description"),
        "currency": text(p, "currency"),
    }

    def work(session: Session) -> PlanIn:
        saved = intake.save_plan(session, data=data, original_key=original, actor=step.actor)
        st.session_state[PICK_KEY] = saved.key
        state.choose_plan(saved.key)
        return saved

    def message(saved: PlanIn) -> str:
        warnings = " ".join(intake.horizon_warnings(saved))
        return f"Saved plan {saved.name!r}. {warnings}".strip()

    step.write("plan", original is None, work, message)


def draw(step: Step, current: PlanIn | None) -> None:
    if current:
        for warning in intake.horizon_warnings(current):
            st.warning(warning, icon=":material/schedule:")
    today = dt.date.today()

    def fields(p: str, errors: forms.Problems) -> None:
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
            ends = current.ends if current else today.replace(day=1, year=today.year + 1)
            st.date_input("Ends", value=ends, key=p + "ends")
            errors.at("ends")
        st.caption("A plan usually covers 12–18 months; outside 6–24 months you get a warning.")
        default = load_settings().currency
        st.text_input(
            "Currency (ISO code)",
            value=(current.currency or "") if current else "",
            key=p + "currency",
            placeholder=default,
            max_chars=3,
            help=f"Costs, unit values and ROI of this plan are in this currency; empty: {default} (the settings).",
        )
        errors.at("currency")
        st.text_area("Description", value=current.description if current else "", key=p + "description")
        errors.at("description")

    step_form(
        step,
        form="plan",
        item=current.key if current else forms.new_item("plan"),
        widgets_prefix="plan",
        fields=fields,
        submit="Save plan" if current else "Create plan",
        on_save=lambda original: save(step, original),
        original=current.key if current else None,
        delete=Delete("plan", "", f"plan {current.name!r}", "Delete this plan") if current else None,
    )
