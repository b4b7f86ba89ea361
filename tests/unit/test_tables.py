"""Reading tables and YAML that people bring: encodings and delimiters detected and named, rows and lines named in
every refusal, and files crafted to exhaust memory, hide NULs, merge rows or win by repetition refused plainly."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest
from openpyxl import Workbook

from ldcore.errors import Invalid
from ldcore.io import tables
from ldcore.io.tables import read_records, read_table, unique_headers
from ldcore.io.yaml_safe import load_yaml


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_rows(data: bytes, rows_xml: bytes, dimension: bytes | None = None) -> bytes:
    """The workbook with raw rows added to its sheet (what no spreadsheet writer would produce)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", rows_xml + b"</sheetData>")
                if dimension:
                    content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + dimension + b'"/>', content)
            target.writestr(info, content)
    return out.getvalue()


def crafted_xlsx() -> bytes:
    """A small workbook whose sheet declares A1:XFD1048576 and has one blank cell in its very last cell."""
    blank_last_cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>'
    return with_rows(xlsx([["response_id", "comments"], ["r1", "fine"]]), blank_last_cell, b"A1:XFD1048576")


# --- encodings and delimiters ----------------------------------------------------------------------------------


def test_a_semicolon_csv_from_european_excel_is_read_and_says_so():
    records, reading = read_records(b"email;name;team\na@example.org;Ana;alpha\n")
    assert records == [(1, ["email", "name", "team"]), (2, ["a@example.org", "Ana", "alpha"])]
    assert reading.read_as == "Read as UTF-8, semicolon-separated"


def test_unicode_text_from_excel_is_utf16_with_tabs_in_either_byte_order():
    text = "response_id\tcomments\nr1\tZoë sagt „gut“\n"
    for data, name in (
        (b"\xff\xfe" + text.encode("utf-16-le"), "UTF-16 LE"),
        (b"\xfe\xff" + text.encode("utf-16-be"), "UTF-16 BE"),
    ):
        records, reading = read_records(data)
        assert records[1] == (2, ["r1", "Zoë sagt „gut“"])
        assert reading.read_as == f"Read as {name}, tab-separated"


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_with_accents_and_the_euro_sign():
    data = "team;cost;note\nalpha;12 €;café\n".encode("cp1252")
    records, reading = read_records(data)
    assert records[1][1] == ["alpha", "12 €", "café"]
    assert reading.read_as == "Read as Windows-1252, semicolon-separated"


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_header():
    records, reading = read_records("\ufeffemail,name\na@example.org,Zoë\n".encode())
    assert records[0][1] == ["email", "name"] and records[1][1] == ["a@example.org", "Zoë"]
    assert reading.read_as == "Read as UTF-8, comma-separated"


def test_bytes_that_are_no_text_encoding_are_refused_naming_the_line():
    with pytest.raises(Invalid, match=r"^line 3: the file is not text"):
        read_records(b"a,b\n1,2\n3,\x81\n")


def test_a_survey_table_carries_how_it_was_read():
    table = read_table("response_id;comments\nr1;très bien\n".encode("cp1252"))
    assert table.reading.read_as == "Read as Windows-1252, semicolon-separated"
    assert table.rows == [(2, ["r1", "très bien"])]
    assert read_table(xlsx([["a"], ["1"]]), filename="f.xlsx").reading.read_as == "Read as an XLSX workbook"


def test_a_header_that_comes_out_as_one_column_gets_a_hint_about_the_delimiter():
    records, reading = read_records(b"email|name|team\na|b|c\n")
    hint = tables.delimiter_hint(records[0][1], reading)
    assert hint == (
        " The header was read as one column (UTF-8, comma-separated): separate the columns with commas, semicolons "
        "or tabs."
    )
    assert tables.delimiter_hint(["a", "b"], reading) == ""


# --- rows and lines ------------------------------------------------------------------------------------------


def test_a_record_after_answers_with_line_breaks_is_named_by_its_row_and_its_line():
    records, reading = read_records(b'id,comments\nr1,"two\nlines"\n\nr2,x\n')
    assert [line for line, _ in records] == [1, 2, 5]
    assert reading.place(2) == "line 2"
    assert reading.place(5) == "row 4 (line 5)"


# --- refused -------------------------------------------------------------------------------------------------


def test_an_unterminated_quote_is_refused_instead_of_swallowing_the_rows_after_it():
    data = b'id,comments\nr1,"never closed\nr2,second\nr3,third\n'
    with pytest.raises(Invalid, match=r'^line 2: a quoted cell starting here is never closed \(a " is missing\)'):
        read_records(data)


def test_a_quote_that_ends_a_cell_in_the_middle_is_refused():
    with pytest.raises(Invalid, match=r"^line 2: a quote ends a cell in the middle"):
        read_records(b'id,comments\nr1,"half"quoted\n')


def test_a_nul_character_is_refused_naming_its_line():
    with pytest.raises(Invalid, match=r"^line 3: the roster contains a NUL character") as caught:
        read_records(b"email,name,team\na@x.org,A,alpha\nb@x.org,B\x00,alpha\n", what="roster")
    assert caught.value.problems == [("line 3", "NUL character")]


@pytest.mark.parametrize("size", [40 * 1024, 200 * 1024])
def test_a_cell_over_32_kb_is_one_clear_refusal_whatever_its_size(size):
    data = b"id,comments\nr1,ok\nr2," + b"x" * size + b"\n"
    with pytest.raises(Invalid) as caught:
        read_records(data)
    assert str(caught.value) == "line 3: the cell is too large (more than 32 KB); shorten it."


def test_too_many_columns_or_rows_are_refused_naming_where(monkeypatch):
    with pytest.raises(Invalid, match=r"^line 1: the row is too large \(more than 1,000 columns\)"):
        read_records(",".join(f"c{i}" for i in range(1001)).encode())
    monkeypatch.setattr(tables, "MAX_ROWS", 5)
    data = b"id\n" + b"".join(b"r%d\n" % i for i in range(20))
    with pytest.raises(Invalid, match=r"^line 9: the file is too large \(more than 5 rows\); split it"):
        read_records(data)


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(tables, "MAX_BYTES", 10)
    with pytest.raises(Invalid, match=r"larger|too large"):
        read_records(b"a,b\n1,2\n3,4\n")


def test_a_header_naming_a_column_twice_is_refused():
    unique_headers(["email", "name", "team"])
    with pytest.raises(Invalid, match=r"^line 1: the roster names the column 'team' twice; keep one."):
        unique_headers(["email", "Team", "name", "team "], what="roster")


def test_response_ids_over_the_limit_are_refused_not_cut_so_two_never_collide():
    shared = "x" * 130
    table = read_table(f"response_id,comments\n{shared}a,one\n{shared}b,two\n".encode())
    with pytest.raises(Invalid, match=r"^line 2, column 'response_id': a response id longer than 124 characters"):
        table.external_ids()
    fits = read_table(f"response_id,comments\n{'y' * 124},one\n".encode())
    assert fits.external_ids() == ["id:" + "y" * 124]


# --- spreadsheets --------------------------------------------------------------------------------------------


def test_a_workbook_declaring_a_million_rows_and_columns_is_read_in_bounded_memory():
    """The crafted workbook made the old reader allocate gigabytes; read in a fresh process, it must stay small."""
    script = textwrap.dedent(
        """
        import json, resource
        from tests.unit.test_tables import crafted_xlsx
        from ldcore.io.tables import read_table
        data = crafted_xlsx()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        table = read_table(data, filename="crafted.xlsx")
        grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps([len(data), table.rows, [c.header for c in table.columns], grown_kb]))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    size, rows, headers, grown_kb = json.loads(result.stdout)
    assert size < 10_000
    assert (rows, headers) == ([[2, ["r1", "fine"]]], ["response_id", "comments"])
    assert grown_kb < 300 * 1024


def test_workbook_cells_over_the_limits_are_refused_naming_the_row():
    long_cell = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"y" * 40_000 + b"</t></is></c></row>"
    with pytest.raises(Invalid, match=r"^line 3: the cell is too large \(more than 32 KB\)"):
        read_table(with_rows(xlsx([["id"], ["r1"]]), long_cell), filename="f.xlsx")
    wide = [["id"], ["r1"] + [None] * 1000 + ["far right"]]
    with pytest.raises(Invalid, match=r"^line 2: the row is too large \(more than 1,000 columns\)"):
        read_table(xlsx(wide), filename="f.xlsx")


def test_a_file_that_is_not_a_workbook_is_refused_plainly():
    with pytest.raises(Invalid, match=r"^The file is not a readable XLSX workbook \(line 1\)\.$"):
        read_table(b"PK\x03\x04 not really", filename="f.xlsx")


# --- YAML ----------------------------------------------------------------------------------------------------


def test_yaml_that_people_write_loads_as_before():
    assert load_yaml("plan:\n  key: fy27\n  tags: [a, b]\n", source="p.yaml") == {
        "plan": {"key": "fy27", "tags": ["a", "b"]}
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plan:\n  key: a\n  key: b\n", "p.yaml: not valid YAML (line 3, column 3): the key 'key' is written twice."),
        (
            "a: &x [1, 2]\nb: *x\n",
            "p.yaml: not valid YAML (line 2, column 4): anchors and aliases (*name) are not allowed.",
        ),
        ("[" * 200 + "]" * 200, "p.yaml: not valid YAML (line 1, column 51): nested more than 50 levels deep."),
        (
            "plan:\n  name: a\x00b\n",
            "p.yaml: not valid YAML (line 2): the character #x0000 is not allowed in a YAML file.",
        ),
        ("plan: [a\n", "p.yaml: not valid YAML (line 2, column 1): expected ',' or ']', but got '<stream end>'."),
    ],
)
def test_yaml_that_could_hide_or_explode_is_refused_in_one_line(text, message):
    with pytest.raises(Invalid) as caught:
        load_yaml(text, source="p.yaml")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_very_deep_yaml_is_refused_without_a_recursion_error():
    with pytest.raises(Invalid, match="nested more than 50 levels"):
        load_yaml("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), source="p.yaml")
    with pytest.raises(Invalid, match="nested more than 50 levels"):
        load_yaml("[" * 100_000, source="p.yaml")


def test_an_identifying_column_named_twice_is_refused_while_two_different_time_columns_are_fine():
    with pytest.raises(Invalid, match=r"^line 1: the column 'Team' appears twice; keep one\.$"):
        read_table(b"response_id,team,Team\nr1,alpha,beta\n")
    table = read_table(b"Timestamp,submitted_at,comments\n2025-01-01,2025-01-02,x\n")
    assert [c.role for c in table.columns] == ["time", "meta", "data"]
