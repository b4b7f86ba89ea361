"""The library side of the builder: pick a survey, read a stock one (copy to edit), start a new one, and save,
archive, restore or delete a saved one (each write in `guard.transaction("editor")`, deletes and archives
confirmed first)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.services import survey_library
from ldcore.survey_defs import SurveyDefinition
from ldcore.ui import forms, guard
from ldcore.ui.builder import draft
from ldcore.ui.state import engine

PICK = "builder_pick"
STARTS = {"stock": "A stock survey", "saved": "A copy of a saved survey", "blank": "A blank survey"}


def rows() -> list[survey_library.SurveyRow]:
    with read_session(engine()) as session:
        return survey_library.list_surveys(session, include_archived=True)


def _label(row: survey_library.SurveyRow) -> str:
    if row.source == "stock":
        return f"{row.title} — stock survey (read-only)"
    archived = ", archived" if row.status == "archived" else ""
    return f"{row.title} — saved, version {row.version}{archived}"


def pick(library: list[survey_library.SurveyRow]) -> survey_library.SurveyRow | None:
    by_key = {r.key: r for r in library}
    if st.session_state.get(PICK) not in by_key:
        st.session_state[PICK] = next(iter(by_key), None)
    key = st.selectbox("Survey", list(by_key), format_func=lambda k: _label(by_key[k]), key=PICK)
    return by_key.get(key)


def _definition(key: str, version: int | None = None) -> SurveyDefinition:
    with read_session(engine()) as session:
        return survey_library.get_definition(session, key=key, version=version)


def questions_table(definition: SurveyDefinition) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "#": n,
                "question": q.text,
                "type": survey_library.TYPES[q.type],
                "level": survey_library.LEVELS[q.level],
                "required": "yes" if q.required else "no",
                "key": q.key,
            }
            for n, q in enumerate(definition.questions, start=1)
        ]
    )


def _start_copy(source: str, key_field: str) -> None:
    definition = _definition(source).snapshot()
    new_key = (st.session_state.get(key_field) or "").strip()
    draft.start({**definition, "key": new_key}, new=True)


def stock_view(row: survey_library.SurveyRow) -> None:
    definition = _definition(row.key)
    st.caption("Stock surveys come with LD Align and stay as they are. Copy one to change it.")
    st.dataframe(questions_table(definition), hide_index=True, width="stretch", key="builder_stock_table")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input(
        "Key of your copy",
        value=f"{row.key}_copy",
        key="builder_copy_key",
        help="A short name: lower-case letters, digits and _; it names the survey in files and waves.",
    )
    c2.button(
        "Copy to edit",
        key="builder_copy",
        type="primary",
        icon=":material/content_copy:",
        on_click=_start_copy,
        args=(row.key, "builder_copy_key"),
    )


def _edit(key: str, version: int | None) -> None:
    draft.start(_definition(key).snapshot(), new=False, saved_version=version)


def saved_view(row: survey_library.SurveyRow) -> None:
    with read_session(engine()) as session:
        versions = survey_library.list_versions(session, key=row.key)
    table = pd.DataFrame(
        [
            {
                "version": v.number,
                "saved (UTC)": v.created_at.replace(microsecond=0),
                "by": v.created_by or "—",
                "title": v.title,
                "questions": v.questions,
            }
            for v in versions
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch", key="builder_versions")
    used = f"{row.waves} wave{'s' if row.waves != 1 else ''} use it." if row.waves else "No wave uses it yet."
    st.caption(f"Key `{row.key}`. {used} A wave keeps the version it was created with.")
    c1, c2, c3 = st.columns(3)
    if row.status == "active":
        c1.button(
            "Edit this survey",
            key="builder_edit",
            type="primary",
            icon=":material/edit:",
            on_click=_edit,
            args=(row.key, row.version),
        )
    with c2:
        _archive(row)
    with c3:
        forms.confirm_delete(
            "builder_delete",
            "Delete this survey",
            impact=lambda: f"This deletes “{row.title}” and all {len(versions)} of its versions. It cannot be undone.",
            action=lambda: _delete(row.key),
            disabled=row.waves > 0,
        )
        if row.waves:
            st.caption("Waves were created from it, so it can only be archived.")


def _archive(row: survey_library.SurveyRow) -> None:
    archive = row.status == "active"
    asking = "builder_archive_asking"
    if st.button(
        "Archive" if archive else "Restore",
        key="builder_archive",
        icon=":material/archive:" if archive else ":material/unarchive:",
    ):
        st.session_state[asking] = True
    forms.Problems("builder_archive").rest()
    if not st.session_state.get(asking):
        return
    st.warning(
        "Archive this survey? Running waves carry on, but no new wave can use it until it is restored."
        if archive
        else "Restore this survey, so new waves can use it again?"
    )

    def yes() -> None:
        st.session_state.pop(asking, None)

        def act() -> str:
            with guard.transaction("editor") as (session, actor):
                survey_library.set_archived(session, key=row.key, archived=archive, actor=actor.email)
            if archive and (draft.current() or {}).get("key") == row.key:
                draft.close()
            return f"{'Archived' if archive else 'Restored'} “{row.title}”."

        forms.run_save("builder_archive", act)

    left, right = st.columns(2)
    left.button("Yes, archive" if archive else "Yes, restore", key="builder_archive_yes", type="primary", on_click=yes)
    right.button("Cancel", key="builder_archive_no", on_click=lambda: st.session_state.pop(asking, None))


def _delete(key: str) -> str:
    with guard.transaction("editor") as (session, actor):
        survey_library.delete_survey(session, key=key, actor=actor.email)
    if (draft.current() or {}).get("key") == key:
        draft.close()
    st.session_state.pop(PICK, None)
    return "Deleted the survey."


def _start_new(library: list[survey_library.SurveyRow]) -> None:
    start = st.session_state.get("builder_start_from", "blank")
    key = (st.session_state.get("builder_start_key") or "").strip()
    title = (st.session_state.get("builder_start_title") or "").strip()
    source = st.session_state.get("builder_start_source")
    definition: dict[str, Any]
    if start == "blank" or not source:
        definition = {
            "title": title,
            "description": "",
            "language": "en",
            "no_answer": [],
            "questions": [],
        }
    else:
        definition = _definition(source).snapshot()
    draft.start({**definition, "key": key, "title": title or definition.get("title", "")}, new=True)


def start_new(library: list[survey_library.SurveyRow]) -> None:
    with st.expander("Start a new survey", icon=":material/add:"):
        start = st.radio(
            "Start from",
            list(STARTS),
            format_func=lambda k: str(STARTS.get(k)),
            horizontal=True,
            key="builder_start_from",
        )
        sources = [r for r in library if r.source == start and r.status == "active"]
        if start != "blank":
            st.selectbox(
                "Which one",
                [r.key for r in sources],
                key="builder_start_source",
                format_func=lambda k: str({r.key: r.title for r in sources}.get(k)),
            )
        c1, c2 = st.columns(2)
        c1.text_input("Key", key="builder_start_key", placeholder="e.g. acme_followup")
        c2.text_input("Title (optional for copies)", key="builder_start_title")
        st.button("Start editing", key="builder_start", icon=":material/edit:", on_click=_start_new, args=(library,))


def _save() -> str:
    meta = draft.meta()
    with guard.transaction("editor") as (session, actor):
        row = survey_library.save_survey(
            session, definition=draft.definition(), new=bool(meta.get("new")), actor=actor.email
        )
    unchanged = not meta.get("new") and row.version == meta.get("version")
    draft.start(draft.definition(), new=False, saved_version=row.version)
    st.session_state[PICK] = row.key
    if unchanged:
        return f"Nothing changed since version {row.version}; nothing new was saved."
    return f"Saved “{row.title}” as version {row.version}. Create a wave of it on the Surveys page."


def save_bar(blocked: bool) -> None:
    meta = draft.meta()
    forms.Problems("builder_save").rest()
    if blocked:
        st.error("Fix the problems marked above to save.", icon=":material/error:")
    c1, c2 = st.columns([1, 3])
    c1.button(
        "Save survey",
        key="builder_save",
        type="primary",
        icon=":material/save:",
        disabled=blocked,
        on_click=forms.on_click_save,
        args=("builder_save", _save),
    )
    c2.button("Close without saving" if meta.get("changed") else "Close", key="builder_close", on_click=draft.close)
    if meta.get("changed"):
        c2.caption("Closing forgets the changes made since the last save.")
