"""Evidence: the skills-gap heatmap and the baseline → follow-up change, aggregated in the database.

Every figure comes from a GROUP BY over the answer table (the covering index ix_answer_wave_question_cap_team
makes the heatmap one index scan); the plan tables joined in Python afterwards are small. Groups smaller than the
wave's minimum group are never returned with a value (see ldcore.analytics.gaps for the suppression rules).

Pre/post pairing: a baseline and a follow-up response pair up when they share a roster person (personal link or
roster email), or else the same hashed self-generated code. A capability (or team) uses the paired t-test when at
least min_group pairs exist and they cover at least half of the smaller wave; otherwise Welch's t-test on all
answers. A paired row also carries the means of the paired answers, so its delta is their difference (the means of
all answers can differ when not everyone is paired). Per-capability Likert questions of the follow-up (how often
did you apply it) get the same analysis when the baseline asked them too. The all-teams row pools the team groups
that are shown (and respondents without a team when they form a large enough group), so nobody can subtract their
way from it to a hidden team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from ldcore import tally
from ldcore.analytics import gaps
from ldcore.analytics import prepost as stats
from ldcore.errors import NotFound
from ldcore.models import (
    Answer,
    Capability,
    Initiative,
    InitiativeCapability,
    InitiativeTeam,
    Objective,
    ObjectiveCapability,
    Plan,
    Response,
    SurveyWave,
    Team,
    TeamTarget,
)
from ldcore.schemas import Named
from ldcore.services import plans, surveys

PROFICIENCY = "proficiency"
APPLIED = "applied"
APPLYING_FROM = 2  # "Once or twice" or more often on the 1 Never … 5 Daily scale
LEVELS = (1, 2, 3, 4, 5)


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class WaveRef(Out):
    key: str
    title: str
    kind: str
    min_group: int


class Coverage(Out):
    team: str
    capability: str
    gap: float
    priority: float
    initiatives: list[Named]

    @property
    def covered(self) -> bool:
        return bool(self.initiatives)


class Heatmap(Out):
    plan: str
    wave: WaveRef
    teams: list[Named]  # ranked by published priority
    capabilities: list[Named]
    importance: dict[str, float]
    cells: list[gaps.Cell]
    team_totals: list[gaps.TeamTotal]
    capability_totals: list[gaps.CapabilityTotal]
    top_gaps: list[Coverage]
    unanswered: list[str] = []  # teams nobody in has answered: "no data", never a gap of 0


class Distribution(Out):
    """Counts per proficiency level of one group (a capability within a team, or a team within a capability)."""

    key: str
    name: str
    n: int | None
    counts: dict[int, int] | None  # level → answers; None when suppressed
    suppressed: bool


class ChangeRow(Out):
    question: str = "proficiency"
    capability: str
    team: str | None  # None: all teams
    baseline_wave: str
    followup_wave: str
    pre_mean: float
    post_mean: float
    delta: float
    n_pre: int
    n_post: int
    paired: bool
    n_pairs: int
    p_value: float | None
    effect_size: float | None
    ci_low: float | None
    ci_high: float | None
    gap_closed: float | None
    test: str
    t: float | None = None
    df: float | None = None
    paired_pre_mean: float | None = None  # means of the paired answers (paired test only): delta = post − pre
    paired_post_mean: float | None = None


class Application(Out):
    capability: str
    n: int | None
    applying: int | None
    share: float | None  # 0–1 of answers at "once or twice" or more
    suppressed: bool


class PrePost(Out):
    plan: str
    baseline: WaveRef
    followup: WaveRef
    rows: list[ChangeRow]  # per capability: the all-teams row first, then one per team shown
    likert: list[ChangeRow] = []  # the same for each per-capability Likert question both waves asked
    likert_questions: list[Named] = []  # those questions' keys and texts
    application: list[Application]
    capabilities: list[Named]
    teams: list[Named]


# --- waves ------------------------------------------------------------------------------------------------------


def _waves(session: Session, plan: Plan, kind: str | None = None) -> list[SurveyWave]:
    """The plan's waves that rate proficiency, newest first."""
    query = select(SurveyWave).where(SurveyWave.plan_id == plan.id)
    if kind:
        query = query.where(SurveyWave.kind == kind)
    waves = session.scalars(query).all()
    newest = sorted(waves, key=SurveyWave.newest_first, reverse=True)
    return [w for w in newest if w.asks(PROFICIENCY)]


def _ref(wave: SurveyWave) -> WaveRef:
    return WaveRef(key=wave.key, title=wave.title or wave.key, kind=wave.kind, min_group=wave.min_group)


def heatmap_waves(session: Session, *, plan_key: str) -> list[WaveRef]:
    """Waves a heatmap can be drawn from: those rating proficiency, newest first."""
    return [_ref(w) for w in _waves(session, plans.get_plan(session, key=plan_key))]


def _wave(session: Session, plan: Plan, key: str) -> SurveyWave:
    wave = session.scalar(select(SurveyWave).where(SurveyWave.key == key, SurveyWave.plan_id == plan.id))
    if wave is None:
        raise NotFound(f"No survey wave {key!r} in plan {plan.key!r}.")
    if not wave.asks(PROFICIENCY):
        raise NotFound(f"Survey wave {key!r} does not rate proficiency, so it has no heatmap.")
    return wave


def _heatmap_wave(session: Session, plan: Plan, key: str | None) -> SurveyWave:
    if key is not None:
        return _wave(session, plan, key)
    waves = _waves(session, plan, "baseline")
    if not waves:
        raise NotFound(f"Plan {plan.key!r} has no baseline wave rating proficiency yet.")
    return waves[0]


# --- plan pieces (small tables) -------------------------------------------------------------------------------


def _importance(session: Session, plan: Plan) -> dict[int, float]:
    rows = session.execute(
        select(ObjectiveCapability.capability_id, func.sum(Objective.priority * ObjectiveCapability.weight))
        .join(Objective, Objective.id == ObjectiveCapability.objective_id)
        .where(Objective.plan_id == plan.id)
        .group_by(ObjectiveCapability.capability_id)
    )
    return {cap_id: float(total) for cap_id, total in rows}


def _targets(session: Session, plan: Plan) -> dict[tuple[int, int], int]:
    rows = session.execute(
        select(TeamTarget.team_id, TeamTarget.capability_id, TeamTarget.level).where(TeamTarget.plan_id == plan.id)
    )
    return {(team_id, cap_id): level for team_id, cap_id, level in rows}


def _teams(session: Session, ids: set[int]) -> dict[int, Team]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name))}


def _coverage(session: Session, plan: Plan) -> dict[tuple[int, int], list[Named]]:
    """(team id, capability id) → initiatives that build the capability with the team in their audience."""
    rows = session.execute(
        select(InitiativeTeam.team_id, InitiativeCapability.capability_id, Initiative.key, Initiative.name)
        .join(InitiativeCapability, InitiativeCapability.initiative_id == Initiative.id)
        .join(InitiativeTeam, InitiativeTeam.initiative_id == Initiative.id)
        .where(Initiative.plan_id == plan.id, InitiativeTeam.role == "audience")
        .order_by(Initiative.position, Initiative.key)
    )
    found: dict[tuple[int, int], list[Named]] = {}
    for team_id, cap_id, key, name in rows:
        found.setdefault((team_id, cap_id), []).append(Named(key=key, name=name))
    return found


# --- heatmap ----------------------------------------------------------------------------------------------------


def _proficiency_means(session: Session, wave: SurveyWave) -> list[tuple[int, int, float, int]]:
    """Mean and count per team × capability, from the running totals the database keeps (`ldcore.tally`)."""
    sums = tally.wave_sums(session, [wave.id], PROFICIENCY)
    return [(team, cap, s / n, n) for _, (cap, team, n, s, _sq) in sums if team is not None]


def gap_heatmap(session: Session, *, plan_key: str, wave_key: str | None = None) -> Heatmap:
    """Team × capability grid of current, target, gap and priority for one wave (default: the latest baseline)."""
    plan = plans.get_plan(session, key=plan_key)
    wave = _heatmap_wave(session, plan, wave_key)
    caps = surveys.wave_capabilities(session, wave)
    cap_by_id = {c.id: c for c in caps}
    targets = _targets(session, plan)
    observed_rows = [r for r in _proficiency_means(session, wave) if r[1] in cap_by_id and r[3] > 0]
    teams = _teams(session, {t for t, _ in targets} | {r[0] for r in observed_rows})
    importance_by_id = _importance(session, plan)

    team_key = {t.id: t.key for t in teams.values()}
    answered = {r[0] for r in observed_rows}
    grid = gaps.build_grid(
        teams=[t.key for t in teams.values()],
        capabilities=[c.key for c in caps],
        observed={
            (team_key[t], cap_by_id[c].key): gaps.Observed(mean=float(mean), n=int(n))
            for t, c, mean, n in observed_rows
        },
        targets={(team_key[t], cap_by_id[c].key): level for (t, c), level in targets.items() if c in cap_by_id},
        importance={c.key: importance_by_id.get(c.id, 0.0) for c in caps},
        headcount={t.key: t.headcount for t in teams.values()},
        min_group=wave.min_group,
    )
    team_id = {t.key: t.id for t in teams.values()}
    cap_id = {c.key: c.id for c in caps}
    coverage = _coverage(session, plan)
    names = {t.key: t.name for t in teams.values()}
    cap_names = {c.key: c.name for c in caps}
    return Heatmap(
        plan=plan.key,
        wave=_ref(wave),
        teams=[Named(key=k, name=names[k]) for k in grid.teams],
        capabilities=[Named(key=k, name=cap_names[k]) for k in grid.capabilities],
        importance={c.key: importance_by_id.get(c.id, 0.0) for c in caps},
        cells=grid.cells,
        team_totals=grid.team_totals,
        capability_totals=grid.capability_totals,
        unanswered=[k for k in grid.teams if team_id[k] not in answered],
        top_gaps=[
            Coverage(
                team=cell.team,
                capability=cell.capability,
                gap=cell.gap or 0.0,
                priority=cell.priority or 0.0,
                initiatives=coverage.get((team_id[cell.team], cap_id[cell.capability]), []),
            )
            for cell in gaps.top_gaps(grid.cells)
        ],
    )


def distribution(
    session: Session,
    *,
    plan_key: str,
    wave_key: str | None = None,
    team_key: str | None = None,
    capability_key: str | None = None,
) -> list[Distribution]:
    """Answers per proficiency level: for one team (a group per capability) or one capability (a group per team).
    Groups below the wave's minimum are suppressed; single answers are never returned."""
    if (team_key is None) == (capability_key is None):
        raise ValueError("give exactly one of team_key and capability_key")
    plan = plans.get_plan(session, key=plan_key)
    wave = _heatmap_wave(session, plan, wave_key)
    caps = {c.id: c for c in surveys.wave_capabilities(session, wave)}
    team_id: int | None = None
    cap_id: int | None = None
    if team_key is not None:
        team = session.scalar(select(Team).where(Team.key == team_key))
        if team is None:
            raise NotFound(f"No team with key {team_key!r}.")
        team_id = team.id
    else:
        cap = next((c for c in caps.values() if c.key == capability_key), None)
        if cap is None:
            raise NotFound(f"No capability {capability_key!r} in survey wave {wave.key!r}.")
        cap_id = cap.id
    rows = tally.levels(session, wave.id, PROFICIENCY, team_id=team_id, capability_id=cap_id)

    counts: dict[int, dict[int, int]] = {}
    for row_team, row_cap, value, count in rows:
        group = row_cap if team_key is not None else row_team
        if group is None or (team_key is not None and row_cap not in caps):
            continue
        level = int(round(value))
        bucket = counts.setdefault(group, dict.fromkeys(LEVELS, 0))
        bucket[level] = bucket.get(level, 0) + count

    if team_key is not None:
        groups = [(c.id, c.key, c.name) for c in caps.values()]
    else:
        teams = _teams(session, set(counts))
        groups = [(t.id, t.key, t.name) for t in teams.values()]
    out = []
    for group_id, key, name in groups:
        bucket = counts.get(group_id, dict.fromkeys(LEVELS, 0))
        n = sum(bucket.values())
        hidden = n < wave.min_group
        out.append(
            Distribution(
                key=key, name=name, n=None if hidden else n, counts=None if hidden else bucket, suppressed=hidden
            )
        )
    return out


# --- baseline → follow-up --------------------------------------------------------------------------------------


def _followup_pair(
    session: Session, plan: Plan, baseline_key: str | None, followup_key: str | None
) -> tuple[SurveyWave, SurveyWave] | None:
    if followup_key is not None:
        followup = _wave(session, plan, followup_key)
    else:
        candidates = [w for w in _waves(session, plan, "followup") if w.baseline_wave_id is not None]
        if baseline_key is not None:
            base = _wave(session, plan, baseline_key)
            candidates = [w for w in candidates if w.baseline_wave_id == base.id]
        if not candidates:
            return None
        followup = candidates[0]
    if baseline_key is not None:
        baseline = _wave(session, plan, baseline_key)
    elif followup.baseline_wave_id is not None:
        found = session.get(SurveyWave, followup.baseline_wave_id)
        if found is None or not found.asks(PROFICIENCY):
            return None
        baseline = found
    else:
        raise NotFound(f"Survey wave {followup.key!r} has no baseline wave; name one.")
    return baseline, followup


@dataclass
class _Sums:
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def add(self, other: _Sums) -> None:
        self.n += other.n
        self.total += other.total
        self.total_sq += other.total_sq

    def summary(self) -> stats.Summary:
        return stats.summary_from_sums(self.n, self.total, self.total_sq)


@dataclass
class _Pairs(_Sums):
    """Sums of the per-person differences, and of the paired baseline and follow-up answers themselves."""

    pre_total: float = 0.0
    post_total: float = 0.0

    def add(self, other: _Sums) -> None:
        super().add(other)
        if isinstance(other, _Pairs):
            self.pre_total += other.pre_total
            self.post_total += other.post_total


Group = tuple[int, int | None]  # (capability id, team id or None)


def _wave_sums(session: Session, wave: SurveyWave, question: str = PROFICIENCY) -> dict[Group, _Sums]:
    return {(c, t): _Sums(n, s, sq) for _, (c, t, n, s, sq) in tally.wave_sums(session, [wave.id], question)}


def _pair_sums(
    session: Session, baseline: SurveyWave, followup: SurveyWave, question: str = PROFICIENCY
) -> dict[Group, _Pairs]:
    """Per capability × follow-up team: count, Σ and Σ² of the per-person differences (follow-up − baseline), and
    Σ of the paired baseline and follow-up answers.

    An aggregate over indexed answers, once for responses paired by person (one response per person and wave) and
    once for anonymous ones paired by the self-generated code (a code given twice in a wave pairs nobody: no one
    can tell whose it is): each follow-up answer meets its pair's answer to the same capability through the index
    on (response, question, capability), which also holds the value and team."""
    pre_r, post_r = aliased(Response), aliased(Response)
    pre_a, post_a = aliased(Answer), aliased(Answer)
    diff = post_a.value_num - pre_a.value_num

    def paired_answers(same_respondent: Any) -> Any:
        return (
            select(
                post_a.capability_id, post_a.team_id, func.count(), func.sum(diff), func.sum(diff * diff),
                func.sum(pre_a.value_num), func.sum(post_a.value_num),
            )
            .select_from(post_r)
            .join(pre_r, and_(pre_r.wave_id == baseline.id, same_respondent))
            .join(post_a, and_(
                post_a.response_id == post_r.id, post_a.question_key == question, post_a.capability_id.is_not(None),
                post_a.value_num.is_not(None),
            ))
            .join(pre_a, and_(
                pre_a.response_id == pre_r.id, pre_a.question_key == question,
                pre_a.capability_id == post_a.capability_id, pre_a.value_num.is_not(None),
            ))
            .where(post_r.wave_id == followup.id)
            .group_by(post_a.capability_id, post_a.team_id)
        )  # fmt: skip

    def unique_codes(wave: SurveyWave) -> Select[Any]:
        return (
            select(Response.pairing_code)
            .where(Response.wave_id == wave.id, Response.person_id.is_(None), Response.pairing_code.is_not(None))
            .group_by(Response.pairing_code)
            .having(func.count() == 1)
        )

    found: dict[Group, _Pairs] = {}
    if followup.baseline_wave_id == baseline.id:  # the database keeps these totals as answers land
        for c, t, n, sd, sdd, a, b in tally.pair_sums(session, baseline.id, followup.id, question):
            found.setdefault((c, t), _Pairs()).add(_Pairs(n, sd, sdd, a, b))
        queries = []
    else:
        queries = [paired_answers(pre_r.person_id == post_r.person_id)]
    by_code = paired_answers(
        and_(
            post_r.person_id.is_(None),
            pre_r.person_id.is_(None),
            pre_r.pairing_code == post_r.pairing_code,
            post_r.pairing_code.in_(unique_codes(followup)),
            pre_r.pairing_code.in_(unique_codes(baseline)),
        )
    )
    for query in [*queries, by_code]:
        for c, t, n, s, sq, a, b in session.execute(query):
            if c is None:
                continue
            found.setdefault((c, t), _Pairs()).add(
                _Pairs(int(n), float(s or 0), float(sq or 0), float(a or 0), float(b or 0))
            )
    return found


def _use_pairs(pairs: _Sums, n_pre: int, n_post: int, min_group: int) -> bool:
    return pairs.n >= max(min_group, 2) and 2 * pairs.n >= min(n_pre, n_post)


def prepost(
    session: Session, *, plan_key: str, baseline_wave: str | None = None, followup_wave: str | None = None
) -> PrePost | None:
    """Baseline → follow-up change per capability (all teams, then per team); None without a follow-up wave."""
    plan = plans.get_plan(session, key=plan_key)
    found = _followup_pair(session, plan, baseline_wave, followup_wave)
    if found is None:
        return None
    base, follow = found
    in_baseline = {c.id for c in surveys.wave_capabilities(session, base)}
    caps = [c for c in surveys.wave_capabilities(session, follow) if c.id in in_baseline]
    rows, teams = _change_rows(session, PROFICIENCY, base, follow, caps, _targets(session, plan))
    likert, asked = [], []
    for q in surveys.wave_definition(follow).questions:
        if q.type == "likert" and q.per_capability:
            question_rows, more_teams = _change_rows(session, q.key, base, follow, caps, {})
            likert += question_rows
            asked += [Named(key=q.key, name=q.text)] if question_rows else []
            teams.update(more_teams)

    return PrePost(
        plan=plan.key,
        baseline=_ref(base),
        followup=_ref(follow),
        rows=rows,
        likert=likert,
        likert_questions=asked,
        application=application(session, wave=follow, capabilities=caps),
        capabilities=[Named(key=c.key, name=c.name) for c in caps],
        teams=[Named(key=t.key, name=t.name) for t in teams.values()],
    )


def _change_rows(
    session: Session,
    question: str,
    base: SurveyWave,
    follow: SurveyWave,
    caps: Sequence[Capability],
    targets: dict,
) -> tuple[list[ChangeRow], dict[int, Team]]:
    """Per capability the all-teams row, then one per team at or above the minimum group in both waves; and the
    teams answering."""
    min_group = max(base.min_group, follow.min_group)
    pre, post = _wave_sums(session, base, question), _wave_sums(session, follow, question)
    teams = _teams(session, {t for (_, t) in [*pre, *post] if t is not None})
    pairs = _pair_sums(session, base, follow, question) if pre and post else {}
    rows: list[ChangeRow] = []
    for cap in caps:
        shown: list[ChangeRow] = []
        pooled = (_Sums(), _Sums(), _Pairs())
        weighted_targets: list[tuple[int | None, int]] = []
        for team_id in [*teams, None]:
            a, b = pre.get((cap.id, team_id)), post.get((cap.id, team_id))
            if a is None or b is None or a.n < min_group or b.n < min_group:
                continue
            p = pairs.get((cap.id, team_id), _Pairs())
            for total, part in zip(pooled, (a, b, p), strict=True):
                total.add(part)
            weighted_targets.append((targets.get((team_id, cap.id)) if team_id else None, a.n))
            if team_id is not None:
                target = targets.get((team_id, cap.id))
                shown.append(
                    _change_row(question, cap.key, teams[team_id].key, base, follow, a, b, p, min_group, target)
                )
        a, b, p = pooled
        if a.n and b.n:
            target_mean = None
            if all(t is not None for t, _ in weighted_targets):
                target_mean = sum((t or 0) * n for t, n in weighted_targets) / a.n
            rows.append(_change_row(question, cap.key, None, base, follow, a, b, p, min_group, target_mean))
        rows.extend(shown)
    return rows, teams


def _change_row(
    question: str,
    capability: str,
    team: str | None,
    base: SurveyWave,
    follow: SurveyWave,
    pre_sums: _Sums,
    post_sums: _Sums,
    pair_sums: _Pairs,
    min_group: int,
    target: float | None,
) -> ChangeRow:
    a, b = pre_sums.summary(), post_sums.summary()
    paired = _use_pairs(pair_sums, a.n, b.n, min_group)
    change = stats.paired_change(pair_sums.summary()) if paired else stats.welch_change(a, b)
    return ChangeRow(
        question=question,
        capability=capability,
        team=team,
        baseline_wave=base.key,
        followup_wave=follow.key,
        pre_mean=a.mean,
        post_mean=b.mean,
        delta=change.delta,
        n_pre=a.n,
        n_post=b.n,
        paired=paired,
        n_pairs=pair_sums.n,
        p_value=change.p_value,
        effect_size=change.effect_size,
        ci_low=change.ci_low,
        ci_high=change.ci_high,
        gap_closed=stats.gap_closed_pct(a.mean, a.mean + change.delta, target),
        test=change.test,
        t=change.t,
        df=change.df,
        paired_pre_mean=pair_sums.pre_total / pair_sums.n if paired else None,
        paired_post_mean=pair_sums.post_total / pair_sums.n if paired else None,
    )


def application(session: Session, *, wave: SurveyWave, capabilities: Sequence[Capability]) -> list[Application]:
    """Level-3 evidence: per capability, the share of follow-up answers applying it at least once or twice."""
    found: dict[int, tuple[int, int]] = {}
    for _team, cap_id, value, count in tally.levels(session, wave.id, APPLIED):
        n, k = found.get(cap_id, (0, 0))
        found[cap_id] = (n + count, k + (count if value >= APPLYING_FROM else 0))
    out = []
    for cap in capabilities:
        n, k = found.get(cap.id, (0, 0))
        if n < wave.min_group:
            out.append(Application(capability=cap.key, n=None, applying=None, share=None, suppressed=True))
        else:
            out.append(Application(capability=cap.key, n=n, applying=k, share=k / n, suppressed=False))
    return out
