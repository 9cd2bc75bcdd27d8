"""Active learning: the uncertainty measure and diversity of a project's queue, and the class
probabilities a model server may give with a prediction

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (ALTER TABLE ... ADD COLUMN on SQLite too: no table copied, keys kept).
    op.add_column(
        "projects",
        sa.Column(
            "uncertainty_measure",
            sa.String(length=20),
            nullable=False,
            server_default="least_confident",
        ),
    )
    op.add_column(
        "projects",
        sa.Column(
            "diversity",
            sa.Boolean(create_constraint=False),
            nullable=False,
            server_default=sa.false(),
        ),
    )
    op.add_column("predictions", sa.Column("probabilities", sa.Text(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+ too): none of these is in an index.
    op.drop_column("predictions", "probabilities")
    op.drop_column("projects", "diversity")
    op.drop_column("projects", "uncertainty_measure")
