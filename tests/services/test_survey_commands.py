"""`ldalign survey import/export/list`: every stock survey round-trips exactly, versions follow changes, and a bad
file is one line naming the question and field."""

from __future__ import annotations

import pytest

from ldcore import survey_defs
from tests.support.cli import ldalign


@pytest.mark.parametrize("stock", survey_defs.available())
def test_every_stock_survey_round_trips_through_import_and_export(db_url, tmp_path, stock):
    original = survey_defs.load_definition(stock)
    imported = ldalign(db_url, "survey", "import", str(survey_defs.SURVEYS_DIR / f"{stock}.yaml"), "--key", "mine")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"saved survey mine version 1: {original.title}")
    out = tmp_path / "mine.yaml"
    assert ldalign(db_url, "survey", "export", "mine", "--out", str(out)).returncode == 0
    exported = survey_defs.parse_definition(out.read_text(), key=stock, source=str(out))
    assert exported == original
    assert exported.model_dump() == original.model_dump()
    again = ldalign(db_url, "survey", "import", str(out))  # the file name is the key: the same survey, unchanged
    assert again.returncode == 0 and "version 1" in again.stdout
    stock_out = tmp_path / f"{stock}.yaml"
    assert ldalign(db_url, "survey", "export", stock, "--out", str(stock_out)).returncode == 0
    assert survey_defs.parse_definition(stock_out.read_text(), key=stock, source="x") == original


def test_a_changed_file_makes_a_new_version_and_list_shows_it(db_url, tmp_path):
    path = tmp_path / "acme_reaction.yaml"
    path.write_text((survey_defs.SURVEYS_DIR / "program_reaction.yaml").read_text())
    assert ldalign(db_url, "survey", "import", str(path)).returncode == 0
    path.write_text(path.read_text().replace("title: ", "title: Acme ", 1))
    result = ldalign(db_url, "survey", "import", str(path))
    assert result.returncode == 0 and "saved survey acme_reaction version 2: Acme " in result.stdout
    listed = ldalign(db_url, "survey", "list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [
        *[[key, "stock"] for key in survey_defs.available()],
        ["acme_reaction", "v2"],
    ]
    first = ldalign(db_url, "survey", "export", "acme_reaction", "--version", "1").stdout
    assert "Acme" not in first and first.startswith("title: ")


def test_a_stock_key_and_a_bad_definition_are_refused_in_one_line(db_url, tmp_path):
    stock = ldalign(db_url, "survey", "import", str(survey_defs.SURVEYS_DIR / "program_reaction.yaml"))
    assert stock.returncode == 2 and "stock survey" in stock.stderr and "--key" not in stock.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Bad\nquestions:\n  - {key: q1, type: likert, text: Rate it, level: 1}\n")
    result = ldalign(db_url, "survey", "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "question 'q1'" in result.stderr and "needs a scale" in result.stderr
    assert "Traceback" not in result.stderr
    assert ldalign(db_url, "survey", "list").stdout.count("\n") == len(survey_defs.available())
