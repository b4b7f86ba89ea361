from pathlib import Path

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid
from ldcore.models import Kpi, Plan, Team
from ldcore.services import plans

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plan_fy27.yaml"


def test_a_plan_round_trips_through_yaml(engine):
    doc = plans.parse_plan_yaml(FIXTURE.read_text())
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=doc)
    with read_session(engine) as session:
        exported = plans.export_plan(session, key="fy27")
    assert exported == doc
    assert plans.parse_plan_yaml(plans.plan_yaml(exported)) == doc
    with read_session(engine) as session:
        kpi = session.scalar(select(Kpi).where(Kpi.key == "win_rate"))
        assert (kpi.baseline_value, kpi.target_value, kpi.unit_value) == (21.0, 26.0, 40000.0)


def test_a_dangling_reference_names_its_path_and_imports_nothing(engine):
    text = FIXTURE.read_text().replace("kpis: [win_rate]", "kpis: [win_rate, churn]")
    with pytest.raises(Invalid, match=r"initiatives\.0\.kpis: unknown KPI 'churn'"):
        plans.parse_plan_yaml(text)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("priority: 5", "priority: 6"), "objectives.0.priority"),
        (("owner: Chief", "ownr: Chief"), "objectives.0.ownr"),
        (("direction: up", "direction: sideways"), "objectives.0.kpis.0.direction"),
        (("headcount: 40", "headcount: -1"), "teams.0.headcount"),
        (("{revenue: 5}", "{revenue: 0}"), "capabilities.0.drives.revenue"),
    ],
)
def test_a_bad_value_is_refused_with_the_field_path(change, path):
    with pytest.raises(Invalid) as err:
        plans.parse_plan_yaml(FIXTURE.read_text().replace(*change))
    assert path in [p for p, _ in err.value.problems]


def test_importing_a_plan_key_twice_is_refused_and_changes_nothing(engine):
    doc = plans.parse_plan_yaml(FIXTURE.read_text())
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=doc)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        plans.import_plan(session, document=doc)
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Plan.id))) == 1
        assert session.scalar(select(func.count(Team.id))) == 1


def test_a_failure_midway_leaves_nothing_half_written(engine):
    doc = plans.parse_plan_yaml(FIXTURE.read_text())
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        plans.import_plan(session, document=doc)
        raise RuntimeError("crash after the rows were flushed")
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Plan.id))) == 0
        assert session.scalar(select(func.count(Kpi.id))) == 0
