"""The respondent's page (public): `/respond?t=TOKEN` for a personal link, `/respond?o=TOKEN` for an open link.

No account, no navigation: the survey, a progress bar, problems next to their question, then a thank-you. A link
that cannot be used gets one plain message and nothing else."""

import streamlit as st

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Busy, Invalid
from ldcore.services import responses
from ldcore.ui import survey_form, widgets
from ldcore.ui.state import engine

survey_form.hide_navigation()
token = st.query_params.get("t")
open_token = None if token else st.query_params.get("o")
link = token or open_token or ""
DONE, PROBLEMS, REFUSED = f"respond_done:{link}", "respond_problems", "respond_refused"
WAIT_SECONDS = 3  # a respondent hears "busy, try again" after this, instead of waiting for the lock 30 s
BUSY = "The survey is busy — your answers are kept, please press “Send my answers” again in a moment."

if st.session_state.get(DONE):
    st.title("Thank you!")
    st.success("Your answers have been saved. You can close this page.", icon=":material/check_circle:")
    st.stop()
if st.session_state.get(REFUSED):
    st.info(st.session_state[REFUSED])
    st.stop()

client = survey_form.client_id() if open_token else None
try:
    with read_session(engine()) as session:
        form = responses.respond_form(session, token=token, open_token=open_token, client_id=client)
except responses.LinkRefused as refused:
    st.info(str(refused))
    st.stop()


def submit() -> None:
    if st.session_state.get(DONE):  # a second click of the same button
        return
    try:
        with unit_of_work(engine(), wait_seconds=WAIT_SECONDS) as session:
            responses.submit_response(
                session,
                token=token,
                open_token=open_token,
                answers=survey_form.answers(form),
                team_key=st.session_state.get("respond_team"),
                client_id=client,
                pairing=survey_form.pairing() if form.anonymous else None,
            )
    except Invalid as problem:
        st.session_state[PROBLEMS] = dict(problem.problems) or {"form": str(problem)}
    except Busy:
        st.session_state[PROBLEMS] = {"busy": BUSY}
    except responses.LinkRefused as refused:
        st.session_state[REFUSED] = str(refused)
    else:
        st.session_state[DONE] = True
        st.session_state.pop(PROBLEMS, None)


st.title(widgets.plain(form.title))
if form.description:
    st.text(form.description)
if form.open_link:
    st.caption(responses.OPEN_LINK_NOTE)
st.caption("Questions marked * need an answer.")
problems = st.session_state.get(PROBLEMS, {})
survey_form.draw(form, problems)
if "busy" in problems:
    st.warning(problems["busy"], icon=":material/hourglass_top:")
elif problems:
    st.error("Some answers need attention: see the messages above.", icon=":material/error:")
st.button("Send my answers", type="primary", on_click=submit, key="respond_submit", width="stretch")
