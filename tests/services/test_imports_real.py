"""Imports as people meet them: our own export re-imports exactly (CSV and XLSX, every question type, formulas still
neutralised for Excel), and real exports of other tools, kept unchanged under tests/fixtures/external/exports/."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ldcore.cli import main
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Person, Response
from ldcore.services import imports
from tests.services.test_imports import EXPORTS, answers_of, run_import, stored
from tests.support.surveys import TEST_SURVEYS, build, make_wave

EVERY_TYPE = (
    b"response_id,team,proficiency[neg],proficiency[coach],applied[neg],mood,band,picks,delta,share,nps,comments\n"
    b'a1,alpha,3,Not applicable,Often,-2,-19,"-19; =x",-3.5,12.5,0,"- it has bread, and =SUM(A1)"\n'
    b"a2,beta,5,1,1,Meh,''-50,plain,-7,100,10,'=was quoted\n"
    b"a3,alpha,,,,0,+20,,,,,@mention\n"
    b"a4,beta,1,,,,=30,-19,0,0,,\t\n"
)
QUESTIONS = ("proficiency", "applied", "mood", "band", "picks", "delta", "share", "nps", "comments")


def cells(content: bytes, kind: str) -> list:
    if kind == "csv":
        return [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    return [c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row]


def answers(engine) -> dict[str, list[tuple]]:
    return {q: answers_of(engine, q) for q in QUESTIONS}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_re_imports_exactly_for_every_question_type(engine, kind):
    build(engine, {"alpha": 1})
    make_wave(engine, "source", "every_type", surveys_dir=TEST_SURVEYS)
    run_import(engine, "source", EVERY_TYPE)
    before = answers(engine)
    assert [t for _, _, t in before["band"]] == ["-19", "'-50", "+20", "=30"]
    assert [t for _, _, t in before["comments"]] == ["- it has bread, and =SUM(A1)", "=was quoted", "@mention"]
    with read_session(engine) as session:
        exported = imports.export_responses(session, wave_key="source", kind=kind)
    assert "'-19" in cells(exported, kind)  # still neutralised for whoever opens it in Excel
    make_wave(engine, "copy", "every_type", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "copy", exported, filename=f"export.{kind}")
    assert report.new == 4
    after = answers(engine)
    for q in QUESTIONS:
        assert after[q] == before[q] * 2, q


GRID = "Rate your current proficiency"


def google(rows: list[str], header: str = f"Timestamp,team,{GRID} [Negotiation]") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def times_of(engine) -> list:
    with read_session(engine) as session:
        return session.scalars(select(Response.submitted_at).order_by(Response.id)).all()


def test_a_column_of_day_first_dates_is_read_day_first_and_google_native_times_with_their_zone(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    data = google(["03/04/2025 10:09:22,alpha,3", "24/04/2025 10:09:22,alpha,4"])
    report = run_import(engine, "base", data)
    assert (report.time_column, report.date_order) == ("Timestamp", "dayfirst")
    run_import(engine, "base", google(["2026/03/03 11:34:20 pm CET,alpha,2"]))
    assert times_of(engine) == [
        dt.datetime(2025, 4, 3, 10, 9, 22),
        dt.datetime(2025, 4, 24, 10, 9, 22),
        dt.datetime(2026, 3, 3, 22, 34, 20),
    ]


def test_an_ambiguous_date_column_is_previewed_then_refused_until_the_order_is_given(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    data = google(["9/1/2024 11:27,alpha,3", "9/2/2024 11:27,alpha,4"])
    with read_session(engine) as session:
        preview = imports.preview_import(session, wave_key="base", data=data)
    assert (preview.date_order, preview.date_example, preview.new) == ("ambiguous", "9/1/2024 11:27", 2)
    with pytest.raises(Invalid, match="--dayfirst or --monthfirst"):
        run_import(engine, "base", data)
    assert stored(engine) == (0, 0)
    run_import(engine, "base", data, options=imports.ImportOptions(date_order="monthfirst"))
    assert times_of(engine) == [dt.datetime(2024, 9, 1, 11, 27), dt.datetime(2024, 9, 2, 11, 27)]


def test_a_timestamp_that_is_no_time_refuses_the_file_instead_of_becoming_the_import_time(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    with pytest.raises(Invalid) as caught:
        run_import(engine, "base", google(["2025-04-24 10:00,alpha,3", "last Tuesday,alpha,4"]))
    assert caught.value.problems[0] == ("line 3, column 'Timestamp'", "'last Tuesday' is not a date and time "
                                        "(e.g. 2025-04-24 10:09, 24/04/2025 10:09 or 4/24/2025 10:09 AM)")  # fmt: skip
    assert stored(engine) == (0, 0)


MS_FORMS_CSV = (
    "ID,Start time,Completion time,Email,Name,Last modified time,"
    f"{GRID}.Negotiation,{GRID} - Coaching,How confident are you that you can use these capabilities in your daily"
    " work?\n"
    "1,9/1/2024 11:20,9/1/2024 11:27,alpha0@example.org,A,,4,Basic,Very confident\n"
    "2,9/13/2024 11:20,9/13/2024 11:27,anonymous,,,2,,\n"
)


def test_a_microsoft_forms_csv_is_detected_and_its_grid_headers_map_to_capabilities(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    report = run_import(engine, "base", MS_FORMS_CSV.encode())
    assert (report.format, report.new, report.unmapped, report.date_order) == ("msforms", 2, [], "monthfirst")
    assert answers_of(engine, "proficiency") == [("neg", 4.0, None), ("coach", 2.0, None), ("neg", 2.0, None)]
    assert times_of(engine) == [dt.datetime(2024, 9, 1, 11, 27), dt.datetime(2024, 9, 13, 11, 27)]


def test_a_file_that_rates_nothing_is_refused_naming_the_columns_that_match_no_question(engine):
    build(engine, {"alpha": 1})
    make_wave(engine, "follow", "capability_followup", kind="followup")
    data = (
        b"ID,Start time,Completion time,Rate us.Negotiation,Department,Anything else you want us to know?\n1,,,4,x,ok\n"
    )
    with pytest.raises(Invalid) as caught:
        run_import(engine, "follow", data)
    assert "no column matches a rating question" in str(caught.value)
    assert "Columns that match no question: Rate us.Negotiation; Department." in str(caught.value)
    assert stored(engine) == (0, 0)


LEGACY = EXPORTS / "qualtrics_legacy_2header.csv"


def test_legacy_qualtrics_is_detected_and_its_email_address_gives_the_person(engine):
    build(engine, {"alpha": 1})
    make_wave(engine, "q", "qualtrics_sample", surveys_dir=TEST_SURVEYS, anonymity="identified")
    data = LEGACY.read_bytes().replace(b",,,130.92.34.66", b",,alpha0@example.org,130.92.34.66")
    report = run_import(engine, "q", data, "legacy.csv")
    assert (report.format, report.new, report.teams) == ("qualtrics", 1, {"Alpha Sales": 1})
    assert [t for _, _, t in answers_of(engine, "q1")] == ["Second"]
    with read_session(engine) as session:
        (person,) = session.scalars(select(Person.email).join(Response, Response.person_id == Person.id)).all()
    assert person == "alpha0@example.org"


QUALTRICS_TWIN_MATRICES = (
    "StartDate,EndDate,Finished,ResponseId,Q3_1,Q3_2,Q4_1,Q4_2\n"
    f"Start Date,End Date,Finished,Response ID,{GRID} - Negotiation,{GRID} - Coaching,"
    f"{GRID} - Negotiation,{GRID} - Coaching\n"
    '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"finished"},{"ImportId":"_recordId"},'
    '{"ImportId":"QID3_1"},{"ImportId":"QID3_2"},{"ImportId":"QID4_1"},{"ImportId":"QID4_2"}\n'
    "2025-01-01 10:00:00,2025-01-01 10:05:00,1,R_1,4,3,1,2\n"
    "2025-01-01 11:00:00,2025-01-01 11:05:00,0,R_2,2,-99,1,\n"
)


def test_qualtrics_matrices_with_the_same_text_map_by_export_tag_on_the_command_line(engine, db_url, tmp_path, capsys):
    build(engine, {"alpha": 1})
    make_wave(engine, "follow", "capability_followup", kind="followup")
    (tmp_path / "q.csv").write_text(QUALTRICS_TWIN_MATRICES)
    run = lambda *args: main(["--database", db_url, "responses", "import", str(tmp_path / "q.csv"),  # noqa: E731
                              "--wave", "follow", *args])  # fmt: skip
    assert run() == 2
    assert "both answer proficiency[neg]" in capsys.readouterr().err
    assert run("--column", "Q4_1=applied[neg]", "--column", "Q4_2=applied[coach]", "--dry-run") == 0
    assert "1 unfinished responses skipped (--include-unfinished to import them)" in capsys.readouterr().out
    assert run("--column", "Q4_1=applied[neg]", "--column", "Q4_2=applied[coach]", "--include-unfinished") == 2
    assert "'-99' is not on the scale" in capsys.readouterr().err
    assert stored(engine) == (0, 0)
    args = ("--column", "Q4_1=applied[neg]", "--column", "Q4_2=", "--include-unfinished", "--no-answer", "-99")
    assert run(*args) == 0
    assert "1 unfinished responses imported" in capsys.readouterr().out
    assert answers_of(engine, "proficiency") == [("neg", 4.0, None), ("coach", 3.0, None), ("neg", 2.0, None)]
    assert answers_of(engine, "applied") == [("neg", 1.0, None), ("neg", 1.0, None)]
    assert run("--column", "Q9_9=applied[neg]") == 2
    assert "no column Q9_9 in the file" in capsys.readouterr().err


def test_values_on_no_scale_are_listed_with_counts_and_stored_as_no_answer_only_when_chosen(engine):
    build(engine, {"alpha": 1})
    make_wave(engine)
    data = google(["2025-01-01,alpha,Unfamiliar (N/A)", "2025-01-02,alpha,Unfamiliar (N/A)", "2025-01-03,alpha,0",
                   "2025-01-04,alpha,3"])  # fmt: skip
    with read_session(engine) as session:
        preview = imports.preview_import(session, wave_key="base", data=data)
    assert [(u.column, u.value, u.rows) for u in preview.unknown] == [
        (f"{GRID} [Negotiation]", "Unfamiliar (N/A)", 2),
        (f"{GRID} [Negotiation]", "0", 1),
    ]
    with pytest.raises(Invalid) as caught:
        run_import(engine, "base", data)
    assert caught.value.problems[0][0] == f"line 2, column '{GRID} [Negotiation]'"
    assert "(2 rows; treat such values as no answer" in caught.value.problems[0][1]
    report = run_import(engine, "base", data, options=imports.ImportOptions(unknown="no_answer"))
    assert (report.new, report.empty_rows) == (1, 3)
    assert answers_of(engine, "proficiency") == [("neg", 3.0, None)]


def test_a_survey_can_declare_the_codes_that_mean_no_answer(engine, tmp_path):
    build(engine, {"alpha": 1})
    text = (TEST_SURVEYS.parent.parent.parent / "surveys" / "capability_baseline.yaml").read_text()
    (tmp_path / "coded.yaml").write_text('no_answer: ["Unfamiliar (N/A)", 0]\n' + text)
    make_wave(engine, "coded", "coded", surveys_dir=tmp_path)
    data = google(["2025-01-01,alpha,Unfamiliar (N/A)", "2025-01-03,alpha,0", "2025-01-04,alpha,3"])
    report = run_import(engine, "coded", data)
    assert (report.new, report.unknown) == (3, [])  # answered "not applicable", like the form's own N/A
    assert answers_of(engine, "proficiency") == [("neg", 3.0, None)]


def test_a_capability_named_by_a_long_grid_row_is_stored_and_mapped(engine):
    from ldcore.schemas import PlanDocument
    from ldcore.services import plans

    long_name = " and ".join(["Explains the budget to the board"] * 13)  # 476 characters; real grid rows pass 200
    with unit_of_work(engine) as session:
        plans.import_plan(
            session,
            document=PlanDocument.model_validate(
                {
                    "plan": {"key": "p1", "name": "Long", "starts": "2027-01-01", "ends": "2027-12-31"},
                    "capabilities": [{"key": "budget", "name": long_name}],
                    "teams": [{"key": "alpha", "name": "Alpha"}],
                }
            ),
        )
    make_wave(engine)
    report = run_import(engine, "base", google(["2025-01-01,alpha,4"], f'Timestamp,team,"{GRID} [{long_name}]"'))
    assert report.new == 1
    assert answers_of(engine, "proficiency") == [("budget", 4.0, None)]


CHARACTERS = {"han": "Han Solo", "luke": "Luke Skywalker", "lando": "Lando Calrissian", "jarjar": "Jar Jar Binks"}


def outside_plan(engine) -> None:
    """Capabilities named like the grid rows of the outside exports (Qualtrics statements, Star Wars characters)."""
    from ldcore.schemas import PlanDocument
    from ldcore.services import plans

    caps = [{"key": f"s{i}", "name": f"Click to write Statement {i}"} for i in (1, 2, 3)]
    caps += [{"key": key, "name": name} for key, name in CHARACTERS.items()]
    with unit_of_work(engine) as session:
        plans.import_plan(
            session,
            document=PlanDocument.model_validate(
                {
                    "plan": {"key": "p1", "name": "Outside", "starts": "2027-01-01", "ends": "2027-12-31"},
                    "capabilities": caps,
                    "teams": [{"key": "alpha", "name": "Alpha"}],
                }
            ),
        )


# file, survey, detected format, rows; each a real export (or a documented re-encoding of one), see the README there
OUTSIDE = [
    ("google_forms_hotdog.csv", "google_hotdog", "google", 20),
    ("google_forms_cs50_tv_shows.csv", "google_cs50_tv", "google", 40),
    ("qualtrics_sample_3header.csv", "qualtrics_sample", "qualtrics", 1),
    ("qualtrics_matrix_3header.csv", "qualtrics_matrix", "qualtrics", 5),
    ("qualtrics_legacy_2header.csv", "qualtrics_sample", "qualtrics", 1),
    ("surveymonkey_style_2header.csv", "surveymonkey_steak", "surveymonkey", 23),
    ("surveymonkey_starwars_cp1252.csv", "surveymonkey_starwars", "surveymonkey", 30),
    ("google_forms_hotdog_semicolon_derived.csv", "google_hotdog", "google", 20),
    ("qualtrics_matrix_utf16_derived.csv", "qualtrics_matrix", "qualtrics", 5),
    ("msforms_phones.xlsx", "msforms_phones", "msforms", 28),
    ("msforms_phones_excel_utf8.csv", "msforms_phones", "msforms", 55),
    ("qualtrics_ospo_utf16.tsv", "qualtrics_ospo", "qualtrics", 15),
    ("surveyxact_semicolon_cp1252.csv", "surveyxact_programme", "native", 44),
    ("surveyxact_tab_utf16.csv", "surveyxact_programme", "native", 44),
]
# rows that answer none of the survey's questions (respondents who left after the first page)
EMPTY_ROWS = {"surveyxact_semicolon_cp1252.csv": 12, "surveyxact_tab_utf16.csv": 12}
# Microsoft Forms lets a respondent type an "Other" factor; those cells hold no option of the survey
OPTIONS_FOR = {"msforms_phones": imports.ImportOptions(unknown="no_answer")}


@pytest.mark.parametrize(("file", "survey", "fmt", "rows"), OUTSIDE)
def test_every_outside_export_imports_then_re_exports_and_re_imports_identically(engine, file, survey, fmt, rows):
    outside_plan(engine)
    make_wave(engine, "w", survey, surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", (EXPORTS / file).read_bytes(), file, options=OPTIONS_FOR.get(survey))
    empty = EMPTY_ROWS.get(file, 0)
    assert (report.format, report.rows, report.new, report.empty_rows) == (fmt, rows, rows - empty, empty)
    questions = [q for q in ("year", "sandwich", "q1", "q2", "agreement", "recoded", "tagged", "lottery", "steak",
                             "smoke", "seen", "fan", "view", "shot_first", "title", "genres", "brand", "satisfied",
                             "factors", "hours", "wish_price", "importance_opensrc_1", "importance_opensrc_2",
                             "challenges_1", "campus", "job_category", "s_2", "m_1", "hm_1", "fp_01",
                             "a_p")]  # fmt: skip
    before = {q: answers_of(engine, q) for q in questions}
    assert sum(map(len, before.values())) > 0
    for n, kind in enumerate(("csv", "xlsx")):
        with read_session(engine) as session:
            exported = imports.export_responses(session, wave_key="w", kind=kind)
        make_wave(engine, f"copy{n}", survey, surveys_dir=TEST_SURVEYS)
        again = run_import(engine, f"copy{n}", exported, f"w.{kind}")
        assert (again.format, again.new, again.empty_rows) == ("native", report.new, 0)
    after = {q: answers_of(engine, q) for q in questions}
    assert after == {q: before[q] * 3 for q in questions}


def test_the_star_wars_export_in_windows_1252_imports_every_answer_and_unfamiliar_as_no_answer(engine):
    raw = (EXPORTS / "surveymonkey_starwars_cp1252.csv").read_bytes()
    table = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline="")))
    outside_plan(engine)
    make_wave(engine, "w", "surveymonkey_starwars", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", raw, "StarWars.csv")
    assert (report.format, report.new, report.unknown) == ("surveymonkey", 30, [])
    scale = {"Very unfavorably": 1, "Somewhat unfavorably": 2, "Neither favorably nor unfavorably (neutral)": 3,
             "Somewhat favorably": 4, "Very favorably": 5}  # fmt: skip
    columns = {table[1].index(name): key for key, name in CHARACTERS.items()}
    expected = [
        (key, float(scale[row[i]]), None) for row in table[2:] for i, key in sorted(columns.items()) if row[i] in scale
    ]
    assert answers_of(engine, "view") == expected
    assert sum(row[i] == "Unfamiliar (N/A)" for row in table[2:] for i in columns) == 6  # stored as no answer
    assert [t for _, _, t in answers_of(engine, "shot_first")] == [row[29] for row in table[2:] if row[29]]


def test_a_google_sheets_xlsx_is_read_as_google_with_its_date_cells(engine):
    from openpyxl import Workbook

    build(engine, {"alpha": 1})
    make_wave(engine)
    book = Workbook()
    book.active.append(["Timestamp", "team", f"{GRID} [Negotiation]"])
    book.active.append([dt.datetime(2025, 4, 24, 10, 9, 22), "alpha", "4 - Advanced"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(engine, "base", buffer.getvalue(), "Form Responses 1.xlsx")
    assert (report.format, report.new) == ("google", 1)
    assert times_of(engine) == [dt.datetime(2025, 4, 24, 10, 9, 22)]


def test_google_forms_checkbox_answers_come_back_as_the_options_ticked(engine):
    raw = (EXPORTS / "google_forms_cs50_tv_shows.csv").read_bytes()
    table = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    outside_plan(engine)
    make_wave(engine, "w", "google_cs50_tv", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", raw, "favorites.csv")
    assert (report.format, report.new, report.date_order, report.unknown) == ("google", 40, "monthfirst", [])
    assert [t for _, _, t in answers_of(engine, "title")] == [row[1].strip() for row in table[1:]]
    expected = [
        g.strip() for row in table[1:] for g in sorted(row[2].split(","), key=lambda g: OPTIONS.index(g.strip()))
    ]
    assert [t for _, _, t in answers_of(engine, "genres")] == expected
    assert times_of(engine)[:2] == [dt.datetime(2019, 10, 28, 15, 3, 45)] * 2


OPTIONS = ["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
           "Game-Show", "History", "Horror", "News", "Reality-TV", "Sci-Fi", "Short", "Sports", "Thriller",
           "War"]  # fmt: skip


PHONE_FACTORS = ["Pricing", "Operating system", "Brand", "Screen size", "Screen resolution", "Screen refresh rate",
                 "Storage", "Memory", "Battery", "Publicity"]  # fmt: skip
SATISFIED = {"Very dissatisfied": 1.0, "Neither satisfied nor dissatisfied": 3.0, "Somewhat satisfied": 4.0,
             "Very satisfied": 5.0}  # fmt: skip


def phone_rows(raw: bytes, kind: str) -> list[list[str]]:
    if kind == "csv":
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))[1:]
    return [["" if v is None else str(v) for v in row] for row in load_workbook(io.BytesIO(raw)).active.iter_rows(
        min_row=2, values_only=True)]  # fmt: skip


@pytest.mark.parametrize(("file", "kind", "rows"), [("msforms_phones.xlsx", "xlsx", 28),
                                                    ("msforms_phones_excel_utf8.csv", "csv", 55)])  # fmt: skip
def test_a_microsoft_forms_export_gives_every_answer_its_times_and_lists_the_other_answers(engine, file, kind, rows):
    raw = (EXPORTS / file).read_bytes()
    table = phone_rows(raw, kind)
    build(engine, {"alpha": 1})
    make_wave(engine, "w", "msforms_phones", surveys_dir=TEST_SURVEYS)
    with read_session(engine) as session:
        preview = imports.preview_import(session, wave_key="w", data=raw, filename=file)
    factors = "What factors are important to you whilst purchasing your phone?"
    others = {u.value: u.rows for u in preview.unknown}
    assert {u.column for u in preview.unknown} == {factors}
    assert others["Pricing;That it not be a cellphone ;"] == 1  # the respondent's own "Other" text
    assert (preview.format, preview.rows, preview.unmapped, preview.metadata) == (
        "msforms", rows, [], ["ID", "Start time", "Completion time", "Email", "Name"])  # fmt: skip
    assert (preview.time_column, preview.date_order) == ("Completion time", "monthfirst" if kind == "csv" else None)
    report = run_import(engine, "w", raw, file, options=imports.ImportOptions(unknown="no_answer"))
    assert (report.new, report.empty_rows, report.without_team) == (rows, 0, rows)
    assert [t for _, _, t in answers_of(engine, "brand")] == [r[5].strip() for r in table if r[5].strip()]
    assert [n for _, n, _ in answers_of(engine, "satisfied")] == [SATISFIED[r[8]] for r in table]
    assert [t for _, _, t in answers_of(engine, "hours")] == [r[13] for r in table]
    ticked = [[p.strip() for p in r[12].split(";") if p.strip()] for r in table]
    expected = [sorted(t, key=PHONE_FACTORS.index) for t in ticked if set(t) <= set(PHONE_FACTORS)]
    stored_factors = [t for _, _, t in answers_of(engine, "factors")]
    assert stored_factors == [f for t in expected for f in t]
    assert len(expected) == rows - sum(others.values())
    assert times_of(engine)[:2] == [dt.datetime(2021, 4, 28, 11, 22, 58), dt.datetime(2021, 4, 28, 11, 35, 58)]
    # checked by hand against the file: the first seven answers, and response 7 ticking all ten factors, one of
    # them written "Publicity" followed by a line break inside the cell
    assert [n for _, n, _ in answers_of(engine, "satisfied")][:7] == [5.0, 4.0, 5.0, 4.0, 5.0, 5.0, 1.0]
    assert stored_factors[:4] == ["Pricing", "Operating system", "Brand", "Screen size"]
    assert expected[6] == PHONE_FACTORS


PROGRAMMES = ["Idrettsfag", "Kunst, design og arkitektur", "Medier og kommunikasjon", "Musikk, dans og drama",
              "Studiespesialisering", "Annet, spesifiser:"]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "encoding", "delimiter", "read_as"),
    [("surveyxact_semicolon_cp1252.csv", "cp1252", ";", "Windows-1252, semicolon-separated"),
     ("surveyxact_tab_utf16.csv", "utf-16", "\t", "UTF-16 LE, tab-separated")],
)  # fmt: skip
def test_a_surveyxact_export_gives_every_coded_answer_whatever_its_delimiter_and_encoding(
    engine, file, encoding, delimiter, read_as
):
    raw = (EXPORTS / file).read_bytes()
    table = list(csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=delimiter))
    header, rows = table[0], table[1:]
    build(engine, {"alpha": 1})
    make_wave(engine, "w", "surveyxact_programme", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", raw, file)
    assert (report.format, report.read_as, report.new, report.empty_rows) == ("native", f"Read as {read_as}", 32, 12)
    assert (len(header), len(report.unmapped), report.unknown, report.metadata) == (242, 237, [], [])
    column = {key: header.index(key) for key in ("s_2", "m_1", "hm_1", "fp_01", "a_p")}
    codes = {key: [r[i] for r in rows if r[i]] for key, i in column.items()}
    assert [t for _, _, t in answers_of(engine, "s_2")] == [PROGRAMMES[int(c) - 1] for c in codes["s_2"]]
    assert [t for _, _, t in answers_of(engine, "m_1")] == [f"Matematikk 1{'TP'[int(c) - 1]}" for c in codes["m_1"]]
    for likert in ("hm_1", "fp_01"):
        assert [n for _, n, _ in answers_of(engine, likert)] == [float(c) for c in codes[likert]]
    # checked by hand against the file: the first respondents' codes, and the free texts with the Windows-1252 ø
    # (byte F8 in the semicolon file) that is "ø" in the UTF-16 one too
    assert codes["hm_1"][:5] == ["4", "1", "3", "2", "2"]
    assert [n for _, n, _ in answers_of(engine, "hm_1")][:5] == [4.0, 1.0, 3.0, 2.0, 2.0]
    assert [t for _, _, t in answers_of(engine, "s_2")].count("Idrettsfag") == 4
    assert [t for _, _, t in answers_of(engine, "a_p")] == ["Psykologi og tysk", "Breddeidrett", "entreprenørskap"]


IMPORTANCE = ["Not at all important", "Slightly important", "Moderately important", "Important", "Very important"]


def test_a_qualtrics_data_table_in_utf16_with_tabs_imports_with_its_ids_times_and_no_answer_codes(engine):
    raw = (EXPORTS / "qualtrics_ospo_utf16.tsv").read_bytes()
    assert raw[:2] == b"\xff\xfe"  # as Qualtrics wrote it: UTF-16 LE with a BOM
    table = list(csv.reader(io.StringIO(raw.decode("utf-16"), newline=""), delimiter="\t"))
    header, rows = table[0], table[3:]
    build(engine, {"alpha": 1})
    make_wave(engine, "w", "qualtrics_ospo", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "w", raw, "raw_survey_data.tsv")
    assert (report.format, report.read_as, report.new, report.unknown) == (
        "qualtrics", "Read as UTF-16 LE, tab-separated", 15, [])  # fmt: skip
    assert report.time_column.startswith("EndDate")
    with read_session(engine) as session:
        ids = session.scalars(select(Response.external_id).order_by(Response.id)).all()
    assert ids == [f"id:{r[header.index('ResponseId')]}" for r in rows]
    assert ids[:2] == ["id:R_9sfx8LSbunSMMYK", "id:R_cuN7t082g3R4yh0"]
    for key in ("importance_opensrc_1", "importance_opensrc_2"):
        cells = [r[header.index(key)] for r in rows]
        expected = [float(IMPORTANCE.index(c) + 1) for c in cells if c in IMPORTANCE]
        assert [n for _, n, _ in answers_of(engine, key)] == expected
    teaching = [r[header.index("importance_opensrc_2")] for r in rows]
    assert teaching.count("Non-applicable") == 3  # stored as no answer
    assert len(answers_of(engine, "importance_opensrc_2")) == 12
    campus = [t for _, _, t in answers_of(engine, "campus")]
    assert campus == [r[header.index("campus")] for r in rows if r[header.index("campus")]]
    assert campus[:3] == ["UC Santa Cruz", "UC San Francisco", "UC Santa Barbara"]
    assert [t for _, _, t in answers_of(engine, "job_category")][5] == (
        "Other research staff (e.g., research scientist, research software engineer)")  # fmt: skip
    assert times_of(engine)[0] == dt.datetime(2025, 2, 27, 16, 20, 18)
    assert times_of(engine)[-1] == dt.datetime(2025, 2, 27, 16, 20, 21)
