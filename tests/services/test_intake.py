import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import AuditEvent, Initiative, InitiativeObjective, Kpi, KpiObservation, ObjectiveCapability, Team
from ldcore.services import intake, kpis, plans
from tests.support.intake import build, kpi

D = dt.date


def test_a_plan_built_step_by_step_exports_every_part(engine):
    build(engine)
    with read_session(engine) as s:
        doc = plans.export_plan(s, key="p")
    assert [o.key for o in doc.objectives] == ["rev", "ret"]
    assert [k.key for k in doc.objectives[0].kpis] == ["win", "deal"]
    assert doc.capabilities[1].drives == {"rev": 1, "ret": 5}
    assert {t.key: t.targets for t in doc.teams} == {"ops": {"coach": 3}, "sales": {"neg": 4, "coach": 2}}
    academy = doc.initiatives[0]
    assert (academy.audience, academy.control_teams, academy.costs) == (
        ["sales"],
        ["ops"],
        {"development": 20_000, "delivery": 10_000},
    )
    assert academy.commitment.needs == "managers coach weekly"
    assert doc.stakeholders[0].metrics_that_matter == "win rate"
    assert (doc.gaps[0].objective, doc.gaps[0].team) == ("rev", "sales")
    with read_session(engine) as s:
        assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.actor == "t")) >= 12


def test_an_empty_key_is_derived_from_the_title_and_made_unique(engine):
    build(engine)
    with unit_of_work(engine) as s:
        a = intake.save_objective(
            s,
            plan_key="p",
            data={"key": "", "title": "Cut cost & waste!", "category": "cost_efficiency", "priority": 2},
            actor="t",
        )
        b = intake.save_objective(
            s, plan_key="p", data={"title": "Cut cost & waste", "category": "other", "priority": 1}, actor="t"
        )
    assert (a.key, b.key) == ("cut-cost-waste", "cut-cost-waste-2")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"key": "x", "title": "", "category": "people", "priority": 3}, "title"),
        ({"key": "x", "title": "T", "category": "fun", "priority": 3}, "category"),
        ({"key": "x", "title": "T", "category": "people", "priority": 9}, "priority"),
        ({"key": "rev", "title": "T", "category": "people", "priority": 3}, "key"),
    ],
)
def test_a_refused_objective_names_its_field_and_saves_nothing(engine, data, path):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_objective(s, plan_key="p", data=data, actor="t")
    assert path in [p for p, _ in err.value.problems]
    with read_session(engine) as s:
        assert len(plans.export_plan(s, key="p").objectives) == 2


def test_a_plan_refuses_an_eleventh_objective_and_warns_above_five(engine):
    build(engine)
    with unit_of_work(engine) as s:
        for n in range(8):
            intake.save_objective(
                s, plan_key="p", data={"title": f"Objective {n}", "category": "other", "priority": 1}, actor="t"
            )
    with pytest.raises(Invalid, match="at most 10 objectives"), unit_of_work(engine) as s:
        intake.save_objective(
            s, plan_key="p", data={"title": "One too many", "category": "other", "priority": 1}, actor="t"
        )
    assert intake.objective_count_warning(5) is None
    assert "top 3–5" in intake.objective_count_warning(6)


def test_horizon_outside_six_to_twenty_four_months_is_warned():
    from ldcore.schemas import PlanIn

    def plan(ends):
        return PlanIn(key="p", name="P", starts=D(2027, 1, 1), ends=ends)

    assert intake.horizon_warnings(plan(D(2028, 6, 30))) == []
    assert "shorter than 6 months" in intake.horizon_warnings(plan(D(2027, 4, 1)))[0]
    assert "beyond 24 months" in intake.horizon_warnings(plan(D(2030, 1, 1)))[0]


def test_a_plan_whose_end_precedes_its_start_is_refused_and_a_key_taken_is_named(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_plan(s, data={"key": "q", "name": "Q", "starts": D(2027, 1, 1), "ends": D(2026, 1, 1)}, actor="t")
    assert err.value.problems == [("", "ends must be after starts")]
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_plan(s, data={"key": "p", "name": "Q", "starts": D(2027, 1, 1), "ends": D(2028, 1, 1)}, actor="t")
    assert err.value.problems[0][0] == "key"


def test_editing_a_plan_can_rename_its_key(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_plan(
            s,
            data={"key": "p2", "name": "Renamed", "starts": D(2027, 1, 1), "ends": D(2028, 1, 1)},
            original_key="p",
            actor="t",
        )
    with read_session(engine) as s:
        doc = plans.export_plan(s, key="p2")
    assert doc.plan.name == "Renamed" and len(doc.initiatives) == 1


def test_an_objective_without_kpi_is_reported_unmeasurable(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_objective(
            s,
            plan_key="p",
            data={"key": "inn", "title": "Innovate", "category": "innovation", "priority": 2},
            actor="t",
        )
    with read_session(engine) as s:
        assert intake.unmeasurable_objectives(s, plan_key="p") == ["Innovate"]


def test_a_kpi_whose_target_goes_the_wrong_way_is_refused(engine):
    build(engine)
    with pytest.raises(Invalid, match="must be above baseline") as err, unit_of_work(engine) as s:
        intake.save_kpi(s, plan_key="p", objective_key="rev", data=kpi("nps", "NPS", 40, 30), actor="t")
    assert err.value.problems[0][1].startswith("target.value")


def test_a_kpi_can_be_edited_and_moved_to_another_objective(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_kpi(
            s, plan_key="p", objective_key="ret", data=kpi("deal2", "Deal size", 5, 7), original_key="deal", actor="t"
        )
    with read_session(engine) as s:
        doc = plans.export_plan(s, key="p")
    assert [k.key for k in doc.objectives[1].kpis] == ["attr", "deal2"]
    assert doc.objectives[1].kpis[1].baseline.value == 5


def test_a_non_training_gap_needs_an_owner_of_the_fix_and_says_training_is_not_the_answer(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_gap(s, plan_key="p", data={"description": "CRM is slow", "root_cause": "tools"}, actor="t")
    assert err.value.problems == [("fix_owner", "Training is not the answer for a tools gap: record who owns the fix.")]
    with unit_of_work(engine) as s:
        gap = intake.save_gap(
            s,
            plan_key="p",
            data={"description": "CRM is slow", "root_cause": "tools", "fix_owner": "IT director"},
            actor="t",
        )
    assert not gap.training_answer and gap.advice.startswith("Training is not the answer")
    with read_session(engine) as s:
        gaps = intake.list_gaps(s, plan_key="p")
    assert [(g.root_cause, g.training_answer, g.fix_owner) for g in gaps] == [
        ("skill", True, ""),
        ("tools", False, "IT director"),
    ]


def test_a_gap_naming_an_unknown_team_is_refused(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_gap(s, plan_key="p", data={"description": "x", "root_cause": "skill", "team": "nobody"}, actor="t")
    assert err.value.problems[0][0] == "team"


def test_capability_weights_are_replaced_and_must_name_a_plan_objective(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_capability(
            s,
            plan_key="p",
            data={"key": "coach", "name": "Coaching", "drives": {"ret": 2}},
            original_key="coach",
            actor="t",
        )
    with read_session(engine) as s:
        assert plans.export_plan(s, key="p").capabilities[1].drives == {"ret": 2}
        assert s.scalar(select(func.count()).select_from(ObjectiveCapability)) == 2
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_capability(s, plan_key="p", data={"key": "x", "name": "X", "drives": {"nope": 2}}, actor="t")
    assert err.value.problems[0][0] == "drives.nope"
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_capability(s, plan_key="p", data={"key": "x", "name": "X", "drives": {"rev": 6}}, actor="t")
    assert err.value.problems[0][0] == "drives.rev"


def test_a_team_grid_with_one_bad_row_saves_nothing_and_names_the_row(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_team_grid(
            s,
            plan_key="p",
            rows=[
                {"key": "sales", "name": "Sales", "headcount": 31, "targets": {"neg": 5}},
                {"key": "ops", "name": "Operations", "headcount": -1, "targets": {"coach": 6, "ghost": 2}},
            ],
            actor="t",
        )
    assert sorted(p for p, _ in err.value.problems) == ["2.headcount", "2.targets.coach"]
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_team_grid(s, plan_key="p", rows=[{"key": "ops", "name": "Ops", "targets": {"ghost": 2}}], actor="t")
    assert err.value.problems[0][0] == "1.targets.ghost"
    with read_session(engine) as s:
        grid = {t.key: t for t in intake.team_grid(s, plan_key="p")}
    assert (grid["sales"].headcount, grid["sales"].targets) == (30, {"neg": 4, "coach": 2})


def test_a_team_grid_row_replaces_the_targets_of_that_team_in_this_plan_only(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_plan(
            s, data={"key": "other", "name": "Other", "starts": D(2027, 1, 1), "ends": D(2028, 1, 1)}, actor="t"
        )
        intake.save_capability(s, plan_key="other", data={"key": "neg", "name": "Negotiation"}, actor="t")
        intake.save_team(
            s,
            plan_key="other",
            data={"key": "sales", "name": "Sales", "headcount": 30, "targets": {"neg": 2}},
            actor="t",
        )
        intake.save_team(
            s,
            plan_key="p",
            data={"key": "sales", "name": "Sales team", "headcount": 32, "targets": {"coach": 5}},
            actor="t",
        )
    with read_session(engine) as s:
        here = {t.key: t for t in intake.team_grid(s, plan_key="p")}
        there = {t.key: t for t in intake.team_grid(s, plan_key="other")}
        assert s.scalar(select(func.count(Team.id))) == 2
    assert here["sales"].targets == {"coach": 5} and here["sales"].name == "Sales team"
    assert there["sales"].targets == {"neg": 2}


def test_an_initiative_referring_to_something_unknown_is_refused_per_field(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_initiative(
            s,
            plan_key="p",
            data={"key": "x", "name": "X", "objectives": ["ghost"], "kpis": ["win"], "audience": ["nobody"]},
            actor="t",
        )
    assert err.value.problems == [("objectives", "unknown objective 'ghost'"), ("audience", "unknown team 'nobody'")]
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        intake.save_initiative(s, plan_key="p", data={"key": "x", "name": "X", "costs": {"delivery": -5}}, actor="t")
    assert err.value.problems[0][0] == "costs.delivery"


def test_an_initiative_is_edited_in_place(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_initiative(
            s,
            plan_key="p",
            original_key="academy",
            data={
                "key": "academy",
                "name": "Sales Academy 2",
                "objectives": ["rev", "ret"],
                "kpis": ["win", "attr"],
                "audience": ["sales"],
                "control_teams": ["ops"],
                "costs": {"delivery": 5_000},
            },
            actor="t",
        )
    with read_session(engine) as s:
        doc = plans.export_plan(s, key="p")
        assert s.scalar(select(func.count(Initiative.id))) == 1
    i = doc.initiatives[0]
    assert (i.name, i.objectives, i.kpis, i.costs) == (
        "Sales Academy 2",
        ["rev", "ret"],
        ["win", "attr"],
        {"delivery": 5_000},
    )


def test_deleting_an_objective_says_what_it_breaks_and_then_does_it(engine):
    build(engine)
    with unit_of_work(engine) as s:
        kpis.record_observations(
            s,
            plan_key="p",
            observations=[{"kpi": "win", "date": D(2027, m, 1), "value": 20 + m} for m in (1, 2, 3)],
            actor="t",
        )
    with read_session(engine) as s:
        impact = intake.delete_impact(s, plan_key="p", kind="objective", key="rev")
    assert impact.message == (
        "Deleting objective 'Grow revenue' removes 2 KPIs (with 3 observations), drops its weight on "
        "2 capabilities, unlinks 1 initiative and detaches 1 performance gap."
    )
    with unit_of_work(engine) as s:
        assert intake.delete(s, plan_key="p", kind="objective", key="rev", actor="t") == impact
    with read_session(engine) as s:
        doc = plans.export_plan(s, key="p")
        assert s.scalar(select(func.count(KpiObservation.id))) == 0
        assert s.scalar(select(func.count()).select_from(InitiativeObjective)) == 0
    assert [o.key for o in doc.objectives] == ["ret"]
    assert doc.initiatives[0].objectives == [] and doc.initiatives[0].kpis == []
    assert doc.capabilities[0].drives == {} and doc.gaps[0].objective is None


def test_deleting_other_parts_reports_their_consequences(engine):
    build(engine)
    with read_session(engine) as s:
        messages = {
            kind: intake.delete_impact(s, plan_key="p", kind=kind, key=key).message
            for kind, key in [
                ("kpi", "win"),
                ("capability", "neg"),
                ("initiative", "academy"),
                ("team", "sales"),
                ("kpi", "attr"),
            ]
        }
        plan_message = intake.delete_impact(s, plan_key="p").message
    assert messages == {
        "kpi": "Deleting KPI 'Attrition' breaks nothing else.",
        "capability": "Deleting capability 'Negotiation' removes 1 team target, drops its weight on 1 objective and "
        "unlinks 1 initiative.",
        "initiative": "Deleting initiative 'Sales Academy' removes 2 cost lines.",
        "team": "Deleting team 'Sales' from this plan (the team itself stays) removes its 2 targets and takes it out "
        "of 1 initiative.",
    }
    assert plan_message == "Deleting plan 'Plan' removes 2 objectives, 3 KPIs, 2 capabilities and 1 initiative."


@pytest.mark.parametrize(
    ("kind", "key"), [("kpi", "win"), ("capability", "neg"), ("initiative", "academy"), ("team", "sales"), ("plan", "")]
)
def test_every_delete_leaves_a_plan_that_still_exports(engine, kind, key):
    build(engine)
    with unit_of_work(engine) as s:
        intake.delete(s, plan_key="p", kind=kind, key=key, actor="t")
    with read_session(engine) as s:
        if kind == "plan":
            assert plans.list_plans(s) == []
            assert s.scalar(select(func.count(Kpi.id))) == 0
            return
        doc = plans.export_plan(s, key="p")
    assert plans.parse_plan_yaml(plans.plan_yaml(doc)) == doc


def test_stakeholders_and_gaps_are_edited_and_deleted_by_id(engine):
    build(engine)
    with read_session(engine) as s:
        sid = intake.list_stakeholders(s, plan_key="p")[0].id
        gid = intake.list_gaps(s, plan_key="p")[0].id
    with unit_of_work(engine) as s:
        intake.save_stakeholder(s, plan_key="p", stakeholder_id=sid, data={"name": "Ana", "role": "COO"}, actor="t")
    with read_session(engine) as s:
        assert [(x.name, x.role) for x in intake.list_stakeholders(s, plan_key="p")] == [("Ana", "COO")]
    with unit_of_work(engine) as s:
        intake.delete(s, plan_key="p", kind="stakeholder", key=str(sid), actor="t")
        intake.delete(s, plan_key="p", kind="gap", key=str(gid), actor="t")
    with read_session(engine) as s:
        assert intake.list_stakeholders(s, plan_key="p") == [] and intake.list_gaps(s, plan_key="p") == []


def test_alignment_of_a_stored_plan(engine):
    build(engine)
    with unit_of_work(engine) as s:
        intake.save_initiative(
            s,
            plan_key="p",
            data={"key": "lunch", "name": "Lunch and learn", "capabilities": ["coach"], "costs": {"delivery": 10_000}},
            actor="t",
        )
    with read_session(engine) as s:
        result = intake.alignment(s, plan_key="p")
    assert (result.initiatives, result.aligned, result.aligned_pct) == (2, 1, 50.0)
    assert [(u.key, u.missing) for u in result.unaligned] == [("lunch", ("an objective", "a KPI"))]
    assert result.importance == {"neg": 20.0, "coach": 20.0}
    assert (result.budget, result.priority_budget) == (40_000, 40_000)
    assert result.objectives_without_initiative == ["ret"]
    assert result.capabilities_without_initiative == []
