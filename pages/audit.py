"""Audit: who did what, and when — sign-ins, accounts and roles, share links, waves, imports, exports, deletions."""

import datetime as dt

import streamlit as st

from ldcore import vocab
from ldcore.db import read_session
from ldcore.services import audit
from ldcore.ui import guard
from ldcore.ui.state import engine

me = guard.require("admin")
st.title("Audit trail")
st.caption(
    "Who did what, and when (times in UTC). Events name people by email and things by key; passwords and survey "
    "answers are never recorded."
)

with read_session(engine()) as session:
    areas = audit.areas(session)
today = dt.datetime.now(dt.UTC).date()
c1, c2, c3 = st.columns([2, 3, 2])
who = c1.text_input("Who (part of an email)", key="audit_who")
chosen = c2.multiselect("What", areas, format_func=audit.area_label, key="audit_what", placeholder="Everything")
period = c3.date_input("Between", value=(today - dt.timedelta(days=30), today), max_value=today, key="audit_period")
since, until = (period[0], period[-1]) if period else (None, None)
filters = {"who": who, "areas": chosen, "since": since, "until": until}

with read_session(engine()) as session:
    events = audit.list_events(session, **filters)
if events.empty:
    st.info("No events match these filters.")
else:
    words = events.assign(what=events["what"].map(lambda action: vocab.label(vocab.AUDIT_ACTION_LABELS, action)))
    st.dataframe(
        words.replace("", vocab.EMPTY).fillna(vocab.EMPTY), hide_index=True, width="stretch", key="audit_table"
    )
    st.caption(f"{len(events):,} newest events shown; the download holds every event the filters match.")


def _export() -> bytes:
    with guard.transaction("admin", bump=False) as (session, actor):
        return audit.export_csv(session, actor=actor.email, **filters)


st.download_button(
    "Download as CSV",
    data=_export,
    file_name=f"ld-align-audit-{today}.csv",
    mime="text/csv",
    on_click="ignore",
    key="audit_download",
    icon=":material/download:",
)
