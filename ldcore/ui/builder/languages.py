"""Translations: the survey's default language, the other languages it speaks, each text of one language beside
its default-language original, and the list of texts still missing (they show in the default language)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from ldcore import survey_defs
from ldcore.ui import widgets
from ldcore.ui.builder import draft, editor

NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "no": "Norwegian",
    "cs": "Czech",
    "ja": "Japanese",
    "zh": "Chinese",
}
EDITING = "builder_language"
ADD_PROBLEM = "builder_add_language_problem"


def name(code: str) -> str:
    return f"{NAMES[code]} ({code})" if code in NAMES else code


def languages(d: dict[str, Any]) -> list[str]:
    others = set(d.get("translations") or {})
    for q in d.get("questions") or []:
        others |= set(q.get("translations") or {})
    return [d.get("language") or "en", *sorted(others - {d.get("language") or "en"})]


def _add_language() -> None:
    code = (st.session_state.get("builder_new_language") or "").strip().lower()
    d = draft.current() or {}
    if len(code) != 2 or not code.isalpha():
        st.session_state[ADD_PROBLEM] = "Give a two-letter language code, e.g. de."
        return
    st.session_state.pop(ADD_PROBLEM, None)
    if code != d.get("language"):
        d.setdefault("translations", {}).setdefault(code, {})
        st.session_state[EDITING] = code
        draft.changed()
    st.session_state["builder_new_language"] = ""


def _remove_language(code: str) -> None:
    d = draft.current() or {}
    (d.get("translations") or {}).pop(code, None)
    for q in d.get("questions") or []:
        (q.get("translations") or {}).pop(code, None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"b:tr:{code}:")]:
        del st.session_state[key]
    st.session_state.pop("builder_remove_language_asking", None)
    st.session_state.pop(EDITING, None)
    draft.changed()


def _set(target: dict[str, Any], code: str, path: tuple[Any, ...], key: str) -> None:
    """Write one translated text (blank: none, so the default-language text shows)."""
    value = (st.session_state.get(key) or "").strip()
    node = target.setdefault("translations", {}).setdefault(code, {})
    for part in path[:-1]:
        node = node.setdefault(part, {})
    if value:
        node[path[-1]] = value
    else:
        node.pop(path[-1], None)
    draft.changed()


def _text(label: str, original: str, target: dict[str, Any], code: str, path: tuple[Any, ...], key: str) -> None:
    node: Any = (target.get("translations") or {}).get(code) or {}
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if key not in st.session_state:
        st.session_state[key] = node or ""
    st.text_input(
        label,
        key=key,
        on_change=_set,
        args=(target, code, path, key),
        placeholder=original,
        help=f"In the default language: {widgets.plain(original)}" if original else None,
    )


def _question(q: dict[str, Any], n: int, code: str) -> None:
    uid, lang = q["_uid"], name(code)
    base = f"b:tr:{code}:{uid}"
    st.markdown(f"**{n}.** {widgets.plain(q.get('text') or '')}")
    _text(f"Question {n} in {lang}", q.get("text") or "", q, code, ("text",), f"{base}:text")
    if q.get("help"):
        _text(f"Question {n} help in {lang}", q["help"], q, code, ("help",), f"{base}:help")
    for point, label in sorted((q.get("scale") or {}).items(), key=lambda p: int(p[0])):
        _text(f"Question {n} scale point {point} in {lang}", label, q, code, ("scale", int(point)), f"{base}:s{point}")
    for i, option in enumerate(q.get("options") or []):
        _text(
            f"Question {n} option “{widgets.plain(option)}” in {lang}",
            option,
            q,
            code,
            ("options", option),
            f"{base}:o{i}",
        )


def missing(d: dict[str, Any]) -> dict[str, list[str]] | None:
    try:
        return survey_defs.missing_translations(survey_defs.SurveyDefinition.model_validate(d))
    except ValidationError:
        return None


def draw(placed: editor.Placed) -> None:
    d = draft.current() or {}
    codes = languages(d)
    st.caption(
        "Respondents see the survey in their language when it has one; a text not translated yet shows in "
        "the default language."
    )
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        editor.bound(st.text_input, "Default language (two-letter code, e.g. en)", editor.SURVEY, "language")
    c2.text_input("Add a language (two-letter code, e.g. de)", key="builder_new_language", max_chars=2)
    c3.button("Add language", key="builder_add_language", icon=":material/translate:", on_click=_add_language)
    placed.at(editor.SURVEY, "language")
    if st.session_state.get(ADD_PROBLEM):
        st.error(st.session_state[ADD_PROBLEM], icon=":material/error:")
    others = codes[1:]
    if not others:
        st.info(f"This survey is in {name(codes[0])} only. Add a language to translate it.")
        return
    by_language = missing(draft.definition())
    st.markdown("**Languages:** " + ", ".join(name(c) for c in codes) + f" (default {name(codes[0])})")
    if st.session_state.get(EDITING) not in others:
        st.session_state[EDITING] = others[0]
    code = st.selectbox("Translate into", others, format_func=name, key=EDITING)
    todo = (by_language or {}).get(code)
    if todo:
        with st.expander(f"{len(todo)} texts not translated into {name(code)} yet", icon=":material/warning:"):
            st.text("\n".join(todo))
    elif todo is not None:
        st.success(f"Every text is translated into {name(code)}.", icon=":material/check_circle:")
    _text(f"Title in {name(code)}", d.get("title") or "", d, code, ("title",), f"b:tr:{code}:survey:title")
    if d.get("description"):
        _text(f"Description in {name(code)}", d["description"], d, code, ("description",), f"b:tr:{code}:survey:d")
    for n, q in enumerate(d.get("questions") or [], start=1):
        with st.container(border=True):
            _question(q, n, code)
    if st.button(f"Remove {name(code)}", key="builder_remove_language", icon=":material/delete:"):
        st.session_state["builder_remove_language_asking"] = code
    if st.session_state.get("builder_remove_language_asking") == code:
        st.warning(f"Remove every {name(code)} text of this survey?")
        yes, no = st.columns(2)
        yes.button(
            "Yes, remove", key="builder_remove_language_yes", type="primary", on_click=_remove_language, args=(code,)
        )
        no.button(
            "Keep it",
            key="builder_remove_language_no",
            on_click=lambda: st.session_state.pop("builder_remove_language_asking", None),
        )
