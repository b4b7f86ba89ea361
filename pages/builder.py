"""Survey builder: write surveys without touching files — start from a stock survey, a copy or a blank page; edit,
reorder and remove questions; add questions from the bank; translate; preview as respondents see it; save a new
version. The parts live in `ldcore/ui/builder/`."""

import streamlit as st

from ldcore.services import survey_library
from ldcore.survey_defs import SurveyDefinition
from ldcore.ui import forms, guard, widgets
from ldcore.ui.builder import bank, draft, editor, languages, library, preview

me = guard.require("editor")
st.title("Survey builder")
st.caption(
    "Write and change surveys here. Saving makes a new version; a wave keeps the version it was created with, so "
    "changes never touch a running wave."
)
forms.flash()

surveys = library.rows()
row = library.pick(surveys)
if row is not None and row.source == "stock":
    library.stock_view(row)
elif row is not None:
    library.saved_view(row)
library.start_new(surveys)

if draft.current() is None:
    st.stop()

st.divider()
meta = draft.meta()
state = "new, not saved yet" if meta.get("new") else f"saved as version {meta.get('version')}"
changes = "; unsaved changes" if meta.get("changed") else ""
st.subheader(f"Editing: {widgets.plain(draft.current().get('title') or 'untitled survey')}")
st.caption(f"{state}{changes}")

problems = survey_library.check(draft.definition())
blocked = bool(problems) or any(draft.field_problems().values())
placed = editor.Placed(problems)
tab_questions, tab_bank, tab_languages, tab_preview = st.tabs(["Questions", "Question bank", "Languages", "Preview"])
with tab_questions:
    editor.survey_fields(placed)
    editor.questions(placed)
with tab_bank:
    bank.draw()
with tab_languages:
    languages.draw(placed)
with tab_questions:
    placed.rest()  # what no field showed (the languages tab shows its own first)
with tab_preview:
    if problems:
        st.info("Fix the problems marked on the Questions tab to see the preview.")
    else:
        preview.draw(SurveyDefinition.model_validate(draft.definition()))
library.save_bar(blocked)
