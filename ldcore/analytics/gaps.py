"""The skills-gap grid: pure computation on what one GROUP BY returned (mean and count per team × capability).

- current = mean proficiency of a team in a capability; target = the plan's target level for that team;
  gap = max(target − current, 0); priority = gap × importance of the capability.
- A cell answered by fewer people than the wave's minimum group is *suppressed*: no current, gap, priority or n.
- Totals are suppressed too when subtracting the published cells from them would reveal a suppressed cell
  (complementary suppression):
  - a team's totals (Σ gap, Σ priority, burden = headcount × Σ gap) add up gaps cell by cell, so one suppressed
    cell with answers in the row suppresses them;
  - a capability's all-teams mean pools answers, so it is suppressed when the suppressed cells of that column hold
    between 1 and min_group − 1 answers together (or the column as a whole has fewer than min_group).
- Teams and capabilities are ranked by the priority of their published cells only, so the order reveals nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Pair = tuple[str, str]  # (team key, capability key)


@dataclass(frozen=True)
class Observed:
    mean: float
    n: int


@dataclass(frozen=True)
class Cell:
    team: str
    capability: str
    current: float | None
    target: int | None
    gap: float | None
    priority: float | None
    n: int | None
    suppressed: bool


@dataclass(frozen=True)
class TeamTotal:
    team: str
    headcount: int
    gap: float | None  # Σ gap over the team's capabilities with a target
    priority: float | None
    burden: float | None  # headcount × Σ gap: proficiency levels the team is short, person by person
    suppressed: bool


@dataclass(frozen=True)
class CapabilityTotal:
    capability: str
    current: float | None  # pooled mean over every team's answers
    n: int | None
    suppressed: bool


@dataclass(frozen=True)
class Grid:
    teams: list[str]  # ranked by published priority, highest first
    capabilities: list[str]
    cells: list[Cell]
    team_totals: list[TeamTotal]
    capability_totals: list[CapabilityTotal]


def gap_of(current: float, target: int | None) -> float | None:
    return None if target is None else max(target - current, 0.0)


def make_cell(
    team: str, capability: str, observed: Observed | None, target: int | None, importance: float, min_group: int
) -> Cell:
    if observed is None or observed.n < min_group:
        return Cell(team, capability, None, target, None, None, None, True)
    gap = gap_of(observed.mean, target)
    priority = None if gap is None else gap * importance
    return Cell(team, capability, observed.mean, target, gap, priority, observed.n, False)


def build_grid(
    *,
    teams: Sequence[str],
    capabilities: Sequence[str],
    observed: Mapping[Pair, Observed],
    targets: Mapping[Pair, int],
    importance: Mapping[str, float],
    headcount: Mapping[str, int],
    min_group: int,
) -> Grid:
    """One cell per team × capability that has answers or a target; `teams` and `capabilities` give the scope."""
    cells = [
        make_cell(t, c, observed.get((t, c)), targets.get((t, c)), importance.get(c, 0.0), min_group)
        for t in teams
        for c in capabilities
        if (t, c) in observed or (t, c) in targets
    ]

    by_team: dict[str, list[Cell]] = defaultdict(list)
    by_capability: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_team[cell.team].append(cell)
        by_capability[cell.capability].append(cell)

    def hidden_answers(cell: Cell) -> int:
        found = observed.get((cell.team, cell.capability))
        return found.n if cell.suppressed and found is not None else 0

    team_totals = []
    for t in teams:
        row = [c for c in by_team[t] if c.target is not None]
        if any(hidden_answers(c) for c in row):
            team_totals.append(TeamTotal(t, headcount.get(t, 0), None, None, None, True))
            continue
        gap = sum(c.gap for c in row if c.gap is not None)
        priority = sum(c.priority for c in row if c.priority is not None)
        team_totals.append(TeamTotal(t, headcount.get(t, 0), gap, priority, headcount.get(t, 0) * gap, False))

    capability_totals = []
    for c in capabilities:
        answers = [observed[(cell.team, c)] for cell in by_capability[c] if (cell.team, c) in observed]
        n = sum(o.n for o in answers)
        hidden = sum(hidden_answers(cell) for cell in by_capability[c])
        if n < min_group or 0 < hidden < min_group:
            capability_totals.append(CapabilityTotal(c, None, None, True))
        else:
            capability_totals.append(CapabilityTotal(c, sum(o.mean * o.n for o in answers) / n, n, False))

    def published_priority(group: list[Cell]) -> float:
        return sum(cell.priority or 0.0 for cell in group)

    ranked_teams = sorted(teams, key=lambda t: -published_priority(by_team[t]))
    ranked_capabilities = sorted(capabilities, key=lambda c: -published_priority(by_capability[c]))
    return Grid(ranked_teams, ranked_capabilities, cells, team_totals, capability_totals)


def top_gaps(cells: Sequence[Cell], limit: int = 10) -> list[Cell]:
    """The published cells with the highest priority (ties: larger gap first)."""
    ranked = [c for c in cells if not c.suppressed and c.priority]
    return sorted(ranked, key=lambda c: (-(c.priority or 0.0), -(c.gap or 0.0), c.team, c.capability))[:limit]
