"""Strategy intake: create, change and delete the parts of a plan one at a time, as a partner does in a meeting.

Each `save_*` validates its input with the pydantic schema of `ldcore.schemas` (a refused field raises `Invalid`
whose problems name the field, e.g. `("baseline.value", ...)`), checks the references against the plan, and writes
in the caller's transaction. A key left empty is derived from the title or name. Deleting something first can be
asked what it would break (`delete_impact`); `delete` does it and returns the same account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from ldcore.analytics import alignment as analytics
from ldcore.db import mark_changed
from ldcore.errors import Invalid, NotFound, invalid_from
from ldcore.models import (
    Answer,
    Capability,
    CostLine,
    Initiative,
    InitiativeCapability,
    InitiativeKpi,
    InitiativeObjective,
    InitiativeTeam,
    Kpi,
    KpiObservation,
    Objective,
    ObjectiveCapability,
    PerformanceGap,
    Plan,
    Stakeholder,
    SurveyWave,
    Team,
    TeamTarget,
)
from ldcore.schemas import CapabilityIn, GapIn, InitiativeIn, KpiIn, ObjectiveIn, PlanIn, StakeholderIn, TeamIn
from ldcore.services import audit, plans
from ldcore.vocab import TRAINING_CAUSES

ADVISED_OBJECTIVES = 5
MAX_OBJECTIVES = 10
HORIZON_MONTHS = (6, 24)


class StakeholderOut(StakeholderIn):
    id: int


class GapOut(GapIn):
    id: int
    training_answer: bool
    advice: str  # the verdict, then (when training is not the answer) what to record
    verdict: str  # the verdict alone: whether training can close this gap


class Impact(BaseModel):
    """What deleting something takes with it, in words: `message` is what the confirmation shows."""

    model_config = ConfigDict(frozen=True)
    subject: str
    effects: list[str] = []

    @property
    def message(self) -> str:
        if not self.effects:
            return f"Deleting {self.subject} breaks nothing else."
        return f"Deleting {self.subject} {_join(self.effects)}."


# --- small helpers --------------------------------------------------------------------------------------------


def derive_key(text: str) -> str:
    """A key from a title: lower case, words joined by '-', at most 64 characters ('' when nothing usable)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def _validate(model: type[BaseModel], data: Any, what: str) -> Any:
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc, what) from exc


def _validate_keyed(model: type[BaseModel], data: Any, source: str, taken: set[str], what: str) -> Any:
    """Validate, deriving an empty key from `source`; when both are empty only `source` is reported."""
    data = _with_key(data, source, taken)
    try:
        return _validate(model, data, what)
    except Invalid as exc:
        paths = {path for path, _ in exc.problems}
        if source in paths and "key" in paths and isinstance(data, dict) and not str(data.get("key") or "").strip():
            exc.problems = [(path, msg) for path, msg in exc.problems if path != "key"]
        raise


def _with_key(data: Any, source: str, taken: set[str]) -> Any:
    """Fill an empty key from `source` (title or name), made unique among `taken`."""
    if not isinstance(data, dict) or str(data.get("key") or "").strip():
        return data
    base = derive_key(str(data.get(source) or ""))
    if not base:
        return data
    key, n = base, 2
    while key in taken:
        key = f"{base[:60]}-{n}"
        n += 1
    return {**data, "key": key}


def _refuse(path: str, message: str) -> Invalid:
    return Invalid(message, [(path, message)])


def _one(session: Session, model: Any, plan: Plan, key: str, what: str) -> Any:
    item = session.scalar(select(model).where(model.plan_id == plan.id, model.key == key))
    if item is None:
        raise NotFound(f"No {what} with key {key!r} in plan {plan.key!r}.")
    return item


def _keys(session: Session, model: Any, plan: Plan) -> set[str]:
    return set(session.scalars(select(model.key).where(model.plan_id == plan.id)))


def _check_key_free(session: Session, model: Any, plan: Plan, key: str, what: str, original: str | None) -> None:
    if key != original and key in _keys(session, model, plan):
        raise _refuse("key", f"Another {what} of this plan already has the key {key!r}; choose another.")


# --- step 1: plan ---------------------------------------------------------------------------------------------


def horizon_warnings(plan: PlanIn) -> list[str]:
    months = plan.horizon_months
    low, high = HORIZON_MONTHS
    if months < low:
        return [f"The horizon is {months:.0f} months: shorter than {low} months leaves little time to see KPIs move."]
    if months > high:
        return [f"The horizon is {months:.0f} months: beyond {high} months the link to today's strategy fades."]
    return []


def save_plan(session: Session, *, data: Any, original_key: str | None = None, actor: str) -> PlanIn:
    """Create a plan (original_key None) or change one (its key too, if the new one is free)."""
    p: PlanIn = _validate_keyed(PlanIn, data, "name", set(session.scalars(select(Plan.key))), "plan")
    if p.key != original_key and session.scalar(select(Plan.id).where(Plan.key == p.key)) is not None:
        raise _refuse("key", f"A plan with the key {p.key!r} already exists; choose another.")
    if original_key is None:
        plan = Plan(key=p.key)
        session.add(plan)
    else:
        plan = plans.get_plan(session, key=original_key)
    plan.key, plan.name, plan.starts, plan.ends, plan.description = p.key, p.name, p.starts, p.ends, p.description
    plan.currency = p.currency
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(
        session, actor=actor, action="plan.create" if original_key is None else "plan.update", entity="plan", key=p.key
    )
    return p


# --- step 2: objectives ---------------------------------------------------------------------------------------


def objective_count_warning(count: int) -> str | None:
    if count > ADVISED_OBJECTIVES:
        return (
            f"{count} objectives: a plan works best with the top 3–{ADVISED_OBJECTIVES}; "
            f"more spreads L&D thin (at most {MAX_OBJECTIVES} are accepted)."
        )
    return None


def save_objective(
    session: Session, *, plan_key: str, data: Any, original_key: str | None = None, actor: str
) -> ObjectiveIn:
    plan = plans.get_plan(session, key=plan_key)
    o: ObjectiveIn = _validate_keyed(ObjectiveIn, data, "title", _keys(session, Objective, plan), "objective")
    if o.kpis:
        raise _refuse("kpis", "Add KPIs one at a time with save_kpi.")
    _check_key_free(session, Objective, plan, o.key, "objective", original_key)
    if original_key is None:
        count = session.scalar(select(func.count(Objective.id)).where(Objective.plan_id == plan.id)) or 0
        if count >= MAX_OBJECTIVES:
            raise _refuse(
                "",
                f"A plan holds at most {MAX_OBJECTIVES} objectives; this one has {count}. "
                "Merge or drop one first: the top 3–5 are what leaders remember.",
            )
        objective = Objective(plan_id=plan.id, position=_next_position(session, Objective, plan))
        session.add(objective)
    else:
        objective = _one(session, Objective, plan, original_key, "objective")
    objective.key, objective.title, objective.category = o.key, o.title, o.category
    objective.priority, objective.owner, objective.description = o.priority, o.owner, o.description
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(session, actor=actor, action="objective.save", entity="objective", key=f"{plan.key}/{o.key}")
    return o


def _next_position(session: Session, model: Any, plan: Plan) -> int:
    return (session.scalar(select(func.max(model.position)).where(model.plan_id == plan.id)) or 0) + 1


def unmeasurable_objectives(session: Session, *, plan_key: str) -> list[str]:
    """Titles of objectives with no KPI: nothing could show that they moved."""
    plan = plans.get_plan(session, key=plan_key)
    return list(
        session.scalars(
            select(Objective.title)
            .where(Objective.plan_id == plan.id, ~select(Kpi.id).where(Kpi.objective_id == Objective.id).exists())
            .order_by(Objective.position)
        )
    )


# --- step 3: KPIs ---------------------------------------------------------------------------------------------


def save_kpi(
    session: Session, *, plan_key: str, objective_key: str, data: Any, original_key: str | None = None, actor: str
) -> KpiIn:
    plan = plans.get_plan(session, key=plan_key)
    objective = _one(session, Objective, plan, objective_key, "objective")
    k: KpiIn = _validate_keyed(KpiIn, data, "name", _keys(session, Kpi, plan), "KPI")
    _check_key_free(session, Kpi, plan, k.key, "KPI", original_key)
    if original_key is None:
        kpi = plans.new_kpi(k, position=_next_position(session, Kpi, plan))
        kpi.plan_id, kpi.objective_id = plan.id, objective.id
        session.add(kpi)
    else:
        kpi = _one(session, Kpi, plan, original_key, "KPI")
        plans.apply_kpi(kpi, k)
        if kpi.objective_id != objective.id:
            kpi.objective_id, kpi.position = objective.id, _next_position(session, Kpi, plan)
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(session, actor=actor, action="kpi.save", entity="kpi", key=f"{plan.key}/{k.key}")
    return k


# --- step 4: stakeholders -------------------------------------------------------------------------------------


def list_stakeholders(session: Session, *, plan_key: str) -> list[StakeholderOut]:
    plan = plans.get_plan(session, key=plan_key)
    rows = session.scalars(select(Stakeholder).where(Stakeholder.plan_id == plan.id).order_by(Stakeholder.id))
    return [
        StakeholderOut(
            id=s.id, name=s.name, role=s.role, consulted_on=s.consulted_on, metrics_that_matter=s.metrics_that_matter
        )
        for s in rows
    ]


def save_stakeholder(
    session: Session, *, plan_key: str, data: Any, stakeholder_id: int | None = None, actor: str
) -> StakeholderOut:
    plan = plans.get_plan(session, key=plan_key)
    s: StakeholderIn = _validate(StakeholderIn, data, "stakeholder")
    if stakeholder_id is None:
        row = Stakeholder(plan_id=plan.id)
        session.add(row)
    else:
        row = _by_id(session, Stakeholder, plan, stakeholder_id, "stakeholder")
    row.name, row.role, row.consulted_on, row.metrics_that_matter = (
        s.name,
        s.role,
        s.consulted_on,
        s.metrics_that_matter,
    )
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(session, actor=actor, action="stakeholder.save", entity="stakeholder", key=str(row.id))
    return StakeholderOut(id=row.id, **s.model_dump())


def _by_id(session: Session, model: Any, plan: Plan, item_id: int, what: str) -> Any:
    item = session.get(model, item_id)
    if item is None or item.plan_id != plan.id:
        raise NotFound(f"No {what} #{item_id} in plan {plan.key!r}.")
    return item


# --- step 5: performance gaps ---------------------------------------------------------------------------------


def is_training_cause(root_cause: str) -> bool:
    return root_cause in TRAINING_CAUSES


def root_cause_verdict(root_cause: str) -> str:
    if is_training_cause(root_cause):
        return f"A {root_cause} gap: training can help close it."
    return f"Training is not the answer: a {root_cause} gap is closed by changing the {root_cause}, not by a course."


def root_cause_advice(root_cause: str) -> str:
    verdict = root_cause_verdict(root_cause)
    return verdict if is_training_cause(root_cause) else f"{verdict} Record who owns the fix."


def list_gaps(session: Session, *, plan_key: str) -> list[GapOut]:
    plan = plans.get_plan(session, key=plan_key)
    objective_key = dict(session.execute(select(Objective.id, Objective.key).where(Objective.plan_id == plan.id)).all())
    team_key = dict(session.execute(select(Team.id, Team.key)).all())
    rows = session.scalars(select(PerformanceGap).where(PerformanceGap.plan_id == plan.id).order_by(PerformanceGap.id))
    return [
        GapOut(
            id=g.id,
            description=g.description,
            root_cause=g.root_cause,
            objective=objective_key.get(g.objective_id) if g.objective_id else None,
            team=team_key.get(g.team_id) if g.team_id else None,
            fix_owner=g.fix_owner,
            notes=g.notes,
            training_answer=is_training_cause(g.root_cause),
            advice=root_cause_advice(g.root_cause),
            verdict=root_cause_verdict(g.root_cause),
        )
        for g in rows
    ]


def save_gap(session: Session, *, plan_key: str, data: Any, gap_id: int | None = None, actor: str) -> GapOut:
    plan = plans.get_plan(session, key=plan_key)
    g: GapIn = _validate(GapIn, data, "performance gap")
    objective_id = _one(session, Objective, plan, g.objective, "objective").id if g.objective else None
    team_id = None
    if g.team:
        team_id = session.scalar(select(Team.id).where(Team.key == g.team))
        if team_id is None:
            raise _refuse("team", f"There is no team with the key {g.team!r}.")
    if not is_training_cause(g.root_cause) and not g.fix_owner:
        raise _refuse("fix_owner", f"Training is not the answer for a {g.root_cause} gap: record who owns the fix.")
    if gap_id is None:
        row = PerformanceGap(plan_id=plan.id)
        session.add(row)
    else:
        row = _by_id(session, PerformanceGap, plan, gap_id, "performance gap")
    row.description, row.root_cause, row.fix_owner, row.notes = g.description, g.root_cause, g.fix_owner, g.notes
    row.objective_id, row.team_id = objective_id, team_id
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(
        session, actor=actor, action="gap.save", entity="performance_gap", key=str(row.id), root_cause=g.root_cause
    )
    return GapOut(
        id=row.id,
        **g.model_dump(),
        training_answer=is_training_cause(g.root_cause),
        advice=root_cause_advice(g.root_cause),
        verdict=root_cause_verdict(g.root_cause),
    )


# --- step 6: capabilities -------------------------------------------------------------------------------------


def save_capability(
    session: Session, *, plan_key: str, data: Any, original_key: str | None = None, actor: str
) -> CapabilityIn:
    """A capability with its weight (1–5) against each objective it drives; the weights given replace the old."""
    plan = plans.get_plan(session, key=plan_key)
    c: CapabilityIn = _validate_keyed(CapabilityIn, data, "name", _keys(session, Capability, plan), "capability")
    _check_key_free(session, Capability, plan, c.key, "capability", original_key)
    objectives = {o.key: o for o in session.scalars(select(Objective).where(Objective.plan_id == plan.id))}
    unknown = [k for k in c.drives if k not in objectives]
    if unknown:
        raise _refuse(f"drives.{unknown[0]}", f"There is no objective with the key {unknown[0]!r} in this plan.")
    if original_key is None:
        capability = Capability(plan_id=plan.id, position=_next_position(session, Capability, plan))
        session.add(capability)
    else:
        capability = _one(session, Capability, plan, original_key, "capability")
    capability.key, capability.name, capability.type, capability.description = c.key, c.name, c.type, c.description
    session.flush()
    session.execute(sql_delete(ObjectiveCapability).where(ObjectiveCapability.capability_id == capability.id))
    session.add_all(
        ObjectiveCapability(objective_id=objectives[k].id, capability_id=capability.id, weight=w)
        for k, w in c.drives.items()
    )
    session.flush()
    session.expire(capability, ["objective_weights"])
    mark_changed(session, plan=plan)
    audit.record(session, actor=actor, action="capability.save", entity="capability", key=f"{plan.key}/{c.key}")
    return c


# --- step 7: teams and targets --------------------------------------------------------------------------------


def team_grid(session: Session, *, plan_key: str) -> list[TeamIn]:
    """Every team of the organisation (teams are shared by plans) with its targets in this plan."""
    plan = plans.get_plan(session, key=plan_key)
    targets: dict[int, dict[str, int]] = {}
    for team_id, capability_key, level in session.execute(
        select(TeamTarget.team_id, Capability.key, TeamTarget.level)
        .join(Capability, TeamTarget.capability_id == Capability.id)
        .where(TeamTarget.plan_id == plan.id)
        .order_by(Capability.position)
    ):
        targets.setdefault(team_id, {})[capability_key] = level
    return [
        TeamIn(key=t.key, name=t.name, headcount=t.headcount, targets=targets.get(t.id, {}))
        for t in session.scalars(select(Team).order_by(Team.name))
    ]


def save_team(session: Session, *, plan_key: str, data: Any, actor: str) -> TeamIn:
    """Create or update one team (by key) and set its targets in this plan (targets not given are removed)."""
    return save_team_grid(session, plan_key=plan_key, rows=[data], actor=actor, prefix=False)[0]


def save_team_grid(
    session: Session, *, plan_key: str, rows: list[Any], actor: str, prefix: bool = True
) -> list[TeamIn]:
    """Save a teams × capabilities grid: every row is checked first, so one bad row saves nothing. A problem's
    path starts with the row number (from 1) unless `prefix` is False."""
    plan = plans.get_plan(session, key=plan_key)
    capabilities = {c.key: c for c in session.scalars(select(Capability).where(Capability.plan_id == plan.id))}
    problems: list[tuple[str, str]] = []
    teams: list[TeamIn] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        where = f"{n}." if prefix else ""
        try:
            team: TeamIn = _validate_keyed(TeamIn, row, "name", set(), "team")
        except Invalid as exc:
            problems += [(f"{where}{path}", msg) for path, msg in exc.problems]
            continue
        if team.key in seen:
            problems.append((f"{where}key", f"The team key {team.key!r} is used twice."))
        seen.add(team.key)
        problems += [
            (f"{where}targets.{k}", f"There is no capability with the key {k!r} in this plan.")
            for k in team.targets
            if k not in capabilities
        ]
        teams.append(team)
    if problems:
        raise Invalid("Teams not saved: " + "; ".join(f"{p}: {m}" for p, m in problems), problems)
    for t in teams:
        stored = plans.upsert_team(session, key=t.key, name=t.name, headcount=t.headcount)
        session.flush()
        session.execute(sql_delete(TeamTarget).where(TeamTarget.plan_id == plan.id, TeamTarget.team_id == stored.id))
        session.add_all(
            TeamTarget(plan_id=plan.id, team_id=stored.id, capability_id=capabilities[k].id, level=level)
            for k, level in t.targets.items()
        )
        audit.record(session, actor=actor, action="team.save", entity="team", key=t.key, plan=plan.key)
    mark_changed(session)  # a team's name and headcount show in every plan
    session.flush()
    session.expire(plan, ["targets"])
    return teams


# --- step 8: initiatives --------------------------------------------------------------------------------------


def save_initiative(
    session: Session, *, plan_key: str, data: Any, original_key: str | None = None, actor: str
) -> InitiativeIn:
    plan = plans.get_plan(session, key=plan_key)
    i: InitiativeIn = _validate_keyed(InitiativeIn, data, "name", _keys(session, Initiative, plan), "initiative")
    _check_key_free(session, Initiative, plan, i.key, "initiative", original_key)
    objectives = {o.key: o for o in session.scalars(select(Objective).where(Objective.plan_id == plan.id))}
    capabilities = {c.key: c for c in session.scalars(select(Capability).where(Capability.plan_id == plan.id))}
    kpis = {k.key: k for k in session.scalars(select(Kpi).where(Kpi.plan_id == plan.id))}
    named_teams = set(i.audience) | set(i.control_teams)
    teams = {t.key: t for t in session.scalars(select(Team).where(Team.key.in_(named_teams)))} if named_teams else {}
    problems = [
        (field, f"unknown {what} {', '.join(repr(k) for k in missing)}")
        for field, what, used, known in (
            ("objectives", "objective", i.objectives, objectives),
            ("capabilities", "capability", i.capabilities, capabilities),
            ("kpis", "KPI", i.kpis, kpis),
            ("audience", "team", i.audience, teams),
            ("control_teams", "team", i.control_teams, teams),
        )
        if (missing := [k for k in used if k not in known])
    ]
    if problems:
        raise Invalid("Initiative not saved: " + "; ".join(f"{p}: {m}" for p, m in problems), problems)
    if original_key is None:
        initiative = Initiative(plan_id=plan.id, position=_next_position(session, Initiative, plan))
        session.add(initiative)
    else:
        initiative = _one(session, Initiative, plan, original_key, "initiative")
    plans.apply_initiative(initiative, i, objectives=objectives, capabilities=capabilities, kpis=kpis, teams=teams)
    session.flush()
    mark_changed(session, plan=plan)
    audit.record(session, actor=actor, action="initiative.save", entity="initiative", key=f"{plan.key}/{i.key}")
    return i


# --- deleting -------------------------------------------------------------------------------------------------


def _count(session: Session, statement: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _impact_plan(session: Session, plan: Plan) -> Impact:
    kpi_ids = select(Kpi.id).where(Kpi.plan_id == plan.id)
    counts = [
        (_count(session, select(Objective.id).where(Objective.plan_id == plan.id)), "objective", None),
        (_count(session, kpi_ids), "KPI", None),
        (_count(session, select(KpiObservation.id).where(KpiObservation.kpi_id.in_(kpi_ids))), "KPI observation", None),
        (_count(session, select(Capability.id).where(Capability.plan_id == plan.id)), "capability", "capabilities"),
        (_count(session, select(Initiative.id).where(Initiative.plan_id == plan.id)), "initiative", None),
        (_count(session, select(SurveyWave.id).where(SurveyWave.plan_id == plan.id)), "survey wave", None),
    ]
    parts = [_n(count, noun, plural) for count, noun, plural in counts if count]
    return Impact(subject=f"plan {plan.name!r}", effects=[f"removes {_join(parts)}"] if parts else [])


def _impact_objective(session: Session, plan: Plan, key: str) -> Impact:
    o = _one(session, Objective, plan, key, "objective")
    kpi_ids = select(Kpi.id).where(Kpi.objective_id == o.id)
    kpis = _count(session, kpi_ids)
    observations = _count(session, select(KpiObservation.id).where(KpiObservation.kpi_id.in_(kpi_ids)))
    weights = _count(session, select(ObjectiveCapability.capability_id).where(ObjectiveCapability.objective_id == o.id))
    initiatives = _count(
        session,
        select(Initiative.id).where(
            Initiative.id.in_(select(InitiativeObjective.initiative_id).where(InitiativeObjective.objective_id == o.id))
            | Initiative.id.in_(select(InitiativeKpi.initiative_id).where(InitiativeKpi.kpi_id.in_(kpi_ids)))
        ),
    )
    gaps = _count(session, select(PerformanceGap.id).where(PerformanceGap.objective_id == o.id))
    effects = []
    if kpis:
        effects.append(
            f"removes {_n(kpis, 'KPI')}" + (f" (with {_n(observations, 'observation')})" if observations else "")
        )
    if weights:
        effects.append(f"drops its weight on {_n(weights, 'capability', 'capabilities')}")
    if initiatives:
        effects.append(f"unlinks {_n(initiatives, 'initiative')}")
    if gaps:
        effects.append(f"detaches {_n(gaps, 'performance gap')}")
    return Impact(subject=f"objective {o.title!r}", effects=effects)


def _impact_kpi(session: Session, plan: Plan, key: str) -> Impact:
    k = _one(session, Kpi, plan, key, "KPI")
    observations = _count(session, select(KpiObservation.id).where(KpiObservation.kpi_id == k.id))
    initiatives = _count(session, select(InitiativeKpi.initiative_id).where(InitiativeKpi.kpi_id == k.id))
    effects = []
    if observations:
        effects.append(f"removes {_n(observations, 'observation')}")
    if initiatives:
        effects.append(f"unlinks {_n(initiatives, 'initiative')}")
    return Impact(subject=f"KPI {k.name!r}", effects=effects)


def _impact_capability(session: Session, plan: Plan, key: str) -> Impact:
    c = _one(session, Capability, plan, key, "capability")
    targets = _count(session, select(TeamTarget.id).where(TeamTarget.capability_id == c.id))
    initiatives = _count(
        session, select(InitiativeCapability.initiative_id).where(InitiativeCapability.capability_id == c.id)
    )
    weights = _count(session, select(ObjectiveCapability.objective_id).where(ObjectiveCapability.capability_id == c.id))
    answers = _count(session, select(Answer.id).where(Answer.capability_id == c.id))
    effects = []
    if targets:
        effects.append(f"removes {_n(targets, 'team target')}")
    if weights:
        effects.append(f"drops its weight on {_n(weights, 'objective')}")
    if initiatives:
        effects.append(f"unlinks {_n(initiatives, 'initiative')}")
    if answers:
        effects.append(f"deletes {_n(answers, 'survey answer')} about it")
    return Impact(subject=f"capability {c.name!r}", effects=effects)


def _impact_initiative(session: Session, plan: Plan, key: str) -> Impact:
    i = _one(session, Initiative, plan, key, "initiative")
    costs = _count(session, select(CostLine.id).where(CostLine.initiative_id == i.id))
    waves = _count(session, select(SurveyWave.id).where(SurveyWave.initiative_id == i.id))
    effects = []
    if costs:
        effects.append(f"removes {_n(costs, 'cost line')}")
    if waves:
        effects.append(f"detaches {_n(waves, 'survey wave')} (their answers stay)")
    return Impact(subject=f"initiative {i.name!r}", effects=effects)


def _team(session: Session, key: str) -> Team:
    team = session.scalar(select(Team).where(Team.key == key))
    if team is None:
        raise NotFound(f"No team with key {key!r}.")
    return team


def _impact_team(session: Session, plan: Plan, key: str) -> Impact:
    team = _team(session, key)
    targets = _count(session, select(TeamTarget.id).where(TeamTarget.plan_id == plan.id, TeamTarget.team_id == team.id))
    links = _count(
        session,
        select(InitiativeTeam.initiative_id).where(
            InitiativeTeam.team_id == team.id,
            InitiativeTeam.initiative_id.in_(select(Initiative.id).where(Initiative.plan_id == plan.id)),
        ),
    )
    effects = []
    if targets:
        effects.append(f"removes its {_n(targets, 'target')}")
    if links:
        effects.append(f"takes it out of {_n(links, 'initiative')}")
    return Impact(subject=f"team {team.name!r} from this plan (the team itself stays)", effects=effects)


def _impact_stakeholder(session: Session, plan: Plan, key: str) -> Impact:
    s = _by_id(session, Stakeholder, plan, int(key), "stakeholder")
    return Impact(subject=f"stakeholder {s.name!r}")


def _impact_gap(session: Session, plan: Plan, key: str) -> Impact:
    g = _by_id(session, PerformanceGap, plan, int(key), "performance gap")
    return Impact(subject=f"performance gap {g.description[:60]!r}")


def _remove_team(session: Session, plan: Plan, key: str) -> None:
    team = _team(session, key)
    session.execute(sql_delete(TeamTarget).where(TeamTarget.plan_id == plan.id, TeamTarget.team_id == team.id))
    session.execute(
        sql_delete(InitiativeTeam).where(
            InitiativeTeam.team_id == team.id,
            InitiativeTeam.initiative_id.in_(select(Initiative.id).where(Initiative.plan_id == plan.id)),
        )
    )


_IMPACT: dict[str, Callable[[Session, Plan, str], Impact]] = {
    "objective": _impact_objective,
    "kpi": _impact_kpi,
    "capability": _impact_capability,
    "initiative": _impact_initiative,
    "team": _impact_team,
    "stakeholder": _impact_stakeholder,
    "gap": _impact_gap,
}
_REMOVE: dict[str, Callable[[Session, Plan, str], None]] = {
    "objective": lambda s, p, k: s.delete(_one(s, Objective, p, k, "objective")),
    "kpi": lambda s, p, k: s.delete(_one(s, Kpi, p, k, "KPI")),
    "capability": lambda s, p, k: s.delete(_one(s, Capability, p, k, "capability")),
    "initiative": lambda s, p, k: s.delete(_one(s, Initiative, p, k, "initiative")),
    "team": _remove_team,
    "stakeholder": lambda s, p, k: s.delete(_by_id(s, Stakeholder, p, int(k), "stakeholder")),
    "gap": lambda s, p, k: s.delete(_by_id(s, PerformanceGap, p, int(k), "performance gap")),
}
KINDS = tuple(_IMPACT)


def delete_impact(session: Session, *, plan_key: str, kind: str = "plan", key: str = "") -> Impact:
    """What deleting the plan (kind 'plan') or one of its parts (kind in KINDS, by key; stakeholders and gaps by
    id) would take with it."""
    plan = plans.get_plan(session, key=plan_key)
    if kind == "plan":
        return _impact_plan(session, plan)
    if kind not in _IMPACT:
        raise Invalid(f"Cannot delete a {kind!r}; choose one of plan, {', '.join(KINDS)}.")
    return _IMPACT[kind](session, plan, key)


def delete(session: Session, *, plan_key: str, kind: str = "plan", key: str = "", actor: str) -> Impact:
    """Delete and return what it took with it (the same account `delete_impact` gives beforehand)."""
    impact = delete_impact(session, plan_key=plan_key, kind=kind, key=key)
    plan = plans.get_plan(session, key=plan_key)
    mark_changed(session, plan=plan.id)
    if kind == "plan":
        session.delete(plan)
    else:
        _REMOVE[kind](session, plan, key)
    session.flush()
    session.expire_all()
    audit.record(
        session,
        actor=actor,
        action=f"{kind}.delete",
        entity=kind,
        key=f"{plan_key}/{key}" if key else plan_key,
        impact=impact.message,
    )
    return impact


# --- alignment ------------------------------------------------------------------------------------------------


def alignment(session: Session, *, plan_key: str) -> analytics.Alignment:
    """The alignment of a plan's initiatives with its objectives (see `ldcore.analytics.alignment`)."""
    return alignment_of(plans.load_plan_graph(session, key=plan_key))


def alignment_of(plan: Plan) -> analytics.Alignment:
    """The alignment of a plan already loaded with `plans.load_plan_graph`."""
    objective_key = {o.id: o.key for o in plan.objectives}
    return analytics.align(
        objectives=[analytics.ObjectiveRef(o.key, o.title, o.priority) for o in plan.objectives],
        capabilities=[
            analytics.CapabilityRef(
                c.key, c.name, {objective_key[w.objective_id]: w.weight for w in c.objective_weights}
            )
            for c in plan.capabilities
        ],
        kpis=[analytics.KpiRef(k.key, k.name, o.key) for o in plan.objectives for k in o.kpis],
        initiatives=[
            analytics.InitiativeRef(
                i.key,
                i.name,
                objectives=[o.key for o in i.objectives],
                capabilities=[c.key for c in i.capabilities],
                kpis=[k.key for k in i.kpis],
                cost=sum(line.amount for line in i.cost_lines),
            )
            for i in plan.initiatives
        ],
    )
