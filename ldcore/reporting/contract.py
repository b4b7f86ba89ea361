"""The plan report as one computed view (`Report`) and its JSON contract: schema_version, plan, objectives,
alignment, roi, heatmap, prepost, trends.

`build` computes everything a report shows once per request — the plan graph loaded once, the baseline →
follow-up comparison computed once and shared by the executive figures and the prepost section — and every format
(JSON here, HTML in `ldcore.reporting.html`, the deck, the PDF) renders that one object. Each `*_json` function is
pure: a section of the contract from figures already computed. Groups below a wave's minimum never carry a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ldcore.analytics import roi
from ldcore.errors import NotFound
from ldcore.reporting import fmt
from ldcore.services import evidence, impact, plans, trends

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Report:
    """Everything any report of one plan shows, computed once."""

    executive: impact.Executive
    heatmap: evidence.Heatmap | None  # the latest baseline wave's; None without one
    prepost: evidence.PrePost | None  # None without a follow-up wave chained to a baseline
    trends: trends.Trends | None  # None without a baseline wave

    @property
    def plan_key(self) -> str:
        return self.executive.plan_key


def _heatmap(session: Session, plan_key: str) -> evidence.Heatmap | None:
    try:
        return evidence.gap_heatmap(session, plan_key=plan_key)
    except NotFound:
        return None


def build(session: Session, *, plan_key: str) -> Report:
    """The report view of a plan; an unknown plan is an error (NotFound)."""
    plan = plans.load_plan_graph(session, key=plan_key)
    series = trends.capability_trends(session, plan_key=plan_key)  # first: it reads every wave's sums at once
    change = evidence.prepost(session, plan_key=plan_key)
    return Report(
        executive=impact.executive_of(session, plan, change),
        heatmap=_heatmap(session, plan_key),
        prepost=change,
        trends=series,
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _num(value: float | None, digits: int = 3) -> float | None:
    return _round(value, digits)


# --- sections -----------------------------------------------------------------------------------------------------


def objectives_section(view: impact.Executive) -> list[dict[str, Any]]:
    return [
        {
            "key": card.key,
            "title": card.title,
            "priority": card.priority,
            "status": card.status,
            "kpis": [
                {
                    "key": t.key,
                    "baseline": t.baseline,
                    "target": t.target,
                    "current": _round(t.current, 3),
                    "progress_pct": _round(t.progress_pct, 1),
                }
                for t in card.kpis
            ],
        }
        for card in view.scorecards
    ]


def alignment_section(view: impact.Executive) -> dict[str, Any]:
    a = view.alignment
    return {"initiatives": a.initiatives, "aligned": a.aligned, "aligned_pct": _round(a.aligned_pct, 1)}


def roi_section(results: Sequence[roi.InitiativeRoi]) -> list[dict[str, Any]]:
    return [
        {
            "initiative": r.initiative,
            "isolation": r.isolation,
            "costs": round(r.costs, 2),
            "benefits": _round(r.benefits, 2),
            "bcr": _round(r.bcr, 2),
            "roi_pct": _round(r.roi_pct, 1),
            "payback_months": _round(r.payback_months, 1),
        }
        for r in results
    ]


def heatmap_json(heat: evidence.Heatmap | None) -> dict[str, Any]:
    """`"heatmap"`: the latest baseline wave's cells, suppressed ones with nulls."""
    if heat is None:
        return {"wave": None, "cells": []}
    return {
        "wave": heat.wave.key,
        "cells": [
            {
                "team": c.team,
                "capability": c.capability,
                "current": _num(c.current),
                "target": c.target,
                "gap": _num(c.gap),
                "priority": _num(c.priority),
                "n": c.n,
                "suppressed": c.suppressed,
            }
            for c in heat.cells
        ],
    }


def prepost_json(result: evidence.PrePost | None) -> list[dict[str, Any]]:
    """`"prepost"`: per capability the all-teams row (team null), then per team; groups below the minimum are left
    out."""
    if result is None:
        return []
    return [
        {
            "question": r.question,
            "capability": r.capability,
            "team": r.team,
            "baseline_wave": r.baseline_wave,
            "followup_wave": r.followup_wave,
            "pre_mean": _num(r.pre_mean),
            "post_mean": _num(r.post_mean),
            "delta": _num(r.delta),
            "n_pre": r.n_pre,
            "n_post": r.n_post,
            "paired": r.paired,
            "n_pairs": r.n_pairs,
            "p_value": None if r.p_value is None else float(f"{r.p_value:.3g}"),
            "effect_size": _num(r.effect_size),
            "ci_low": _num(r.ci_low),
            "ci_high": _num(r.ci_high),
            "t": _num(r.t),
            "df": _num(r.df),
            "paired_pre_mean": _num(r.paired_pre_mean),
            "paired_post_mean": _num(r.paired_post_mean),
        }
        for r in [*result.rows, *result.likert]
    ]


def trends_json(result: trends.Trends | None) -> list[dict[str, Any]]:
    """`"trends"`: per capability the all-teams series (team null), then one per team; a point below the minimum
    group does not exist."""
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
                    "mean": _num(p.mean),
                    "n": p.n,
                    "ci_low": _num(p.ci_low),
                    "ci_high": _num(p.ci_high),
                }
                for p in s.points
            ],
        }
        for s in result.series
    ]


def json_of(report: Report) -> dict[str, Any]:
    """The JSON report of a computed view (the deck draws its numbers from the same dict)."""
    view = report.executive
    return {
        "schema_version": SCHEMA_VERSION,
        "plan": {"key": view.plan_key, "name": view.plan_name},
        "objectives": objectives_section(view),
        "alignment": alignment_section(view),
        "roi": roi_section(view.roi),
        "heatmap": heatmap_json(report.heatmap),
        "prepost": prepost_json(report.prepost),
        "trends": trends_json(report.trends),
    }


def report_json(session: Session, *, plan_key: str) -> dict[str, Any]:
    return json_of(build(session, plan_key=plan_key))


# --- one section on its own (an unknown plan is an error; a plan without the data gives the empty section) -------


def heatmap_section(session: Session, *, plan_key: str) -> dict[str, Any]:
    plans.get_plan(session, key=plan_key)
    return heatmap_json(_heatmap(session, plan_key))


def prepost_section(session: Session, *, plan_key: str) -> list[dict[str, Any]]:
    return prepost_json(evidence.prepost(session, plan_key=plan_key))


def trends_section(session: Session, *, plan_key: str) -> list[dict[str, Any]]:
    return trends_json(trends.capability_trends(session, plan_key=plan_key))


# --- the view's tables in words (the page, the HTML and the deck show the same) ---------------------------------

LEVEL_NAMES = {1: "Reaction", 2: "Learning", 3: "Behaviour", 4: "Results", 5: "Return"}
ISOLATION_WORDS = {
    "control_group": "Control group: the change in the trained teams minus the change in comparable untrained teams "
    "over the same months (difference in differences).",
    "trend": "Trend line: the trained teams' results after the program compared with where their trend from "
    "before the program was heading.",
    "participant_estimate": "Participant estimates: the KPI change times the share participants attribute to the "
    "program, discounted by their confidence in that estimate.",
    None: "No isolation method chosen, so no benefit is claimed.",
}
STATUS_COLUMNS = ["Objective", "KPI", "Baseline → current → target", "Status", "Main program's ROI"]


def chain_rows(chain: impact.Chain) -> list[dict[str, str]]:
    return [
        {
            "level": f"{link.level} {LEVEL_NAMES[link.level]}",
            "measure": link.measure,
            "value": fmt.value(link.value, link.unit) if link.value is not None else "missing",
            "n": "" if link.n is None else str(link.n),
            "note": link.missing or "",
        }
        for link in chain.links
    ]


def status_rows(view: impact.Executive) -> list[dict[str, str | None]]:
    """The 30-second table: one row per KPI (one per objective without a KPI) with its status and the return of the
    objective's main program; `status` is the raw status (None: no data yet), for colouring."""
    results = {r.initiative: r for r in view.roi}
    rows: list[dict[str, str | None]] = []
    for card in view.scorecards:
        main = results.get(card.main_program or "")
        program = "no program yet" if main is None else f"{main.name}: {fmt.value(main.roi_pct, '%')}"
        if main is not None and main.roi_pct is None:
            program = f"{main.name}: not shown yet"
        for n, t in enumerate(card.kpis or [None]):
            rows.append(
                {
                    "Objective": card.title if n == 0 else "",
                    "KPI": "no KPI yet" if t is None else t.name,
                    "Baseline → current → target": (
                        fmt.NO_VALUE
                        if t is None
                        else f"{fmt.value(t.baseline, t.unit)} → {fmt.value(t.current, t.unit)} → "
                        f"{fmt.value(t.target, t.unit)}"
                    ),
                    "Status": fmt.STATUS_LABELS[None if t is None else t.status],
                    "Main program's ROI": program if n == 0 else "",
                    "status": None if t is None else t.status,
                }
            )
    return rows
