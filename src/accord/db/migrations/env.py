"""Alembic environment: the URL and connection come from `accord.db.migrate`."""

from __future__ import annotations

from alembic import context

import accord.models  # noqa: F401  (registers every table)
from accord.db.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `accord db upgrade`, which supplies the connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
