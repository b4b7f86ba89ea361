"""Everything pages cache, in one place: each result is cached per (database, version of its plan or wave,
arguments).

A use case that changes a plan's data appends to the change log (`ldcore.db.mark_changed`), which moves that plan's
version (and its wave's, for invitations and responses), so the next run recomputes: pages are fresh the moment data
lands and cheap on every other run, and a response in one wave leaves every other plan's and wave's results warm.
Sign-ins, sessions and audit rows change no version. Reading a version is two index lookups. `ttl` and
`max_entries` bound the memory old versions can hold. (`db` and `version` are keys only: Streamlit hashes every
argument not starting with an underscore.)

The evidence results (heatmap, change, trends, the report view) are large and only read by pages, so they are
cached as shared objects (`st.cache_resource`): a rerun hands the page the same object instead of unpickling a copy.
Nothing may change a cached result in place. The capability gaps page takes the latest baseline's heatmap, the
change and the trends from the executive's report view of the same version: one computation per plan version
serves both pages (and in one database session, whose memo reads each wave's running totals once).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable

import streamlit as st

from ldcore.analytics.alignment import Alignment
from ldcore.analytics.trends import BenchmarkRow
from ldcore.db import plan_version, read_session, wave_version
from ldcore.reporting import charts, contract
from ldcore.schemas import PlanDocument
from ldcore.services import evidence, impact, intake, plans, roster, surveys, trends
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


@st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _heatmap(db: str, version: int, plan_key: str, wave_key: str | None) -> evidence.Heatmap:
    shared = _report_view(db, version, plan_key).heatmap  # the latest baseline's: in the report already
    if shared is not None and wave_key in (None, shared.wave.key):
        return shared
    with read_session(engine()) as session:
        return evidence.gap_heatmap(session, plan_key=plan_key, wave_key=wave_key)


@st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _distribution(
    db: str, version: int, plan_key: str, wave_key: str | None, team_key: str | None, capability_key: str | None
) -> list[evidence.Distribution]:
    with read_session(engine()) as session:
        return evidence.distribution(
            session, plan_key=plan_key, wave_key=wave_key, team_key=team_key, capability_key=capability_key
        )


def _prepost(db: str, version: int, plan_key: str) -> evidence.PrePost | None:
    return _report_view(db, version, plan_key).prepost


def _trends(db: str, version: int, plan_key: str) -> trends.Trends | None:
    return _report_view(db, version, plan_key).trends


@st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _benchmark(db: str, version: int, plan_key: str, wave_key: str, team_key: str) -> list[BenchmarkRow]:
    return trends.benchmark_of(_heatmap(db, version, plan_key, wave_key), team_key=team_key)  # not computed again


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


@st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _report_view(db: str, version: int, plan_key: str) -> contract.Report:
    with read_session(engine()) as session:
        return contract.build(session, plan_key=plan_key)


def report_view(plan_key: str, at_version: int) -> contract.Report:
    """Everything the executive page and its downloads show, computed once, at a version the page read already
    (the same one its live check compares against)."""
    return _report_view(_db(), at_version, plan_key)


def executive_view(plan_key: str, at_version: int) -> impact.Executive:
    return report_view(plan_key, at_version).executive


# --- figures: Plotly takes longer to build a figure than the database takes to sum the answers behind it, so a
# figure is built once for what it shows and shared by every session (Streamlit only reads a figure it is given). An
# executive chart is keyed on the part of the report it draws, so a response landing in a wave rebuilds the skills
# charts but not the budget or the KPI progress.


def _skills_trend(report: contract.Report, team: str | None) -> charts.Figure:
    return charts.skills_trend_figure(report.trends, team) if report.trends else charts.Figure()


REPORT_FIGURES: dict[
    str, tuple[Callable[[contract.Report], object], Callable[[contract.Report, str | None], charts.Figure]]
] = {
    "progress": (lambda r: r.executive.scorecards, lambda r, _: charts.progress_figure(r.executive)),
    "budget": (lambda r: r.executive.alignment, lambda r, _: charts.budget_figure(r.executive)),
    "gap_closure": (lambda r: r.executive.gap_closure, lambda r, _: charts.gap_closure_figure(r.executive)),
    "skills_trend": (lambda r: r.trends, _skills_trend),
}


@st.cache_resource(ttl=TTL_SECONDS, max_entries=4 * MAX_ENTRIES, show_spinner=False)
def _report_figure(name: str, drawn: str, team: str | None, _report: contract.Report) -> charts.Figure:
    return REPORT_FIGURES[name][1](_report, team)


def report_figure(report: contract.Report, name: str, team: str | None = None) -> charts.Figure:
    """One of the executive view's charts (`REPORT_FIGURES`), built again only when what it draws changed."""
    drawn = hashlib.sha256(pickle.dumps(REPORT_FIGURES[name][0](report))).hexdigest()
    return _report_figure(name, drawn, team, report)


@st.cache_resource(ttl=TTL_SECONDS, max_entries=4 * MAX_ENTRIES, show_spinner=False)
def _evidence_figure(
    db: str, version: int, plan_key: str, name: str, wave_key: str | None, measure: str
) -> charts.Figure:
    if name == "heatmap":
        return charts.heatmap_figure(_heatmap(db, version, plan_key, wave_key), measure)
    change = _prepost(db, version, plan_key)
    assert change is not None  # the page asks only when there is a change to show
    return charts.dumbbell_figure(change) if name == "dumbbell" else charts.application_figure(change)


def heatmap_figure(plan_key: str, wave_key: str | None, measure: str) -> charts.Figure:
    return _evidence_figure(*_plan_key(plan_key), plan_key, "heatmap", wave_key, measure)


def change_figure(plan_key: str, name: str) -> charts.Figure:
    """The capability gaps page's change charts: "dumbbell" or "application"."""
    return _evidence_figure(*_plan_key(plan_key), plan_key, name, None, "")


# --- the alignment page ----------------------------------------------------------------------------------------


@st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _alignment(db: str, version: int, plan_key: str) -> tuple[Alignment, PlanDocument, charts.Figure | None]:
    with read_session(engine()) as session:
        result = intake.alignment(session, plan_key=plan_key)
        document = plans.export_plan(session, key=plan_key)
    return result, document, charts.sankey_figure(result.sankey) if result.sankey.values else None


def alignment(plan_key: str) -> tuple[Alignment, PlanDocument, charts.Figure | None]:
    """The plan's alignment, the plan itself and the Sankey figure (None when nothing flows yet)."""
    return _alignment(*_plan_key(plan_key), plan_key)


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
def _wave_progress(db: str, version: int, wave_key: str) -> tuple[surveys.ResponseRates, list[surveys.Pending] | None]:
    with read_session(engine()) as session:
        return surveys.response_rates(session, wave_key=wave_key), surveys.non_respondents(session, wave_key=wave_key)


def survey_overview(
    plan_key: str,
) -> tuple[list[surveys.WaveOut], PlanDocument, list[surveys.FollowupProposal], int]:
    """The plan's waves, the plan itself, the proposed follow-ups and the roster size."""
    return _survey_overview(*_plan_key(plan_key), plan_key)


def wave_progress(wave_key: str) -> tuple[surveys.ResponseRates, list[surveys.Pending] | None]:
    """Response rates and the people who have not answered yet."""
    return _wave_progress(*_wave_key(wave_key), wave_key)


def clear() -> None:
    """Forget every cached result (the benchmark's cold start; never needed for freshness)."""
    st.cache_data.clear()
    for shared in (
        _heatmap,
        _distribution,
        _benchmark,
        _report_view,
        _report_figure,
        _evidence_figure,
    ):
        shared.clear()  # not the engine's cache: a process keeps its connections
