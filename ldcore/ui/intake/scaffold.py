"""What every intake step shares: the plan it edits (`Step`), reading a form's fields from session state, and one
editor shape — pick an item (or a new one), a form of its fields with refused fields shown in place, save, and a
confirmed delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from ldcore.db import read_session
from ldcore.schemas import PlanDocument
from ldcore.services import intake
from ldcore.settings import load_settings
from ldcore.ui import forms, guard
from ldcore.ui.state import engine


def value(prefix: str, name: str) -> Any:
    return st.session_state.get(prefix + name)


def text(prefix: str, name: str) -> str:
    return value(prefix, name) or ""


@dataclass(frozen=True)
class Step:
    """The plan being edited, the person editing it, and the names every step shows for keys."""

    plan_key: str
    actor: str
    doc: PlanDocument | None = None
    stakeholders: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    grid: list = field(default_factory=list)
    unmeasurable: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        """The plan's currency, else the settings' one."""
        return (self.doc.plan.currency if self.doc else None) or load_settings().currency

    @property
    def document(self) -> PlanDocument:
        """The plan as a document; every step after the first is drawn only once the plan exists."""
        assert self.doc is not None
        return self.doc

    @property
    def objective_titles(self) -> dict[str, str]:
        return {o.key: o.title for o in self.doc.objectives} if self.doc else {}

    @property
    def kpi_names(self) -> dict[str, str]:
        titles = self.objective_titles
        return {k.key: f"{k.name} ({titles[o.key]})" for o in self.doc.objectives for k in o.kpis} if self.doc else {}

    @property
    def capability_names(self) -> dict[str, str]:
        return {c.key: c.name for c in self.doc.capabilities} if self.doc else {}

    @property
    def team_names(self) -> dict[str, str]:
        return {t.key: t.name for t in self.grid}

    def write(self, form: str, created: bool, work: Callable, message: Callable[[Any], str]) -> None:
        """Run `work(session)` in one transaction; on success say `message(result)` and, after a creation, start
        the form for a new item afresh."""

        def action() -> str:
            with guard.transaction("editor") as (session, _):
                result = work(session)
            return message(result)

        if forms.run_save(form, action) and created:
            forms.renew(form)

    def impact(self, kind: str, key: str) -> Callable[[], str]:
        def sentence() -> str:
            with read_session(engine()) as session:
                return intake.delete_impact(session, plan_key=self.plan_key, kind=kind, key=key).message

        return sentence

    def remove(self, kind: str, key: str, what: str) -> Callable[[], str]:
        def action() -> str:
            with guard.transaction("editor") as (session, _):
                done = intake.delete(session, plan_key=self.plan_key, kind=kind, key=key, actor=self.actor)
            return f"Deleted {what}." + (f" That also {', '.join(done.effects)}." if done.effects else "")

        return action


@dataclass(frozen=True)
class Delete:
    """The confirmed delete under an existing item's form: `kind` and `key` for the service, `what` in words."""

    kind: str
    key: str
    what: str
    label: str


def step_form(
    step: Step,
    *,
    form: str,
    item: str,
    widgets_prefix: str,
    fields: Callable[[str, forms.Problems], None],
    submit: str,
    on_save: Callable,
    original: Any,
    delete: Delete | None = None,
    errors: forms.Problems | None = None,
) -> None:
    """One form of a step: `fields(prefix, errors)` draws the fields (keys start with the prefix and show their own
    refusals with `errors.at`), then whatever no field claimed, the save button and, for an existing item, delete."""
    prefix = f"{widgets_prefix}_{item}_"
    errors = errors or forms.Problems(form)
    with st.form(f"{widgets_prefix}_form_{item}"):
        fields(prefix, errors)
        errors.rest()
        st.form_submit_button(submit, type="primary", on_click=on_save, args=(original,))
    if delete is not None:
        forms.confirm_delete(
            f"delete_{delete.kind}_{delete.key or item}",
            delete.label,
            impact=step.impact(delete.kind, delete.key),
            action=step.remove(delete.kind, delete.key, delete.what),
        )


def editor(
    step: Step,
    *,
    form: str,
    items: dict[str, Any],
    name: Callable[[Any], str],
    picker_label: str,
    picker_key: str,
    fields: Callable[[Any, str, forms.Problems], None],
    on_save: Callable[[str | None], None],
    describe: Callable[[Any], str],
    noun: str | None = None,
    widgets_prefix: str | None = None,
    before_form: Callable[[Any, str, forms.Problems], None] | None = None,
) -> None:
    """Choose one of `items` (or a new one) and edit it: the shape of every step but the plan and the teams.
    `fields(current, prefix, errors)` draws the fields for `current` (None for a new item); `describe(current)` names
    it in the delete message ("objective 'Grow revenue'")."""
    noun = noun or form
    chosen = forms.picker(
        picker_label, {k: name(v) for k, v in items.items()}, key=picker_key, new_label=f"＋ New {noun}"
    )
    current = items.get(chosen)
    item = chosen if current else forms.new_item(form)
    prefix = widgets_prefix or form
    errors = forms.Problems(form)
    if before_form is not None:
        before_form(current, f"{prefix}_{item}_", errors)
    step_form(
        step,
        form=form,
        item=item,
        widgets_prefix=prefix,
        fields=lambda p, errors: fields(current, p, errors),
        submit=f"Save {noun}",
        on_save=on_save,
        original=chosen if current else None,
        delete=Delete(form, chosen, describe(current), f"Delete this {noun}") if current else None,
        errors=errors,
    )
