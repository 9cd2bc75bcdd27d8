"""review: a review policy per project, and reviews (a reviewer's decision on an annotation)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("annotation_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", BigId, nullable=True),
        sa.Column("expires_at", accord.db.types.UTCDateTime(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("fix_version", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("comments", accord.db.types.JSONText(), nullable=False),
        sa.Column("failed", accord.db.types.JSONText(), nullable=False),
        sa.Column("created_at", accord.db.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", accord.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotations.id"],
            name=op.f("fk_reviews_annotation_id_annotations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reviews_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_reviews_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reviews_project_id_state_id", "reviews", ["project_id", "state", "id"])
    op.create_index(
        "uq_reviews_annotation_id_round", "reviews", ["annotation_id", "round"], unique=True
    )
    op.create_index(
        "ix_reviews_reviewer_id_state_project_id", "reviews", ["reviewer_id", "state", "project_id"]
    )
    # Added in place (ALTER TABLE … ADD COLUMN on SQLite too, so that the table keeps its
    # AUTOINCREMENT key: a batch rebuild would drop it).
    for column in (
        sa.Column("review_share", sa.Float(), server_default="0", nullable=False),
        sa.Column("review_first", sa.Integer(), server_default="0", nullable=False),
        sa.Column("checklist", accord.db.types.JSONText(), server_default="[]", nullable=False),
        sa.Column("review_below_confidence", sa.Float(), server_default="0", nullable=False),
        sa.Column(
            "review_disagreements",
            sa.Boolean(create_constraint=False),
            server_default=sa.false(),
            nullable=False,
        ),
    ):
        op.add_column("projects", column)


def downgrade() -> None:
    with op.batch_alter_table(
        "projects", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("review_disagreements")
        batch_op.drop_column("review_below_confidence")
        batch_op.drop_column("checklist")
        batch_op.drop_column("review_first")
        batch_op.drop_column("review_share")
    op.drop_index("ix_reviews_reviewer_id_state_project_id", table_name="reviews")
    op.drop_index("uq_reviews_annotation_id_round", table_name="reviews")
    op.drop_index("ix_reviews_project_id_state_id", table_name="reviews")
    op.drop_table("reviews")
