"""Impact: is the L&D investment moving the numbers the business cares about? The executive view's figures.

- Objective scorecards. A KPI's *current* value is the mean of its observations in the latest month observed;
  *progress* = (current − baseline) / (target − baseline) × 100 (so it works for KPIs that should fall too).
  *Expected* progress is the share of the KPI's horizon (baseline date → target date) elapsed at the latest
  observation, × 100. Status: `on_track` when progress ≥ expected − 10 points (or the target is reached),
  `at_risk` when progress ≥ expected − 25 points, else `off_track`; no observation → no status (None). An
  objective takes the worst status of its KPIs.
- ROI per initiative (see `ldcore.analytics.roi`): KPI observations of the audience and control teams, and for
  participant estimates the follow-up answers `attribution_pct` × `attribution_confidence` — from the
  initiative's own follow-up waves that ask them, else from the plan's follow-up waves, in both cases only the
  answers of the initiative's audience teams.
- The evidence chain per initiative, each link None (shown as missing, with the reason) when there is no evidence
  or too few respondents: reaction (satisfaction, NPS) from the initiative's reaction waves; learning (mean
  proficiency change of the audience teams in the initiative's capabilities, from `ldcore.services.evidence`);
  behaviour (share of the audience applying those capabilities; managers' observed change); results (isolated
  KPI effects); return (BCR, ROI %, payback).
- Survey figures over an initiative's audience overlap the plan's own figures and other initiatives' (the same wave,
  nested teams): an initiative's attribution and application figures are hidden when they are fewer than the
  minimum group of people apart from a figure published before them — the plan's own first, then the
  initiatives in plan order (see `ldcore.analytics.suppression`) — so no subtraction singles out a small team.
- Alignment (`ldcore.services.intake.alignment`) and the budget by objective: an initiative's costs split evenly
  over the objectives it serves ("not linked to an objective" otherwise).
- A short narrative in business language written from these numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Subquery, case, distinct, func, select
from sqlalchemy.orm import Session

from ldcore.analytics import roi, suppression
from ldcore.models import Answer, Initiative, Kpi, KpiObservation, Plan, SurveyWave, Team
from ldcore.reporting import fmt
from ldcore.services import evidence, intake, plans

ON_TRACK_SLACK = 10.0  # points of progress an on-track KPI may lag the elapsed share of its horizon
AT_RISK_SLACK = 25.0  # beyond this lag a KPI is off track
STATUS_RANK = {"on_track": 0, "at_risk": 1, "off_track": 2}
STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}
UNLINKED = "Not linked to an objective"
OVERLAP = "hidden to protect a small group: it differs by fewer than {} people from a figure already shown"
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6


# --- results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiTile:
    key: str
    name: str
    unit: str
    direction: str
    baseline: float
    baseline_date: dt.date
    target: float
    target_date: dt.date
    current: float | None  # mean of the latest month's observations
    current_month: dt.date | None
    change: float | None  # current − baseline
    progress_pct: float | None
    expected_pct: float | None  # share of the horizon elapsed at the latest observation, × 100
    status: str | None
    series: list[tuple[dt.date, float]] = field(default_factory=list)  # monthly means, oldest first


@dataclass(frozen=True)
class Scorecard:
    key: str
    title: str
    category: str
    priority: int
    owner: str
    status: str | None
    kpis: list[KpiTile]
    budget: float  # L&D costs aimed at this objective
    main_program: str | None = None  # key of the costliest initiative serving it


@dataclass(frozen=True)
class AlignmentSummary:
    initiatives: int
    aligned: int
    aligned_pct: float | None
    priority_budget_pct: float | None
    budget: float
    budget_by_objective: dict[str, float]  # objective title → costs (and UNLINKED)
    unaligned: list[str]


@dataclass(frozen=True)
class ChainLink:
    level: int  # 1 reaction … 5 return on investment
    measure: str
    value: float | None  # None: no evidence (never 0)
    unit: str  # "/5", "NPS", "%", "levels", "ratio", "months", or a KPI unit
    n: int | None = None
    missing: str | None = None


@dataclass(frozen=True)
class Chain:
    initiative: str
    name: str
    stage: str
    isolation: str | None
    links: list[ChainLink]


@dataclass(frozen=True)
class GapClosure:
    capability: str
    name: str
    pre_mean: float
    post_mean: float
    delta: float
    gap_closed: float | None
    p_value: float | None = None


@dataclass(frozen=True)
class Executive:
    plan_key: str
    plan_name: str
    starts: dt.date
    ends: dt.date
    scorecards: list[Scorecard]
    alignment: AlignmentSummary
    roi: list[roi.InitiativeRoi]
    chains: list[Chain]
    gap_closure: list[GapClosure]
    narrative: list[str]


# --- KPI scorecards ---------------------------------------------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def kpi_status(progress_pct: float | None, expected_pct: float | None) -> str | None:
    if progress_pct is None or expected_pct is None:
        return None
    if progress_pct >= 100 or progress_pct >= expected_pct - ON_TRACK_SLACK:
        return "on_track"
    if progress_pct >= expected_pct - AT_RISK_SLACK:
        return "at_risk"
    return "off_track"


def elapsed_pct(start: dt.date, end: dt.date, on: dt.date) -> float:
    if end <= start:
        return 100.0
    return min(100.0, max(0.0, 100.0 * (on - start).days / (end - start).days))


Rows = list[tuple[int | None, dt.date, float]]  # (team id, date, value) of KPI observations


def _observations_by_kpi(session: Session, kpi_ids: Sequence[int]) -> dict[int, Rows]:
    found: dict[int, Rows] = defaultdict(list)
    if not kpi_ids:
        return found
    rows = session.execute(
        select(KpiObservation.kpi_id, KpiObservation.team_id, KpiObservation.date, KpiObservation.value)
        .where(KpiObservation.kpi_id.in_(kpi_ids))
        .order_by(KpiObservation.date)
    )
    for kpi_id, team_id, date, value in rows:
        found[kpi_id].append((team_id, date, value))
    return found


def kpi_tile(kpi: Kpi, observations: Rows) -> KpiTile:
    by_month: dict[dt.date, list[float]] = defaultdict(list)
    for _, date, value in observations:
        by_month[_month(date)].append(value)
    series = [(month, sum(v) / len(v)) for month, v in sorted(by_month.items())]
    current = series[-1][1] if series else None
    latest = max((d for _, d, _ in observations), default=None)
    span = kpi.target_value - kpi.baseline_value
    progress = None if current is None or span == 0 else (current - kpi.baseline_value) / span * 100
    expected = None if latest is None else elapsed_pct(kpi.baseline_date, kpi.target_date, latest)
    return KpiTile(
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=kpi.baseline_value,
        baseline_date=kpi.baseline_date,
        target=kpi.target_value,
        target_date=kpi.target_date,
        current=current,
        current_month=series[-1][0] if series else None,
        change=None if current is None else current - kpi.baseline_value,
        progress_pct=progress,
        expected_pct=expected,
        status=kpi_status(progress, expected),
        series=series,
    )


def _worst(statuses: Sequence[str | None]) -> str | None:
    known = [s for s in statuses if s is not None]
    return max(known, key=STATUS_RANK.__getitem__) if known else None


def budget_by_objective(plan: Plan) -> dict[str, float]:
    budget: dict[str, float] = {o.title: 0.0 for o in plan.objectives}
    for i in plan.initiatives:
        cost = sum(line.amount for line in i.cost_lines)
        if i.objectives:
            for o in i.objectives:
                budget[o.title] = budget.get(o.title, 0.0) + cost / len(i.objectives)
        elif cost:
            budget[UNLINKED] = budget.get(UNLINKED, 0.0) + cost
    return budget


def scorecards(session: Session, plan: Plan) -> list[Scorecard]:
    observations = _observations_by_kpi(session, [k.id for o in plan.objectives for k in o.kpis])
    budget = budget_by_objective(plan)
    out = []
    for o in plan.objectives:
        tiles = [kpi_tile(k, observations.get(k.id, [])) for k in o.kpis]
        serving = [i for i in plan.initiatives if o in i.objectives]
        main = max(serving, key=lambda i: sum(line.amount for line in i.cost_lines), default=None)
        out.append(
            Scorecard(
                key=o.key,
                title=o.title,
                category=o.category,
                priority=o.priority,
                owner=o.owner,
                status=_worst([t.status for t in tiles]),
                kpis=tiles,
                budget=budget.get(o.title, 0.0),
                main_program=None if main is None else main.key,
            )
        )
    return out


# --- ROI inputs -------------------------------------------------------------------------------------------------


def _followup_waves(session: Session, plan: Plan, initiative: Initiative, question: str) -> list[SurveyWave]:
    """Follow-up waves asking `question`: the initiative's own if any, else the plan's (not tied to an initiative);
    newest first."""
    waves = session.scalars(
        select(SurveyWave).where(SurveyWave.plan_id == plan.id, SurveyWave.kind == "followup")
    ).all()
    asking = [w for w in waves if w.asks(question)]
    own = [w for w in asking if w.initiative_id == initiative.id]
    chosen = own or [w for w in asking if w.initiative_id is None]
    return sorted(chosen, key=SurveyWave.newest_first, reverse=True)


def _team_ids(initiative: Initiative, role: str) -> list[int]:
    return [link.team_id for link in initiative.team_links if link.role == role]


def _wave_ids(waves: Sequence[SurveyWave]) -> set[int]:
    return {w.id for w in waves}


def _attribution_per_response(wave_ids: Sequence[int], audience: Sequence[int] | None = None) -> Subquery:
    pct = func.max(case((Answer.question_key == "attribution_pct", Answer.value_num)))
    confidence = func.max(case((Answer.question_key == "attribution_confidence", Answer.value_num)))
    query = select(
        Answer.wave_id, Answer.team_id, Answer.response_id, pct.label("pct"), confidence.label("confidence")
    ).where(Answer.wave_id.in_(wave_ids), Answer.question_key.in_(["attribution_pct", "attribution_confidence"]))
    if audience is not None:
        query = query.where(Answer.team_id.in_(audience))
    return query.group_by(Answer.wave_id, Answer.team_id, Answer.response_id).subquery()


def attribution_shown(session: Session, plan: Plan) -> set[str]:
    """Keys of the participant-estimate initiatives whose attribution figure may be published: each is a figure
    over (wave, audience team) cells, none a few people apart from one published before it."""
    chosen = {
        i.key: (_followup_waves(session, plan, i, "attribution_pct"), set(_team_ids(i, "audience")))
        for i in plan.initiatives
        if i.isolation == "participant_estimate"
    }
    waves = {w.id: w for found, _ in chosen.values() for w in found}
    if not waves:
        return set()
    answers = _attribution_per_response(list(waves))
    counts = session.execute(
        select(answers.c.wave_id, answers.c.team_id, func.count())
        .where(answers.c.pct.is_not(None), answers.c.confidence.is_not(None))
        .group_by(answers.c.wave_id, answers.c.team_id)
    ).all()
    figures: list[suppression.Figure] = [
        {((w, t), None): n for w, t, n in counts if w in _wave_ids(found) and t in audience}
        for found, audience in chosen.values()
    ]
    shown = suppression.publishable(figures, max(w.min_group for w in waves.values()))
    return {key for key, ok in zip(chosen, shown, strict=True) if ok}


def attribution(session: Session, plan: Plan, initiative: Initiative, *, shown: bool) -> roi.Attribution | None:
    waves = _followup_waves(session, plan, initiative, "attribution_pct")
    audience = _team_ids(initiative, "audience")
    if not waves or not audience:
        return None
    min_group = max(w.min_group for w in waves)
    per_response = _attribution_per_response([w.id for w in waves], audience)
    n, product, mean_pct, mean_confidence = session.execute(
        select(
            func.count(),
            func.avg(per_response.c.pct * per_response.c.confidence / 10000.0),
            func.avg(per_response.c.pct),
            func.avg(per_response.c.confidence),
        ).where(per_response.c.pct.is_not(None), per_response.c.confidence.is_not(None))
    ).one()
    if not shown and n >= min_group:
        return roi.Attribution(0, None, None, None, min_group, [w.key for w in waves], OVERLAP.format(min_group))
    return roi.Attribution(
        respondents=int(n),
        mean_product=None if product is None else float(product),
        mean_pct=None if mean_pct is None else float(mean_pct),
        mean_confidence=None if mean_confidence is None else float(mean_confidence),
        min_group=min_group,
        waves=[w.key for w in waves],
    )


def initiative_data(
    session: Session,
    plan: Plan,
    initiative: Initiative,
    observations: dict[int, Rows],
    team_keys: dict[int, str],
    attribution_ok: set[str],
) -> roi.InitiativeData:
    audience, control = set(_team_ids(initiative, "audience")), set(_team_ids(initiative, "control"))

    def of(kpi: Kpi, teams: set[int]) -> list[roi.Observation]:
        return [
            roi.Observation(team_keys[t], date, value)
            for t, date, value in observations.get(kpi.id, [])
            if t is not None and t in teams
        ]

    return roi.InitiativeData(
        key=initiative.key,
        name=initiative.name,
        isolation=initiative.isolation,
        starts=initiative.starts,
        ends=initiative.ends,
        cost_lines=[(line.category, line.amount) for line in sorted(initiative.cost_lines, key=lambda c: c.id)],
        kpis=[
            roi.KpiData(
                key=k.key,
                name=k.name,
                direction=k.direction,
                unit=k.unit,
                unit_value=k.unit_value,
                audience=of(k, audience),
                control=of(k, control),
            )
            for k in sorted(initiative.kpis, key=lambda k: k.position)
        ],
        attribution=(
            attribution(session, plan, initiative, shown=initiative.key in attribution_ok)
            if initiative.isolation == "participant_estimate"
            else None
        ),
    )


def _plan_roi(session: Session, plan: Plan) -> list[roi.InitiativeRoi]:
    observations = _observations_by_kpi(session, [k.id for i in plan.initiatives for k in i.kpis])
    team_keys = {t.id: t.key for t in session.scalars(select(Team))}
    ok = attribution_shown(session, plan)
    return [
        roi.initiative_roi(initiative_data(session, plan, i, observations, team_keys, ok)) for i in plan.initiatives
    ]


def plan_roi(session: Session, *, plan_key: str) -> list[roi.InitiativeRoi]:
    """Phillips ROI of every initiative of the plan, with its audit trail."""
    return _plan_roi(session, plans.load_plan_graph(session, key=plan_key))


# --- the evidence chain -----------------------------------------------------------------------------------------


def _initiative_waves(session: Session, initiative: Initiative, question: str) -> list[SurveyWave]:
    waves = session.scalars(select(SurveyWave).where(SurveyWave.initiative_id == initiative.id)).all()
    return [w for w in waves if w.asks(question)]


def _too_few(n: int, min_group: int, what: str) -> str:
    return f"fewer than {min_group} {what}" if n else f"no {what} yet"


def reaction_links(session: Session, initiative: Initiative) -> list[ChainLink]:
    waves = _initiative_waves(session, initiative, "satisfaction")
    if not waves:
        reason = "no reaction survey of this program"
        return [
            ChainLink(1, "Satisfaction", None, "/5", missing=reason),
            ChainLink(1, "NPS", None, "NPS", missing=reason),
        ]
    ids, min_group = [w.id for w in waves], max(w.min_group for w in waves)
    n_sat, satisfaction = session.execute(
        select(func.count(Answer.value_num), func.avg(Answer.value_num)).where(
            Answer.wave_id.in_(ids), Answer.question_key == "satisfaction"
        )
    ).one()
    n_nps, promoters, detractors = session.execute(
        select(
            func.count(Answer.value_num),
            func.sum(case((Answer.value_num >= PROMOTER_FROM, 1), else_=0)),
            func.sum(case((Answer.value_num <= DETRACTOR_UP_TO, 1), else_=0)),
        ).where(Answer.wave_id.in_(ids), Answer.question_key == "nps")
    ).one()
    links = []
    if n_sat >= min_group:
        links.append(ChainLink(1, "Satisfaction", float(satisfaction), "/5", n=int(n_sat)))
    else:
        links.append(ChainLink(1, "Satisfaction", None, "/5", missing=_too_few(n_sat, min_group, "answers")))
    if n_nps >= min_group:
        nps = 100.0 * (int(promoters or 0) - int(detractors or 0)) / n_nps
        links.append(ChainLink(1, "NPS", nps, "NPS", n=int(n_nps)))
    else:
        links.append(ChainLink(1, "NPS", None, "NPS", missing=_too_few(n_nps, min_group, "answers")))
    return links


def learning_link(initiative: Initiative, change: evidence.PrePost | None) -> ChainLink:
    measure = "Proficiency change"
    if change is None:
        return ChainLink(2, measure, None, "levels", missing="no follow-up survey with a baseline yet")
    teams = {link.team.key for link in initiative.team_links if link.role == "audience"}
    caps = {c.key for c in initiative.capabilities}
    rows = [r for r in change.rows if r.team in teams and r.capability in caps]
    if not rows:
        return ChainLink(2, measure, None, "levels", missing="no audience team has enough answers in both surveys")
    weight = sum(r.n_post for r in rows)
    delta = sum(r.delta * r.n_post for r in rows) / weight
    return ChainLink(2, measure, delta, "levels", n=weight)


def _application_wave(session: Session, plan: Plan, initiative: Initiative) -> SurveyWave | None:
    waves = _followup_waves(session, plan, initiative, evidence.APPLIED)
    return waves[0] if waves else None


def application_shown(session: Session, plan: Plan) -> set[str]:
    """Keys of the initiatives whose share applying may be published. In each wave asking about use on the job the
    plan's own figures (every team, one per capability, as `ldcore.services.evidence.application` shows them) come
    first, then the initiatives' (audience teams × the initiative's capabilities) in plan order."""
    waves = session.scalars(select(SurveyWave).where(SurveyWave.plan_id == plan.id)).all()
    waves = [w for w in waves if w.asks(evidence.APPLIED)]
    counts = session.execute(
        select(Answer.wave_id, Answer.team_id, Answer.capability_id, func.count(Answer.value_num))
        .where(Answer.wave_id.in_([w.id for w in waves]), Answer.question_key == evidence.APPLIED)
        .group_by(Answer.wave_id, Answer.team_id, Answer.capability_id)
    ).all()
    chosen = [(i, _application_wave(session, plan, i)) for i in plan.initiatives]
    shown: set[str] = set()
    for wave in waves:
        cells = {(team, cap): n for w, team, cap, n in counts if w == wave.id}  # block: the team; facet: capability
        plan_figures: list[suppression.Figure] = [
            {cell: n for cell, n in cells.items() if cell[1] == cap} for cap in {c for _, c in cells}
        ]
        mine = [i for i, w in chosen if w is not None and w.id == wave.id]
        figures: list[suppression.Figure] = []
        for i in mine:
            audience, caps = set(_team_ids(i, "audience")), {c.id for c in i.capabilities}
            figures.append({(t, c): n for (t, c), n in cells.items() if t in audience and c in caps})
        ok = suppression.publishable([*plan_figures, *figures], wave.min_group)[len(plan_figures) :]
        shown |= {i.key for i, published in zip(mine, ok, strict=True) if published}
    return shown


def application_link(session: Session, plan: Plan, initiative: Initiative, *, shown: bool) -> ChainLink:
    measure = "Applying on the job"
    wave = _application_wave(session, plan, initiative)
    audience, caps = _team_ids(initiative, "audience"), [c.id for c in initiative.capabilities]
    if wave is None or not audience or not caps:
        return ChainLink(3, measure, None, "%", missing="no follow-up survey asking about use on the job")
    respondents, answers, applying = session.execute(
        select(
            func.count(distinct(Answer.response_id)),
            func.count(Answer.value_num),
            func.sum(case((Answer.value_num >= evidence.APPLYING_FROM, 1), else_=0)),
        ).where(
            Answer.wave_id == wave.id,
            Answer.question_key == evidence.APPLIED,
            Answer.capability_id.in_(caps),
            Answer.team_id.in_(audience),
        )
    ).one()
    if respondents < wave.min_group or not answers:
        return ChainLink(3, measure, None, "%", missing=_too_few(respondents, wave.min_group, "respondents"))
    if not shown:
        return ChainLink(3, measure, None, "%", missing=OVERLAP.format(wave.min_group))
    return ChainLink(3, measure, 100.0 * int(applying or 0) / answers, "%", n=int(respondents))


def observation_link(session: Session, initiative: Initiative) -> ChainLink:
    measure = "Change seen by managers"
    waves = _initiative_waves(session, initiative, "observed_change")
    if not waves:
        return ChainLink(3, measure, None, "/5", missing="no manager observation survey of this program")
    min_group = max(w.min_group for w in waves)
    respondents, mean = session.execute(
        select(func.count(distinct(Answer.response_id)), func.avg(Answer.value_num)).where(
            Answer.wave_id.in_([w.id for w in waves]), Answer.question_key == "observed_change"
        )
    ).one()
    if respondents < min_group:
        return ChainLink(3, measure, None, "/5", missing=_too_few(respondents, min_group, "observations"))
    return ChainLink(3, measure, float(mean), "/5", n=int(respondents))


def result_links(result: roi.InitiativeRoi) -> list[ChainLink]:
    if not result.effects:
        return [ChainLink(4, "KPI effect", None, "", missing="no KPI linked to the program")]
    return [
        ChainLink(
            4, f"{e.name} (isolated effect)", e.effect, e.unit, missing=None if e.effect is not None else e.missing
        )
        for e in result.effects
    ]


def return_links(result: roi.InitiativeRoi) -> list[ChainLink]:
    reason = None if result.benefits is not None else "no benefit could be shown yet"
    payback_reason = reason or ("it does not pay back" if result.payback_months is None else None)
    return [
        ChainLink(5, "Benefit-cost ratio", result.bcr, "ratio", missing=reason if result.bcr is None else None),
        ChainLink(5, "ROI", result.roi_pct, "%", missing=reason if result.roi_pct is None else None),
        ChainLink(5, "Payback", result.payback_months, "months", missing=payback_reason),
    ]


def chain(
    session: Session,
    plan: Plan,
    initiative: Initiative,
    result: roi.InitiativeRoi,
    change: evidence.PrePost | None,
    application_ok: set[str],
) -> Chain:
    return Chain(
        initiative=initiative.key,
        name=initiative.name,
        stage=initiative.stage,
        isolation=initiative.isolation,
        links=[
            *reaction_links(session, initiative),
            learning_link(initiative, change),
            application_link(session, plan, initiative, shown=initiative.key in application_ok),
            observation_link(session, initiative),
            *result_links(result),
            *return_links(result),
        ],
    )


# --- the narrative ----------------------------------------------------------------------------------------------


def _moved(effect: roi.KpiEffect) -> str:
    better = (effect.effect or 0.0) >= 0
    verb = {("up", True): "lifted", ("up", False): "lowered", ("down", True): "cut", ("down", False): "raised"}
    return f"{verb[(effect.direction, better)]} {effect.name} by {fmt.amount(effect.effect or 0.0, effect.unit)}"


def narrative(cards: Sequence[Scorecard], results: Sequence[roi.InitiativeRoi]) -> list[str]:
    """Plain sentences for a leader: what moved, by how much, what it was worth, what is at risk."""
    lines: list[str] = []
    tiles = [(card, t) for card in cards for t in card.kpis if t.progress_pct is not None and t.current is not None]
    if not tiles:
        lines.append("No KPI has been measured yet, so there is no movement to report.")
    else:
        card, best = max(tiles, key=lambda ct: ct[1].progress_pct or 0.0)
        verb = "rose" if (best.change or 0) > 0 else "fell" if (best.change or 0) < 0 else "held"
        lines.append(
            f"{card.title}: {best.name} {verb} from {fmt.level(best.baseline, best.unit)} to "
            f"{fmt.level(best.current or 0.0, best.unit)}, {best.progress_pct:.0f}% of the way to the "
            f"{fmt.level(best.target, best.unit)} target."
        )
    for r in results:
        if r.benefits is None:
            reasons = "; ".join(sorted({e.missing for e in r.effects if e.missing})) or "no KPI is linked to it"
            lines.append(f"{r.name} ({fmt.money(r.costs)} invested): no value can be shown yet ({reasons}).")
            continue
        moved = " and ".join(_moved(e) for e in r.effects if e.benefit is not None)
        if r.roi_pct is not None and r.roi_pct >= 0:
            outcome = f"a return of {r.roi_pct:.0f}%"
        else:
            outcome = f"{fmt.money(r.costs - r.benefits)} short of its cost so far"
        payback = f", paying back in {r.payback_months:.1f} months" if r.payback_months is not None else ""
        lines.append(
            f"{r.name} {moved} beyond what would have happened anyway, worth {fmt.money(r.benefits)} in the first "
            f"year against {fmt.money(r.costs)} invested: {outcome}{payback}."
        )
    for card in cards:
        lagging = [t for t in card.kpis if t.status in ("at_risk", "off_track") and t.progress_pct is not None]
        if card.status in ("at_risk", "off_track") and lagging:
            worst = min(lagging, key=lambda t: (t.progress_pct or 0.0) - (t.expected_pct or 0.0))
            lines.append(
                f"{STATUS_WORDS[card.status].capitalize()}: {card.title} — {worst.name} is "
                f"{worst.progress_pct:.0f}% of the way to target with {worst.expected_pct:.0f}% of the time gone."
            )
    return lines


# --- the whole view ---------------------------------------------------------------------------------------------


def alignment_summary(plan: Plan) -> AlignmentSummary:
    result = intake.alignment_of(plan)
    return AlignmentSummary(
        initiatives=result.initiatives,
        aligned=result.aligned,
        aligned_pct=result.aligned_pct,
        priority_budget_pct=result.priority_budget_pct,
        budget=result.budget,
        budget_by_objective=budget_by_objective(plan),
        unaligned=[u.name for u in result.unaligned],
    )


def gap_closure(change: evidence.PrePost | None) -> list[GapClosure]:
    if change is None:
        return []
    names = {c.key: c.name for c in change.capabilities}
    return [
        GapClosure(
            capability=r.capability,
            name=names.get(r.capability, r.capability),
            pre_mean=r.pre_mean,
            post_mean=r.post_mean,
            delta=r.delta,
            gap_closed=r.gap_closed,
            p_value=r.p_value,
        )
        for r in change.rows
        if r.team is None
    ]


def executive_view(session: Session, *, plan_key: str) -> Executive:
    """Everything the executive page and the report show for one plan."""
    plan = plans.load_plan_graph(session, key=plan_key)
    return executive_of(session, plan, evidence.prepost(session, plan_key=plan_key))


def executive_of(session: Session, plan: Plan, change: evidence.PrePost | None) -> Executive:
    """The executive view of a plan loaded with `plans.load_plan_graph`, given its baseline → follow-up change (so
    a report computing that change for itself computes it once)."""
    cards = scorecards(session, plan)
    results = _plan_roi(session, plan)
    application_ok = application_shown(session, plan)
    return Executive(
        plan_key=plan.key,
        plan_name=plan.name,
        starts=plan.starts,
        ends=plan.ends,
        scorecards=cards,
        alignment=alignment_summary(plan),
        roi=results,
        chains=[
            chain(session, plan, i, r, change, application_ok) for i, r in zip(plan.initiatives, results, strict=True)
        ],
        gap_closure=gap_closure(change),
        narrative=narrative(cards, results),
    )
