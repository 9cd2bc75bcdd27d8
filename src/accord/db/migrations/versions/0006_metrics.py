"""metrics: per (project, annotator, day) work counters and per-project metrics snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import accord.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = accord.db.types.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "work_counts",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("fixed", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        _fk("work_counts", "project_id", "projects"),
        _fk("work_counts", "user_id", "users"),
        sa.PrimaryKeyConstraint("project_id", "user_id", "day", name=op.f("pk_work_counts")),
    )
    op.create_index(op.f("ix_work_counts_user_id"), "work_counts", ["user_id"])
    op.create_table(
        "metrics_snapshots",
        sa.Column("project_id", BigId, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("computed_at", Stamp(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        _fk("metrics_snapshots", "project_id", "projects"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_metrics_snapshots")),
    )
    _backfill()


# The counters of the work done before this migration, from the rows that record it: each
# annotation counts on the day it was made (with its active time), each skip on the day of
# its assignment's last change, each decided review for its author on the day it was decided.
_UPSERT = (
    "INSERT INTO work_counts (project_id, user_id, day, submitted, deleted, skipped, seconds, "
    "accepted, fixed, rejected, failed) {select} "
    "ON CONFLICT (project_id, user_id, day) DO UPDATE SET "
    "skipped = work_counts.skipped + excluded.skipped, "
    "accepted = work_counts.accepted + excluded.accepted, "
    "fixed = work_counts.fixed + excluded.fixed, "
    "rejected = work_counts.rejected + excluded.rejected, "
    "failed = work_counts.failed + excluded.failed"
)


def _backfill() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"

    def day(column: str) -> str:
        return f"substr({column}, 1, 10)" if sqlite else f"to_char({column}, 'YYYY-MM-DD')"

    failed = "json_array_length(failed)" if sqlite else "json_array_length(failed::json)"
    selects = (
        f"SELECT project_id, user_id, {day('created_at')}, count(*), 0, 0, sum(seconds), "
        f"0, 0, 0, 0 FROM annotations GROUP BY project_id, user_id, {day('created_at')}",
        f"SELECT project_id, user_id, {day('updated_at')}, 0, 0, count(*), 0, 0, 0, 0, 0 "
        f"FROM assignments WHERE state = 'skipped' "
        f"GROUP BY project_id, user_id, {day('updated_at')}",
        f"SELECT project_id, author_id, {day('decided_at')}, 0, 0, 0, 0, "
        "sum(CASE WHEN decision = 'accept' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN decision = 'fix' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN decision = 'reject' THEN 1 ELSE 0 END), "
        f"sum({failed}) FROM reviews WHERE state = 'decided' AND decided_at IS NOT NULL "
        f"GROUP BY project_id, author_id, {day('decided_at')}",
    )
    for select in selects:
        # SQLite reads "INSERT ... SELECT ... ON CONFLICT" as a join unless the SELECT has a
        # WHERE clause; the wrapping one is always true.
        op.execute(sa.text(_UPSERT.format(select=f"SELECT * FROM ({select}) AS s WHERE true")))


def downgrade() -> None:
    op.drop_table("metrics_snapshots")
    op.drop_index(op.f("ix_work_counts_user_id"), table_name="work_counts")
    op.drop_table("work_counts")
