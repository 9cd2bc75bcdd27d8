"""background jobs (state, progress, log, result)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = accord.db.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("params", accord.db.types.JSONText(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("sent_at", Stamp(), nullable=True),
        sa.Column("started_at", Stamp(), nullable=True),
        sa.Column("heartbeat_at", Stamp(), nullable=True),
        sa.Column("finished_at", Stamp(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("phase", sa.String(length=120), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("result", accord.db.types.JSONText(), nullable=True),
        sa.Column("log", accord.db.types.JSONText(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_jobs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_jobs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_jobs_project_id_id", "jobs", ["project_id", "id"])
    op.create_index("ix_jobs_state", "jobs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_index("ix_jobs_project_id_id", table_name="jobs")
    op.drop_table("jobs")
