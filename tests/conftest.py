"""Shared fixtures: a fresh database per test on SQLite and on Postgres, and the skip rule.

Every test that takes `engine` runs twice, `[sqlite]` and `[postgres]`. The Postgres run uses
LDALIGN_TEST_POSTGRES_URL (a server URL; the run creates and drops its own database). Without it Postgres tests
skip with a reason, unless LDALIGN_REQUIRE_ALL=1, where any skip fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from ldcore.db import dispose_engine, get_engine, migrate
from ldcore.models import Base
from ldcore.settings import normalise_url

PG_URL = os.environ.get("LDALIGN_TEST_POSTGRES_URL")
REQUIRE_ALL = os.environ.get("LDALIGN_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{reason} — and LDALIGN_REQUIRE_ALL=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


def pytest_sessionfinish(session, exitstatus):
    if not REQUIRE_ALL:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"LDALIGN_REQUIRE_ALL=1: {len(skipped)} skipped test(s) count as failures", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file, copied for each test (migrating once is much faster than per test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrate(get_engine(url))
    dispose_engine(url)
    return str(path)


def _server_engine(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A migrated Postgres database of this run's own, dropped at the end."""
    if not PG_URL:
        skip_or_fail("LDALIGN_TEST_POSTGRES_URL is not set, so Postgres tests cannot run")
    server = sa.make_url(normalise_url(PG_URL))
    name = f"ldalign_test_{uuid.uuid4().hex[:10]}"
    admin = _server_engine(server.set(database=server.database or "postgres"))
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    migrate(get_engine(url))
    yield url
    dispose_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


TABLES = [t.name for t in Base.metadata.sorted_tables]


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ldalign.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        yield url
        dispose_engine(url)
    else:
        url = request.getfixturevalue("postgres_url")
        with get_engine(url).begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        yield url


@pytest.fixture
def engine(db_url) -> sa.Engine:
    return get_engine(db_url)


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template) -> sa.Engine:
    """SQLite only, for tests of SQLite-specific behaviour."""
    path = tmp_path / "only.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    yield get_engine(url)
    dispose_engine(url)
