"""Phillips ROI of one initiative, with the audit trail of every figure: pure computation on plain values, no I/O.

- Costs are fully loaded: the sum of the initiative's cost lines.
- The program's effect on each linked KPI is isolated by the initiative's method:
  - `control_group`: difference in differences — (audience mean after the initiative ends − audience mean before
    it starts) − (control mean after − control mean before);
  - `trend`: audience mean after − the linear trend of the audience's observations before the start, projected to
    the dates of the observations after the end;
  - `participant_estimate`: audience mean after − audience mean before, × the mean over follow-up respondents of
    (attributed % × confidence %), both as fractions; fewer respondents than the survey's minimum group give no
    estimate (their answers are never reported as an aggregate).
  Means pool every team observation of the group in the window. "Before" is strictly before the start date, "after"
  strictly after the end date. The effect is an improvement: its sign is flipped for a `down` KPI.
- Benefit = effect × the KPI's unit value (money per unit over a year): first-year benefits only.
- No data means no benefit (None), never an assumed one: a KPI whose effect cannot be isolated, or that has no unit
  value, adds nothing; an initiative where no KPI gives a benefit has benefits None, and so BCR, ROI and payback.
  Where some KPIs give a benefit and others cannot, benefits are the sum of those that can (conservative: what
  cannot be shown is counted as no improvement), and the audit says which were left out and why.
- BCR = benefits / costs; ROI % = (benefits − costs) / costs × 100; payback months = costs / (benefits / 12),
  only for positive benefits (a program that returns nothing never pays back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

METHODS = ("control_group", "trend", "participant_estimate")
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Observation:
    team: str
    date: dt.date
    value: float


@dataclass(frozen=True)
class KpiData:
    key: str
    name: str
    direction: str  # "up" | "down"
    unit: str = ""
    unit_value: float | None = None
    audience: Sequence[Observation] = ()
    control: Sequence[Observation] = ()


@dataclass(frozen=True)
class Attribution:
    """Follow-up answers on how much of the change a respondent credits to the program: the aggregate only."""

    respondents: int  # respondents who gave both the attributed % and the confidence %
    mean_product: float | None  # mean over them of (attributed % / 100 × confidence % / 100)
    mean_pct: float | None
    mean_confidence: float | None
    min_group: int
    waves: Sequence[str] = ()
    hidden: str | None = None  # why the figure is withheld although large enough (it overlaps one already shown)


@dataclass(frozen=True)
class InitiativeData:
    key: str
    name: str
    isolation: str | None
    starts: dt.date | None
    ends: dt.date | None
    cost_lines: Sequence[tuple[str, float]] = ()
    kpis: Sequence[KpiData] = ()
    attribution: Attribution | None = None


@dataclass(frozen=True)
class UsedObservation:
    group: str  # audience | control
    window: str  # before | after
    team: str
    date: dt.date
    value: float


@dataclass(frozen=True)
class KpiEffect:
    """The isolated effect of the program on one KPI and what it is worth, with every step that led there."""

    kpi: str
    name: str
    unit: str
    method: str | None
    direction: str
    effect: float | None  # improvement in KPI units (positive = better); None when it cannot be isolated
    unit_value: float | None
    benefit: float | None
    means: dict[str, float] = field(default_factory=dict)
    observations: list[UsedObservation] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    missing: str | None = None  # why there is no benefit


@dataclass(frozen=True)
class Figures:
    bcr: float | None
    roi_pct: float | None
    payback_months: float | None


@dataclass(frozen=True)
class InitiativeRoi:
    initiative: str
    name: str
    isolation: str | None
    costs: float
    cost_lines: list[tuple[str, float]]
    effects: list[KpiEffect]
    benefits: float | None
    bcr: float | None
    roi_pct: float | None
    payback_months: float | None
    steps: list[str]


def phillips(benefits: float | None, costs: float) -> Figures:
    """BCR, ROI % and payback months from first-year monetary benefits and fully loaded costs."""
    if benefits is None or costs <= 0:
        return Figures(None, None, None)
    payback = costs / (benefits / 12) if benefits > 0 else None
    return Figures(bcr=benefits / costs, roi_pct=(benefits - costs) / costs * 100, payback_months=payback)


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def _fmt(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _windows(
    group: str, observations: Sequence[Observation], starts: dt.date, ends: dt.date
) -> tuple[list[Observation], list[Observation], list[UsedObservation]]:
    before = sorted((o for o in observations if o.date < starts), key=lambda o: (o.date, o.team))
    after = sorted((o for o in observations if o.date > ends), key=lambda o: (o.date, o.team))
    used = [UsedObservation(group, "before", o.team, o.date, o.value) for o in before]
    used += [UsedObservation(group, "after", o.team, o.date, o.value) for o in after]
    return before, after, used


@dataclass
class _Isolated:
    change: float | None  # raw change in KPI units (direction not applied)
    means: dict[str, float]
    observations: list[UsedObservation]
    steps: list[str]
    missing: str | None = None


def isolate_by_control_group(kpi: KpiData, starts: dt.date, ends: dt.date) -> _Isolated:
    a_before, a_after, used = _windows("audience", kpi.audience, starts, ends)
    c_before, c_after, used_c = _windows("control", kpi.control, starts, ends)
    used += used_c
    for label, rows in (
        ("audience before the start", a_before),
        ("audience after the end", a_after),
        ("control teams before the start", c_before),
        ("control teams after the end", c_after),
    ):
        if not rows:
            return _Isolated(None, {}, used, [], f"no observations of the {label}")
    means = {
        "audience_before": _mean([o.value for o in a_before]),
        "audience_after": _mean([o.value for o in a_after]),
        "control_before": _mean([o.value for o in c_before]),
        "control_after": _mean([o.value for o in c_after]),
    }
    audience_change = means["audience_after"] - means["audience_before"]
    control_change = means["control_after"] - means["control_before"]
    change = audience_change - control_change
    steps = [
        f"Audience mean before {starts}: {_fmt(means['audience_before'])} ({len(a_before)} observations); "
        f"after {ends}: {_fmt(means['audience_after'])} ({len(a_after)}); change {_fmt(audience_change)}.",
        f"Control mean before: {_fmt(means['control_before'])} ({len(c_before)} observations); "
        f"after: {_fmt(means['control_after'])} ({len(c_after)}); change {_fmt(control_change)}.",
        f"Difference in differences: {_fmt(audience_change)} − ({_fmt(control_change)}) = {_fmt(change)}.",
    ]
    return _Isolated(change, means, used, steps)


def isolate_by_trend(kpi: KpiData, starts: dt.date, ends: dt.date) -> _Isolated:
    before, after, used = _windows("audience", kpi.audience, starts, ends)
    if len({o.date for o in before}) < 2:
        return _Isolated(None, {}, used, [], "fewer than two dates observed before the start, so no trend")
    if not after:
        return _Isolated(None, {}, used, [], "no observations of the audience after the end")
    origin = before[0].date
    x = np.array([(o.date - origin).days for o in before], dtype=float)
    slope, intercept = np.polyfit(x, np.array([o.value for o in before]), 1)
    projected = [intercept + slope * (o.date - origin).days for o in after]
    means = {
        "audience_before": _mean([o.value for o in before]),
        "audience_after": _mean([o.value for o in after]),
        "trend_projection": _mean(projected),
    }
    change = means["audience_after"] - means["trend_projection"]
    steps = [
        f"Trend of the audience before {starts} ({len(before)} observations from {origin}): "
        f"{_fmt(intercept)} at {origin}, {_fmt(slope * DAYS_PER_MONTH)} per month.",
        f"Trend projected to the {len(after)} observation dates after {ends}: mean {_fmt(means['trend_projection'])}.",
        f"Audience mean after: {_fmt(means['audience_after'])}; minus the projection = {_fmt(change)}.",
    ]
    return _Isolated(change, means, used, steps)


def isolate_by_participant_estimate(
    kpi: KpiData, starts: dt.date, ends: dt.date, attribution: Attribution | None
) -> _Isolated:
    before, after, used = _windows("audience", kpi.audience, starts, ends)
    if not before or not after:
        window = "before the start" if not before else "after the end"
        return _Isolated(None, {}, used, [], f"no observations of the audience {window}")
    if attribution is not None and attribution.hidden:
        return _Isolated(None, {}, used, [], f"the follow-up estimate of the program's share is {attribution.hidden}")
    if attribution is None or attribution.respondents == 0 or attribution.mean_product is None:
        return _Isolated(None, {}, used, [], "no follow-up answers on how much of the change is due to the program")
    if attribution.respondents < attribution.min_group:
        return _Isolated(
            None,
            {},
            used,
            [],
            f"fewer than {attribution.min_group} follow-up respondents estimated the program's share",
        )
    means = {
        "audience_before": _mean([o.value for o in before]),
        "audience_after": _mean([o.value for o in after]),
        "attributed_share": attribution.mean_product,
    }
    audience_change = means["audience_after"] - means["audience_before"]
    change = audience_change * attribution.mean_product
    waves = ", ".join(attribution.waves) or "the follow-up survey"
    steps = [
        f"Audience mean before {starts}: {_fmt(means['audience_before'])} ({len(before)} observations); "
        f"after {ends}: {_fmt(means['audience_after'])} ({len(after)}); change {_fmt(audience_change)}.",
        f"{attribution.respondents} respondents of {waves} credit the program with "
        f"{attribution.mean_pct:.1f}% of the change on average, at {attribution.mean_confidence:.1f}% confidence; "
        f"mean of attributed % × confidence % = {attribution.mean_product:.4f}.",
        f"Change credited to the program: {_fmt(audience_change)} × {attribution.mean_product:.4f} = {_fmt(change)}.",
    ]
    return _Isolated(change, means, used, steps)


def kpi_effect(initiative: InitiativeData, kpi: KpiData) -> KpiEffect:
    method = initiative.isolation

    def without(reason: str, isolated: _Isolated | None = None) -> KpiEffect:
        return KpiEffect(
            kpi=kpi.key,
            name=kpi.name,
            unit=kpi.unit,
            method=method,
            direction=kpi.direction,
            effect=None,
            unit_value=kpi.unit_value,
            benefit=None,
            means=isolated.means if isolated else {},
            observations=isolated.observations if isolated else [],
            steps=(isolated.steps if isolated else []) + [f"No benefit: {reason}."],
            missing=reason,
        )

    if method not in METHODS:
        return without("the initiative has no isolation method")
    if initiative.starts is None or initiative.ends is None:
        return without("the initiative has no start and end dates")
    if method == "control_group":
        isolated = isolate_by_control_group(kpi, initiative.starts, initiative.ends)
    elif method == "trend":
        isolated = isolate_by_trend(kpi, initiative.starts, initiative.ends)
    else:
        isolated = isolate_by_participant_estimate(kpi, initiative.starts, initiative.ends, initiative.attribution)
    if isolated.change is None:
        return without(isolated.missing or "the effect cannot be isolated", isolated)

    effect = isolated.change if kpi.direction == "up" else -isolated.change
    steps = list(isolated.steps)
    if kpi.direction == "down":
        steps.append(f"{kpi.name} should go down, so the improvement is −({_fmt(isolated.change)}) = {_fmt(effect)}.")
    else:
        steps.append(f"{kpi.name} should go up, so the improvement is {_fmt(effect)}.")
    if kpi.unit_value is None:
        reason = "the KPI has no money value per unit"
        return KpiEffect(
            kpi=kpi.key,
            name=kpi.name,
            unit=kpi.unit,
            method=method,
            direction=kpi.direction,
            effect=effect,
            unit_value=None,
            benefit=None,
            means=isolated.means,
            observations=isolated.observations,
            steps=[*steps, f"No benefit: {reason}."],
            missing=reason,
        )
    benefit = effect * kpi.unit_value
    steps.append(
        f"First-year benefit: {_fmt(effect)} {kpi.unit} × {_fmt(kpi.unit_value)} per unit per year = {_fmt(benefit)}."
    )
    return KpiEffect(
        kpi=kpi.key,
        name=kpi.name,
        unit=kpi.unit,
        method=method,
        direction=kpi.direction,
        effect=effect,
        unit_value=kpi.unit_value,
        benefit=benefit,
        means=isolated.means,
        observations=isolated.observations,
        steps=steps,
    )


def initiative_roi(initiative: InitiativeData) -> InitiativeRoi:
    costs = float(sum(amount for _, amount in initiative.cost_lines))
    effects = [kpi_effect(initiative, kpi) for kpi in initiative.kpis]
    valued = [e for e in effects if e.benefit is not None]
    benefits = float(sum(e.benefit for e in valued if e.benefit is not None)) if valued else None
    figures = phillips(benefits, costs)

    lines = " + ".join(f"{category} {_fmt(amount)}" for category, amount in initiative.cost_lines) or "none"
    steps = [f"Fully loaded costs: {lines} = {_fmt(costs)}."]
    if not initiative.kpis:
        steps.append("No KPI is linked to the initiative, so there is no benefit to value.")
    for e in effects:
        if e.benefit is None:
            steps.append(f"{e.name}: left out ({e.missing}).")
        else:
            steps.append(f"{e.name}: {_fmt(e.benefit)}.")
    if benefits is None:
        steps.append("No benefit could be shown, so BCR, ROI and payback are not computed.")
    else:
        steps.append(f"First-year benefits: {_fmt(benefits)}.")
        if figures.bcr is None:
            steps.append("The initiative has no costs, so BCR, ROI and payback are not computed.")
        else:
            steps.append(f"BCR = {_fmt(benefits)} / {_fmt(costs)} = {figures.bcr:.2f}.")
            steps.append(f"ROI = ({_fmt(benefits)} − {_fmt(costs)}) / {_fmt(costs)} × 100 = {figures.roi_pct:.1f}%.")
            if figures.payback_months is None:
                steps.append("Benefits are not positive, so the program does not pay back.")
            else:
                steps.append(
                    f"Payback = {_fmt(costs)} / ({_fmt(benefits)} / 12) = {figures.payback_months:.1f} months."
                )
    return InitiativeRoi(
        initiative=initiative.key,
        name=initiative.name,
        isolation=initiative.isolation,
        costs=costs,
        cost_lines=list(initiative.cost_lines),
        effects=effects,
        benefits=benefits,
        bcr=figures.bcr,
        roi_pct=figures.roi_pct,
        payback_months=figures.payback_months,
        steps=steps,
    )
