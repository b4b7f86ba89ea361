"""Engine and transactions: the one place that knows the SQL dialect.

Writes go through `unit_of_work` (one transaction, committed on success, rolled back on any error, data version
bumped). Reads go through `read_session`. On SQLite a write transaction starts with BEGIN IMMEDIATE so that
concurrent writers queue on the busy timeout instead of failing with "database is locked" half-way through.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ldcore.errors import Busy
from ldcore.models import DataVersion, utcnow
from ldcore.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 30_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class SchemaOutOfDate(RuntimeError):
    """The Postgres schema is older than this version of LD Align: run `ldalign migrate`."""


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        options = conn.get_execution_options()
        if not options.get("ldalign_write"):
            conn.exec_driver_sql("BEGIN")
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout={options.get('ldalign_wait_ms', SQLITE_BUSY_MS)}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for `url` (default: from settings), created once and reused."""
    url = url or load_settings().database_url
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite"):
                _engines[url] = _sqlite_engine(url)
            else:
                _engines[url] = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        return _engines[url]


def dispose_engine(url: str) -> None:
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> str:
    """Upgrade the schema to the newest revision, keeping all data; returns the revision now in place."""
    command.upgrade(alembic_config(engine), "head")
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def ensure_schema(engine: Engine) -> None:
    """On embedded SQLite create or upgrade silently; on Postgres migrations are an explicit deployment step."""
    if current_revision(engine) == head_revision():
        return
    if is_sqlite(engine):
        migrate(engine)
        return
    raise SchemaOutOfDate(
        "The database schema is not up to date with this version of LD Align. "
        "Run `ldalign migrate` against it (a deployment step on Postgres)."
    )


def bump_data_version(session: Session) -> None:
    """Upsert, so the first writes of concurrent transactions cannot collide on creating the row."""
    now = utcnow()
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(DataVersion).values(id=1, version=1, updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DataVersion.id], set_={"version": DataVersion.version + 1, "updated_at": now}
        )
    )


def data_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar() or 0


@contextmanager
def unit_of_work(engine: Engine, *, wait_seconds: float | None = None, bump: bool = True) -> Iterator[Session]:
    """One write transaction: commit when the block ends normally, roll back when it raises.

    With `wait_seconds`, waiting for another writer's lock gives up after about that long, and a locked or
    unreachable database raises `Busy`, so that a person can be asked to try again (instead of waiting 30 s).
    `bump=False` is for writes no page caches on (sign-in bookkeeping, its audit events), so signing in does not
    make every cached aggregate stale."""
    options: dict = {"ldalign_write": True}
    if wait_seconds is not None:
        options["ldalign_wait_ms"] = int(wait_seconds * 1000)
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            if wait_seconds is not None and not is_sqlite(engine):
                session.execute(text(f"SET LOCAL lock_timeout = {options['ldalign_wait_ms']}"))
            yield session
            if bump:
                bump_data_version(session)
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if wait_seconds is None:
                raise
            raise Busy("The database is busy; nothing was saved. Please try again in a moment.") from exc
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
