"""originality index of written answers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = accord.db.types.UTCDateTime
Json = accord.db.types.JSONText


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "originality_corpora",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("texts", sa.Integer(), nullable=False),
        sa.Column("job_id", BigId, nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _fk("originality_corpora", "project_id", "projects"),
        _fk("originality_corpora", "job_id", "jobs", "SET NULL"),
        _fk("originality_corpora", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_originality_corpora")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_originality_corpora_project_id", "originality_corpora", ["project_id"])
    op.create_table(
        "originality_texts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("annotation_id", BigId, nullable=True),
        sa.Column("corpus_id", BigId, nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        _fk("originality_texts", "project_id", "projects"),
        _fk("originality_texts", "annotation_id", "annotations"),
        _fk("originality_texts", "corpus_id", "originality_corpora"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_originality_texts")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_originality_texts_project_id_question", "originality_texts", ["project_id", "question"]
    )
    op.create_index("ix_originality_texts_annotation_id", "originality_texts", ["annotation_id"])
    op.create_index("ix_originality_texts_corpus_id", "originality_texts", ["corpus_id"])
    op.create_table(
        "originality_bands",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("text_id", BigId, nullable=False),
        _fk("originality_bands", "text_id", "originality_texts"),
        sa.PrimaryKeyConstraint("key", "text_id", name=op.f("pk_originality_bands")),
    )
    op.create_index("ix_originality_bands_text_id", "originality_bands", ["text_id"])
    op.create_table(
        "originality_checks",
        sa.Column("annotation_id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("details", Json(), nullable=False),
        sa.Column("typing", Json(), nullable=False),
        _fk("originality_checks", "annotation_id", "annotations"),
        _fk("originality_checks", "project_id", "projects"),
        sa.PrimaryKeyConstraint("annotation_id", name=op.f("pk_originality_checks")),
    )
    op.create_index("ix_originality_checks_project_id", "originality_checks", ["project_id"])


def downgrade() -> None:
    op.drop_table("originality_checks")
    op.drop_table("originality_bands")
    op.drop_table("originality_texts")
    op.drop_table("originality_corpora")
