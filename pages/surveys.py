"""Surveys: create waves, invite with personal links, watch response rates, remind, upload the roster, import
answers collected elsewhere (with a mapping preview) and export responses. Each tab lives in ldcore/ui/surveys."""

import streamlit as st

from ldcore.settings import get_settings
from ldcore.ui import cache, forms, guard, widgets
from ldcore.ui.surveys import export, invite, responses_import, roster, waves
from ldcore.ui.surveys.context import SurveysPage

me = guard.require("editor")
st.title("Surveys")
st.caption("Baseline and follow-up waves, personal links, response rates, imports and exports.")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()
forms.flash()

page = SurveysPage(plan_key, me.email, *cache.survey_overview(plan_key), settings=get_settings())
TABS = [
    ("Waves", waves.draw),
    ("Invite and monitor", invite.draw),
    ("Roster", roster.draw),
    ("Import responses", responses_import.draw),
    ("Export", export.draw),
]
for tab, (_, draw) in zip(st.tabs([title for title, _ in TABS], key="surveys_tab"), TABS, strict=True):
    with tab:
        draw(page)
