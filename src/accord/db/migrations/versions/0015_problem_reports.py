"""tool problem reports

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = accord.db.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "problem_reports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("reporter_id", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("updated_at", Stamp(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("context", accord.db.types.JSONText(), nullable=False),
        sa.Column("project_id", BigId, nullable=True),
        sa.Column("task_id", BigId, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("duplicate_of", BigId, nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("screenshot_key", sa.String(length=200), nullable=True),
        sa.Column("screenshot_type", sa.String(length=40), nullable=True),
        sa.Column("screenshot_bytes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_problem_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["problem_reports.id"],
            name=op.f("fk_problem_reports_duplicate_of_problem_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_reports")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_problem_reports_status_id", "problem_reports", ["status", "id"])
    op.create_index("ix_problem_reports_reporter_id_id", "problem_reports", ["reporter_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_problem_reports_reporter_id_id", table_name="problem_reports")
    op.drop_index("ix_problem_reports_status_id", table_name="problem_reports")
    op.drop_table("problem_reports")
