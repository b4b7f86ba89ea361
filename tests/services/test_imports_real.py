"""Imports as people meet them: our own export re-imports exactly (CSV and XLSX, every question type, formulas still
neutralised for Excel), and real exports of other tools, kept unchanged under tests/fixtures/external/exports/."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from ldcore.db import read_session
from tests.services.survey_support import TEST_SURVEYS, build, make_wave
from tests.services.test_imports import answers_of, run_import

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
        from ldcore.services import imports

        exported = imports.export_responses(session, wave_key="source", kind=kind)
    assert "'-19" in cells(exported, kind)  # still neutralised for whoever opens it in Excel
    make_wave(engine, "copy", "every_type", surveys_dir=TEST_SURVEYS)
    report = run_import(engine, "copy", exported, filename=f"export.{kind}")
    assert report.new == 4
    after = answers(engine)
    for q in QUESTIONS:
        assert after[q] == before[q] * 2, q
