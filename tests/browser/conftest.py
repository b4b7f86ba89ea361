"""Browser fixtures: a real `streamlit run app.py` on a free port and a throw-away database, driven by Playwright
in Debian's Chromium. Without Chromium or Playwright the tests skip (or fail under LDALIGN_REQUIRE_ALL=1)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
DEMO_EMPLOYEES = 240


@dataclass
class LiveApp:
    url: str
    db_url: str
    process: subprocess.Popen

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run `ldalign` against this app's database."""
        return subprocess.run(
            [sys.executable, "-m", "ldcore.cli", "--database", self.db_url, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            input=input,
            timeout=300,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db_url: str, log: Path, script: str = "app.py", *, base_url: bool = True) -> LiveApp:
    """`base_url=False`: no base URL configured, so links take the address the browser used."""
    port = _free_port()
    env = {**os.environ, "LDALIGN_DATABASE_URL": db_url}
    env.pop("LDALIGN_BASE_URL", None)
    if base_url:
        env["LDALIGN_BASE_URL"] = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return LiveApp(url=url, db_url=db_url, process=process)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"streamlit did not start; see {log}:\n{log.read_text()[-3000:]}")


def _stop(app: LiveApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app on the demo company (demo accounts: see ldcore.devtools.demo.DEMO_ACCOUNTS)."""
    tmp = tmp_path_factory.mktemp("demo-app")
    db_url = f"sqlite:///{tmp / 'demo.db'}"
    app = LiveApp(url="", db_url=db_url, process=None)  # type: ignore[arg-type]
    result = app.cli("demo", "--employees", str(DEMO_EMPLOYEES), "--seed", "7")
    assert result.returncode == 0, result.stderr
    live = _start(db_url, tmp / "streamlit.log")
    yield live
    _stop(live)


@pytest.fixture(scope="session")
def empty_app_server(tmp_path_factory):
    """The app on an empty database with one account per role (see EMPTY_ACCOUNTS)."""
    tmp = tmp_path_factory.mktemp("empty-app")
    db_url = f"sqlite:///{tmp / 'empty.db'}"
    app = LiveApp(url="", db_url=db_url, process=None)  # type: ignore[arg-type]
    for email, role, password in EMPTY_ACCOUNTS:
        result = app.cli("create-user", email, "--role", role, "--password-stdin", input=password + "\n")
        assert result.returncode == 0, result.stderr
    live = _start(db_url, tmp / "streamlit.log")
    yield live
    _stop(live)


EMPTY_ACCOUNTS = [
    ("admin@example.org", "admin", "admin-password-1"),
    ("editor@example.org", "editor", "editor-password-1"),
    ("viewer@example.org", "viewer", "viewer-password-1"),
]


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()
