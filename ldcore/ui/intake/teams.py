"""Step 7: the teams and the proficiency each needs per capability (a grid), a form for a new team, and removal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.services import intake
from ldcore.ui import forms, widgets
from ldcore.ui.intake.scaffold import Step, step_form, text, value

LEVEL_LABEL = {n: f"{n} {label}" for n, label in vocab.PROFICIENCY_LABELS.items()}
LEVEL_OF = {label: n for n, label in LEVEL_LABEL.items()}


def save_grid(step: Step, rows: list[dict]) -> None:
    step.write(
        "grid",
        False,
        lambda s: intake.save_team_grid(s, plan_key=step.plan_key, rows=rows, actor=step.actor),
        lambda saved: f"Saved targets of {len(saved)} teams.",
    )


def save_team(step: Step) -> None:
    p = f"team_{forms.new_item('team')}_"
    targets = {c: value(p, f"t_{c}") for c in step.capability_names if value(p, f"t_{c}")}
    data = {"key": text(p, "key"), "name": text(p, "name"), "headcount": value(p, "headcount"), "targets": targets}
    step.write(
        "team",
        True,
        lambda s: intake.save_team(s, plan_key=step.plan_key, data=data, actor=step.actor),
        lambda t: f"Saved team {t.name!r}.",
    )


def grid(step: Step) -> None:
    names = step.capability_names
    frame = pd.DataFrame(
        [
            {"key": t.key, "team": t.name, "headcount": t.headcount}
            | {names[c]: LEVEL_LABEL.get(t.targets.get(c)) for c in names}
            for t in step.grid
        ]
    )
    edited = st.data_editor(
        frame,
        key=f"team_grid_{step.plan_key}",
        hide_index=True,
        width="stretch",
        disabled=["key"],
        column_config={
            "headcount": st.column_config.NumberColumn("headcount", min_value=0, step=1),
            **{name: st.column_config.SelectboxColumn(name, options=list(LEVEL_OF)) for name in names.values()},
        },
    )
    forms.Problems("grid").rest()
    rows = [
        {
            "key": r["key"],
            "name": r["team"] or "",
            "headcount": int(r["headcount"]) if pd.notna(r["headcount"]) else 0,
            "targets": {c: LEVEL_OF[r[name]] for c, name in names.items() if isinstance(r[name], str)},
        }
        for r in edited.to_dict("records")
    ]
    st.button("Save targets", key="save_grid", type="primary", on_click=save_grid, args=(step, rows))


def team_fields(step: Step, p: str, errors: forms.Problems) -> None:
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
    columns = st.columns(3) if step.capability_names else []
    for n, (ckey, cname) in enumerate(step.capability_names.items()):
        with columns[n % 3]:
            st.selectbox(
                f"Target: {widgets.plain(cname)}",
                [None, *LEVEL_LABEL],
                key=p + f"t_{ckey}",
                format_func=lambda v: "— no target" if v is None else LEVEL_LABEL[v],
            )
            errors.at(f"targets.{ckey}")


def draw(step: Step) -> None:
    st.subheader("Which teams, and what level do they need?")
    st.caption(
        "Target proficiency per team and capability: 1 Awareness, 2 Basic, 3 Intermediate, 4 Advanced, 5 Expert. "
        "Teams are shared by every plan; an empty cell means no target in this plan."
    )
    if step.grid and step.capability_names:
        grid(step)
    elif not step.capability_names:
        st.info("Add capabilities first (step 6): targets are set per capability.")

    st.markdown("**Add or update a team**")
    step_form(
        step,
        form="team",
        item=forms.new_item("team"),
        widgets_prefix="team",
        fields=lambda p, errors: team_fields(step, p, errors),
        submit="Save team",
        on_save=lambda _: save_team(step),
        original=None,
    )

    in_plan = {t.key: t.name for t in step.document.teams}
    if in_plan:
        st.markdown("**Remove a team from this plan**")
        leaving = st.selectbox("Team", list(in_plan), format_func=lambda k: str(in_plan.get(k)), key="team_remove_pick")
        forms.confirm_delete(
            f"delete_team_{leaving}",
            "Remove from this plan",
            impact=step.impact("team", leaving),
            action=step.remove("team", leaving, f"team {in_plan[leaving]!r} from this plan"),
        )
