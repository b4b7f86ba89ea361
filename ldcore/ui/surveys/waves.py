"""Waves tab: the plan's waves by name, the follow-ups due after each initiative, and a new wave."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.services import surveys
from ldcore.ui import forms, guard, widgets
from ldcore.ui.surveys.context import SurveysPage, survey_titles

FORM = "wave_create"
FIELDS = ("survey", "kind", "key", "title", "initiative", "baseline", "opens", "closes", "anonymity", "min_group")


def create_wave(fields: dict) -> str:
    with guard.transaction("editor") as (session, actor):
        created = surveys.create_wave(session, wave=fields, actor=actor.email)
    return f"Created wave {created.title or created.key}."


def _from_form(page: SurveysPage) -> str:
    values = {f: st.session_state.get(f"wave_{f}") for f in FIELDS}
    values["baseline_wave"] = values.pop("baseline")
    values["min_group"] = int(values["min_group"] or vocab.MIN_GROUP_DEFAULT)
    return create_wave({"plan": page.plan_key, **values, "key": values["key"] or "", "title": values["title"] or ""})


def table(page: SurveysPage) -> None:
    rows = [
        {
            "wave": w.title or w.key,
            "kind": vocab.label(vocab.WAVE_KIND_LABELS, w.kind),
            "survey": page.survey_title(w.survey_key),
            "initiative": page.name_of(page.initiative_names, w.initiative),
            "baseline": page.name_of(page.wave_names, w.baseline_wave),
            "opens": f"{w.opens:%d %b %Y}" if w.opens else "—",
            "closes": f"{w.closes:%d %b %Y}" if w.closes else "—",
            "anonymity": vocab.label(vocab.ANONYMITY_LABELS, w.anonymity),
            "min group": w.min_group,
            "invited": w.invited,
        }
        for w in page.waves
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def proposals(page: SurveysPage) -> None:
    due = [p for p in page.proposals if not p.exists]
    if not due:
        return
    st.subheader("Proposed follow-ups")
    st.caption("At +30, +60 and +90 days after each initiative ends.")
    baselines = page.baselines
    for p in due:
        left, right = st.columns([4, 1])
        left.write(f"{widgets.plain(p.initiative_name)}: +{p.days} days, opens {p.opens:%d %b %Y} (wave key {p.key})")
        fields = {
            "plan": page.plan_key,
            "survey": "capability_followup",
            "kind": "followup",
            "key": p.key,
            "title": f"{p.initiative_name} +{p.days} days",
            "initiative": p.initiative,
            "baseline_wave": baselines[-1] if baselines else None,
            "opens": p.opens,
            "closes": p.opens + dt.timedelta(days=14),
        }
        with right:
            forms.save_button(
                "Create", f"propose:{p.key}", functools.partial(create_wave, fields), key=f"propose:{p.key}",
                disabled=not baselines,
            )  # fmt: skip


def new_wave(page: SurveysPage) -> None:
    st.subheader("New wave")
    titles = survey_titles()
    initiatives = page.initiative_names
    with st.form(FORM):
        c1, c2 = st.columns(2)
        c1.selectbox("Survey", list(titles), format_func=lambda k: str(titles.get(k)), key="wave_survey")
        kinds = vocab.WAVE_KIND_LABELS
        c2.radio("Kind", list(kinds), format_func=lambda k: str(kinds.get(k)), horizontal=True, key="wave_kind")
        c1.text_input("Key", placeholder="e.g. fy27-baseline", key="wave_key")
        c2.text_input("Title (optional)", key="wave_title")
        c1.selectbox(
            "Initiative (optional)", [None, *initiatives], format_func=lambda k: page.name_of(initiatives, k),
            key="wave_initiative",
        )  # fmt: skip
        c2.selectbox(
            "Baseline wave (follow-ups)", [None, *page.baselines],
            format_func=lambda k: page.name_of(page.wave_names, k), key="wave_baseline",
        )  # fmt: skip
        c1.date_input("Opens", value=None, key="wave_opens")
        c2.date_input("Closes", value=None, key="wave_closes")
        anonymity = ["confidential", "anonymous", "identified"]
        c1.selectbox(
            "Anonymity", anonymity, format_func=lambda k: str(vocab.ANONYMITY_LABELS.get(k)), key="wave_anonymity"
        )
        c2.number_input("Minimum group", min_value=vocab.MIN_GROUP_FLOOR, value=vocab.MIN_GROUP_DEFAULT, step=1,
                        key="wave_min_group")  # fmt: skip
        st.form_submit_button(
            "Create wave", type="primary", on_click=forms.on_click_save, args=(FORM, lambda: _from_form(page))
        )
    forms.Problems(FORM).rest()


def draw(page: SurveysPage) -> None:
    if page.waves:
        table(page)
    else:
        st.info("No wave yet: create the baseline below.")
    proposals(page)
    new_wave(page)
