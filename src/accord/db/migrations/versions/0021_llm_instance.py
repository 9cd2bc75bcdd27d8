"""LLM assistance: a project may use the endpoint the server offers (ACCORD_LLM_BASE_URL)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (ALTER TABLE ... ADD COLUMN on SQLite too).
    op.add_column(
        "llm_endpoints",
        sa.Column(
            "uses_instance",
            sa.Boolean(create_constraint=False),
            nullable=False,
            server_default=sa.false(),
        ),
    )


def downgrade() -> None:
    op.drop_column("llm_endpoints", "uses_instance")
