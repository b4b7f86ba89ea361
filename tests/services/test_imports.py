"""Imports of other tools' exports: every fixture export imports into a wave whose questions match its columns;
grids map to capabilities; blanks count as unanswered; re-imports store nothing twice; a corrupted file is refused
naming its line (and column) with the database unchanged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Answer, Capability, Response, Team
from ldcore.schemas import PlanDocument
from ldcore.services import imports, plans, roster
from tests.support.surveys import TEST_SURVEYS, build, make_wave

# Real exports of other tools, kept as they came (see tests/fixtures/external/README.md).
EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "external" / "exports"


def fixture_plan(engine) -> None:
    """Capabilities named like the rows of the Qualtrics matrix fixture."""
    with unit_of_work(engine) as session:
        plans.import_plan(
            session,
            document=PlanDocument.model_validate(
                {
                    "plan": {"key": "p1", "name": "Fixtures", "starts": "2027-01-01", "ends": "2027-12-31"},
                    "capabilities": [{"key": f"s{i}", "name": f"Click to write Statement {i}"} for i in (1, 2, 3)],
                    "teams": [{"key": "alpha", "name": "Alpha", "targets": {"s1": 3}}],
                }
            ),
        )


def run_import(engine, wave: str, data: bytes, filename: str = "file.csv", **kwargs) -> imports.ImportReport:
    with unit_of_work(engine) as session:
        return imports.import_responses(session, wave_key=wave, data=data, filename=filename, **kwargs)


def stored(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        return session.scalar(select(func.count(Response.id))), session.scalar(select(func.count(Answer.id)))


def answers_of(engine, question: str) -> list[tuple]:
    with read_session(engine) as session:
        caps = {c.id: c.key for c in session.scalars(select(Capability))}
        rows = session.execute(
            select(Answer.capability_id, Answer.value_num, Answer.value_text)
            .where(Answer.question_key == question)
            .order_by(Answer.response_id, Answer.id)
        ).all()
    return [(caps.get(c), n, t) for c, n, t in rows]


@pytest.mark.parametrize(
    ("file", "survey", "fmt", "rows", "unmapped"),
    [
        ("google_forms_hotdog.csv", "google_hotdog", "google", 20, []),
        ("qualtrics_sample_3header.csv", "qualtrics_sample", "qualtrics", 1, ["Q2 - Topics"]),
        ("qualtrics_matrix_3header.csv", "qualtrics_matrix", "qualtrics", 5, None),
        ("surveymonkey_style_2header.csv", "surveymonkey_steak", "surveymonkey", 23, None),
    ],
)
def test_every_fixture_export_imports_once_into_a_matching_wave(engine, file, survey, fmt, rows, unmapped):
    fixture_plan(engine)
    make_wave(engine, "w", survey, surveys_dir=TEST_SURVEYS)
    data = (EXPORTS / file).read_bytes()
    with read_session(engine) as session:
        preview = imports.preview_import(session, wave_key="w", data=data, filename=file)
    assert stored(engine) == (0, 0)
    assert (preview.format, preview.rows, preview.new, preview.duplicates) == (fmt, rows, rows, 0)
    if unmapped is not None:
        assert preview.unmapped == unmapped
    report = run_import(engine, "w", data, file)
    assert report.new == rows and stored(engine)[0] == rows
    again = run_import(engine, "w", data, file)
    assert (again.new, again.duplicates) == (0, rows) and stored(engine)[0] == rows


def test_google_forms_rows_keep_labels_and_identical_rows_stay_two_responses(engine):
    fixture_plan(engine)
    make_wave(engine, "w", "google_hotdog", surveys_dir=TEST_SURVEYS)
    run_import(engine, "w", (EXPORTS / "google_forms_hotdog.csv").read_bytes())
    years = [t for _, _, t in answers_of(engine, "year")]
    assert years[:4] == ["3rd", "4th", "4th", "4th"] and len(years) == 20
    assert [n for _, n, t in answers_of(engine, "sandwich")][:4] == [2.0, 2.0, 2.0, 1.0]
    with read_session(engine) as session:
        first = session.scalars(select(Response).order_by(Response.id)).first()
    assert (first.submitted_at.month, first.submitted_at.day, first.submitted_at.hour) == (1, 14, 14)


def test_qualtrics_matrix_rows_map_to_capabilities_by_name_including_shortened_question_texts(engine):
    fixture_plan(engine)
    make_wave(engine, "w", "qualtrics_matrix", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", (EXPORTS / "qualtrics_matrix_3header.csv").read_bytes())
    mapped = {m.column.split(":")[0]: m.question for m in report.mapping}
    assert mapped["Q2_1"] == "agreement[s1]" and mapped["Q4_3"] == "recoded[s3]"
    assert mapped["Q3_question_two"] == "tagged[s2]"
    assert any(u.startswith("Q5_question_one") for u in report.unmapped)
    assert answers_of(engine, "agreement")[:3] == [("s1", 3.0, None), ("s2", 4.0, None), ("s3", 4.0, None)]
    assert answers_of(engine, "recoded")[:3] == [("s1", 12.0, None), ("s2", 10.0, None), ("s3", 11.0, None)]
    assert report.without_team == 5


def test_surveymonkey_partial_rows_store_blanks_as_unanswered_and_count_them(engine):
    fixture_plan(engine)
    make_wave(engine, "w", "surveymonkey_steak", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", (EXPORTS / "surveymonkey_style_2header.csv").read_bytes())
    assert report.blanks["smoke"] == 1 and report.blanks["lottery"] == 1 and report.blanks["steak"] == 4
    assert "Household Income" in report.unmapped
    assert "RespondentID" in report.metadata
    with read_session(engine) as session:
        first = session.scalars(select(Response).order_by(Response.id)).first()
        assert first.external_id == "id:3237565956"
        assert [(a.question_key, a.value_text) for a in first.answers] == [("lottery", "Lottery B")]


def test_a_google_grid_maps_rows_to_capabilities_and_the_roster_email_gives_the_team(engine):
    build(engine, {"alpha": 2, "beta": 1})
    make_wave(engine)
    data = (
        b"Timestamp,Email Address,Rate your current proficiency [Negotiation],"
        b"Rate your current proficiency [Coaching],Rate your current proficiency [Spreadsheets],"
        b"How confident are you that you can use these capabilities in your daily work?\n"
        b"3/2/2027 9:05:01,alpha0@example.org,4 - Advanced,Basic,Not applicable,Very confident\n"
        b"3/2/2027 9:06:01,beta0@example.org,1,5,2,\n"
    )
    report = run_import(engine, "base", data, "responses.csv", options=imports.ImportOptions(date_order="monthfirst"))
    assert report.format == "google" and report.teams == {"Alpha Sales": 1, "Beta Service": 1}
    assert (report.time_column, report.date_order) == ("Timestamp", "monthfirst")
    assert report.blanks["confidence"] == 1 and report.blanks["comments"] == 2
    assert answers_of(engine, "proficiency") == [
        ("neg", 4.0, None),
        ("coach", 2.0, None),
        ("neg", 1.0, None),
        ("coach", 5.0, None),
        ("excel", 2.0, None),
    ]
    with read_session(engine) as session:
        persons = session.execute(select(Response.person_id, Team.key).join(Team).order_by(Response.id)).all()
    assert [t for _, t in persons] == ["alpha", "beta"] and all(p is not None for p, _ in persons)
    with read_session(engine) as session:
        assert session.scalars(select(Response.submitted_at).order_by(Response.id)).all() == [
            dt.datetime(2027, 3, 2, 9, 5, 1),
            dt.datetime(2027, 3, 2, 9, 6, 1),
        ]


def test_microsoft_forms_xlsx_imports_with_its_id_column_as_response_id(engine):
    build(engine, {"alpha": 2})
    make_wave(engine, "follow", "capability_followup", kind="followup", anonymity="anonymous")
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Rate your current proficiency.Negotiation",
            "proficiency[coaching]",
            "What got in the way of applying what you learned?",
            "attribution_pct",
            "Team",
        ]
    )
    sheet.append(
        [
            1,
            "2027-05-01 10:00:00",
            "2027-05-01 10:04:00",
            "alpha0@example.org",
            "A Zero",
            None,
            "Expert",
            3,
            "No time;No opportunity to use it",
            30,
            "Beta Service",
        ]
    )
    sheet.append(
        [2, "2027-05-02 10:00:00", "2027-05-02 10:04:00", "anonymous", None, None, None, "2", None, "45%", "alpha"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(engine, "follow", buffer.getvalue(), "export.xlsx")
    assert report.format == "msforms" and report.new == 2
    assert report.unmapped == []
    assert answers_of(engine, "proficiency") == [("neg", 5.0, None), ("coach", 3.0, None), ("coach", 2.0, None)]
    assert [t for _, _, t in answers_of(engine, "barriers")] == ["No time", "No opportunity to use it"]
    assert [n for _, n, _ in answers_of(engine, "attribution_pct")] == [30.0, 45.0]
    with read_session(engine) as session:
        rows = session.execute(select(Response.external_id, Response.person_id, Team.key).join(Team)).all()
    assert sorted(rows) == [("id:1", None, "beta"), ("id:2", None, "alpha")]  # anonymous: never a person


def test_native_csv_round_trips_through_the_export(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    native = (
        b"response_id,team,proficiency[neg],proficiency[Coaching],proficiency[excel],confidence,comments\n"
        b'a1,alpha,3,4,Not applicable,5,"=SUM(A1) said, ""hi"""\n'
        b"a2,Beta Service,Intermediate,,1,Moderately confident,\n"
    )
    run_import(engine, "base", native, format="native")
    with read_session(engine) as session:
        exported = imports.export_responses(session, wave_key="base", kind="csv")
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "response_id,submitted_at,team,source,email,name,proficiency[neg],proficiency[coach],proficiency[excel],"
        "confidence,comments"
    )
    assert lines[1].endswith(',alpha,import,,,3,4,,5,"\'=SUM(A1) said, ""hi"""')
    make_wave(engine, "copy")
    report = run_import(engine, "copy", exported)
    assert report.format == "native" and report.new == 2
    assert answers_of(engine, "comments")[-1] == (None, None, '=SUM(A1) said, "hi"')


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            b"response_id,proficiency[neg],confidence\nr1,3,4\nr2,7,4\n",
            "line 3, column 'proficiency[neg]'",
            "not on the scale",
        ),
        (
            b"response_id,proficiency[neg],confidence\nr1,3,4\nr2,3,Quite\n",
            "line 3, column 'confidence'",
            "not on the scale",
        ),
        (b"response_id,team,proficiency[neg]\nr1,alpha,3\nr2,nowhere,3\n", "line 3, column 'team'", "no team"),
        (b"response_id,confidence,comments\nr1,4,x\n", "line 1", "missing column for the required question"),
        (b"response_id,mood\nr1,4\n", "line 1", "no column matches"),
        (b"response_id,proficiency[neg]\nr1,3\nr2,4,5,6\n", "line 3", "cells but the header has 2 columns"),
        (b"response_id,proficiency[neg],comments\nr1,3,ok\nr2,3,Zo\x81\n", "line 3", "not text"),
        (b"response_id,proficiency[neg],proficiency[Negotiation]\nr1,3,4\n", "line 1", "both answer"),
    ],
)
def test_a_corrupted_file_is_refused_naming_line_and_column_and_nothing_changes(engine, data, where, message):
    build(engine, {"alpha": 1})
    make_wave(engine)
    run_import(engine, "base", b"response_id,proficiency[neg]\nfirst,2\n")
    with pytest.raises(Invalid) as caught:
        run_import(engine, "base", data)
    assert caught.value.problems[0][0] == where
    assert message in caught.value.problems[0][1] or message in str(caught.value)
    assert stored(engine) == (1, 1)


def test_a_quoted_cell_spanning_lines_is_named_by_its_row_and_its_line(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    data = b'response_id,proficiency[neg],comments\nr1,3,"two\nlines"\nr2,9,x\n'
    with pytest.raises(Invalid) as caught:
        run_import(engine, "base", data)
    assert caught.value.problems[0][0] == "row 3 (line 4), column 'proficiency[neg]'"


def test_an_unknown_wave_or_format_is_refused(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    with pytest.raises(Invalid, match="Unknown format"):
        run_import(engine, "base", b"a\n1\n", format="excel97")
    with pytest.raises(Exception, match="No survey wave"):
        run_import(engine, "nope", b"a\n1\n")


def test_roster_and_teams_are_not_touched_by_an_import(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    with read_session(engine) as session:
        before = roster.roster_size(session)
    run_import(engine, "base", b"email,proficiency[neg]\nstranger@example.org,3\n")
    with read_session(engine) as session:
        assert roster.roster_size(session) == before
        assert session.scalars(select(Response)).one().team_id is None
