"""Trends across a survey series and the internal benchmark (rules in `ldcore.analytics.trends`).

A series is a baseline wave that rates proficiency and every follow-up chained to it (a follow-up whose baseline
is the baseline, or another follow-up of the series), ordered by opening date. All figures come from one GROUP BY
over the answers of the series' waves: count, Σ and Σ² per wave × capability × team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ldcore import tally
from ldcore.analytics import trends
from ldcore.errors import NotFound
from ldcore.models import SurveyWave
from ldcore.schemas import Named
from ldcore.services import evidence, plans, surveys
from ldcore.services.evidence import PROFICIENCY, WaveRef


@dataclass(frozen=True)
class Trends:
    plan: str
    waves: list[WaveRef]
    capabilities: list[Named]
    teams: list[Named]
    series: list[trends.Series]


def _date(wave: SurveyWave) -> dt.date:
    return wave.opens or wave.created_at.date()


def series_waves(session: Session, plan_key: str, baseline_key: str | None = None) -> list[SurveyWave]:
    """The baseline (default: the latest) and its chained follow-ups, oldest first."""
    plan = plans.get_plan(session, key=plan_key)
    base = evidence._heatmap_wave(session, plan, baseline_key)
    followups = evidence._waves(session, plan, "followup")
    chained = {base.id}
    grew = True
    while grew:
        found = {w.id for w in followups if w.baseline_wave_id in chained} - chained
        chained |= found
        grew = bool(found)
    series = [base, *(w for w in followups if w.id in chained)]
    return sorted(series, key=lambda w: (_date(w), w.id))


def capability_trends(session: Session, *, plan_key: str, baseline_wave: str | None = None) -> Trends | None:
    """Each capability's mean over the series per team and for all teams; None without a baseline wave."""
    plan = plans.get_plan(session, key=plan_key)  # an unknown plan is an error; a plan without a baseline is not
    try:
        waves = series_waves(session, plan_key, baseline_wave)
    except NotFound:
        return None
    caps = surveys.wave_capabilities(session, waves[0])
    cap_key = {c.id: c.key for c in caps}
    rows = [
        (w, c, t, n, s, sq)
        for w, (c, t, n, s, sq) in tally.wave_sums(session, [w.id for w in waves], PROFICIENCY)
        if c in cap_key
    ]
    teams = evidence._teams(session, {team for _, _, team, _, _, _ in rows if team is not None})
    wave_key = {w.id: w.key for w in waves}
    sums = {
        (wave_key[w], cap_key[c], teams[t].key if t is not None else None): trends.Sums(
            int(n), float(s or 0), float(sq or 0)
        )
        for w, c, t, n, s, sq in rows
        if n and c is not None
    }
    return Trends(
        plan=plan.key,
        waves=[evidence._ref(w) for w in waves],
        capabilities=[Named(key=c.key, name=c.name) for c in caps],
        teams=[Named(key=t.key, name=t.name) for t in teams.values()],
        series=trends.build_series(
            [trends.WaveInfo(key=w.key, date=_date(w), min_group=w.min_group) for w in waves],
            sums,
            [c.key for c in caps],
            [t.key for t in teams.values()],
        ),
    )


def internal_benchmark(
    session: Session, *, plan_key: str, team_key: str, wave_key: str | None = None
) -> list[trends.BenchmarkRow]:
    """One team against the company (every team at or above the minimum group) on each capability of a wave."""
    return benchmark_of(evidence.gap_heatmap(session, plan_key=plan_key, wave_key=wave_key), team_key=team_key)


def benchmark_of(heat: evidence.Heatmap, *, team_key: str) -> list[trends.BenchmarkRow]:
    """`internal_benchmark` from a heatmap the caller has already (a page has it cached)."""
    if team_key not in {t.key for t in heat.teams}:
        raise NotFound(f"No team {team_key!r} in survey wave {heat.wave.key!r}.")
    return trends.internal_benchmark(heat.cells, team_key, [c.key for c in heat.capabilities])
