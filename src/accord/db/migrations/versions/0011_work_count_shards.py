"""work_counts rows split by shard (reviewers deciding one author's work write apart)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_counts") as batch:
        batch.add_column(sa.Column("shard", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("pk_work_counts", type_="primary")
        batch.create_primary_key("pk_work_counts", ["project_id", "user_id", "day", "shard"])


COUNTS = "submitted, deleted, skipped, seconds, accepted, fixed, rejected, failed"


def downgrade() -> None:
    # The shards of one (project, user, day) are added into shard 0 before the column goes.
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTS.split(", "))
    op.execute(
        f"CREATE TABLE work_counts_merged AS SELECT project_id, user_id, day, {sums} "
        "FROM work_counts GROUP BY project_id, user_id, day"
    )
    op.execute("DELETE FROM work_counts")
    op.execute(
        f"INSERT INTO work_counts (project_id, user_id, day, shard, {COUNTS}) "
        f"SELECT project_id, user_id, day, 0, {COUNTS} FROM work_counts_merged"
    )
    op.execute("DROP TABLE work_counts_merged")
    with op.batch_alter_table("work_counts") as batch:
        batch.drop_constraint("pk_work_counts", type_="primary")
        batch.create_primary_key("pk_work_counts", ["project_id", "user_id", "day"])
        batch.drop_column("shard")
