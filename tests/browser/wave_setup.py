"""A scratch Postgres database with a one-capability survey wave and personal links, for the load and scale-out
tests; and a replica's resident memory."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from ldcore.db import get_engine, migrate
from tests.browser.conftest import ROOT

PLAN = """
plan: {key: load, name: Load plan, starts: 2020-01-01, ends: 2099-12-31}
objectives:
  - {key: grow, title: Grow, category: revenue_growth, priority: 3}
capabilities:
  - {key: listening, name: Active listening, drives: {grow: 3}}
teams:
  - {key: load-a, name: Load Team A, targets: {listening: 4}}
  - {key: load-b, name: Load Team B, targets: {listening: 4}}
"""
WAVE = "load-baseline"
CAPABILITY = "Active listening"
ADMIN = ("admin@load.example", "admin-password-1")


def cli(db_url: str, *args: str, input: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", db_url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def prepare_wave(db_url: str, folder: Path, *, people: int, base_url: str) -> list[str]:
    """The plan, `people` people in two teams, the wave, an admin; returns one personal link per person."""
    migrate(get_engine(db_url))
    (folder / "plan.yaml").write_text(PLAN)
    rows = [f"p{n}@load.example,Person {n},load-{'ab'[n % 2]}" for n in range(people)]
    (folder / "roster.csv").write_text("email,name,team\n" + "\n".join(rows) + "\n")
    cli(db_url, "plan", "import", str(folder / "plan.yaml"))
    cli(db_url, "roster", "import", str(folder / "roster.csv"))
    cli(db_url, "wave", "create", "--plan", "load", "--survey", "capability_baseline", "--kind", "baseline",
        "--key", WAVE)  # fmt: skip
    cli(db_url, "invite", "--wave", WAVE, "--out", str(folder / "links.csv"), "--base-url", base_url)
    cli(db_url, "create-user", ADMIN[0], "--role", "admin", "--password-stdin", input=ADMIN[1] + "\n")
    return [row["link"] for row in csv.DictReader((folder / "links.csv").open())]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
