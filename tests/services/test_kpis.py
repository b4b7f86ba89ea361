import datetime as dt

import pytest
from sqlalchemy import func, select

from ldcore.cli import main as cli
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid, NotFound
from ldcore.models import KpiObservation
from ldcore.services import kpis
from tests.support.intake import build

D = dt.date
GOOD = (
    b"kpi,date,value,team,note\n"
    b"win,2027-01-31,21.5,sales,\n"
    b"win,2027-02-28,22,sales,after kickoff\n"
    b"attr,2027-01-31,11.8,,\n"
)


def count(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count(KpiObservation.id)))


def test_a_good_csv_previews_then_imports_and_a_second_import_duplicates_nothing(engine):
    build(engine)
    with read_session(engine) as s:
        preview = kpis.preview_kpi_csv(s, plan_key="p", data=GOOD)
    assert preview.ok and (preview.new, preview.replaced, preview.unchanged) == (3, 0, 0)
    assert count(engine) == 0
    with unit_of_work(engine) as s:
        result = kpis.import_kpi_csv(s, plan_key="p", data=GOOD, actor="t")
    assert (result.added, result.replaced, result.unchanged) == (3, 0, 0)
    with unit_of_work(engine) as s:
        again = kpis.import_kpi_csv(s, plan_key="p", data=GOOD, actor="t")
    assert (again.added, again.unchanged) == (0, 3)
    assert count(engine) == 3
    with read_session(engine) as s:
        series = kpis.kpi_series(s, plan_key="p", kpi_key="win")
    assert [(o.date, o.value, o.team, o.note) for o in series.observations] == [
        (D(2027, 1, 31), 21.5, "sales", ""),
        (D(2027, 2, 28), 22.0, "sales", "after kickoff"),
    ]
    assert (series.baseline_value, series.target_value, series.unit) == (20.0, 25.0, "%")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(engine):
    build(engine)
    data = (
        b"kpi,date,value,team\n"
        b"win,2027-01-31,21.5,sales\n"  # 2: fine
        b"churn,2027-01-31,3,sales\n"  # 3: unknown KPI
        b"win,31/01/2027,3,sales\n"  # 4: bad date
        b"win,2027-03-31,lots,sales\n"  # 5: bad value
        b"\n"  # 6: blank, skipped
        b"win,2027-03-31,4,martians\n"  # 7: unknown team
        b"win,2027-04-30\n"  # 8: short row
        b"win,2027-01-31,99,sales\n"  # 9: conflicts with line 2
        b"win,2027-05-31,nan,sales\n"  # 10: not finite
    )
    with read_session(engine) as s:
        preview = kpis.preview_kpi_csv(s, plan_key="p", data=data)
    assert [(p.line, p.reason.split(" (")[0]) for p in preview.problems] == [
        (3, "unknown KPI 'churn'"),
        (4, "date '31/01/2027' is not a date like 2027-03-31"),
        (5, "value 'lots' is not a number"),
        (7, "unknown team 'martians'"),
        (8, "2 cells where the header has 4"),
        (9, "win for sales on 2027-01-31 has a different value on line 2"),
        (10, "value 'nan' is not a finite number"),
    ]
    assert not preview.ok
    with pytest.raises(Invalid, match="Nothing imported: 7 rows are bad") as err, unit_of_work(engine) as s:
        kpis.import_kpi_csv(s, plan_key="p", data=data, actor="t")
    assert err.value.problems[0] == ("line 3", preview.problems[0].reason)
    assert count(engine) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"kpi,value\nwin,3\n", "missing column date"),
        (b"kpi,date,value,colour\n", "unknown column 'colour'"),
        (b"kpi,date,value\n", "no data rows"),
        (b"kpi,date,value\nwin,2027-01-01,\x81\n", "line 2: the file is not text"),
    ],
)
def test_a_file_that_is_not_the_expected_csv_is_refused_plainly(engine, data, message):
    build(engine)
    with read_session(engine) as s:
        try:
            preview = kpis.preview_kpi_csv(s, plan_key="p", data=data)
        except Invalid as exc:
            assert message in str(exc)
        else:
            assert message in preview.problems[0].reason


def test_a_changed_value_for_the_same_day_replaces_the_old_one(engine):
    build(engine)
    with unit_of_work(engine) as s:
        kpis.import_kpi_csv(s, plan_key="p", data=GOOD, actor="t")
    fixed = b"kpi,date,value,team\nwin,2027-02-28,23,sales\nwin,2027-03-31,24,sales\n"
    with read_session(engine) as s:
        preview = kpis.preview_kpi_csv(s, plan_key="p", data=fixed)
    assert (preview.new, preview.replaced, preview.unchanged) == (1, 1, 0)
    with unit_of_work(engine) as s:
        kpis.import_kpi_csv(s, plan_key="p", data=fixed, actor="t")
    with read_session(engine) as s:
        values = [(o.date.month, o.value) for o in kpis.kpi_series(s, plan_key="p", kpi_key="win").observations]
    assert values == [(1, 21.5), (2, 23.0), (3, 24.0)]


def test_a_team_value_and_an_organisation_value_on_the_same_day_are_different_observations(engine):
    build(engine)
    with unit_of_work(engine) as s:
        kpis.record_observations(
            s,
            plan_key="p",
            observations=[
                {"kpi": "win", "date": D(2027, 1, 31), "value": 20, "team": "sales"},
                {"kpi": "win", "date": D(2027, 1, 31), "value": 20},
            ],
            actor="t",
        )
        kpis.record_observation(s, plan_key="p", kpi="win", date=D(2027, 1, 31), value=20, actor="t")
    assert count(engine) == 2


def test_a_manual_observation_names_what_is_wrong(engine):
    build(engine)
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        kpis.record_observation(s, plan_key="p", kpi="win", date=D(2027, 1, 31), value=float("inf"), actor="t")
    assert err.value.problems[0][0] == "value"
    with pytest.raises(Invalid, match="unknown team 'ghosts'"), unit_of_work(engine) as s:
        kpis.record_observation(s, plan_key="p", kpi="win", date=D(2027, 1, 31), value=3, team="ghosts", actor="t")
    with pytest.raises(Invalid) as err, unit_of_work(engine) as s:
        kpis.record_observations(
            s, plan_key="p", observations=[{"kpi": "win", "date": D(2027, 1, 1), "value": 1}, {"kpi": "x"}], actor="t"
        )
    assert [p for p, _ in err.value.problems] == ["1"]
    assert count(engine) == 0


def test_an_observation_is_deleted_only_within_its_plan(engine):
    build(engine)
    with unit_of_work(engine) as s:
        kpis.import_kpi_csv(s, plan_key="p", data=GOOD, actor="t")
    with read_session(engine) as s:
        first = kpis.kpi_series(s, plan_key="p", kpi_key="win").observations[0].id
    with pytest.raises(NotFound), unit_of_work(engine) as s:
        kpis.delete_observation(s, plan_key="p", observation_id=10_000, actor="t")
    with unit_of_work(engine) as s:
        kpis.delete_observation(s, plan_key="p", observation_id=first, actor="t")
    assert count(engine) == 2


def test_the_cli_dry_run_writes_nothing_and_the_import_reports_counts(engine, tmp_path, capsys):
    build(engine)
    url = engine.url.render_as_string(hide_password=False)
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    assert cli(["--database", url, "kpi", "import", str(good), "--plan", "p", "--dry-run"]) == 0
    assert "3 rows are valid (3 new, 0 replaced, 0 already recorded); nothing was written" in capsys.readouterr().out
    assert count(engine) == 0
    assert cli(["--database", url, "kpi", "import", str(good), "--plan", "p"]) == 0
    assert "3 added, 0 replaced, 0 already recorded" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"kpi,date,value\nwin,2027-13-01,3\n")
    assert cli(["--database", url, "kpi", "import", str(bad), "--plan", "p"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: date '2027-13-01' is not a date like 2027-03-31" in err and "nothing imported" in err
    assert cli(["--database", url, "kpi", "import", str(good), "--plan", "nope"]) == 2
    assert "No plan with key 'nope'" in capsys.readouterr().err
    assert count(engine) == 3
