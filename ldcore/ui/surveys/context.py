"""What every tab of the Surveys page reads: the plan, its waves, the roster size, and names for keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import streamlit as st

from ldcore import vocab
from ldcore.db import read_session
from ldcore.schemas import PlanDocument
from ldcore.services import survey_library, surveys
from ldcore.settings import Settings
from ldcore.ui.state import engine


def survey_titles(*, with_version: bool = True) -> dict[str, str]:
    """Every survey a wave can use, stock and saved in the builder, by key: "title (stock)" / "title (version N)"
    (or the bare title). Not cached: a survey saved in the builder is offered at once."""
    with read_session(engine()) as session:
        rows = survey_library.list_surveys(session, include_archived=not with_version)
    if not with_version:
        return {r.key: r.title for r in rows}
    return {r.key: f"{r.title} ({'stock' if r.source == 'stock' else f'version {r.version}'})" for r in rows}


@dataclass(frozen=True)
class SurveysPage:
    plan_key: str
    actor: str
    waves: list[surveys.WaveOut]
    plan: PlanDocument
    proposals: list[surveys.FollowupProposal]
    people: int
    settings: Settings

    @property
    def baselines(self) -> list[str]:
        return [w.key for w in self.waves if w.kind == "baseline"]

    @cached_property
    def wave_names(self) -> dict[str, str]:
        """Each wave by its title; waves that share a title also by their key, so that a choice is never ambiguous."""
        titles = Counter(w.title for w in self.waves)
        return {w.key: w.title if w.title and titles[w.title] == 1 else f"{w.title} ({w.key})" for w in self.waves}

    @cached_property
    def initiative_names(self) -> dict[str, str]:
        return {i.key: i.name for i in self.plan.initiatives}

    def wave_picker(self, label: str, key: str) -> str:
        """Choose one of the plan's waves by its title."""
        names = self.wave_names
        return st.selectbox(label, list(names), format_func=lambda k: str(names.get(k)), key=key)

    def survey_title(self, key: str) -> str:
        return survey_titles(with_version=False).get(key, key)

    def name_of(self, names: dict[str, str], key: str | None) -> str:
        return vocab.EMPTY if not key else names.get(key, key)
