"""hardening: account permissions and lockout, token expiry, sign-in attempts, progress counters,
import states, project deletion in the background, ids never reused on SQLite

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 22:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Every table whose key is an integer id: on SQLite they become AUTOINCREMENT, so that the id
# of a deleted row (a project, a task) is never handed out again.
ID_TABLES = (
    "users",
    "api_tokens",
    "browser_sessions",
    "projects",
    "audit_events",
    "imports",
    "tasks",
    "annotations",
    "assignments",
    "predictions",
    "annotation_versions",
)
NEW_COLUMNS: dict[str, list[sa.Column[object]]] = {
    "users": [
        sa.Column("can_create_projects", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", accord.db.types.UTCDateTime(), nullable=True),
    ],
    "api_tokens": [sa.Column("expires_at", accord.db.types.UTCDateTime(), nullable=True)],
    "projects": [
        sa.Column("deleted_at", accord.db.types.UTCDateTime(), nullable=True),
        sa.Column("queue_pending_from", sa.BigInteger(), nullable=True),
    ],
    "imports": [
        sa.Column("state", sa.String(length=16), server_default="done", nullable=False),
        sa.Column("staged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("moved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("heartbeat_at", accord.db.types.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    ],
}
INVISIBLE = {"Cf", "Cc", "Zl", "Zp"}


def normalized_email(email: str) -> str:
    """The email as accounts store it from now on (kept here as it was when written)."""
    text = unicodedata.normalize("NFKC", email)
    text = "".join(c for c in text if unicodedata.category(c) not in INVISIBLE)
    return text.strip().lower()


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table in ID_TABLES:
        columns = NEW_COLUMNS.get(table, [])
        if sqlite:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ) as batch_op:
                for column in columns:
                    batch_op.add_column(column)
        else:
            for column in columns:
                op.add_column(table, column)

    op.create_table(
        "sign_in_attempts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", accord.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sign_in_attempts_key_at", "sign_in_attempts", ["key", "at"], unique=False)
    op.create_table(
        "progress_counts",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("tasks", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_progress_counts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "shard", "submitted", name=op.f("pk_progress_counts")
        ),
    )
    op.create_index("ix_predictions_task_id", "predictions", ["task_id"], unique=False)
    op.execute(
        "INSERT INTO progress_counts (project_id, shard, submitted, tasks) "
        "SELECT project_id, 0, n_submitted, count(*) FROM tasks GROUP BY project_id, n_submitted"
    )
    _normalize_emails(bind)


def _normalize_emails(bind: sa.Connection) -> None:
    users = bind.execute(sa.text("SELECT id, email FROM users ORDER BY id")).all()
    owner: dict[str, int] = {}
    for user_id, email in users:
        clean = normalized_email(email)
        if clean in owner:
            raise RuntimeError(
                f"accounts {owner[clean]} and {user_id} have emails that differ only in case, "
                f"width or invisible characters ({email!r}); give one of them another email, "
                "then run `accord db upgrade` again"
            )
        owner[clean] = user_id
        if clean != email:
            bind.execute(
                sa.text("UPDATE users SET email = :email WHERE id = :id"),
                {"email": clean, "id": user_id},
            )


def downgrade() -> None:
    op.drop_index("ix_predictions_task_id", table_name="predictions")
    op.drop_table("progress_counts")
    op.drop_index("ix_sign_in_attempts_key_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    bind = op.get_bind()
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_column(column.name)
    if bind.dialect.name == "sqlite":
        for table in ID_TABLES:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": False}
            ):
                pass
