"""How well a plan's initiatives line up with its objectives: pure computation on plain values, no I/O.

- An initiative is *aligned* when it is linked to at least one objective and at least one KPI.
- A capability's *importance* is Σ over the objectives it drives of (objective priority × weight).
- The *priority capabilities* are the top third (rounded up) of the capabilities with an importance above zero,
  ranked by importance, plus any tied with the last one taken.
- An initiative's cost is split evenly over the capabilities it builds; the *priority budget share* is the part of
  the total cost of all initiatives that lands on priority capabilities (cost of initiatives that build no
  capability counts against it: it is money not going to a priority).
- The Sankey flows objectives → capabilities → initiatives → KPIs: an objective sends priority × weight to each
  capability it is driven by; a capability passes its importance on in equal parts to the initiatives that build
  it; an initiative passes what it received in equal parts to its KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ObjectiveRef:
    key: str
    title: str
    priority: int


@dataclass(frozen=True)
class CapabilityRef:
    key: str
    name: str
    weights: Mapping[str, int] = field(default_factory=dict)  # objective key → weight 1–5


@dataclass(frozen=True)
class KpiRef:
    key: str
    name: str
    objective: str


@dataclass(frozen=True)
class InitiativeRef:
    key: str
    name: str
    objectives: Sequence[str] = ()
    capabilities: Sequence[str] = ()
    kpis: Sequence[str] = ()
    cost: float = 0.0


@dataclass(frozen=True)
class Unaligned:
    key: str
    name: str
    missing: tuple[str, ...]  # "an objective", "a KPI"


@dataclass(frozen=True)
class Sankey:
    labels: list[str]
    kinds: list[str]  # objective | capability | initiative | kpi, per node
    sources: list[int]
    targets: list[int]
    values: list[float]


@dataclass(frozen=True)
class Alignment:
    initiatives: int
    aligned: int
    aligned_pct: float | None  # None when there is no initiative
    unaligned: list[Unaligned]
    importance: dict[str, float]
    priority_capabilities: list[str]
    budget: float
    priority_budget: float
    priority_budget_pct: float | None  # None when there is no budget
    objectives_without_initiative: list[str]
    capabilities_without_initiative: list[str]
    sankey: Sankey


def capability_importance(
    objectives: Sequence[ObjectiveRef], capabilities: Sequence[CapabilityRef]
) -> dict[str, float]:
    priority = {o.key: o.priority for o in objectives}
    return {c.key: float(sum(priority[o] * w for o, w in c.weights.items() if o in priority)) for c in capabilities}


def priority_capabilities(importance: Mapping[str, float]) -> list[str]:
    ranked = sorted(((v, k) for k, v in importance.items() if v > 0), key=lambda vk: (-vk[0], vk[1]))
    if not ranked:
        return []
    cutoff = ranked[math.ceil(len(ranked) / 3) - 1][0]
    return [k for v, k in ranked if v >= cutoff]


def align(
    objectives: Sequence[ObjectiveRef],
    capabilities: Sequence[CapabilityRef],
    kpis: Sequence[KpiRef],
    initiatives: Sequence[InitiativeRef],
) -> Alignment:
    importance = capability_importance(objectives, capabilities)
    top = priority_capabilities(importance)

    unaligned = []
    for i in initiatives:
        missing = tuple(what for what, links in (("an objective", i.objectives), ("a KPI", i.kpis)) if not links)
        if missing:
            unaligned.append(Unaligned(key=i.key, name=i.name, missing=missing))
    aligned = len(initiatives) - len(unaligned)

    budget = float(sum(i.cost for i in initiatives))
    top_set = set(top)
    priority_budget = float(
        sum(
            i.cost * sum(c in top_set for c in i.capabilities) / len(i.capabilities)
            for i in initiatives
            if i.capabilities
        )
    )

    linked_objectives = {o for i in initiatives for o in i.objectives}
    built = {c for i in initiatives for c in i.capabilities}
    return Alignment(
        initiatives=len(initiatives),
        aligned=aligned,
        aligned_pct=100.0 * aligned / len(initiatives) if initiatives else None,
        unaligned=unaligned,
        importance=importance,
        priority_capabilities=top,
        budget=budget,
        priority_budget=priority_budget,
        priority_budget_pct=100.0 * priority_budget / budget if budget > 0 else None,
        objectives_without_initiative=[o.key for o in objectives if o.key not in linked_objectives],
        capabilities_without_initiative=[c.key for c in capabilities if c.key not in built],
        sankey=sankey(objectives, capabilities, kpis, initiatives, importance),
    )


def sankey(
    objectives: Sequence[ObjectiveRef],
    capabilities: Sequence[CapabilityRef],
    kpis: Sequence[KpiRef],
    initiatives: Sequence[InitiativeRef],
    importance: Mapping[str, float],
) -> Sankey:
    labels: list[str] = []
    kinds: list[str] = []
    index: dict[tuple[str, str], int] = {}
    for kind, items in (
        ("objective", [(o.key, o.title) for o in objectives]),
        ("capability", [(c.key, c.name) for c in capabilities]),
        ("initiative", [(i.key, i.name) for i in initiatives]),
        ("kpi", [(k.key, k.name) for k in kpis]),
    ):
        for key, label in items:
            index[(kind, key)] = len(labels)
            labels.append(label)
            kinds.append(kind)

    sources: list[int] = []
    targets: list[int] = []
    values: list[float] = []

    def link(a: tuple[str, str], b: tuple[str, str], value: float) -> None:
        if value > 0 and a in index and b in index:
            sources.append(index[a])
            targets.append(index[b])
            values.append(value)

    priority = {o.key: o.priority for o in objectives}
    for c in capabilities:
        for o, weight in c.weights.items():
            if o in priority:
                link(("objective", o), ("capability", c.key), float(priority[o] * weight))

    builders: dict[str, list[str]] = {}
    for i in initiatives:
        for cap in i.capabilities:
            builders.setdefault(cap, []).append(i.key)
    inflow: dict[str, float] = {}
    for cap, initiative_keys in builders.items():
        share = importance.get(cap, 0.0) / len(initiative_keys)
        for key in initiative_keys:
            link(("capability", cap), ("initiative", key), share)
            inflow[key] = inflow.get(key, 0.0) + share
    for i in initiatives:
        if i.kpis:
            for k in i.kpis:
                link(("initiative", i.key), ("kpi", k), inflow.get(i.key, 0.0) / len(i.kpis))
    return Sankey(labels=labels, kinds=kinds, sources=sources, targets=targets, values=values)
