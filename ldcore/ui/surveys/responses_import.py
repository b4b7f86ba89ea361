"""Import responses tab: another tool's export, previewed with its column mapping before anything is written."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import Invalid
from ldcore.services import imports
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine
from ldcore.ui.surveys.context import SurveysPage

FORMATS = {
    "auto": "Recognise it",
    "native": "LD Align",
    "google": "Google Forms",
    "msforms": "Microsoft Forms",
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
}
DATE_ORDERS = {"From the file": None, "Day first (03/04 = 3 April)": "dayfirst",
               "Month first (03/04 = 4 March)": "monthfirst"}  # fmt: skip
UNKNOWN = {"Refuse the import": "refuse", "Store as no answer": "no_answer"}
FORM = "responses_import"


def import_options() -> imports.ImportOptions:
    """What the person chose under "Import options" (shown above the preview, so they can fix what it refuses)."""
    with st.expander("Import options"):
        order = st.radio("Date order of the time column", list(DATE_ORDERS), key="import_date_order", horizontal=True)
        unknown = st.radio("Values on no scale", list(UNKNOWN), key="import_unknown", horizontal=True)
        no_answer = st.text_input(
            "Values that mean no answer (separated by ;)", key="import_no_answer", placeholder="-99; Unfamiliar (N/A)"
        )
        unfinished = st.checkbox("Import unfinished responses (Qualtrics Finished = 0)", key="import_unfinished")
        columns = st.text_area(
            "Columns mapped by hand, one per line: column = question",
            key="import_columns",
            placeholder="Q4_1 = applied[negotiation]\nQ4_2 =",
            help="The column by its header or export tag; the question by key, or key[capability] for one row of a "
            "grid. Nothing after = leaves the column out.",
        )
    pairs = [line.partition("=") for line in columns.splitlines() if line.strip()]
    if any(not sep for _, sep, _ in pairs):
        st.warning("Write each hand mapping as column = question; lines without = are ignored.")
    pairs = [p for p in pairs if p[1]]
    return imports.ImportOptions(
        date_order=DATE_ORDERS[order],
        unknown=UNKNOWN[unknown],
        no_answer=[v.strip() for v in no_answer.split(";") if v.strip()],
        unfinished=unfinished,
        columns={column.strip(): question.strip() for column, _, question in pairs},
    )


def run_import(wave_key: str, data: bytes, filename: str, fmt: str, options: imports.ImportOptions) -> str:
    with guard.transaction("editor") as (session, actor):
        report = imports.import_responses(
            session, wave_key=wave_key, data=data, filename=filename, format=fmt, options=options, actor=actor.email
        )
    done = f"Imported {report.new} {'response' if report.new == 1 else 'responses'}"
    return (
        done
        + (f" ({report.duplicates} already there)." if report.duplicates else ".")
        + (" Importing the same file again adds nothing.")
    )


def show_preview(preview: imports.ImportReport, options: imports.ImportOptions) -> bool:
    """What the import would do; whether a warning blocks it until an option is chosen."""
    st.write(
        f"**{preview.format}** file with {preview.rows} rows: {preview.new} new responses, "
        f"{preview.duplicates} already imported, {preview.empty_rows} rows without any answer."
    )
    st.caption(f"{preview.read_as}.")
    if preview.date_order == imports.AMBIGUOUS:
        st.warning(
            widgets.plain(
                f"Dates like {preview.date_example!r} in column {preview.time_column!r} could be day-first or "
                "month-first: choose the date order under Import options."
            )
        )
    else:
        note = preview.time_note()
        st.caption(note[0].upper() + note[1:] + ".")
    st.dataframe(pd.DataFrame([m.model_dump() for m in preview.mapping]), hide_index=True, width="stretch")
    if preview.unmapped:
        st.warning(widgets.plain("Not imported (no matching question): " + "; ".join(preview.unmapped)))
    if preview.metadata:
        not_answers = "; ".join(preview.metadata)
        st.caption(widgets.plain(f"Not answers (ids, emails, times, tool metadata): {not_answers}"))
    if preview.unknown:
        verb = "stored as no answer" if options.unknown == "no_answer" else "refuse the import"
        st.warning(f"Values that are on no scale and among no options ({verb}; choose under Import options):")
        st.dataframe(pd.DataFrame([u.model_dump() for u in preview.unknown]), hide_index=True, width="stretch")
    if preview.unfinished:
        done = "imported" if options.unfinished else "skipped"
        st.caption(f"{preview.unfinished} unfinished responses {done}.")
    blanks = {k: v for k, v in preview.blanks.items() if v}
    if blanks:
        unanswered = ", ".join(f"{k} {v}" for k, v in blanks.items())
        st.caption(widgets.plain(f"Unanswered (stored as no answer): {unanswered}"))
    if preview.without_team:
        st.caption(f"{preview.without_team} responses have no team (no team column, no roster email).")
    blocked = preview.date_order == imports.AMBIGUOUS or bool(preview.unknown and options.unknown == "refuse")
    if blocked:
        st.caption("Choose under Import options what the warnings above ask before importing.")
    return blocked


def draw(page: SurveysPage) -> None:
    if not page.waves:
        st.info("Create a wave first.")
        return
    target = page.wave_picker("Into wave", "import_wave")
    fmt = st.selectbox("Format", list(FORMATS), format_func=lambda k: str(FORMATS.get(k)), key="import_format")
    upload = st.file_uploader(
        "Export file (CSV, tab-separated text or XLSX)", type=["csv", "tsv", "txt", "xlsx"], key="import_file"
    )
    if upload is None:
        return
    data, options = upload.getvalue(), import_options()
    try:
        with read_session(engine()) as session:
            preview = imports.preview_import(
                session, wave_key=target, data=data, filename=upload.name, format=fmt, options=options
            )
    except Invalid as error:  # this tab only: the other tabs are drawn as usual
        widgets.show_problems(error)
        return
    blocked = show_preview(preview, options)
    forms.save_button(
        f"Import {preview.new} responses",
        FORM,
        lambda: run_import(target, data, upload.name, fmt, options),
        type="primary",
        key="import_go",
        disabled=not preview.new or blocked,
    )
