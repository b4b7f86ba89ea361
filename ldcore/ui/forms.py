"""The one way a page writes and tells the outcome: `run_save` in a widget callback (`save_button` draws one),
refused fields shown next to the field, a flash message that survives the rerun, deletes confirmed.

A save runs before the page is drawn again (a callback), so its outcome is known when the fields are drawn: the
problems of `Invalid` (path, message) are kept per form in session state, and `Problems.at(path)` right under a
widget shows the ones about that field. A model-level message that starts with a field path ("ends must be after
starts") is shown at that field too; anything no field claimed is shown by `Problems.rest()`. What a save has to
say (its success message, and any `say(...)` warning on the way) waits in session state until `flash()` shows it,
once, at the top of the page that is drawn next — so a rerun never swallows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ldcore.errors import Invalid, LDAlignError
from ldcore.ui.widgets import plain

PROBLEMS = "ldalign_form_problems"
FLASH = "ldalign_form_flash"


def run_save(form: str, action: Callable[[], str | None]) -> bool:
    """Run `action` (which writes and returns a success message, or None for nothing to say); remember its problems
    for `form` when refused (nothing was written), or flash its message."""
    problems: dict[str, list[tuple[str, str]]] = st.session_state.setdefault(PROBLEMS, {})
    try:
        message = action()
    except Invalid as exc:
        problems[form] = exc.problems or [("", str(exc))]
        return False
    except LDAlignError as exc:
        problems[form] = [("", str(exc))]
        return False
    problems.pop(form, None)
    if message:
        say(message)
    return True


def on_click_save(form: str, action: Callable[[], str | None]) -> None:
    """`run_save` as a widget's `on_click` callback (a callback returns nothing)."""
    run_save(form, action)


def save_button(label: str, form: str, action: Callable[[], str | None], **button: Any) -> bool:
    """A button that runs `action` through `run_save` in its callback, then shows the form's refusals under it."""
    clicked = st.button(label, on_click=on_click_save, args=(form, action), **button)
    Problems(form).rest(once=True)
    return clicked


def say(message: str, kind: str = "success") -> None:
    """Something for the person to read at the top of the next page drawn: kind "success", "info" or "warning"."""
    st.session_state.setdefault(FLASH, []).append((kind, message))


def new_item(form: str) -> str:
    """The name of the item a form for a new item edits: part of its widget keys, so that `renew` can give the
    browser fresh, empty widgets ("new", then "new2", "new3", ...)."""
    generation = st.session_state.get(f"{form}_generation", 1)
    return "new" if generation == 1 else f"new{generation}"


def renew(form: str) -> None:
    """After a creation: forget the form's new-item values and start it afresh with new widgets."""
    old = f"{form}_{new_item(form)}_"
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(old)]:
        del st.session_state[key]
    st.session_state[f"{form}_generation"] = st.session_state.get(f"{form}_generation", 1) + 1


def flash() -> None:
    """What the last saves had to say, once (names in it are shown as typed, never as markdown)."""
    for kind, message in st.session_state.pop(FLASH, []):
        getattr(st, kind)(plain(message))


def _matches(path: str, message: str, field: str) -> bool:
    if path == field or path.startswith(field + "."):
        return True
    return path == "" and (message.startswith(field + " ") or message.startswith(field + "."))


class Problems:
    """The refused fields of one form from its last save."""

    def __init__(self, form: str):
        self.form = form
        self.items = list(st.session_state.get(PROBLEMS, {}).get(form, []))
        self.shown: set[int] = set()

    def at(self, *fields: str) -> None:
        for n, (path, message) in enumerate(self.items):
            if n not in self.shown and any(_matches(path, message, f) for f in fields):
                self.shown.add(n)
                shown = message if not path or path in fields else f"{path}: {message}"
                st.error(plain(shown), icon=":material/error:")

    def rest(self, *, once: bool = False) -> None:
        """Every refusal no field showed; `once` for a form without fields (a button): shown on one run only."""
        for n, (path, message) in enumerate(self.items):
            if n not in self.shown:
                self.shown.add(n)
                st.error(plain(f"{path}: {message}" if path else message), icon=":material/error:")
        if once:
            st.session_state.get(PROBLEMS, {}).pop(self.form, None)


def confirm_delete(
    key: str, label: str, *, impact: Callable[[], str], action: Callable[[], str], disabled: bool = False
) -> None:
    """A delete button that first states what deleting breaks (`impact()` returns the sentence) and asks."""
    asking = f"{key}_asking"
    if st.button(label, key=key, icon=":material/delete:", disabled=disabled):
        st.session_state[asking] = True
    Problems(key).rest()
    if not st.session_state.get(asking):
        return
    st.warning(plain(impact()), icon=":material/warning:")

    def yes() -> None:
        st.session_state.pop(asking, None)
        run_save(key, action)

    left, right = st.columns(2)
    left.button("Yes, delete", key=f"{key}_yes", type="primary", on_click=yes)
    right.button("Cancel", key=f"{key}_no", on_click=lambda: st.session_state.pop(asking, None))


NEW = "__new__"


def picker(label: str, options: dict[str, str], *, key: str, new_label: str) -> str:
    """Choose an item to edit (by key, shown by its label) or NEW; a choice that has vanished falls back to NEW."""
    choices = [NEW, *options]
    if st.session_state.get(key) not in choices:
        st.session_state[key] = NEW
    return st.selectbox(label, choices, format_func=lambda k: new_label if k == NEW else options[k], key=key)
