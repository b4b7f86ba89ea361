"""The respondent's form: one widget per question (one per capability row where the question asks per capability),
a problem shown under the question it belongs to, and the answers read back as the payload `submit_response`
takes. Widgets are keyed `q:<question>` and `q:<question>:<capability>`, so tests can find them."""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st

from ldcore.services.responses import PAIRING_PROMPTS, RespondForm
from ldcore.survey_defs import NOT_APPLICABLE, Question
from ldcore.ui.widgets import plain

CLIENT_COOKIE = "ldalign_client"
CLIENT_KEY = "ldalign_client_id"


def hide_navigation() -> None:
    """A respondent sees the survey and nothing else: no sidebar, no page list, no app menu."""
    st.html(
        "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],"
        "[data-testid='stSidebarNav'],[data-testid='stToolbar'],[data-testid='stMainMenu']"
        "{display:none !important}[data-testid='stMainBlockContainer']{max-width:46rem}</style>"
    )


def client_id() -> str:
    """A random id kept in a browser cookie, so an open link refuses a second answer from the same browser."""
    if CLIENT_KEY not in st.session_state:
        try:
            known = st.context.cookies.get(CLIENT_COOKIE)
        except Exception:  # no browser context (AppTest)
            known = None
        known = known if isinstance(known, str) and 0 < len(known) <= 64 else None
        st.session_state[CLIENT_KEY] = known or uuid.uuid4().hex
        if not known:
            script = (
                f"document.cookie = '{CLIENT_COOKIE}={st.session_state[CLIENT_KEY]}; path=/; "
                "max-age=31536000; SameSite=Lax';"
            )
            st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")
    return st.session_state[CLIENT_KEY]


def _key(q: Question, capability: str | None = None) -> str:
    return f"q:{q.key}" if capability is None else f"q:{q.key}:{capability}"


def _scale_label(q: Question):
    labels = q.labels

    def label(value: Any) -> str:
        if value == NOT_APPLICABLE or q.type == "nps":
            return str(value)
        return f"{value} {labels.get(value, '')}".strip()

    return label


def _scaled(q: Question, label: str, key: str) -> None:
    options: list[Any] = sorted(q.labels)
    if q.type == "capability_rating":
        options.append(NOT_APPLICABLE)
    st.radio(label, options, index=None, horizontal=True, format_func=_scale_label(q), key=key)


def _problem(problems: dict[str, str], where: str) -> None:
    if where in problems:
        st.error(problems[where], icon=":material/error:")


def _question(q: Question, form: RespondForm, problems: dict[str, str], number: int) -> None:
    mark = " *" if q.required else ""
    if q.rows_per_capability:
        st.markdown(f"**{number}. {q.text}**{mark}")
        if q.help:
            st.caption(q.help)
        for cap in form.capabilities:
            _scaled(q, plain(cap.name), _key(q, cap.key))
            _problem(problems, f"{q.key}.{cap.key}")
        _problem(problems, q.key)
        return
    label = f"{number}. {q.text}{mark}"
    key = _key(q)
    if q.type in ("likert", "nps"):
        _scaled(q, label, key)
    elif q.type == "single_choice":
        st.radio(label, q.options or [], index=None, key=key)
    elif q.type == "multi_choice":
        st.multiselect(label, q.options or [], key=key, placeholder="Choose all that apply")
    elif q.type in ("number", "percent"):
        low, high = q.bounds
        st.number_input(label, min_value=low, max_value=high, value=None, step=1.0, key=key)
    else:
        st.text_area(label, max_chars=10_000, key=key)
    if q.help:
        st.caption(q.help)
    _problem(problems, q.key)


def draw(form: RespondForm, problems: dict[str, str]) -> None:
    questions = form.definition.questions
    st.progress(answered(form) / len(questions), text=f"{answered(form)} of {len(questions)} questions answered")
    for number, q in enumerate(questions, start=1):
        with st.container(border=True):
            _question(q, form, problems, number)
    if form.open_link:
        st.selectbox(
            "Your team *",
            [t.key for t in form.teams],
            index=None,
            format_func={t.key: t.name for t in form.teams}.get,
            key="respond_team",
            placeholder="Choose your team",
        )
        _problem(problems, "team")
    if form.anonymous:
        with st.expander("Optional: your personal code, to compare with your earlier answers"):
            st.caption(
                "Nobody can tell who you are from it. Give the same answers in every survey of this program, "
                "and your answers are compared anonymously over time."
            )
            for key, prompt in PAIRING_PROMPTS:
                st.text_input(prompt, key=f"pairing:{key}", max_chars=40)
                _problem(problems, f"pairing.{key}")


def _value(q: Question, form: RespondForm) -> Any:
    if q.rows_per_capability:
        return {c.key: st.session_state.get(_key(q, c.key)) for c in form.capabilities}
    value = st.session_state.get(_key(q))
    if q.type == "percent" and value is not None:
        return float(value)
    return value


def answers(form: RespondForm) -> dict[str, Any]:
    return {q.key: _value(q, form) for q in form.definition.questions}


def answered(form: RespondForm) -> int:
    def done(value: Any) -> bool:
        if isinstance(value, dict):
            return bool(value) and all(v is not None for v in value.values())
        return value not in (None, "", [])

    return sum(done(v) for v in answers(form).values())


def pairing() -> dict[str, str]:
    return {key: st.session_state.get(f"pairing:{key}") or "" for key, _ in PAIRING_PROMPTS}
