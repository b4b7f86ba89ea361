"""Trends across a survey series and the internal benchmark (rules in `ldcore.analytics.trends`).

A series is a baseline wave that rates proficiency and every follow-up chained to it (a follow-up whose baseline
is the baseline, or another follow-up of the series), ordered by opening date. All figures come from one GROUP BY
over the answers of the series' waves: count, Σ and Σ² per wave × capability × team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.analytics import trends
from ldcore.errors import NotFound
from ldcore.models import Answer, SurveyWave
from ldcore.services import evidence
from ldcore.services.evidence import PROFICIENCY, Named, WaveRef


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
    plan = evidence._plan(session, plan_key)
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
    try:
        waves = series_waves(session, plan_key, baseline_wave)
    except NotFound:
        evidence._plan(session, plan_key)  # an unknown plan is still an error
        return None
    plan = evidence._plan(session, plan_key)
    caps = evidence._capabilities(session, plan, waves[0])
    cap_key = {c.id: c.key for c in caps}
    value = Answer.value_num
    rows = session.execute(
        select(
            Answer.wave_id,
            Answer.capability_id,
            Answer.team_id,
            func.count(value),
            func.sum(value),
            func.sum(value * value),
        )
        .where(
            Answer.wave_id.in_([w.id for w in waves]),
            Answer.question_key == PROFICIENCY,
            Answer.capability_id.in_(list(cap_key)),
        )
        .group_by(Answer.wave_id, Answer.capability_id, Answer.team_id)
    ).all()
    teams = evidence._teams(session, {team for _, _, team, _, _, _ in rows if team is not None})
    wave_key = {w.id: w.key for w in waves}
    sums = {
        (wave_key[w], cap_key[c], teams[t].key if t is not None else None): trends.Sums(int(n), float(s), float(sq))
        for w, c, t, n, s, sq in rows
        if n
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


def trends_section(session: Session, *, plan_key: str) -> list[dict[str, Any]]:
    """`"trends"` of the JSON report: per capability the all-teams series (team null), then one per team; a point
    below the minimum group does not exist."""
    result = capability_trends(session, plan_key=plan_key)
    if result is None:
        return []
    return [
        {
            "capability": s.capability,
            "team": s.team,
            "points": [
                {
                    "wave": p.wave,
                    "date": p.date.isoformat(),
                    "mean": evidence._num(p.mean),
                    "n": p.n,
                    "ci_low": evidence._num(p.ci_low),
                    "ci_high": evidence._num(p.ci_high),
                }
                for p in s.points
            ],
        }
        for s in result.series
    ]


def internal_benchmark(
    session: Session, *, plan_key: str, team_key: str, wave_key: str | None = None
) -> list[trends.BenchmarkRow]:
    """One team against the company (every team at or above the minimum group) on each capability of a wave."""
    heat = evidence.gap_heatmap(session, plan_key=plan_key, wave_key=wave_key)
    if team_key not in {t.key for t in heat.teams}:
        raise NotFound(f"No team {team_key!r} in survey wave {heat.wave.key!r}.")
    return trends.internal_benchmark(heat.cells, team_key, [c.key for c in heat.capabilities])
