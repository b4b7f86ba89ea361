"""Formula injection neutralised in every CSV and XLSX the app writes, reversibly, without a database."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from ldcore.io.exports import links_csv, neutralise, restore, to_csv, to_xlsx


@pytest.mark.parametrize("text", ["=1+1", "+49 30 1234", "-2", "@SUM(A1)", "\tnote", "\r=cmd", "'=already quoted"])
def test_text_a_spreadsheet_would_run_gets_one_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain words", "a=b", "", "'just quoted", 3, -2.5, None])
def test_other_text_and_every_number_stay_as_they_are(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("text", ["=1+1", "'=x", "''@y", "plain", "'plain", "", "-", "'"])
def test_restore_gives_back_exactly_what_was_neutralised(text):
    assert restore(neutralise(text)) == text


def test_csv_is_utf8_with_a_byte_order_mark_and_neutralised_headers_and_cells():
    data = to_csv(["name", "=team"], [["Zoë €", '=HYPERLINK("http://x")'], [None, -3]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["name", "'=team"], ["Zoë €", '\'=HYPERLINK("http://x")'], ["", "-3"]]


def test_xlsx_cells_are_neutralised_and_numbers_stay_numbers():
    data = to_xlsx(["who", "score"], [["@admin", 4.5], ["Ana", None]], sheet="a sheet name longer than excel allows")
    book = load_workbook(io.BytesIO(data))
    (sheet,) = book.worksheets
    assert sheet.title == "a sheet name longer than excel "  # Excel allows 31 characters
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["who", "score"],
        ["'@admin", 4.5],
        ["Ana", None],
    ]


def test_links_csv_lists_email_team_and_link_with_text_neutralised():
    class Link:
        def __init__(self, email, team, link):
            self.email, self.team, self.link = email, team, link

    data = links_csv([Link("a@example.org", "+Sales", "https://ld.example/respond?t=abc")])
    assert data.decode("utf-8-sig").splitlines() == [
        "email,team,link",
        "a@example.org,'+Sales,https://ld.example/respond?t=abc",
    ]
