"""LLM assistance: endpoints (key encrypted), prompt template versions, the call log

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0019"
down_revision: str | None = "0018"
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
        "llm_endpoints",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("key_encrypted", sa.Text(), nullable=True),
        sa.Column("key_hint", sa.String(length=8), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("max_tokens", sa.Integer(), nullable=False),
        sa.Column("temperature", sa.Float(), nullable=False),
        sa.Column("token_budget", sa.BigInteger(), nullable=True),
        sa.Column("tokens_used", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        sa.Column("updated_at", Stamp(), nullable=False),
        _fk("llm_endpoints", "project_id", "projects"),
        _fk("llm_endpoints", "updated_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_llm_endpoints")),
    )
    op.create_table(
        "llm_templates",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("system", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("llm_templates", "project_id", "projects"),
        _fk("llm_templates", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_templates")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_llm_templates_project_name_version",
        "llm_templates",
        ["project_id", "name", "version"],
        unique=True,
    )
    op.create_table(
        "llm_calls",
        sa.Column("id", BigId, nullable=False),
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", BigId, nullable=True),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("use", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=True),
        sa.Column("template_name", sa.String(length=100), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("parameters", accord.db.types.JSONText(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("completion", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("prediction_id", sa.BigInteger(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp(), nullable=False),
        _fk("llm_calls", "project_id", "projects"),
        _fk("llm_calls", "user_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_calls")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_llm_calls_project_id_id", "llm_calls", ["project_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_llm_calls_project_id_id", table_name="llm_calls")
    op.drop_table("llm_calls")
    op.drop_index("uq_llm_templates_project_name_version", table_name="llm_templates")
    op.drop_table("llm_templates")
    op.drop_table("llm_endpoints")
