"""Schema migrations (Alembic, shipped inside the package): ``accord db upgrade``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from accord.db.database import Database

HERE = Path(__file__).parent
MIGRATION_LOCK = 0x616363_6F7264  # the advisory lock migrations take on PostgreSQL ("accord")


def alembic_config(db: Database) -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (the latest by default)."""
    _run(db, lambda config: command.upgrade(config, revision))


def downgrade(db: Database, revision: str) -> None:
    """Take the database schema back to ``revision`` (for developers and tests)."""
    _run(db, lambda config: command.downgrade(config, revision))


def _run(db: Database, step: Callable[[Config], None]) -> None:
    """Run a migration step in one transaction.

    On SQLite, some steps rebuild a table (create the new one, copy, drop the old, rename);
    dropping a table that others reference would cascade its deletes into them, so foreign
    keys are switched off for the step (outside the transaction, where SQLite allows it) and
    checked before it commits, as SQLite's documentation prescribes.
    """
    config = alembic_config(db)
    with db.engine.connect() as connection:
        if db.is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                if not db.is_sqlite:
                    # Servers started together on an old schema: one migrates, the others wait
                    # here, then read the schema's version and find nothing left to do.
                    lock = "SELECT pg_advisory_xact_lock(%s)"
                    connection.exec_driver_sql(lock, (MIGRATION_LOCK,))
                config.attributes["connection"] = connection
                step(config)
                if db.is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"the migration broke a foreign key: {tuple(broken)}")
        finally:
            if db.is_sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def current(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head(db: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
