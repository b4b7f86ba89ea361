"""Rules of the codebase that a test can hold: layers and lint."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_app_pages_and_ldcore_ui_import_streamlit():
    offenders = []
    for path in (ROOT / "ldcore").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "ldcore").parts[:1]:
            continue
        # the benchmark drives the pages in AppTest (bench_pages) and a replica over Streamlit's protocol (bench_load)
        if path.parent == ROOT / "ldcore" / "devtools" and path.name in ("bench_pages.py", "bench_load.py"):
            continue
        if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function (`from a.b import c` counts as a.b and a.b.c)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def offenders(where: str, forbidden: tuple[str, ...]) -> list[str]:
    """Files in `where` (a folder or one file) importing a module in or under `forbidden`."""
    found = []
    top = ROOT / where
    for path in sorted(top.rglob("*.py")) if top.is_dir() else [top]:
        name = str(path.relative_to(ROOT))
        hits = sorted(m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in forbidden))
        if hits:
            found.append(f"{name}: {', '.join(hits)}")
    return found


def test_services_draw_nothing_they_import_neither_plotly_nor_streamlit():
    assert offenders("ldcore/services", ("plotly", "streamlit")) == []


def test_commands_never_import_the_streamlit_side_of_ldcore():
    assert offenders("ldcore/commands", ("ldcore.ui", "streamlit")) == []
    assert offenders("ldcore/cli.py", ("ldcore.ui", "streamlit")) == []


def test_the_layer_rules_see_imports_inside_functions_too(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def chart():\n    from plotly import graph_objects as go\n    import streamlit as st\n")
    assert imported_modules(module) >= {"plotly", "plotly.graph_objects", "streamlit"}


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


def test_mypy_finds_no_type_error_and_no_untyped_definition_in_ldcore():
    """Configured in pyproject.toml ([tool.mypy]: `disallow_untyped_defs`); the cache keeps later runs quick."""
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert "No module named mypy" not in result.stderr, "mypy is not installed (pip install -e '.[test]')"
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_pages_write_only_through_the_transaction_that_rechecks_the_account():
    """A callback runs before the page's own guard, so a page's writes go through `guard.transaction`, which checks
    the account inside the write; only the public survey page (no account) opens its own unit of work."""
    offenders = [
        path.name
        for path in (ROOT / "pages").glob("*.py")
        if path.name != "respond.py" and "unit_of_work" in path.read_text()
    ]
    assert offenders == []
