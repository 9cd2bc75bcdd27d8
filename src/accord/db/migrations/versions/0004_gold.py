"""gold: known answers (gold, qualification, training), scores, qualification state, paused
members, per-project gold/qualification/consensus settings, dynamic overlap per task

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0004"
down_revision: str | None = "0003"
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
        "gold_answers",
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("gold_answers", "task_id", "tasks"),
        _fk("gold_answers", "project_id", "projects"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_gold_answers")),
    )
    op.create_index(
        "ix_gold_answers_project_id_purpose_task_id",
        "gold_answers",
        ["project_id", "purpose", "task_id"],
    )
    op.create_table(
        "gold_scores",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("annotation_id", BigId, nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detail", accord.db.types.JSONText(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("gold_scores", "project_id", "projects"),
        _fk("gold_scores", "task_id", "tasks"),
        _fk("gold_scores", "user_id", "users"),
        _fk("gold_scores", "annotation_id", "annotations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_scores")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_gold_scores_task_id_user_id_attempt",
        "gold_scores",
        ["task_id", "user_id", "attempt"],
        unique=True,
    )
    op.create_index(
        "ix_gold_scores_project_id_user_id_purpose",
        "gold_scores",
        ["project_id", "user_id", "purpose"],
    )
    op.create_table(
        "qualifications",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("updated_at", Stamp(), nullable=False),
        _fk("qualifications", "project_id", "projects"),
        _fk("qualifications", "user_id", "users"),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_qualifications")),
    )
    op.create_index(op.f("ix_qualifications_user_id"), "qualifications", ["user_id"])
    # Added in place (ALTER TABLE … ADD COLUMN on SQLite too, so that the tables keep their
    # AUTOINCREMENT keys: a batch rebuild would drop them).
    for column in (
        sa.Column("gold_rate", sa.Float(), server_default="0", nullable=False),
        sa.Column(
            "gold_feedback",
            sa.Boolean(create_constraint=False),
            server_default=sa.false(),
            nullable=False,
        ),
        sa.Column("gold_pause_below", sa.Float(), server_default="0", nullable=False),
        sa.Column("gold_pause_min", sa.Integer(), server_default="10", nullable=False),
        sa.Column("qualification_pass", sa.Float(), server_default="0", nullable=False),
        sa.Column("qualification_attempts", sa.Integer(), server_default="2", nullable=False),
        sa.Column(
            "consensus_method", sa.String(length=20), server_default="majority", nullable=False
        ),
        sa.Column("agreement_threshold", sa.Float(), server_default="0", nullable=False),
        sa.Column("max_overlap", sa.Integer(), server_default="0", nullable=False),
        sa.Column("review_below_gold", sa.Float(), server_default="0", nullable=False),
        sa.Column("review_faster_than", sa.Float(), server_default="0", nullable=False),
    ):
        op.add_column("projects", column)
    op.add_column("tasks", sa.Column("purpose", sa.String(length=16), nullable=True))
    op.add_column(
        "tasks", sa.Column("extra_overlap", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("memberships", sa.Column("paused_at", Stamp(), nullable=True))
    op.add_column(
        "memberships", sa.Column("pause_reason", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("memberships", sa.Column("resumed_at", Stamp(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memberships", recreate="always") as batch_op:
        batch_op.drop_column("resumed_at")
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_at")
    with op.batch_alter_table(
        "tasks", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("extra_overlap")
        batch_op.drop_column("purpose")
    with op.batch_alter_table(
        "projects", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        for name in (
            "review_faster_than",
            "review_below_gold",
            "max_overlap",
            "agreement_threshold",
            "consensus_method",
            "qualification_attempts",
            "qualification_pass",
            "gold_pause_min",
            "gold_pause_below",
            "gold_feedback",
            "gold_rate",
        ):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_qualifications_user_id"), table_name="qualifications")
    op.drop_table("qualifications")
    op.drop_index("ix_gold_scores_project_id_user_id_purpose", table_name="gold_scores")
    op.drop_index("uq_gold_scores_task_id_user_id_attempt", table_name="gold_scores")
    op.drop_table("gold_scores")
    op.drop_index("ix_gold_answers_project_id_purpose_task_id", table_name="gold_answers")
    op.drop_table("gold_answers")
