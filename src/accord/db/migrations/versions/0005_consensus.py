"""consensus: per task and question agreement and consensus; adjudications; consensus runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0005"
down_revision: str | None = "0004"
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
        "task_consensus",
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("agreement", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("computed_at", Stamp(), nullable=False),
        # No foreign keys (see accord.models.consensus.TaskConsensus): rows go with their
        # tasks when tasks are deleted, and with their project in the purge.
        sa.PrimaryKeyConstraint("task_id", "question", name=op.f("pk_task_consensus")),
    )
    op.create_index(
        "ix_task_consensus_project_id_task_id", "task_consensus", ["project_id", "task_id"]
    )
    op.create_table(
        "adjudications",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer_id", BigId, nullable=True),
        sa.Column("expires_at", Stamp(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("decided_at", Stamp(), nullable=True),
        _fk("adjudications", "project_id", "projects"),
        _fk("adjudications", "task_id", "tasks"),
        _fk("adjudications", "reviewer_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudications")),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_adjudications_task_id", "adjudications", ["task_id"], unique=True)
    op.create_index(
        "ix_adjudications_project_id_state_id", "adjudications", ["project_id", "state", "id"]
    )
    op.create_table(
        "consensus_runs",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", Stamp(), nullable=False),
        sa.Column("finished_at", Stamp(), nullable=True),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("annotations", sa.Integer(), nullable=False),
        sa.Column("skills", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        _fk("consensus_runs", "project_id", "projects"),
        sa.PrimaryKeyConstraint("project_id", "question", name=op.f("pk_consensus_runs")),
    )


def downgrade() -> None:
    op.drop_table("consensus_runs")
    op.drop_index("ix_adjudications_project_id_state_id", table_name="adjudications")
    op.drop_index("uq_adjudications_task_id", table_name="adjudications")
    op.drop_table("adjudications")
    op.drop_index("ix_task_consensus_project_id_task_id", table_name="task_consensus")
    op.drop_table("task_consensus")
