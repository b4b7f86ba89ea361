"""A small plan built step by step through the intake services, as the intake page does."""

from __future__ import annotations

import datetime as dt

from ldcore.db import unit_of_work
from ldcore.services import intake

D = dt.date


def kpi(key, name, baseline=20.0, target=25.0, direction="up"):
    return {
        "key": key,
        "name": name,
        "unit": "%",
        "direction": direction,
        "baseline": {"value": baseline, "date": D(2027, 1, 1)},
        "target": {"value": target, "date": D(2027, 12, 31)},
        "unit_value": 1000.0,
        "kind": "lagging",
    }


def build(engine):
    """A small plan built step by step, as the intake page does."""
    with unit_of_work(engine) as s:
        intake.save_plan(
            s, data={"key": "p", "name": "Plan", "starts": D(2027, 1, 1), "ends": D(2028, 3, 31)}, actor="t"
        )
        intake.save_objective(
            s,
            plan_key="p",
            data={"key": "rev", "title": "Grow revenue", "category": "revenue_growth", "priority": 5},
            actor="t",
        )
        intake.save_objective(
            s, plan_key="p", data={"key": "ret", "title": "Keep people", "category": "people", "priority": 3}, actor="t"
        )
        intake.save_kpi(s, plan_key="p", objective_key="rev", data=kpi("win", "Win rate"), actor="t")
        intake.save_kpi(s, plan_key="p", objective_key="rev", data=kpi("deal", "Deal size"), actor="t")
        intake.save_kpi(s, plan_key="p", objective_key="ret", data=kpi("attr", "Attrition", 12, 9, "down"), actor="t")
        intake.save_capability(
            s, plan_key="p", data={"key": "neg", "name": "Negotiation", "drives": {"rev": 4}}, actor="t"
        )
        intake.save_capability(
            s, plan_key="p", data={"key": "coach", "name": "Coaching", "drives": {"rev": 1, "ret": 5}}, actor="t"
        )
        intake.save_team_grid(
            s,
            plan_key="p",
            rows=[
                {"key": "sales", "name": "Sales", "headcount": 30, "targets": {"neg": 4, "coach": 2}},
                {"key": "ops", "name": "Operations", "headcount": 12, "targets": {"coach": 3}},
            ],
            actor="t",
        )
        intake.save_initiative(
            s,
            plan_key="p",
            data={
                "key": "academy",
                "name": "Sales Academy",
                "objectives": ["rev"],
                "capabilities": ["neg"],
                "kpis": ["win"],
                "audience": ["sales"],
                "control_teams": ["ops"],
                "isolation": "control_group",
                "costs": {"development": 20_000, "delivery": 10_000},
                "commitment": {"deliver": "4 workshops", "needs": "managers coach weekly", "by": D(2027, 6, 30)},
            },
            actor="t",
        )
        intake.save_stakeholder(
            s,
            plan_key="p",
            data={"name": "Ana CRO", "role": "CRO", "consulted_on": D(2026, 12, 1), "metrics_that_matter": "win rate"},
            actor="t",
        )
        intake.save_gap(
            s,
            plan_key="p",
            data={"description": "Reps discount too early", "root_cause": "skill", "objective": "rev", "team": "sales"},
            actor="t",
        )
