"""`ldalign bench` runs at a small size and prints one JSON object with every figure (no timing is asserted)."""

import json
import subprocess
import sys

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
    "page_cold_s",
    "page_warm_s",
    "heatmap_over_floor",
}


@pytest.mark.parametrize("server", ["sqlite", "postgres"])
def test_bench_builds_a_small_company_and_prints_every_figure(server, tmp_path):
    args = ["--employees", "120", "--capabilities", "4", "--repeat", "1"]
    if server == "postgres":
        if not PG_URL:
            skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so the Postgres bench cannot run")
        args += ["--database", PG_URL]
    result = subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", f"sqlite:///{tmp_path / 'unused.db'}", "bench", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures) == FIELDS
    assert figures["database"].startswith("SQLite" if server == "sqlite" else "PostgreSQL")
    assert (figures["employees"], figures["capabilities"], figures["teams"], figures["waves"]) == (120, 4, 5, 2)
    assert figures["responses"] == 240
    assert 0.9 * 240 * 4 <= figures["answers"] <= 240 * 4  # about 3% "not applicable"
    assert all(figures[k] > 0 for k in FIELDS if k.endswith("_s"))
    assert not (tmp_path / "unused.db").exists()  # the scratch database is the only one touched
