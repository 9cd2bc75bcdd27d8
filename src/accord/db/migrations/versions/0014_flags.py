"""ambiguity flags, answers and in-app notifications

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0014"
down_revision: str | None = "0013"
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
        "flags",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("guidelines_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", BigId, nullable=True),
        sa.Column("answered_at", Stamp(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("faq_question", sa.Text(), nullable=False),
        sa.Column("amended_version", sa.Integer(), nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("updated_at", Stamp(), nullable=False),
        _fk("flags", "project_id", "projects"),
        _fk("flags", "task_id", "tasks"),
        _fk("flags", "user_id", "users"),
        _fk("flags", "answered_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_flags_project_id_state_id", "flags", ["project_id", "state", "id"])
    op.create_index("ix_flags_task_id", "flags", ["task_id"])
    op.create_index("ix_flags_user_id_project_id", "flags", ["user_id", "project_id"])
    op.create_table(
        "notifications",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("read_at", Stamp(), nullable=True),
        _fk("notifications", "user_id", "users"),
        _fk("notifications", "project_id", "projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"])
    op.create_index("ix_notifications_user_id_read_at", "notifications", ["user_id", "read_at"])
    op.create_index("ix_notifications_project_id", "notifications", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_project_id", table_name="notifications")
    op.drop_index("ix_notifications_user_id_read_at", table_name="notifications")
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_flags_user_id_project_id", table_name="flags")
    op.drop_index("ix_flags_task_id", table_name="flags")
    op.drop_index("ix_flags_project_id_state_id", table_name="flags")
    op.drop_table("flags")
