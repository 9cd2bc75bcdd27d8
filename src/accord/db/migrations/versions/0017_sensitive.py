"""sensitive tasks, exposure, confidentiality settings, task views

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROJECT_INTS = (
    "sensitive_daily_limit",
    "sensitive_break_after",
    "sensitive_break_minutes",
    "access_log_days",
    "retention_days",
)
PROJECT_FLAGS = ("export_admins_only", "watermark", "block_copy", "access_log")


def _flag(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name, sa.Boolean(create_constraint=False), server_default=sa.false(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "sensitive_exposures",
        sa.Column("project_id", accord.db.types.BigId, nullable=False),
        sa.Column("user_id", accord.db.types.BigId, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("served", sa.Integer(), server_default="0", nullable=False),
        sa.Column("streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("streak_started_at", accord.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", accord.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_sensitive_exposures_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sensitive_exposures_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "user_id", "day", name=op.f("pk_sensitive_exposures")
        ),
    )
    op.create_index(
        op.f("ix_sensitive_exposures_user_id"), "sensitive_exposures", ["user_id"], unique=False
    )
    # Added in place (ALTER TABLE … ADD COLUMN on SQLite too, so that the tables keep their
    # AUTOINCREMENT keys and a million tasks are not copied).
    op.add_column("tasks", _flag("sensitive"))
    op.add_column("tasks", sa.Column("data_deleted_at", accord.db.types.UTCDateTime()))
    op.add_column("memberships", _flag("sensitive_opt_in"))
    op.add_column("memberships", sa.Column("sensitive_limit", sa.Integer()))
    for name in PROJECT_INTS:
        op.add_column("projects", sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    for name in PROJECT_FLAGS:
        op.add_column("projects", _flag(name))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35+ too): none of these columns is in an
    # index, and a batch rebuild would lose the tasks' partial queue index and AUTOINCREMENT.
    for name in (*PROJECT_INTS, *PROJECT_FLAGS):
        op.drop_column("projects", name)
    op.drop_column("memberships", "sensitive_limit")
    op.drop_column("memberships", "sensitive_opt_in")
    op.drop_column("tasks", "data_deleted_at")
    op.drop_column("tasks", "sensitive")
    op.drop_index(op.f("ix_sensitive_exposures_user_id"), table_name="sensitive_exposures")
    op.drop_table("sensitive_exposures")
