"""Alembic environment: metadata and connection come from LD Align itself, never from an ini file.

On SQLite a batch migration rebuilds a table (copy, drop, rename); with foreign keys on, dropping the old table would
cascade-delete every row that points at it. So foreign keys are off while migrating (the pragma only takes effect
outside a transaction, hence on the raw connection first) and checked afterwards."""

from alembic import context

from ldcore.models import Base

config = context.config
engine = config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("The migration left rows pointing at nothing; nothing was changed.")
        connection.commit()
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
