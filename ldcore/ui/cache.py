"""Everything pages cache, in one place: each result is cached per (database, version of its plan or wave,
arguments).

A use case that changes a plan's data appends to the change log (`ldcore.db.mark_changed`), which moves that plan's
version (and its wave's, for invitations and responses), so the next run recomputes: pages are fresh the moment data
lands and cheap on every other run, and a response in one wave leaves every other plan's and wave's results warm.
Sign-ins, sessions and audit rows change no version. Reading a version is two index lookups. `ttl` and
`max_entries` bound the memory old versions can hold. (`db` and `version` are keys only: Streamlit hashes every
argument not starting with an underscore.)
"""

from __future__ import annotations

import streamlit as st

from ldcore.analytics.trends import BenchmarkRow
from ldcore.db import plan_version, read_session, wave_version
from ldcore.schemas import PlanDocument
from ldcore.services import evidence, impact, plans, roster, surveys, trends
from ldcore.ui.state import engine

TTL_SECONDS = 3600
MAX_ENTRIES = 64
LIVE_POLL_SECONDS = 2  # how often a live page checks its plan's version: new data shows within this plus a refresh


def _db() -> str:
    return engine().url.render_as_string(hide_password=True)


def version(plan_key: str) -> int:
    """The plan's data version: what live pages poll."""
    return plan_version(engine(), plan_key)


def _plan_key(plan_key: str) -> tuple[str, int]:
    return _db(), version(plan_key)


def _wave_key(wave_key: str) -> tuple[str, int]:
    return _db(), wave_version(engine(), wave_key)


# --- evidence: the capability gaps page ---------------------------------------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _heatmap_waves(db: str, version: int, plan_key: str) -> list[evidence.WaveRef]:
    with read_session(engine()) as session:
        return evidence.heatmap_waves(session, plan_key=plan_key)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _heatmap(db: str, version: int, plan_key: str, wave_key: str | None) -> evidence.Heatmap:
    with read_session(engine()) as session:
        return evidence.gap_heatmap(session, plan_key=plan_key, wave_key=wave_key)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _distribution(
    db: str, version: int, plan_key: str, wave_key: str | None, team_key: str | None, capability_key: str | None
) -> list[evidence.Distribution]:
    with read_session(engine()) as session:
        return evidence.distribution(
            session, plan_key=plan_key, wave_key=wave_key, team_key=team_key, capability_key=capability_key
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _prepost(db: str, version: int, plan_key: str) -> evidence.PrePost | None:
    with read_session(engine()) as session:
        return evidence.prepost(session, plan_key=plan_key)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _trends(db: str, version: int, plan_key: str) -> trends.Trends | None:
    with read_session(engine()) as session:
        return trends.capability_trends(session, plan_key=plan_key)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _benchmark(db: str, version: int, plan_key: str, wave_key: str, team_key: str) -> list[BenchmarkRow]:
    with read_session(engine()) as session:
        return trends.internal_benchmark(session, plan_key=plan_key, wave_key=wave_key, team_key=team_key)


def trends_of(plan_key: str) -> trends.Trends | None:
    return _trends(*_plan_key(plan_key), plan_key)


def benchmark(plan_key: str, wave_key: str, team_key: str) -> list[BenchmarkRow]:
    return _benchmark(*_plan_key(plan_key), plan_key, wave_key, team_key)


def heatmap_waves(plan_key: str) -> list[evidence.WaveRef]:
    return _heatmap_waves(*_plan_key(plan_key), plan_key)


def heatmap(plan_key: str, wave_key: str | None = None) -> evidence.Heatmap:
    return _heatmap(*_plan_key(plan_key), plan_key, wave_key)


def distribution(
    plan_key: str, wave_key: str | None, *, team_key: str | None = None, capability_key: str | None = None
) -> list[evidence.Distribution]:
    return _distribution(*_plan_key(plan_key), plan_key, wave_key, team_key, capability_key)


def prepost(plan_key: str) -> evidence.PrePost | None:
    return _prepost(*_plan_key(plan_key), plan_key)


# --- the executive view ---------------------------------------------------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _executive_view(db: str, version: int, plan_key: str) -> impact.Executive:
    with read_session(engine()) as session:
        return impact.executive_view(session, plan_key=plan_key)


def executive_view(plan_key: str, at_version: int) -> impact.Executive:
    """The view at a version the page read already (the same one its live check compares against)."""
    return _executive_view(_db(), at_version, plan_key)


# --- the surveys page -------------------------------------------------------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _survey_overview(
    db: str, version: int, plan_key: str
) -> tuple[list[surveys.WaveOut], PlanDocument, list[surveys.FollowupProposal], int]:
    with read_session(engine()) as session:
        return (
            surveys.list_waves(session, plan_key=plan_key),
            plans.export_plan(session, key=plan_key),
            surveys.followup_proposals(session, plan_key=plan_key),
            roster.roster_size(session),
        )


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _wave_progress(db: str, version: int, wave_key: str) -> tuple[surveys.ResponseRates, list[surveys.Pending]]:
    with read_session(engine()) as session:
        return surveys.response_rates(session, wave_key=wave_key), surveys.non_respondents(session, wave_key=wave_key)


def survey_overview(plan_key: str):
    """The plan's waves, the plan itself, the proposed follow-ups and the roster size."""
    return _survey_overview(*_plan_key(plan_key), plan_key)


def wave_progress(wave_key: str) -> tuple[surveys.ResponseRates, list[surveys.Pending]]:
    """Response rates and the people who have not answered yet."""
    return _wave_progress(*_wave_key(wave_key), wave_key)


def clear() -> None:
    """Forget every cached result (the benchmark's cold start; never needed for freshness)."""
    st.cache_data.clear()
