"""The preview: the survey drawn by the respondent's own renderer, in a phone-width frame or full width, in each
of its languages. It needs no wave and stores nothing: the answers typed into it stay in this browser tab."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from ldcore.db import read_session
from ldcore.services import plans, survey_library
from ldcore.survey_defs import SurveyDefinition
from ldcore.ui import survey_form
from ldcore.ui.builder import languages
from ldcore.ui.state import engine

PHONE_WIDTH = 390  # a common phone's CSS width
FRAMES = {"phone": "Phone", "full": "Full width"}
PREFIX = "preview:"  # the respondent widgets' keys: preview:q:<question>


def draw(definition: SurveyDefinition) -> None:
    with read_session(engine()) as session:
        plan_rows = plans.list_plans(session)
    c1, c2, c3 = st.columns(3)
    frame = c1.segmented_control(
        "Show it",
        list(FRAMES),
        format_func=lambda k: str(FRAMES.get(k)),
        default="phone",
        key="builder_preview_frame",
        required=True,
    )
    codes = definition.languages
    if st.session_state.get("builder_preview_language") not in codes:
        st.session_state["builder_preview_language"] = codes[0]
    language = c2.selectbox("Language", codes, format_func=languages.name, key="builder_preview_language")
    plan_key = c3.selectbox(
        "Capability rows from the plan",
        [p.key for p in plan_rows],
        format_func=lambda k: str({p.key: p.name for p in plan_rows}.get(k)),
        key="builder_preview_plan",
        index=0 if plan_rows else None,
        placeholder="Example capabilities",
    )
    with read_session(engine()) as session:
        capabilities = survey_library.plan_capability_names(session, plan_key=plan_key)
    st.caption("This is what respondents see. Nothing you enter here is stored, and no wave is created.")
    width: int | Literal["stretch"] = PHONE_WIDTH if frame == "phone" else "stretch"
    with st.container(border=True, width=width, key=f"builder_preview_{frame}"):
        survey_form.preview(definition, lang=language, prefix=PREFIX, capabilities=capabilities or None)
