"""versioned guidelines, acknowledgements, section links

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0013"
down_revision: str | None = "0012"
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
        "guideline_versions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("guideline_versions", "project_id", "projects"),
        _fk("guideline_versions", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_versions")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_guideline_versions_project_id_number",
        "guideline_versions",
        ["project_id", "number"],
        unique=True,
    )
    op.create_table(
        "guideline_acknowledgements",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("guideline_acknowledgements", "project_id", "projects"),
        _fk("guideline_acknowledgements", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_acknowledgements")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_guideline_acknowledgements_project_id_user_id_number",
        "guideline_acknowledgements",
        ["project_id", "user_id", "number"],
        unique=True,
    )
    op.create_index(
        "ix_guideline_acknowledgements_user_id", "guideline_acknowledgements", ["user_id"]
    )
    # Plain ADD COLUMNs: SQLite keeps the tables (and their AUTOINCREMENT) as they are.
    op.add_column(
        "projects",
        sa.Column("guidelines_material", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("reviews", sa.Column("guidelines_version", sa.Integer(), nullable=True))
    # Each project's current guidelines become its first recorded version.
    op.execute(
        "INSERT INTO guideline_versions (project_id, number, text, note, material, created_at) "
        "SELECT id, guidelines_version, guidelines, '', false, updated_at FROM projects"
    )


def downgrade() -> None:
    with op.batch_alter_table(
        "reviews", recreate="auto", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_column("guidelines_version")
    with op.batch_alter_table(
        "projects", recreate="auto", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_column("guidelines_material")
    op.drop_index("ix_guideline_acknowledgements_user_id", table_name="guideline_acknowledgements")
    op.drop_index(
        "uq_guideline_acknowledgements_project_id_user_id_number",
        table_name="guideline_acknowledgements",
    )
    op.drop_table("guideline_acknowledgements")
    op.drop_index("uq_guideline_versions_project_id_number", table_name="guideline_versions")
    op.drop_table("guideline_versions")
