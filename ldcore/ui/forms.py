"""Editing forms: saves run in widget callbacks, refused fields are shown next to the field, deletes are confirmed.

A save runs before the page is drawn again (a callback), so its outcome is known when the fields are drawn: the
problems of `Invalid` (path, message) are kept per form in session state, and `Problems.at(path)` right under a
widget shows the ones about that field. A model-level message that starts with a field path ("ends must be after
starts") is shown at that field too; anything no field claimed is shown by `Problems.rest()`.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ldcore.errors import Invalid, LDAlignError
from ldcore.ui.widgets import plain

PROBLEMS = "ldalign_form_problems"
FLASH = "ldalign_form_flash"


def run_save(form: str, action: Callable[[], str]) -> bool:
    """Run `action` (which writes and returns a success message); remember its problems for `form` when refused."""
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
    st.session_state[FLASH] = message
    return True


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
    """The message of the last successful save, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(plain(message))


def _matches(path: str, message: str, field: str) -> bool:
    if path == field or path.startswith(field + "."):
        return True
    return path == "" and (message.startswith(field + " ") or message.startswith(field + "."))


class Problems:
    """The refused fields of one form from its last save."""

    def __init__(self, form: str):
        self.items = list(st.session_state.get(PROBLEMS, {}).get(form, []))
        self.shown: set[int] = set()

    def at(self, *fields: str) -> None:
        for n, (path, message) in enumerate(self.items):
            if n not in self.shown and any(_matches(path, message, f) for f in fields):
                self.shown.add(n)
                shown = message if not path or path in fields else f"{path}: {message}"
                st.error(plain(shown), icon=":material/error:")

    def rest(self) -> None:
        for n, (path, message) in enumerate(self.items):
            if n not in self.shown:
                self.shown.add(n)
                st.error(plain(f"{path}: {message}" if path else message), icon=":material/error:")


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
