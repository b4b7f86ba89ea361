import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.db import (
    SchemaOutOfDate,
    ensure_schema,
    get_engine,
    mark_changed,
    migrate,
    plan_version,
    read_session,
    unit_of_work,
)
from ldcore.errors import Busy
from ldcore.models import DataChange, Plan, Team
from ldcore.settings import load_settings


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_concurrent_writers_queue_instead_of_failing(engine):
    errors, barrier = [], threading.Barrier(12)

    def write(n):
        try:
            barrier.wait()
            with unit_of_work(engine) as session:
                current = session.scalar(select(func.count(Team.id)))
                session.add(Team(key=f"team-{n}", name=f"Team {n} after {current}", headcount=n))
                mark_changed(session)
        except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Team.id))) == 12
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(DataChange)) == 12


def test_every_marked_write_moves_the_plan_version_and_a_failed_one_does_not(engine):
    with unit_of_work(engine) as session:
        plan = Plan(key="p", name="P", starts=dt.date(2027, 1, 1), ends=dt.date(2027, 12, 31))
        session.add(plan)
        mark_changed(session, plan=plan)
    before = plan_version(engine, "p")
    with unit_of_work(engine) as session:
        session.get(Plan, plan.id).name = "P renamed"
        mark_changed(session, plan=plan.id)
    after = plan_version(engine, "p")
    assert after > before
    with pytest.raises(ValueError), unit_of_work(engine) as session:
        session.get(Plan, plan.id).name = "P crashed"
        mark_changed(session, plan=plan.id)
        raise ValueError("crash")
    assert plan_version(engine, "p") == after
    with unit_of_work(engine) as session:
        session.add(Team(key="t1", name="T1", headcount=1))  # not marked: no cache depends on it
    assert plan_version(engine, "p") == after


def test_migrate_upgrades_an_older_database_and_keeps_its_data(tmp_path):
    from alembic import command

    from ldcore.db import alembic_config, current_revision, head_revision

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = get_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    with unit_of_work(engine) as session:
        session.add(Team(key="kept", name="Kept team", headcount=3))
    assert migrate(engine) == head_revision() == current_revision(engine)
    with read_session(engine) as session:
        assert session.scalar(select(Team.name).where(Team.key == "kept")) == "Kept team"


def test_a_migration_that_rebuilds_a_sqlite_table_keeps_the_rows_that_point_at_it(tmp_path):
    """Widening capability.name rebuilds the table on SQLite; with foreign keys on, that cascade-deleted targets."""
    from alembic import command

    from ldcore.db import alembic_config

    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO plan (id, key, name, starts, ends, description, created_at) "
            "VALUES (1, 'p', 'P', '2026-01-01', '2026-12-31', '', '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql("INSERT INTO team (id, key, name, headcount) VALUES (1, 't', 'T', 5)")
        conn.exec_driver_sql(
            "INSERT INTO capability (id, plan_id, key, name, type, description, position) "
            "VALUES (1, 1, 'c', 'C', 'skill', '', 0)"
        )
        conn.exec_driver_sql("INSERT INTO team_target (plan_id, team_id, capability_id, level) VALUES (1, 1, 1, 4)")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT level FROM team_target").scalars().all() == [4]
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_dropping_the_unused_answer_item_column_keeps_every_answer_of_the_demo_company(tmp_path):
    """The answer table is rebuilt on SQLite; its rows, and the responses they belong to, all survive."""
    from alembic import command

    from ldcore.db import alembic_config
    from ldcore.devtools import demo

    engine = get_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    demo.build_demo(engine, employees=120, seed=2, today=dt.date(2026, 11, 22))
    command.downgrade(alembic_config(engine), "speed")  # back to before the drop: the column is there again
    count = "SELECT count(*), sum(value_num), count(value_text), count(DISTINCT response_id) FROM answer"
    with engine.connect() as conn:
        before = conn.exec_driver_sql(count).one()
        assert "item" in [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(answer)")]
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql(count).one() == before
        assert before[0] > 1000
        columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(answer)")]
        assert "item" not in columns
        assert "value_num" in columns
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None


def test_postgres_is_never_migrated_behind_the_operators_back(postgres_url):
    from alembic import command

    from ldcore.db import alembic_config

    engine = get_engine(postgres_url)
    ensure_schema(engine)  # at head: nothing to do
    command.downgrade(alembic_config(engine), "base")
    try:
        with pytest.raises(SchemaOutOfDate, match="ldalign migrate"):
            ensure_schema(engine)
    finally:
        migrate(engine)


def test_settings_take_the_environment_then_secrets_then_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("LDALIGN_DATABASE_URL", raising=False)
    assert load_settings(tmp_path).database_url == "sqlite:///ldalign.db"
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[connections.ldcore]\nurl = "postgresql://u@h/db"\n')
    assert load_settings(tmp_path).database_url == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("LDALIGN_DATABASE_URL", "sqlite:////tmp/x.db")
    assert load_settings(tmp_path).database_url == "sqlite:////tmp/x.db"


def test_a_write_that_may_wait_only_briefly_gives_up_with_busy_and_stores_nothing(engine):
    holder = Session(engine.execution_options(ldalign_write=True))
    holder.add(Team(key="late", name="Held", headcount=1))
    holder.flush()  # another write transaction, still open, holds the lock (on Postgres: of the key "late")
    try:
        with pytest.raises(Busy, match="busy"), unit_of_work(engine, wait_seconds=0.2) as session:
            session.add(Team(key="late", name="Late", headcount=1))
    finally:
        holder.rollback()
        holder.close()
    with unit_of_work(engine, wait_seconds=0.2) as session:
        session.add(Team(key="again", name="Again", headcount=1))
    with read_session(engine) as session:
        assert session.scalars(select(Team.key)).all() == ["again"]
