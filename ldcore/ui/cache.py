"""Evidence for the pages, cached per (arguments, database, data version).

Every write transaction bumps the data version (`ldcore.db.unit_of_work`), so a new response or import changes the
key and the next run recomputes: pages are fresh the moment data lands and cheap on every other run. Reading the
version is one primary-key lookup. `ttl` and `max_entries` bound the memory old versions can hold. (`db` and
`version` are keys only: Streamlit hashes every argument not starting with an underscore.)
"""

from __future__ import annotations

import streamlit as st

from ldcore.analytics.trends import BenchmarkRow
from ldcore.db import data_version, read_session
from ldcore.services import evidence, trends
from ldcore.ui.state import engine

TTL_SECONDS = 3600
MAX_ENTRIES = 64


def _key() -> tuple[str, int]:
    current = engine()
    return current.url.render_as_string(hide_password=True), data_version(current)


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
    return _trends(*_key(), plan_key)


def benchmark(plan_key: str, wave_key: str, team_key: str) -> list[BenchmarkRow]:
    return _benchmark(*_key(), plan_key, wave_key, team_key)


def heatmap_waves(plan_key: str) -> list[evidence.WaveRef]:
    return _heatmap_waves(*_key(), plan_key)


def heatmap(plan_key: str, wave_key: str | None = None) -> evidence.Heatmap:
    return _heatmap(*_key(), plan_key, wave_key)


def distribution(
    plan_key: str, wave_key: str | None, *, team_key: str | None = None, capability_key: str | None = None
) -> list[evidence.Distribution]:
    return _distribution(*_key(), plan_key, wave_key, team_key, capability_key)


def prepost(plan_key: str) -> evidence.PrePost | None:
    return _prepost(*_key(), plan_key)


def clear() -> None:
    """Forget every cached result (the benchmark's cold start; never needed for freshness)."""
    st.cache_data.clear()
