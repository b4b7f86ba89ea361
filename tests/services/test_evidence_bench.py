"""`ldalign bench` runs at a small size and prints one JSON object with every figure (no timing is asserted)."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import PG_URL, skip_or_fail

FIELDS = {
    "database",
    "employees",
    "capabilities",
    "teams",
    "waves",
    "responses",
    "answers",
    "build_s",
    "heatmap_s",
    "floor_s",
    "naive_pandas_s",
    "pages",
    "page_cold_max_s",
    "page_warm_max_s",
    "surveys_interactions",
    "surveys_interaction_max_s",
    "live_responses_per_s",
    "live_refreshes",
    "live_refresh_median_s",
    "live_refresh_max_s",
    "live_visible_within_max_s",
    "idle_check_cpu_ms",
    "idle_tab_core_pct",
    "submissions_per_s",
    "memory_per_session_mb",
    "heatmap_over_floor",
    "respondents_at_once",
    "respondents_stored_once",
    "submit_to_thanks_median_s",
    "submit_to_thanks_p95_s",
    "submit_to_thanks_max_s",
    "respondent_session_mb",
}
PAGES = {
    "admin",
    "alignment",
    "builder",
    "audit",
    "comments",
    "executive",
    "heatmap",
    "intake",
    "kpi_data",
    "overview",
    "privacy",
    "share_links",
    "surveys",
}


@pytest.mark.parametrize("server", ["sqlite", "postgres"])
def test_bench_builds_a_small_company_and_prints_every_figure(server, tmp_path):
    args = ["--employees", "120", "--teams", "3", "--capabilities", "4", "--repeat", "1", "--live-seconds", "5",
            "--respondents", "6"]  # fmt: skip
    if server == "postgres":
        if not PG_URL:
            skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so the Postgres bench cannot run")
        args += ["--database", PG_URL]
    result = subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", f"sqlite:///{tmp_path / 'unused.db'}", "bench", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures) == FIELDS
    assert figures["database"].startswith("SQLite" if server == "sqlite" else "PostgreSQL")
    assert (figures["employees"], figures["capabilities"], figures["teams"], figures["waves"]) == (120, 4, 3, 2)
    assert figures["responses"] == 240
    assert 0.9 * 240 * 4 <= figures["answers"] <= 240 * 4  # about 3% "not applicable"
    assert all(figures[k] > 0 for k in FIELDS if k.endswith("_s"))
    assert set(figures["pages"]) == PAGES
    assert all(t["cold_s"] > 0 and t["warm_s"] > 0 for t in figures["pages"].values())
    assert set(figures["surveys_interactions"]) == {"monitor_wave", "import_wave", "export_wave"}
    assert figures["live_refreshes"] >= 1 and figures["submissions_per_s"] > 0
    assert figures["respondents_at_once"] == 6 and figures["respondents_stored_once"] is True
    assert not (tmp_path / "unused.db").exists()  # the scratch database is the only one touched


def test_the_bench_finds_the_pages_in_the_app_folder_it_runs_from(tmp_path, monkeypatch):
    from ldcore.devtools.bench_pages import app_folder
    from ldcore.errors import Invalid

    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert app_folder() == tmp_path
    with pytest.raises(Invalid, match="--app-dir"):
        app_folder(str(tmp_path / "pages"))


def test_an_installed_package_ships_the_app_pages_and_stock_surveys_the_bench_needs():
    root = Path(__file__).resolve().parents[2]
    data_files = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    shipped = {
        Path(target) / found.name
        for target, patterns in data_files.items()
        for pattern in patterns
        for found in root.glob(pattern)
    }
    needed = [root / "app.py", *(root / "pages").glob("*.py"), *(root / "surveys").glob("*.yaml")]
    missing = [str(f.relative_to(root)) for f in needed if Path("share/ldalign") / f.relative_to(root) not in shipped]
    assert missing == []
    assert len(needed) > 10
