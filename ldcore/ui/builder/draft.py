"""The survey being edited, kept in session state until it is saved.

The draft is a definition as `SurveyDefinition.snapshot()` writes it, with a `_uid` on each question: a number that
never changes while the question is edited or moved, so its widgets (keyed `b:<uid>:<field>`) keep their values
when questions are reordered. Starting another draft forgets every builder widget.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ldcore.services import survey_library

DRAFT = "builder_draft"
META = "builder_meta"
FIELD_PROBLEMS = "builder_field_problems"
WIDGET_PREFIX = "b:"

DEFAULT_SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
QUESTION_DEFAULTS: dict[str, Any] = {
    "required": False,
    "help": "",
    "per_capability": False,
    "scale": None,
    "options": None,
    "min": None,
    "max": None,
}


def current() -> dict[str, Any] | None:
    return st.session_state.get(DRAFT)


def meta() -> dict[str, Any]:
    return st.session_state.setdefault(META, {})


def start(definition: dict[str, Any], *, new: bool, saved_version: int | None = None) -> None:
    """Edit `definition` (a snapshot); `new` when it is not saved yet under its key."""
    forget_widgets()
    questions = [{**QUESTION_DEFAULTS, **q, "_uid": n} for n, q in enumerate(definition.get("questions") or [], 1)]
    st.session_state[DRAFT] = {**definition, "questions": questions}
    st.session_state[META] = {"new": new, "next_uid": len(questions) + 1, "version": saved_version, "changed": False}
    st.session_state[FIELD_PROBLEMS] = {}


def close() -> None:
    forget_widgets()
    for key in (DRAFT, META, FIELD_PROBLEMS):
        st.session_state.pop(key, None)


def forget_widgets() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def definition() -> dict[str, Any]:
    """The draft as a definition to check or save (without the editing ids)."""
    d = current() or {}
    return {**d, "questions": [{k: v for k, v in q.items() if k != "_uid"} for q in d.get("questions") or []]}


def changed() -> None:
    meta()["changed"] = True


def question(uid: int) -> dict[str, Any]:
    return next(q for q in (current() or {})["questions"] if q["_uid"] == uid)


def blank_question(kind: str) -> dict[str, Any]:
    d = definition()
    q = {**QUESTION_DEFAULTS, "key": survey_library.unique_question_key(d, f"question_{len(d['questions']) + 1}")}
    q.update(type=kind, text="", level=2 if kind == "capability_rating" else 1)
    return fit_type(q)


def fit_type(q: dict[str, Any]) -> dict[str, Any]:
    """The question with the fields its type needs (a default scale, two options) and without those it cannot have."""
    kind = q["type"]
    q["scale"] = (q.get("scale") or dict(DEFAULT_SCALE)) if kind == "likert" else None
    q["options"] = (q.get("options") or ["Option 1", "Option 2"]) if kind in ("single_choice", "multi_choice") else None
    if kind != "likert":
        q["per_capability"] = False
    if kind != "number":
        q["min"] = q["max"] = None
    prune_translations(q)
    return q


def prune_translations(q: dict[str, Any]) -> None:
    """Forget translations of scale points and options the question no longer has."""
    points = {int(p) for p in q.get("scale") or {}}
    for tr in (q.get("translations") or {}).values():
        if "scale" in tr:
            tr["scale"] = {p: t for p, t in tr["scale"].items() if int(p) in points}
        if "options" in tr:
            tr["options"] = {o: t for o, t in tr["options"].items() if o in (q.get("options") or [])}


def add(q: dict[str, Any]) -> int:
    """Append a question (a copy, with a key not used yet in the draft); its uid."""
    d, m = current(), meta()
    assert d is not None
    uid = m["next_uid"]
    m["next_uid"] = uid + 1
    d["questions"].append(
        {**QUESTION_DEFAULTS, **q, "key": survey_library.unique_question_key(definition(), q["key"]), "_uid": uid}
    )
    m["open"] = uid
    changed()
    return uid


def move(uid: int, step: int) -> None:
    questions = (current() or {})["questions"]
    i = next(n for n, q in enumerate(questions) if q["_uid"] == uid)
    j = i + step
    if 0 <= j < len(questions):
        questions[i], questions[j] = questions[j], questions[i]
        changed()


def remove(uid: int) -> None:
    d = current() or {}
    d["questions"] = [q for q in d["questions"] if q["_uid"] != uid]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{WIDGET_PREFIX}{uid}:")]:
        del st.session_state[key]
    field_problems().pop(uid, None)
    changed()


def field_problems() -> dict[Any, dict[str, str]]:
    """Problems found while reading a widget (a scale line that is not `N = label`), per uid and field; the draft
    keeps its last good value meanwhile, and cannot be saved."""
    return st.session_state.setdefault(FIELD_PROBLEMS, {})
