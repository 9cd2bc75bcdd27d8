"""ml backends: model servers a project connects

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = accord.db.types.UTCDateTime


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "ml_backends",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interactive", sa.Boolean(), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("train_every", sa.Integer(), nullable=False),
        sa.Column("trained_through", sa.BigInteger(), nullable=False),
        sa.Column("last_trained_at", Stamp(), nullable=True),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("health_error", sa.Text(), nullable=False),
        sa.Column("health_checked_at", Stamp(), nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("updated_at", Stamp(), nullable=False),
        _fk("ml_backends", "project_id", "projects"),
        _fk("ml_backends", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ml_backends")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_ml_backends_project_id"), "ml_backends", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ml_backends_project_id"), table_name="ml_backends")
    op.drop_table("ml_backends")
