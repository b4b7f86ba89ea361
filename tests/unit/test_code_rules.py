"""Rules of the codebase that a test can hold: layers and lint."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_app_pages_and_ldcore_ui_import_streamlit():
    offenders = []
    for path in (ROOT / "ldcore").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "ldcore").parts[:1]:
            continue
        if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_pages_never_build_sql_or_import_models():
    offenders = []
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text()
        if re.search(r"from sqlalchemy|import sqlalchemy|ldcore\.models|ldcore import models", text):
            offenders.append(path.name)
    assert offenders == []


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format_would_change_nothing():
    result = subprocess.run(
        [shutil.which("ruff") or "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_pages_write_only_through_the_transaction_that_rechecks_the_account():
    """A callback runs before the page's own guard, so a page's writes go through `guard.transaction`, which checks
    the account inside the write; only the public survey page (no account) opens its own unit of work."""
    offenders = [
        path.name
        for path in (ROOT / "pages").glob("*.py")
        if path.name != "respond.py" and "unit_of_work" in path.read_text()
    ]
    assert offenders == []
