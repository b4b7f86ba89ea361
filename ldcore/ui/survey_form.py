"""The respondent's form: the survey's introduction, one widget per question (one per capability row where the
question asks per capability), a problem shown under the question it belongs to, and the answers read back as the
payload `submit_response` takes. Widgets are keyed `q:<question>` and `q:<question>:<capability>` (after an
optional `prefix`), so tests can find them.

Texts are shown in the language `lang`: the survey's from its definition (`in_language`), the page's own words from
the message catalogs (`ldcore.i18n`). The values behind the widgets never depend on the language (scale points,
options by their default-language text), so answers given in any language are stored alike.

`preview(definition, lang=..., prefix=...)` draws the same for the survey builder: no wave, no link, nothing
stored (the send button is disabled)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import streamlit as st

from ldcore import i18n
from ldcore.services.responses import (
    EVERY_ROW,
    OPEN_LINK_NOTE,
    PAIRING_PROMPTS,
    RespondForm,
    estimated_minutes,
    preview_form,
)
from ldcore.survey_defs import NOT_APPLICABLE, Question, SurveyDefinition
from ldcore.ui.widgets import plain
from ldcore.vocab import PROFICIENCY_LABELS

CLIENT_COOKIE = "ldalign_client"
CLIENT_KEY = "ldalign_client_id"
TEAM_KEY = "respond_team"
SEND = i18n.N_("Send my answers")


def hide_navigation() -> None:
    """A respondent sees the survey and nothing else: no sidebar, no page list, no app menu."""
    st.html(
        "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],"
        "[data-testid='stSidebarNav'],[data-testid='stToolbar'],[data-testid='stMainMenu']"
        "{display:none !important}[data-testid='stMainBlockContainer']{max-width:46rem}"
        # a number is typed (a phone shows its number pad): the +/- buttons would add two unnamed-alike stops each
        "[data-testid='stNumberInputStepDown'],[data-testid='stNumberInputStepUp']{display:none !important}</style>"
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


def browser_languages() -> tuple[str | None, str | None]:
    """The browser's `Accept-Language` header and its `navigator.language`, where there is a browser."""
    try:
        header = st.context.headers.get("Accept-Language")
    except Exception:  # no browser context (AppTest)
        header = None
    try:
        locale = st.context.locale
    except Exception:
        locale = None
    return header, locale


def pick_language(languages: list[str], default: str) -> str:
    """The language to show: `?lang=` of the link, else the browser's, else `default` (see `i18n.pick_language`)."""
    header, locale = browser_languages()
    link = st.query_params.get("lang")
    return i18n.pick_language(languages, default=default, link=link, accept_language=header, browser_locale=locale)


def gettext(lang: str) -> Callable[[str], str]:
    return i18n.translations(lang).gettext


def problem_text(message: str, lang: str) -> str:
    """A service's problem message in `lang` (the services write English; their texts are in the catalogs)."""
    _ = gettext(lang)
    if message.startswith(EVERY_ROW):
        return _(EVERY_ROW)
    return _(message)


def _key(q: Question, capability: str | None = None, prefix: str = "") -> str:
    return f"{prefix}q:{q.key}" if capability is None else f"{prefix}q:{q.key}:{capability}"


def _scale_label(q: Question, lang: str) -> Callable[[Any], str]:
    _ = gettext(lang)
    labels = {p: _(t) for p, t in PROFICIENCY_LABELS.items()} if q.type == "capability_rating" else q.labels

    def label(value: Any) -> str:
        if value == NOT_APPLICABLE:
            return _(NOT_APPLICABLE)
        if q.type == "nps":
            return str(value)
        return f"{value} {labels.get(value, '')}".strip()

    return label


def _scaled(q: Question, label: str, key: str, lang: str) -> None:
    options: list[Any] = sorted(q.labels)
    if q.type == "capability_rating":
        options.append(NOT_APPLICABLE)
    st.radio(label, options, index=None, horizontal=True, format_func=_scale_label(q, lang), key=key)


def _help(text: str) -> None:
    # body text, not st.caption: the caption's grey has too little contrast on white (WCAG 1.4.3, axe-core)
    st.markdown(plain(text))


def _problem(problems: dict[str, str], where: str, lang: str) -> None:
    if where in problems:
        st.error(problem_text(problems[where], lang), icon=":material/error:")


def _question(
    q: Question, shown: Question, form: RespondForm, problems: dict[str, str], number: int, lang: str, prefix: str
) -> None:
    """`q` is the question as defined (its values), `shown` the same in the language shown (its texts)."""
    _ = gettext(lang)
    mark = " *" if q.required else ""
    text = plain(shown.text)
    if q.rows_per_capability:
        st.markdown(f"**{number}. {text}**{mark}")
        if shown.help:
            _help(shown.help)
        for row, cap in enumerate(form.capabilities, start=1):
            # numbered rows keep every control's name unique when two questions ask about the same capabilities
            _scaled(shown, f"{number}.{row} {plain(cap.name)}", _key(q, cap.key, prefix), lang)
            _problem(problems, f"{q.key}.{cap.key}", lang)
        _problem(problems, q.key, lang)
        return
    label = f"{number}. {text}{mark}"
    key = _key(q, prefix=prefix)
    if q.type in ("likert", "nps"):
        _scaled(shown, label, key, lang)
    elif q.type in ("single_choice", "multi_choice"):
        shown_as = dict(zip(q.options or [], shown.options or [], strict=True))

        def option(value: str) -> str:
            return shown_as.get(value, value)

        if q.type == "single_choice":
            st.radio(label, q.options or [], index=None, format_func=option, key=key)
        else:
            st.multiselect(label, q.options or [], format_func=option, key=key, placeholder=_("Choose all that apply"))
    elif q.type in ("number", "percent"):
        low, high = q.bounds
        st.number_input(label, min_value=low, max_value=high, value=None, step=1.0, key=key)
    else:
        st.text_area(label, max_chars=10_000, key=key)
    if shown.help:
        _help(shown.help)
    _problem(problems, q.key, lang)


def intro(form: RespondForm, lang: str) -> None:
    """Title, description, how long it takes, and what the wave's anonymity means for the person answering."""
    _ = gettext(lang)
    shown = form.definition.in_language(lang)
    st.title(plain(form.custom_title or shown.title))
    if shown.description:
        st.text(shown.description)
    minutes = estimated_minutes(form.definition, capabilities=len(form.capabilities), open_link=form.open_link)
    count = form.question_count
    about = i18n.translations(lang).ngettext("About {n} minute", "About {n} minutes", minutes).format(n=minutes)
    questions = i18n.translations(lang).ngettext("{n} question", "{n} questions", count).format(n=count)
    st.markdown(f"**{about}** · {questions}")
    st.markdown(_(form.anonymity_note).format(n=form.min_group))
    if form.open_link:
        st.markdown(_(OPEN_LINK_NOTE))
    st.markdown(_("Questions marked * need an answer."))


def draw(form: RespondForm, problems: dict[str, str], *, lang: str | None = None, prefix: str = "") -> None:
    """The progress bar and the questions (on an open link the team question first), in `lang`."""
    lang = lang or form.definition.language
    _ = gettext(lang)
    shown = form.definition.in_language(lang)
    done, total = answered(form, prefix), form.question_count
    progress = i18n.translations(lang).ngettext(
        "{done} of {total} question answered", "{done} of {total} questions answered", total
    )
    st.progress(done / total, text=progress.format(done=done, total=total))
    first = 1
    if form.open_link:
        with st.container(border=True):
            names = {t.key: t.name for t in form.teams}
            st.selectbox(
                "1. " + _("Your team") + " *",
                list(names),
                index=None,
                format_func=lambda team_key: names.get(team_key, ""),
                key=prefix + TEAM_KEY,
                placeholder=_("Choose your team"),
            )
            _problem(problems, "team", lang)
        first = 2
    for number, (q, q_shown) in enumerate(zip(form.definition.questions, shown.questions, strict=True), start=first):
        with st.container(border=True):
            _question(q, q_shown, form, problems, number, lang, prefix)
    if form.anonymous:
        with st.expander(_("Optional: your personal code, to compare with your earlier answers")):
            st.markdown(
                _(
                    "Nobody can tell who you are from it. Give the same answers in every survey of this program, "
                    "and your answers are compared anonymously over time."
                )
            )
            for key, prompt in PAIRING_PROMPTS:
                st.text_input(_(prompt), key=f"{prefix}pairing:{key}", max_chars=40)
                _problem(problems, f"pairing.{key}", lang)


def _value(q: Question, form: RespondForm, prefix: str) -> Any:
    if q.rows_per_capability:
        return {c.key: st.session_state.get(_key(q, c.key, prefix)) for c in form.capabilities}
    value = st.session_state.get(_key(q, prefix=prefix))
    if q.type == "percent" and value is not None:
        return float(value)
    return value


def answers(form: RespondForm, prefix: str = "") -> dict[str, Any]:
    return {q.key: _value(q, form, prefix) for q in form.definition.questions}


def team(prefix: str = "") -> str | None:
    return st.session_state.get(prefix + TEAM_KEY)


def _done(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(v is not None for v in value.values())
    return value not in (None, "", [])


def answered(form: RespondForm, prefix: str = "") -> int:
    """The questions answered so far (every row of a per-capability question; the team of an open link)."""
    count = sum(_done(v) for v in answers(form, prefix).values())
    return count + (1 if form.open_link and team(prefix) else 0)


def restore(form: RespondForm, saved: dict[str, Any], team_key: str | None = None, prefix: str = "") -> None:
    """Put kept answers back into the widgets; call before they are drawn."""
    for q in form.definition.questions:
        value = saved.get(q.key)
        if value is None:
            continue
        if q.rows_per_capability and isinstance(value, dict):
            for cap in form.capabilities:
                if value.get(cap.key) is not None:
                    st.session_state[_key(q, cap.key, prefix)] = value[cap.key]
        elif not q.rows_per_capability:
            st.session_state[_key(q, prefix=prefix)] = float(value) if q.type in ("number", "percent") else value
    if team_key and any(t.key == team_key for t in form.teams):
        st.session_state[prefix + TEAM_KEY] = team_key


def pairing(prefix: str = "") -> dict[str, str]:
    return {key: st.session_state.get(f"{prefix}pairing:{key}") or "" for key, _ in PAIRING_PROMPTS}


def language_switcher(languages: list[str], lang: str, *, key: str, on_change: Callable[[], None]) -> None:
    """A choice of the survey's languages, each named in itself; `on_change` reads the choice from `key`."""
    if len(languages) < 2:
        return
    _ = gettext(lang)
    st.session_state[key] = lang
    st.selectbox(
        _("Language"),
        languages,
        format_func=i18n.language_name,
        key=key,
        on_change=on_change,
        width=220,
    )


def preview(
    definition: SurveyDefinition,
    *,
    lang: str | None = None,
    prefix: str = "preview:",
    anonymity: str = "confidential",
    open_link: bool = False,
    capabilities: list[str] | None = None,
) -> None:
    """The survey as a respondent sees it, in `lang`, for the survey builder: no wave, nothing stored. Give each
    preview drawn on one page its own `prefix`."""
    form = preview_form(definition, anonymity=anonymity, open_link=open_link, capabilities=capabilities)
    lang = lang if lang in definition.languages else definition.language
    intro(form, lang)
    draw(form, {}, lang=lang, prefix=prefix)
    _ = gettext(lang)
    st.button(_(SEND), type="primary", disabled=True, key=f"{prefix}submit", width="stretch")
