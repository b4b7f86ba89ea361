"""The respondent's page (public): `/respond?t=TOKEN` for a personal link, `/respond?o=TOKEN` for an open link.

No account, no navigation: the survey in the respondent's language (`&lang=de` on the link, else the browser's,
else the survey's default, with a switcher), how long it takes and what its anonymity means, a progress bar,
problems next to their question, then a thank-you. Answers are kept as the person goes (a draft per personal link,
or per browser on an open link), so a reload or the same link on another device picks up where they left off. A
link that cannot be used gets one plain message and nothing else."""

import streamlit as st

from ldcore import i18n
from ldcore.db import read_session
from ldcore.errors import Busy, Invalid
from ldcore.services import responses
from ldcore.ui import survey_form
from ldcore.ui.state import engine, respondent_write

survey_form.hide_navigation()
token = st.query_params.get("t")
open_token = None if token else st.query_params.get("o")
link = token or open_token or ""
DONE, PROBLEMS, REFUSED = f"respond_done:{link}", "respond_problems", "respond_refused"
RESTORED, SAVED, CARRY, LANG = f"respond_restored:{link}", f"respond_saved:{link}", "respond_carry", "respond_lang"
WAIT_SECONDS = 3  # a respondent hears "busy, try again" after this, instead of waiting for the lock 30 s
BUSY = i18n.N_("The survey is busy — your answers are kept, please press “Send my answers” again in a moment.")

if st.session_state.get(DONE):
    _ = survey_form.gettext(st.session_state[DONE])
    st.title(_("Thank you!"))
    st.success(_("Your answers have been saved. You can close this page."), icon=":material/check_circle:")
    st.stop()
if st.session_state.get(REFUSED):
    st.info(st.session_state[REFUSED])
    st.stop()

client = survey_form.client_id() if open_token else None
try:
    with read_session(engine()) as session:
        form = responses.respond_form(session, token=token, open_token=open_token, client_id=client)
        draft = (
            None
            if RESTORED in st.session_state
            else responses.load_draft(session, token=token, open_token=open_token, client_id=client)
        )
except responses.LinkRefused as refused:
    lang = survey_form.pick_language(list(i18n.CATALOG_LANGUAGES), i18n.SOURCE_LANGUAGE)
    st.info(survey_form.gettext(lang)(str(refused)))
    st.stop()

lang = survey_form.pick_language(form.definition.languages, form.definition.language)
_ = survey_form.gettext(lang)
if draft is not None:  # the first run of this link in this browser session: put the kept answers back
    survey_form.restore(form, draft.answers, draft.team_key)
    st.session_state[RESTORED] = bool(draft.answers or draft.team_key)
    st.session_state[SAVED] = None  # the widgets now hold what is kept: nothing to save until they change
if CARRY in st.session_state:  # the language changed: some widgets are new, give them the answers back
    survey_form.restore(form, *st.session_state.pop(CARRY))


def switch_language() -> None:
    st.query_params["lang"] = st.session_state[LANG]
    st.session_state[CARRY] = (survey_form.answers(form), survey_form.team())


def keep_draft() -> None:
    """Save what changed since the last save; a busy database only delays it to the next change."""
    now = (survey_form.answers(form), survey_form.team())
    if st.session_state.get(SAVED, now) in (None, now):
        st.session_state[SAVED] = now
        return
    try:
        with respondent_write(WAIT_SECONDS) as session:
            responses.save_draft(
                session, token=token, open_token=open_token, client_id=client, answers=now[0], team_key=now[1]
            )
    except (Busy, Invalid, responses.LinkRefused):
        return
    st.session_state[SAVED] = now


def submit() -> None:
    if st.session_state.get(DONE):  # a second click of the same button
        return
    try:
        with respondent_write(WAIT_SECONDS) as session:
            responses.submit_response(
                session,
                token=token,
                open_token=open_token,
                answers=survey_form.answers(form),
                team_key=survey_form.team(),
                client_id=client,
                pairing=survey_form.pairing() if form.anonymous else None,
            )
    except Invalid as problem:
        st.session_state[PROBLEMS] = dict(problem.problems) or {"form": str(problem)}
    except Busy:
        st.session_state[PROBLEMS] = {"busy": BUSY}
    except responses.LinkRefused as refused:
        st.session_state[REFUSED] = _(str(refused))
    else:
        st.session_state[DONE] = lang
        st.session_state.pop(PROBLEMS, None)


survey_form.language_switcher(form.definition.languages, lang, key=LANG, on_change=switch_language)
survey_form.intro(form, lang)
if st.session_state.get(RESTORED):
    st.info(_("Welcome back: the answers you gave earlier are filled in."), icon=":material/history:")
problems = st.session_state.get(PROBLEMS, {})
survey_form.draw(form, problems, lang=lang)
if "busy" not in problems:  # the database just refused a write: the draft waits for the next change
    keep_draft()
if "busy" in problems:
    st.warning(_(BUSY), icon=":material/hourglass_top:")
elif problems:
    message = _("Some answers need attention: see the messages above.")
    if "form" in problems or "client_id" in problems:
        message = survey_form.problem_text(problems.get("form") or problems["client_id"], lang)
    st.error(message, icon=":material/error:")
st.markdown(_("Your answers are kept as you go: you can close this page and continue later with the same link."))
st.button(_(survey_form.SEND), type="primary", on_click=submit, key="respond_submit", width="stretch")
