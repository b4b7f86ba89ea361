"""The question editor: the survey's own fields, then one panel per question with every field its type has,
each problem shown right under its field. Widgets write into the draft as they change (see `draft`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ldcore.services import survey_library
from ldcore.ui import widgets
from ldcore.ui.builder import draft

SURVEY = "survey"


def _scale_text(scale: dict | None) -> str:
    return "\n".join(f"{point} = {label}" for point, label in sorted((scale or {}).items(), key=lambda p: int(p[0])))


def parse_scale(text: str) -> dict[int, str]:
    """Lines `N = label` (or just `label`, numbered on from the line before, starting at 1)."""
    scale: dict[int, str] = {}
    for number, line in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not line:
            continue
        point_text, sep, label = line.partition("=")
        if sep and point_text.strip().lstrip("-").isdigit():
            point, label = int(point_text), label.strip()
        else:
            point, label = max(scale, default=0) + 1, line
        if not label:
            raise ValueError(f"line {number}: write a label after “{point} =”")
        if point in scale:
            raise ValueError(f"line {number}: point {point} is there twice")
        scale[point] = label
    if len(scale) < 2:
        raise ValueError("give at least two points, one per line, e.g. “1 = Never”")
    return scale


def parse_options(text: str) -> list[str]:
    options = [line.strip() for line in text.splitlines() if line.strip()]
    twice = sorted({o for o in options if options.count(o) > 1})
    if twice:
        raise ValueError(f"listed twice: {', '.join(twice)}")
    return options


def _target(uid: Any) -> dict[str, Any]:
    return draft.current() if uid == SURVEY else draft.question(uid)  # type: ignore[return-value]


def _store(uid: Any, field: str, key: str, to_draft: Callable[[Any], Any]) -> None:
    problems = draft.field_problems().setdefault(uid, {})
    try:
        value = to_draft(st.session_state[key])
    except ValueError as problem:
        problems[field] = str(problem)
        return
    problems.pop(field, None)
    target = _target(uid)
    target[field] = value
    if field in ("scale", "options"):
        draft.prune_translations(target)
    if field == "type":
        draft.fit_type(target)
        for dependent in ("scale", "options", "min", "max", "per_capability"):
            st.session_state.pop(f"{draft.WIDGET_PREFIX}{uid}:{dependent}", None)
    draft.changed()


def bound(
    widget: Callable[..., Any],
    label: str,
    uid: Any,
    field: str,
    *,
    to_draft: Callable[[Any], Any] | None = None,
    from_draft: Callable[[Any], Any] | None = None,
    **kw: Any,
) -> Any:
    """`widget` showing the draft's `field` of question `uid` (or SURVEY), writing changes back."""
    key = f"{draft.WIDGET_PREFIX}{uid}:{field}"
    if key not in st.session_state:
        value = _target(uid).get(field)
        st.session_state[key] = from_draft(value) if from_draft else value
    return widget(label, key=key, on_change=_store, args=(uid, field, key, to_draft or (lambda v: v)), **kw)


def _show(messages: list[str]) -> None:
    for message in messages:
        st.error(widgets.plain(message), icon=":material/error:")


class Placed:
    """The problems of the draft, by (uid or SURVEY, field), shown once each under their field."""

    def __init__(self, problems: list[survey_library.Problem]):
        d = draft.current() or {"questions": []}
        uids = [q["_uid"] for q in d["questions"]]
        self.items: dict[tuple[Any, str], list[str]] = {}
        for p in problems:
            uid = SURVEY if p.question is None or p.question >= len(uids) else uids[p.question]
            self.items.setdefault((uid, p.field), []).append(p.message)
        for uid, fields in draft.field_problems().items():
            for field, message in fields.items():
                self.items.setdefault((uid, field), []).insert(0, message)

    def at(self, uid: Any, *fields: str) -> None:
        for field in fields:
            _show(self.items.pop((uid, field), []))

    def of(self, uid: Any) -> bool:
        return any(key[0] == uid for key in self.items)

    def rest(self) -> None:
        for messages in self.items.values():
            _show(messages)
        self.items = {}


def survey_fields(placed: Placed) -> None:
    d = draft.current() or {}
    if draft.meta().get("new"):
        bound(st.text_input, "Key (a short name for files and links: lower-case letters, digits and _)", SURVEY, "key")
        placed.at(SURVEY, "key")
    bound(st.text_input, "Title respondents see", SURVEY, "title")
    placed.at(SURVEY, "title")
    bound(st.text_area, "Description (optional, shown under the title)", SURVEY, "description", height=80)
    placed.at(SURVEY, "description", "language")
    if not d.get("questions"):
        st.info("This survey has no questions yet: add one below or from the question bank.")
    placed.at(SURVEY, "questions")


def _number_fields(uid: int, n: int) -> None:
    low, high = st.columns(2)
    with low:
        bound(st.number_input, f"Question {n}: lowest answer allowed (optional)", uid, "min")
    with high:
        bound(st.number_input, f"Question {n}: highest answer allowed (optional)", uid, "max")


def question_panel(q: dict[str, Any], n: int, count: int, placed: Placed) -> None:
    uid = q["_uid"]
    title = f"{n}. {q.get('text') or '(no text yet)'}"
    flag = " — needs attention" if placed.of(uid) else ""
    with st.expander(widgets.plain(title) + flag, expanded=bool(flag) or draft.meta().get("open") == uid):
        c1, c2, c3 = st.columns([2, 2, 1])
        with c1:
            bound(st.text_input, f"Question {n}: key (answers are stored under it)", uid, "key")
        with c2:
            kinds = list(survey_library.TYPES)
            bound(
                st.selectbox,
                f"Question {n}: type",
                uid,
                "type",
                options=kinds,
                format_func=lambda k: str(survey_library.TYPES.get(k)),
            )
        with c3:
            levels = list(survey_library.LEVELS)
            bound(
                st.selectbox,
                f"Question {n}: level",
                uid,
                "level",
                options=levels,
                format_func=lambda k: str(survey_library.LEVELS.get(k)),
            )
        placed.at(uid, "key", "type", "level")
        bound(st.text_area, f"Question {n}: text", uid, "text", height=68)
        placed.at(uid, "text")
        bound(st.text_input, f"Question {n}: help (optional, shown under the question)", uid, "help")
        placed.at(uid, "help")
        flags = st.columns(2)
        with flags[0]:
            bound(st.checkbox, f"Question {n}: an answer is required", uid, "required")
        if q["type"] == "likert":
            with flags[1]:
                bound(st.checkbox, f"Question {n}: ask once per capability", uid, "per_capability")
            bound(
                st.text_area,
                f"Question {n}: scale (one point per line, e.g. “1 = Never”)",
                uid,
                "scale",
                to_draft=parse_scale,
                from_draft=_scale_text,
                height=140,
            )
        elif q["type"] in ("single_choice", "multi_choice"):
            bound(
                st.text_area,
                f"Question {n}: options (one per line)",
                uid,
                "options",
                to_draft=parse_options,
                from_draft=lambda v: "\n".join(v or []),
                height=120,
            )
        elif q["type"] == "number":
            _number_fields(uid, n)
        elif q["type"] == "capability_rating":
            st.caption("One row per capability of the wave: 1 Awareness … 5 Expert, or Not applicable.")
        placed.at(uid, "per_capability", "scale", "options", "min", "max", "required", "question")
        _actions(uid, n, count)


def _actions(uid: int, n: int, count: int) -> None:
    up, down, remove = st.columns(3)
    up.button(
        "Move up",
        key=f"builder_up:{uid}",
        on_click=draft.move,
        args=(uid, -1),
        disabled=n == 1,
        icon=":material/arrow_upward:",
        help=f"Move question {n} up",
    )
    down.button(
        "Move down",
        key=f"builder_down:{uid}",
        on_click=draft.move,
        args=(uid, 1),
        disabled=n == count,
        icon=":material/arrow_downward:",
        help=f"Move question {n} down",
    )
    asking = f"builder_remove_asking:{uid}"
    if remove.button("Remove", key=f"builder_remove:{uid}", icon=":material/delete:", help=f"Remove question {n}"):
        st.session_state[asking] = True
    if st.session_state.get(asking):
        st.warning(f"Remove question {n} from this survey? Waves already running keep their own copy.")
        yes, no = st.columns(2)
        yes.button("Yes, remove it", key=f"builder_remove_yes:{uid}", type="primary", on_click=_remove, args=(uid,))
        no.button("Keep it", key=f"builder_remove_no:{uid}", on_click=st.session_state.pop, args=(asking, None))


def _remove(uid: int) -> None:
    st.session_state.pop(f"builder_remove_asking:{uid}", None)
    draft.remove(uid)


def add_question() -> None:
    kinds = list(survey_library.TYPES)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox(
        "Type of the new question",
        kinds,
        format_func=lambda k: str(survey_library.TYPES.get(k)),
        key="builder_new_type",
    )
    c2.button("Add question", key="builder_add", icon=":material/add:", on_click=_add_blank)


def _add_blank() -> None:
    draft.add(draft.blank_question(st.session_state["builder_new_type"]))


def questions(placed: Placed) -> None:
    d = draft.current() or {"questions": []}
    count = len(d["questions"])
    for n, q in enumerate(d["questions"], start=1):
        question_panel(q, n, count, placed)
    add_question()
