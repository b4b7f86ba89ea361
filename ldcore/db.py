"""Engine and transactions: the one place that knows the SQL dialect.

Writes go through `unit_of_work` (one transaction, committed on success, rolled back on any error). A use case
that changes a plan's data says so with `mark_changed`, and the transaction appends one row per changed plan or wave
to the `data_change` log: caches key on the newest row of their plan (`plan_version`) or wave (`wave_version`), so a
response in one wave leaves every other plan's caches warm, and sign-ins, sessions and audit rows touch nothing.
Reads go through `read_session`. On SQLite a write transaction starts with BEGIN IMMEDIATE so that
concurrent writers queue on the busy timeout instead of failing with "database is locked" half-way through.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ColumnElement, Connection, Engine, ScalarSelect, create_engine, event, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ldcore.errors import Busy
from ldcore.models import DataChange, Plan, SurveyWave, utcnow
from ldcore.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 30_000
CHANGES = "ldalign_changes"  # key in Session.info: what `mark_changed` recorded

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class SchemaOutOfDate(RuntimeError):
    """The Postgres schema is older than this version of LD Align: run `ldalign migrate`."""


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if not options.get("ldalign_write"):
            conn.exec_driver_sql("BEGIN")
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout={options.get('ldalign_wait_ms', SQLITE_BUSY_MS)}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process's engine for `url` (default: from settings), created once and reused."""
    url = url or get_settings().database_url
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite"):
                _engines[url] = _sqlite_engine(url)
            else:
                # JIT off: compiling the report aggregates costs ~0.4 s each, more than it saves at 50,000 people.
                # LIFO: the connection used last is used next, so a run of writes meets a server process that has
                # planned the running-total triggers already (the first submission on a new one costs ~20 ms more).
                _engines[url] = create_engine(
                    url,
                    pool_pre_ping=True,
                    pool_size=10,
                    max_overflow=20,
                    pool_use_lifo=True,
                    connect_args={"options": "-c jit=off"},
                )
        return _engines[url]


def dispose_engine(url: str) -> None:
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def is_sqlite(engine: Engine | Connection) -> bool:
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


def mark_changed(session: Session, *, plan: Plan | int | None = None, wave: SurveyWave | None = None) -> None:
    """Record that this transaction changes a plan's data (`plan`, an object or its id), the invitations or responses
    of one wave (`wave`, which counts for its plan too), or — with neither — data every plan shows (teams, people).
    Objects may still be unflushed: their ids are read when the transaction commits."""
    session.info.setdefault(CHANGES, []).append((plan, wave))


def _append_changes(session: Session) -> None:
    marks = session.info.pop(CHANGES, [])
    if not marks:
        return
    session.flush()  # new plans and waves get their ids
    now = utcnow()
    rows = {(wave.plan_id, wave.id) if wave is not None else (getattr(plan, "id", plan), None) for plan, wave in marks}
    session.execute(insert(DataChange), [{"plan_id": p, "wave_id": w, "at": now} for p, w in rows])


def _newest(condition: ColumnElement[bool]) -> ScalarSelect[int]:
    """The newest change matching `condition`: one step down the end of an index on (column, id)."""
    return select(DataChange.id).where(condition).order_by(DataChange.id.desc()).limit(1).scalar_subquery()


def _version(engine: Engine, condition: ColumnElement[bool]) -> int:
    with engine.connect() as conn:
        row = conn.execute(select(_newest(condition), _newest(DataChange.plan_id.is_(None)))).one()
    return max(v or 0 for v in row)


def plan_version(engine: Engine, plan_key: str) -> int:
    """Moves whenever a committed transaction changed this plan's data (or data every plan shows); two index reads."""
    return _version(engine, DataChange.plan_id == select(Plan.id).where(Plan.key == plan_key).scalar_subquery())


def wave_version(engine: Engine, wave_key: str) -> int:
    """Moves whenever a committed transaction changed this wave's invitations or responses (or teams and people)."""
    return _version(
        engine, DataChange.wave_id == select(SurveyWave.id).where(SurveyWave.key == wave_key).scalar_subquery()
    )


@contextmanager
def unit_of_work(engine: Engine, *, wait_seconds: float | None = None, bump: bool = True) -> Iterator[Session]:
    """One write transaction: commit when the block ends normally, roll back when it raises.

    With `wait_seconds`, waiting for another writer's lock gives up after about that long, and a locked or
    unreachable database raises `Busy`, so that a person can be asked to try again (instead of waiting 30 s).
    What `mark_changed` recorded moves the plan and wave versions at commit; a transaction that marks nothing moves
    none. `bump=False` says outright that nothing here is data a page caches (sign-in bookkeeping, its audit
    events): marks made in it are dropped."""
    options: dict = {"ldalign_write": True}
    if wait_seconds is not None:
        options["ldalign_wait_ms"] = int(wait_seconds * 1000)
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            if wait_seconds is not None and not is_sqlite(engine):
                session.execute(text(f"SET LOCAL lock_timeout = {options['ldalign_wait_ms']}"))
            yield session
            if bump:
                _append_changes(session)
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if wait_seconds is None:
                raise
            raise Busy("The database is busy; nothing was saved. Please try again in a moment.") from exc
        except BaseException:
            session.rollback()
            raise


MEMO = "memo"  # session.info key: what a read session may remember between its own queries


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that only reads. It carries a memo (`session.info[MEMO]`), where readers keep what several
    parts of one request would otherwise ask the database for again (the running totals of a wave)."""
    with Session(engine, info={MEMO: {}}) as session:
        yield session
