"""What people wrote: free-text answers per wave and question, their recurring terms, and the barriers to applying
what each program taught, next to its application rate. Editors only; small teams' comments are never shown."""

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import NotFound
from ldcore.reporting import fmt
from ldcore.services import comments
from ldcore.ui import cache, guard, widgets
from ldcore.ui import comments_view as cv
from ldcore.ui.state import engine

ALL = "__all__"

guard.require("editor")
st.title("What people wrote")
st.caption(
    "Comments are shown as written, without names, sorted by their text. A team's comments appear only when at "
    "least the survey's minimum group of that team answered the question (within the filters chosen)."
)
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

with read_session(engine()) as session:
    waves = dict(comments.waves_with_text(session, plan_key=plan_key))
    teams, capabilities = comments.filter_choices(session, plan_key=plan_key)
if not waves:
    st.info("No survey wave of this plan asks a free-text question yet.")
else:
    left, right = st.columns(2)
    wave_key = left.selectbox("Survey wave", list(waves), format_func=waves.get, key="comments_wave")
    with read_session(engine()) as session:
        questions = {q.key: q.text for q in comments.text_questions_of(session, plan_key=plan_key, wave_key=wave_key)}
    question_key = right.selectbox("Question", list(questions), format_func=questions.get, key="comments_question")
    team_names = {ALL: "All teams", **dict(teams)}
    cap_names = {ALL: "Everyone", **{k: f"Rate themselves Basic or below in {n}" for k, n in capabilities}}
    left, right = st.columns(2)
    team = left.selectbox("Team", list(team_names), format_func=team_names.get, key="comments_team")
    capability = right.selectbox("Respondents", list(cap_names), format_func=cap_names.get, key="comments_capability")
    try:
        with read_session(engine()) as session:
            found = comments.free_text(
                session,
                plan_key=plan_key,
                wave_key=wave_key,
                question_key=question_key,
                team_key=None if team == ALL else team,
                low_in_capability=None if capability == ALL else capability,
            )
            language = comments.wave_language(session, plan_key=plan_key, wave_key=wave_key)
    except NotFound as error:
        st.warning(str(error))
        st.stop()
    if found.hidden_teams:
        st.caption(
            f"{found.hidden_teams} team(s) left out: fewer than {found.min_group} of their people answered this."
        )
    if not found.comments:
        st.info("No comment to show for this choice.")
    else:
        st.subheader(f"{len(found.comments)} comments")
        st.dataframe(
            pd.DataFrame([{"team": c.team, "comment": c.text} for c in found.comments]),
            hide_index=True,
            width="stretch",
            key="comments_table",
        )
        terms = comments.recurring_terms([c.text for c in found.comments], language=language)
        st.subheader("Recurring terms")
        if not terms.stop_words_removed:
            st.caption(f"No stop-word list for language {terms.language!r}: common words are counted too.")
        if terms.terms:
            st.plotly_chart(cv.terms_figure(terms), width="stretch", key="comments_terms")
        else:
            st.caption("No term or phrase occurs in two comments or more.")

st.header("Why didn't it transfer?")
st.caption(
    "What the audience of each program says got in the way of applying it, most named first, next to the share "
    "applying what they learned."
)
with read_session(engine()) as session:
    programs = comments.program_barriers(session, plan_key=plan_key)
view = cache.executive_view(plan_key, cache.version(plan_key))
applying = {c.initiative: next((link for link in c.links if link.level == 3), None) for c in view.chains}
for program in programs:
    st.subheader(widgets.plain(program.name))
    link = applying.get(program.initiative)
    left, right = st.columns([1, 3])
    left.metric(
        "Applying on the job",
        "—" if link is None else fmt.value(link.value, link.unit),
        help=None if link is None or link.value is not None else link.missing,
    )
    with right:
        if program.wave is None:
            st.caption("No follow-up survey asks this program's audience about barriers.")
        elif program.respondents is None:
            st.caption("Too few of the audience answered to show their barriers.")
        else:
            st.plotly_chart(cv.barriers_figure(program), width="stretch", key=f"barriers_{program.initiative}")
