"""Trends across a survey series (a baseline and every follow-up chained to it) and the internal benchmark.

- A point is one wave's mean proficiency of one capability for one team, with its 95% confidence interval
  (t distribution, n − 1 degrees of freedom; no interval for a single answer). A team's point exists only when at
  least the wave's minimum group answered; there is no placeholder for a hidden point.
- The all-teams point pools the teams whose point is shown, plus respondents without a team when they form a group
  of at least the minimum, so no one can subtract a shown team from it to reach a hidden one.
- Internal benchmark: a team's mean against the company's, where the company is every team shown in the same
  wave (all teams at or above the minimum group) pooled by their number of answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ldcore.analytics import gaps
from ldcore.analytics import prepost as stats


@dataclass(frozen=True)
class WaveInfo:
    key: str
    date: dt.date
    min_group: int


@dataclass(frozen=True)
class Sums:
    n: int
    total: float
    total_sq: float


@dataclass(frozen=True)
class Point:
    wave: str
    date: dt.date
    mean: float
    n: int
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Series:
    capability: str
    team: str | None  # None: all teams
    points: list[Point]


@dataclass(frozen=True)
class BenchmarkRow:
    capability: str
    team_mean: float | None  # None: the team's group is below the minimum
    team_n: int | None
    company_mean: float | None
    company_n: int
    difference: float | None  # team − company


def point(wave: WaveInfo, sums: Sums) -> Point:
    summary = stats.summary_from_sums(sums.n, sums.total, sums.total_sq)
    low = high = None
    if summary.sd is not None:
        low, high = stats.mean_interval(summary)
    return Point(wave=wave.key, date=wave.date, mean=summary.mean, n=sums.n, ci_low=low, ci_high=high)


def _pool(parts: Sequence[Sums]) -> Sums:
    return Sums(sum(p.n for p in parts), sum(p.total for p in parts), sum(p.total_sq for p in parts))


def build_series(
    waves: Sequence[WaveInfo],
    sums: Mapping[tuple[str, str, str | None], Sums],
    capabilities: Sequence[str],
    teams: Sequence[str],
) -> list[Series]:
    """Per capability: the all-teams series first, then one per team; `sums` maps (wave, capability, team or
    None for respondents without a team) to the answers' count, Σ and Σ². Series without any point are left out."""
    out: list[Series] = []
    for cap in capabilities:
        by_team: dict[str | None, list[Point]] = {team: [] for team in [None, *teams]}
        for wave in waves:
            shown = []
            for team in [*teams, None]:
                s = sums.get((wave.key, cap, team))
                if s is None or s.n < wave.min_group:
                    continue
                shown.append(s)
                if team is not None:
                    by_team[team].append(point(wave, s))
            pooled = _pool(shown)
            if pooled.n >= wave.min_group:
                by_team[None].append(point(wave, pooled))
        out.extend(Series(capability=cap, team=team, points=points) for team, points in by_team.items() if points)
    return out


def internal_benchmark(cells: Sequence[gaps.Cell], team: str, capabilities: Sequence[str]) -> list[BenchmarkRow]:
    """The team against the company on every capability, from one wave's heatmap cells (suppressed cells carry
    no value, so they count in neither)."""
    rows = []
    for cap in capabilities:
        shown = [c for c in cells if c.capability == cap and not c.suppressed and c.current is not None and c.n]
        company_n = sum(c.n or 0 for c in shown)
        company = sum((c.current or 0.0) * (c.n or 0) for c in shown) / company_n if company_n else None
        own = next((c for c in shown if c.team == team), None)
        rows.append(
            BenchmarkRow(
                capability=cap,
                team_mean=own.current if own else None,
                team_n=own.n if own else None,
                company_mean=company,
                company_n=company_n,
                difference=(own.current or 0.0) - company if own and company is not None else None,
            )
        )
    return rows
