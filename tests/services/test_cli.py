"""The `ldalign` command as an operator uses it: exit codes and one-line errors."""

from pathlib import Path

from tests.support.cli import ldalign

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plan_fy27.yaml"


def test_plan_import_and_export_round_trip_through_the_command(db_url, tmp_path):
    assert ldalign(db_url, "plan", "import", str(FIXTURE)).returncode == 0
    out = tmp_path / "out.yaml"
    result = ldalign(db_url, "plan", "export", "fy27", "--out", str(out))
    assert result.returncode == 0, result.stderr
    from ldcore.services.plans import parse_plan_yaml

    assert parse_plan_yaml(out.read_text()) == parse_plan_yaml(FIXTURE.read_text())


def test_a_bad_plan_file_is_one_line_naming_the_field_and_exit_2(db_url, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace("priority: 5", "priority: 11"))
    result = ldalign(db_url, "plan", "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "objectives.0.priority" in result.stderr
    assert "Traceback" not in result.stderr
    assert ldalign(db_url, "plan", "list").stdout == ""


def test_create_user_reads_the_password_from_stdin(db_url):
    result = ldalign(
        db_url, "create-user", "ops@example.org", "--role", "editor", "--password-stdin", input="a-good-long-password\n"
    )
    assert result.returncode == 0 and "created editor account ops@example.org" in result.stdout
    short = ldalign(db_url, "create-user", "x@example.org", "--role", "editor", "--password-stdin", input="short\n")
    assert short.returncode == 2 and "password" in short.stderr


def test_the_embedded_database_is_created_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = ldalign(url, "plan", "list")
    assert result.returncode == 0 and (tmp_path / "fresh.db").exists()
