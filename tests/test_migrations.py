"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import accord.models  # noqa: F401  (registers every table)
from accord.db import Database
from accord.db.base import Base
from accord.db.migrate import current, head


def test_database_is_at_the_latest_migration(db: Database) -> None:
    assert current(db) == head(db)


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "write a migration: accord.db.migrate.revision(db, 'message')"
