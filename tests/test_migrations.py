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


def test_sqlite_ids_are_never_reused(db: Database) -> None:
    """Every integer key is AUTOINCREMENT on SQLite: a deleted row's id is not handed out again
    (with plain rowids, deleting the newest project gave its id to the next one)."""
    if not db.is_sqlite:
        return
    with db.engine.connect() as connection:
        tables = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        ).all()
        for name, sql in tables:
            if "\n\tid INTEGER" in sql:
                assert "AUTOINCREMENT" in sql, f"{name} would reuse ids"
        connection.exec_driver_sql(
            "INSERT INTO users (email, name, is_admin, is_active, can_create_projects, "
            "failed_sign_ins, created_at) VALUES ('a@example.com', '', 0, 1, 0, 0, 'x')"
        )
        first = connection.exec_driver_sql("SELECT max(id) FROM users").scalar()
        connection.exec_driver_sql("DELETE FROM users")
        connection.exec_driver_sql(
            "INSERT INTO users (email, name, is_admin, is_active, can_create_projects, "
            "failed_sign_ins, created_at) VALUES ('b@example.com', '', 0, 1, 0, 0, 'x')"
        )
        second = connection.exec_driver_sql("SELECT max(id) FROM users").scalar()
        assert second == first + 1
