"""Plans as a whole: import and export of the plan-as-code document, listing, and the plan overview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ldcore.db import mark_changed
from ldcore.errors import Conflict, Invalid, NotFound, invalid_from
from ldcore.io.yaml_safe import load_yaml
from ldcore.models import (
    Capability,
    CostLine,
    Initiative,
    InitiativeTeam,
    Kpi,
    Objective,
    ObjectiveCapability,
    PerformanceGap,
    Plan,
    Stakeholder,
    Team,
    TeamTarget,
)
from ldcore.schemas import (
    CapabilityIn,
    Commitment,
    GapIn,
    InitiativeIn,
    KpiIn,
    Measure,
    ObjectiveIn,
    PlanDocument,
    PlanIn,
    StakeholderIn,
    TeamIn,
)
from ldcore.services import audit

# --- reading -------------------------------------------------------------------------------------------------


def get_plan(session: Session, *, key: str) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.key == key))
    if plan is None:
        raise NotFound(f"No plan with key {key!r}.")
    return plan


def list_plans(session: Session) -> list[PlanIn]:
    plans = session.scalars(select(Plan).order_by(Plan.starts.desc(), Plan.key)).all()
    return [
        PlanIn(key=p.key, name=p.name, starts=p.starts, ends=p.ends, description=p.description, currency=p.currency)
        for p in plans
    ]


def load_plan_graph(session: Session, *, key: str) -> Plan:
    """The plan with everything hanging off it loaded in a few queries (no lazy loads while drawing)."""
    plan = session.scalar(
        select(Plan)
        .where(Plan.key == key)
        .options(
            selectinload(Plan.objectives).selectinload(Objective.kpis),
            selectinload(Plan.objectives).selectinload(Objective.capability_weights),
            selectinload(Plan.capabilities).selectinload(Capability.objective_weights),
            selectinload(Plan.targets).selectinload(TeamTarget.team),
            selectinload(Plan.targets).selectinload(TeamTarget.capability),
            selectinload(Plan.initiatives).selectinload(Initiative.objectives),
            selectinload(Plan.initiatives).selectinload(Initiative.capabilities),
            selectinload(Plan.initiatives).selectinload(Initiative.kpis),
            selectinload(Plan.initiatives).selectinload(Initiative.team_links).selectinload(InitiativeTeam.team),
            selectinload(Plan.initiatives).selectinload(Initiative.cost_lines),
            selectinload(Plan.stakeholders),
            selectinload(Plan.gaps),
        )
    )
    if plan is None:
        raise NotFound(f"No plan with key {key!r}.")
    return plan


def plan_teams(session: Session, plan: Plan) -> list[Team]:
    """Teams that take part in a plan: those with targets, in an initiative's audience or control group."""
    ids = {t.team_id for t in plan.targets} | {link.team_id for i in plan.initiatives for link in i.team_links}
    if not ids:
        return []
    return list(session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)).all())


def export_plan(session: Session, *, key: str) -> PlanDocument:
    plan = load_plan_graph(session, key=key)
    objective_key = {o.id: o.key for o in plan.objectives}
    capability_key = {c.id: c.key for c in plan.capabilities}
    teams = plan_teams(session, plan)
    team_key = {t.id: t.key for t in teams}
    gaps = sorted(plan.gaps, key=lambda g: g.id)
    return PlanDocument(
        plan=PlanIn(
            key=plan.key,
            name=plan.name,
            starts=plan.starts,
            ends=plan.ends,
            description=plan.description,
            currency=plan.currency,
        ),
        objectives=[
            ObjectiveIn(
                key=o.key,
                title=o.title,
                category=o.category,
                priority=o.priority,
                owner=o.owner,
                description=o.description,
                kpis=[
                    KpiIn(
                        key=k.key,
                        name=k.name,
                        unit=k.unit,
                        direction=k.direction,
                        baseline=Measure(value=k.baseline_value, date=k.baseline_date),
                        target=Measure(value=k.target_value, date=k.target_date),
                        unit_value=k.unit_value,
                        kind=k.kind,
                    )
                    for k in o.kpis
                ],
            )
            for o in plan.objectives
        ],
        capabilities=[
            CapabilityIn(
                key=c.key,
                name=c.name,
                type=c.type,
                description=c.description,
                drives={
                    objective_key[w.objective_id]: w.weight
                    for w in sorted(c.objective_weights, key=lambda w: _position(plan.objectives, w.objective_id))
                },
            )
            for c in plan.capabilities
        ],
        teams=[
            TeamIn(
                key=t.key,
                name=t.name,
                headcount=t.headcount,
                targets={
                    capability_key[tt.capability_id]: tt.level
                    for tt in sorted(
                        (tt for tt in plan.targets if tt.team_id == t.id),
                        key=lambda tt: _position(plan.capabilities, tt.capability_id),
                    )
                },
            )
            for t in teams
        ],
        initiatives=[_initiative_in(i, team_key) for i in plan.initiatives],
        stakeholders=[
            StakeholderIn(
                name=s.name, role=s.role, consulted_on=s.consulted_on, metrics_that_matter=s.metrics_that_matter
            )
            for s in sorted(plan.stakeholders, key=lambda s: s.id)
        ],
        gaps=[
            GapIn(
                description=g.description,
                root_cause=g.root_cause,
                objective=objective_key.get(g.objective_id) if g.objective_id else None,
                team=team_key.get(g.team_id) if g.team_id else None,
                fix_owner=g.fix_owner,
                notes=g.notes,
            )
            for g in gaps
        ],
    )


def _position(items: Sequence[Any], item_id: int) -> int:
    return next((n for n, item in enumerate(items) if item.id == item_id), 0)


def _initiative_in(i: Initiative, team_key: dict[int, str]) -> InitiativeIn:
    commitment = None
    if i.commitment_deliver or i.commitment_needs or i.commitment_by:
        commitment = Commitment(deliver=i.commitment_deliver, needs=i.commitment_needs, by=i.commitment_by)
    links = sorted(i.team_links, key=lambda link: link.team.name)
    costs: dict[str, float] = {}
    for line in i.cost_lines:
        costs[line.category] = costs.get(line.category, 0.0) + line.amount
    return InitiativeIn(
        key=i.key,
        name=i.name,
        description=i.description,
        stage=i.stage,
        format=i.format,
        objectives=[o.key for o in sorted(i.objectives, key=lambda o: o.position)],
        capabilities=[c.key for c in sorted(i.capabilities, key=lambda c: c.position)],
        kpis=[k.key for k in sorted(i.kpis, key=lambda k: k.position)],
        audience=[team_key[link.team_id] for link in links if link.role == "audience"],
        control_teams=[team_key[link.team_id] for link in links if link.role == "control"],
        starts=i.starts,
        ends=i.ends,
        isolation=i.isolation,
        costs=costs,
        commitment=commitment,
    )


# --- writing -------------------------------------------------------------------------------------------------


def import_plan(session: Session, *, document: PlanDocument, actor: str = "cli") -> Plan:
    """Create a whole plan from its document, in the caller's transaction. Teams are organisation-wide: an
    existing team with the same key is updated (name, headcount), never duplicated."""
    if session.scalar(select(Plan.id).where(Plan.key == document.plan.key)) is not None:
        raise Conflict(f"A plan with key {document.plan.key!r} already exists; choose another key.")
    p = document.plan
    plan = Plan(key=p.key, name=p.name, starts=p.starts, ends=p.ends, description=p.description, currency=p.currency)
    session.add(plan)
    objectives: dict[str, Objective] = {}
    kpis: dict[str, Kpi] = {}
    for n, o in enumerate(document.objectives):
        objective = Objective(
            key=o.key,
            title=o.title,
            category=o.category,
            priority=o.priority,
            owner=o.owner,
            description=o.description,
            position=n,
        )
        plan.objectives.append(objective)
        objectives[o.key] = objective
        for m, k in enumerate(o.kpis):
            kpi = new_kpi(k, position=m)
            kpi.plan = plan
            objective.kpis.append(kpi)
            kpis[k.key] = kpi
    capabilities: dict[str, Capability] = {}
    for n, c in enumerate(document.capabilities):
        capability = Capability(key=c.key, name=c.name, type=c.type, description=c.description, position=n)
        plan.capabilities.append(capability)
        capabilities[c.key] = capability
        for okey, weight in c.drives.items():
            capability.objective_weights.append(ObjectiveCapability(objective=objectives[okey], weight=weight))
    teams: dict[str, Team] = {}
    for t in document.teams:
        team = upsert_team(session, key=t.key, name=t.name, headcount=t.headcount)
        teams[t.key] = team
        for ckey, level in t.targets.items():
            plan.targets.append(TeamTarget(team=team, capability=capabilities[ckey], level=level))
    for n, i in enumerate(document.initiatives):
        initiative = Initiative(position=n)
        plan.initiatives.append(initiative)
        apply_initiative(initiative, i, objectives=objectives, capabilities=capabilities, kpis=kpis, teams=teams)
    for s in document.stakeholders:
        plan.stakeholders.append(Stakeholder(**s.model_dump()))
    for g in document.gaps:
        plan.gaps.append(
            PerformanceGap(
                description=g.description,
                root_cause=g.root_cause,
                fix_owner=g.fix_owner,
                notes=g.notes,
            )
        )
    session.flush()
    for doc_gap, gap in zip(document.gaps, plan.gaps, strict=True):
        gap.objective_id = objectives[doc_gap.objective].id if doc_gap.objective else None
        gap.team_id = teams[doc_gap.team].id if doc_gap.team else None
    mark_changed(session)  # its teams are organisation-wide: an existing one may have a new name or headcount
    audit.record(session, actor=actor, action="plan.import", entity="plan", key=plan.key)
    return plan


def new_kpi(k: KpiIn, *, position: int = 0) -> Kpi:
    kpi = Kpi(position=position)
    apply_kpi(kpi, k)
    return kpi


def apply_kpi(kpi: Kpi, k: KpiIn) -> None:
    kpi.key = k.key
    kpi.name = k.name
    kpi.unit = k.unit
    kpi.direction = k.direction
    kpi.baseline_value = k.baseline.value
    kpi.baseline_date = k.baseline.date
    kpi.target_value = k.target.value
    kpi.target_date = k.target.date
    kpi.unit_value = k.unit_value
    kpi.kind = k.kind


def upsert_team(session: Session, *, key: str, name: str, headcount: int) -> Team:
    team = session.scalar(select(Team).where(Team.key == key))
    if team is None:
        team = Team(key=key, name=name, headcount=headcount)
        session.add(team)
    else:
        team.name, team.headcount = name, headcount
    return team


def apply_initiative(
    initiative: Initiative,
    i: InitiativeIn,
    *,
    objectives: dict[str, Objective],
    capabilities: dict[str, Capability],
    kpis: dict[str, Kpi],
    teams: dict[str, Team],
) -> None:
    """Set every field and link of an initiative from its validated input (used by import and by the form)."""
    initiative.key = i.key
    initiative.name = i.name
    initiative.description = i.description
    initiative.stage = i.stage
    initiative.format = i.format
    initiative.starts, initiative.ends = i.starts, i.ends
    initiative.isolation = i.isolation
    c = i.commitment or Commitment()
    initiative.commitment_deliver, initiative.commitment_needs, initiative.commitment_by = c.deliver, c.needs, c.by
    initiative.objectives = [objectives[k] for k in i.objectives]
    initiative.capabilities = [capabilities[k] for k in i.capabilities]
    initiative.kpis = [kpis[k] for k in i.kpis]
    initiative.team_links = [InitiativeTeam(team=teams[k], role="audience") for k in i.audience] + [
        InitiativeTeam(team=teams[k], role="control") for k in i.control_teams
    ]
    initiative.cost_lines = [CostLine(category=cat, amount=amount) for cat, amount in i.costs.items()]


# --- YAML ----------------------------------------------------------------------------------------------------


def parse_plan_yaml(text: str, *, source: str = "plan") -> PlanDocument:
    data = load_yaml(text, source=source)
    if not isinstance(data, dict):
        raise Invalid(f"{source} must be a YAML mapping with at least a 'plan' key.")
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc, source) from exc


def _clean(value: Any) -> Any:
    """Drop empty defaults so the YAML stays as short as a person would write it; dates stay dates."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def plan_yaml(document: PlanDocument) -> str:
    data = _clean(document.model_dump(mode="python"))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _date_representer(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


yaml.SafeDumper.add_representer(dt.date, _date_representer)
