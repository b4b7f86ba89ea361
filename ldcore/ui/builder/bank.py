"""The question bank: the stock questions and those of saved surveys, found by words, Kirkpatrick level and type,
each added to the draft with one click (under a key the draft does not use yet)."""

from __future__ import annotations

import streamlit as st

from ldcore.db import read_session
from ldcore.services import survey_library
from ldcore.ui import widgets
from ldcore.ui.builder import draft
from ldcore.ui.state import engine

SHOWN = 40


def _add(question: dict) -> None:
    uid = draft.add(question)
    st.session_state["builder_bank_added"] = draft.question(uid)["key"]


def draw() -> None:
    st.caption(
        "Questions of the stock surveys and of your saved surveys. Adding one puts a copy at the end of this "
        "survey; change it there as you like."
    )
    c1, c2, c3 = st.columns([3, 2, 2])
    search = c1.text_input("Search the question bank", key="builder_bank_search", placeholder="e.g. confidence")
    levels = c2.multiselect(
        "Kirkpatrick level",
        list(survey_library.LEVELS),
        format_func=lambda k: str(survey_library.LEVELS.get(k)),
        key="builder_bank_levels",
        placeholder="Every level",
    )
    types = c3.multiselect(
        "Question type",
        list(survey_library.TYPES),
        format_func=lambda k: str(survey_library.TYPES.get(k)),
        key="builder_bank_types",
        placeholder="Every type",
    )
    with read_session(engine()) as session:
        found = survey_library.question_bank(session, search=search, levels=levels, types=types)
    added = st.session_state.pop("builder_bank_added", None)
    if added:
        st.success(f"Added as question {len(draft.definition()['questions'])} ({widgets.plain(added)}).")
    if not found:
        st.info("No question matches; try fewer words.")
        return
    st.caption(
        f"{len(found)} question{'s' if len(found) != 1 else ''}"
        + (f"; the first {SHOWN} are shown" if len(found) > SHOWN else "")
    )
    for number, item in enumerate(found[:SHOWN], start=1):  # numbered, so every Add button has its own name
        q = item.question
        with st.container(border=True):
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.markdown(f"{number}\\. {widgets.plain(q.text)}")
            text.caption(
                f"{survey_library.LEVELS[q.level]} · {survey_library.TYPES[q.type]} · from "
                f"{widgets.plain(item.survey_title)}" + (" (stock)" if item.source == "stock" else "")
            )
            button.button(
                f"Add {number}",
                key=f"builder_bank_add:{item.survey_key}:{q.key}",
                icon=":material/add:",
                on_click=_add,
                args=(q.model_dump(mode="json"),),
                help=f"Add “{widgets.plain(q.text)}” to this survey",
            )
