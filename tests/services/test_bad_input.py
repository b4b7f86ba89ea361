"""Bad input at every door, on SQLite and Postgres: NUL characters, absurd numbers, merged rows, repeated headers
and keys, over-long ids and crafted files are refused with one plain sentence naming where, and nothing is
stored; files in the encodings and delimiters people's tools write are read and say how."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Answer, KpiObservation, Person, Plan, Response
from ldcore.services import accounts, imports, kpis, plans, responses, roster, surveys
from tests.support.surveys import BASE, build, invite, make_wave, plan_document, token_of

PLAN_YAML = """\
plan: {key: fy28, name: "FY28", starts: 2028-01-01, ends: 2028-12-31}
objectives:
  - key: rev
    title: Revenue
    category: revenue_growth
    priority: 5
    kpis:
      - {key: win, name: Win rate, direction: up, baseline: {value: 20, date: 2028-01-01},
         target: {value: 25, date: 2028-12-31}}
teams:
  - {key: sales, name: Sales}
initiatives:
  - {key: academy, name: Academy, costs: {delivery: 1000}}
"""


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def with_kpi(engine) -> None:
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plans.parse_plan_yaml(PLAN_YAML))


def with_wave(engine) -> None:
    build(engine, {"alpha": 2})
    make_wave(engine)


def import_responses(engine, data: bytes) -> imports.ImportReport:
    with unit_of_work(engine) as session:
        return imports.import_responses(session, wave_key="base", data=data, filename="file.csv")


# --- NUL characters ------------------------------------------------------------------------------------------


def test_a_nul_in_a_respondents_text_answer_is_refused_next_to_the_question_and_nothing_is_stored(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    link = invite(engine, "base")[0]
    answers = {"proficiency": {"neg": 3, "coach": 2, "excel": 1}, "comments": "fine\x00"}
    with pytest.raises(Invalid) as caught, unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(link), answers=answers)
    assert caught.value.problems == [("comments", "contains a NUL character (\\0), which cannot be stored; remove it")]
    assert count(engine, Response) == 0
    with unit_of_work(engine) as session:
        answers["comments"] = "fine"
        responses.submit_response(session, token=token_of(link), answers=answers)
    assert count(engine, Response) == 1


def test_a_nul_in_an_open_link_browser_id_is_refused_plainly(engine):
    build(engine, {"alpha": 6})
    make_wave(engine)
    with unit_of_work(engine) as session:
        token = token_of(surveys.create_open_link(session, wave_key="base", base_url=BASE))
    answers = {"proficiency": {"neg": 3, "coach": 2, "excel": 1}}
    with pytest.raises(Invalid, match="This browser could not be recognised"), unit_of_work(engine) as session:
        responses.submit_response(session, open_token=token, answers=answers, team_key="alpha", client_id="b\x00")
    assert count(engine, Response) == 0


def test_a_nul_in_a_sign_in_email_is_a_failed_sign_in_not_a_database_error(engine):
    with unit_of_work(engine) as session:
        accounts.create_account(session, email="ed@example.org", role="editor", password="a-long-password-1")
    with unit_of_work(engine) as session:
        refused = accounts.sign_in(session, email="ed@example.org\x00", password="a-long-password-1")
        assert (refused.account, refused.message) == (None, accounts.WRONG)
        assert accounts.sign_in(session, email="ed@example.org", password="a-long-password-1").account is not None


def test_a_nul_in_a_kpi_file_or_a_typed_note_is_refused_naming_where(engine):
    with_kpi(engine)
    data = b"kpi,date,value,note\nwin,2028-02-01,21,ok\nwin,2028-03-01,22,bad\x00note\n"
    with pytest.raises(Invalid, match=r"^line 3: the file contains a NUL character"), read_session(engine) as session:
        kpis.preview_kpi_csv(session, plan_key="fy28", data=data)
    with pytest.raises(Invalid, match=r"note: contains a NUL character"), unit_of_work(engine) as session:
        kpis.record_observation(
            session, plan_key="fy28", kpi="win", date=dt.date(2028, 2, 1), value=21, note="x\x00", actor="t"
        )
    assert count(engine, KpiObservation) == 0


def test_a_nul_in_a_roster_is_refused_naming_its_line(engine):
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
    data = b"email,name,team\na@example.org,Ana,alpha\nb@example.org,B\x00b,alpha\n"
    with pytest.raises(Invalid, match=r"^line 3: the roster contains a NUL character"), unit_of_work(engine) as s:
        roster.import_roster(s, data=data)
    assert count(engine, Person) == 0


def test_a_nul_in_an_imported_answer_is_refused_naming_its_line(engine):
    with_wave(engine)
    with pytest.raises(Invalid, match=r"^line 3: the file contains a NUL character"):
        import_responses(engine, b"response_id,proficiency[neg],comments\nr1,3,ok\nr2,4,b\x00d\n")
    assert count(engine, Response) == 0


def test_a_nul_in_a_plan_file_is_refused_naming_the_field(engine):
    escaped = PLAN_YAML.replace('name: "FY28"', 'name: "FY\\0 28"')
    with pytest.raises(Invalid) as caught:
        plans.parse_plan_yaml(escaped, source="plan.yaml")
    assert str(caught.value) == (
        "Invalid plan.yaml: plan.name: contains a NUL character (\\0), which cannot be stored; remove it"
    )
    with pytest.raises(Invalid, match=r"^plan.yaml: not valid YAML \(line 1\): the character #x0000"):
        plans.parse_plan_yaml(PLAN_YAML.replace("FY28", "FY\x0028"), source="plan.yaml")
    assert count(engine, Plan) == 0


# --- numbers, repetition and ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("delivery: 1000", "delivery: 1e308", "initiatives.0.costs.delivery: must be 0 or between 0.01 and"),
        ("delivery: 1000", "delivery: .inf", "initiatives.0.costs.delivery: Input should be a finite number"),
        ("value: 20,", "value: -1e300,", "objectives.0.kpis.0.baseline.value: must be between"),
        (
            "  - {key: sales, name: Sales}",
            "  - {key: sales, name: Sales, name: Ops}",
            "the key 'name' is written twice",
        ),
    ],
)
def test_absurd_numbers_and_repeated_keys_in_a_plan_are_refused_before_anything_is_stored(engine, old, new, message):
    with pytest.raises(Invalid, match=message.replace(".", r"\.")):
        plans.parse_plan_yaml(PLAN_YAML.replace(old, new), source="plan.yaml")
    assert count(engine, Plan) == 0


def test_a_roster_naming_a_column_twice_is_refused_instead_of_the_last_one_winning(engine):
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
    data = "email,name,team,team\na@example.org,Ana,alpha,beta\n"
    with pytest.raises(Invalid, match=r"^line 1: the roster names the column 'team' twice"), unit_of_work(engine) as s:
        roster.import_roster(s, data=data)
    assert count(engine, Person) == 0


def test_an_unterminated_quote_is_refused_instead_of_merging_the_rows_after_it(engine):
    with_wave(engine)
    data = b'response_id,proficiency[neg],comments\nr1,3,"open\nr2,4,second\nr3,5,third\n'
    with pytest.raises(Invalid, match=r"^line 2: a quoted cell starting here is never closed"):
        import_responses(engine, data)
    assert count(engine, Response) == 0


def test_response_ids_longer_than_stored_are_refused_instead_of_cut_into_collisions(engine):
    with_wave(engine)
    long_id = "x" * 130
    data = f"response_id,proficiency[neg]\n{long_id}1,3\n{long_id}2,4\n".encode()
    with pytest.raises(Invalid, match=r"^line 2, column 'response_id': a response id longer than 124 characters"):
        import_responses(engine, data)
    assert count(engine, Response) == 0


# --- what people's tools write -------------------------------------------------------------------------------


def test_a_windows_1252_semicolon_export_imports_and_the_preview_says_how_it_was_read(engine):
    with_wave(engine)
    data = "response_id;team;proficiency[neg];comments\nr1;alpha;3;très utile, merci\nr2;alpha;4;coût 12 €\n"
    with read_session(engine) as session:
        preview = imports.preview_import(session, wave_key="base", data=data.encode("cp1252"), filename="f.csv")
    assert (preview.read_as, preview.new) == ("Read as Windows-1252, semicolon-separated", 2)
    assert "Read as Windows-1252, semicolon-separated" in preview.summary(dry_run=True).splitlines()
    import_responses(engine, data.encode("cp1252"))
    with read_session(engine) as session:
        texts = session.scalars(select(Answer.value_text).where(Answer.question_key == "comments")).all()
    assert sorted(texts) == ["coût 12 €", "très utile, merci"]


def test_a_utf16_tab_separated_unicode_text_file_imports(engine):
    with_wave(engine)
    data = b"\xff\xfe" + "response_id\tproficiency[neg]\tcomments\nr1\t2\tZoë\n".encode("utf-16-le")
    report = import_responses(engine, data)
    assert (report.read_as, report.new) == ("Read as UTF-16 LE, tab-separated", 1)


def test_a_windows_1252_semicolon_roster_and_a_utf16_kpi_file_are_read_and_say_how(engine):
    with_kpi(engine)
    data = "email;name;team\nzoe@example.org;Zoë Lefèvre;sales\n".encode("cp1252")
    with unit_of_work(engine) as session:
        result = roster.import_roster(session, data=data)
    assert (result.created, result.read_as) == (1, "Read as Windows-1252, semicolon-separated")
    with read_session(engine) as session:
        assert session.scalars(select(Person.name)).all() == ["Zoë Lefèvre"]
    kpi_file = b"\xfe\xff" + "kpi\tdate\tvalue\tnote\nwin\t2028-02-01\t21\tété\n".encode("utf-16-be")
    with read_session(engine) as session:
        preview = kpis.preview_kpi_csv(session, plan_key="fy28", data=kpi_file)
    assert (preview.ok, preview.read_as, preview.rows[0].note) == (True, "Read as UTF-16 BE, tab-separated", "été")


def test_a_file_read_with_the_wrong_delimiter_is_refused_saying_so(engine):
    with_wave(engine)
    with pytest.raises(Invalid, match=r"The header was read as one column \(UTF-8, comma-separated\)"):
        import_responses(engine, b"response_id|proficiency[neg]\nr1|3\n")


def test_an_import_larger_than_one_insert_chunk_keeps_every_answer_with_its_response(engine):
    with_wave(engine)
    rows = [f"r{i},{1 + i % 5},{i}" for i in range(responses.IMPORT_CHUNK * 2 + 7)]
    report = import_responses(engine, ("response_id,proficiency[neg],comments\n" + "\n".join(rows)).encode())
    assert report.new == len(rows)
    with read_session(engine) as session:
        pairs = session.execute(
            select(Response.external_id, Answer.value_num, Answer.value_text).join(Answer.response)
        ).all()
    by_id: dict[str, list] = {}
    for external_id, num, text in pairs:
        by_id.setdefault(external_id, []).append(num if num is not None else text)
    assert len(by_id) == len(rows)
    assert all(sorted(v, key=str) == sorted([1 + int(k[4:]) % 5, k[4:]], key=str) for k, v in by_id.items())


# --- the command line: one line, exit 2, nothing stored ------------------------------------------------------


def ldalign(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", db_url, *args], capture_output=True, text=True, timeout=120
    )


CLI_CASES = {
    "kpi file with a NUL": ("kpi", b"kpi,date,value\nwin,2028-02-01,2\x001\n", "line 2: the file contains a NUL"),
    "roster with a NUL": ("roster", b"email,name,team\na@example.org,A\x00,alpha\n", "line 2: the roster contains"),
    "answers with a NUL": ("responses", b"response_id,comments\nr1,a\x00\n", "line 2: the file contains a NUL"),
    "plan with an escaped NUL": ("plan", PLAN_YAML.replace("FY28", "FY\\0").encode(), "plan.name: contains a NUL"),
    "a cell over 128 KB": ("responses", b"response_id,comments\nr1," + b"x" * 140_000 + b"\n", "cell is too large"),
    "deeply nested YAML": ("plan", b"plan: " + b"[" * 5000, "nested more than 50 levels deep"),
    "an unterminated quote": ("responses", b'response_id,comments\nr1,"a\nr2,b\n', "never closed"),
    "a roster header twice": ("roster", b"email,name,team,name\na@example.org,A,alpha,B\n", "column 'name' twice"),
    "an answers team column twice": ("responses", b"response_id,team,team\nr1,alpha,beta\n", "'team' appears twice"),
    "a YAML key twice": ("plan", PLAN_YAML.replace("priority: 5", "priority: 5\n    priority: 1").encode(), "twice"),
    "costs of 1e308": ("plan", PLAN_YAML.replace("delivery: 1000", "delivery: 1e308").encode(), "must be 0 or"),
    "a response id over 124": (
        "responses",
        b"response_id,proficiency[neg]\n" + b"i" * 200 + b",3\n",
        "response id longer",
    ),
    "a folder as the file": ("roster", None, "is a folder; give the file inside it"),
}
COMMANDS = {
    "kpi": ["kpi", "import", "{file}", "--plan", "fy28"],
    "roster": ["roster", "import", "{file}"],
    "responses": ["responses", "import", "{file}", "--wave", "base"],
    "plan": ["plan", "import", "{file}"],
}


def test_the_command_line_says_how_a_roster_and_a_kpi_file_were_read(engine, db_url, tmp_path):
    with_kpi(engine)
    people = tmp_path / "people.csv"
    people.write_bytes("email;name;team\nzoe@example.org;Zoë;sales\n".encode("cp1252"))
    result = ldalign(db_url, "roster", "import", str(people))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "Read as Windows-1252, semicolon-separated"
    values = tmp_path / "values.txt"
    values.write_bytes(b"\xff\xfe" + "kpi\tdate\tvalue\nwin\t2028-02-01\t21\n".encode("utf-16-le"))
    result = ldalign(db_url, "kpi", "import", str(values), "--plan", "fy28")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Read as UTF-16 LE, tab-separated"
    assert count(engine, KpiObservation) == 1


@pytest.mark.parametrize("case", CLI_CASES)
def test_bad_files_on_the_command_line_are_one_line_exit_2_and_store_nothing(engine, db_url, tmp_path, case):
    command, content, message = CLI_CASES[case]
    if command == "responses":
        with_wave(engine)
    if command == "kpi":
        with_kpi(engine)
    before = (count(engine, Response), count(engine, Person), count(engine, KpiObservation), count(engine, Plan))
    file = tmp_path / "input.csv"
    if content is None:
        file.mkdir()
    else:
        file.write_bytes(content)
    result = ldalign(db_url, *(a.format(file=file) for a in COMMANDS[command]))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    after = (count(engine, Response), count(engine, Person), count(engine, KpiObservation), count(engine, Plan))
    assert after == before
