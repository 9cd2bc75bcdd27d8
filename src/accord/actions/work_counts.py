"""Keeping `WorkCount` in step with the work, in the transaction of the action that does it.

Each function adds to one (project, annotator, UTC day, shard) row: one upsert, no read.
Submissions, skips and deletions go to shard 0 (one annotator's own work comes one at a time);
a review decision goes to the shard of its reviewer (`accord.actions.progress.shard_of`), so
that reviewers deciding one author's work at once (a backlog, a model's pre-annotations) do not
queue on one row's lock until each other's commits. Readers sum over the shards. Called by
`do_submit`, `do_skip` (accord.actions.queue), `do_decide` (accord.actions.reviews, for the
annotation's author) and `do_delete_annotation`. `accord.queries.metrics` sums the rows.
"""

from __future__ import annotations

import datetime as dt

from accord.actions.progress import shard_of
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow

# One row per (project, user, day, shard); every column is a delta added to what is there.
_ADD = Sql(
    "INSERT INTO work_counts (project_id, user_id, day, shard, submitted, deleted, skipped, "
    "seconds, accepted, fixed, rejected, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (project_id, user_id, day, shard) DO UPDATE SET "
    "submitted = work_counts.submitted + excluded.submitted, "
    "deleted = work_counts.deleted + excluded.deleted, "
    "skipped = work_counts.skipped + excluded.skipped, "
    "seconds = work_counts.seconds + excluded.seconds, "
    "accepted = work_counts.accepted + excluded.accepted, "
    "fixed = work_counts.fixed + excluded.fixed, "
    "rejected = work_counts.rejected + excluded.rejected, "
    "failed = work_counts.failed + excluded.failed"
)
_DECISIONS = ("accept", "fix", "reject")


def day_of(when: dt.datetime | None = None) -> str:
    """The UTC date a counter row stands for, as ISO text."""
    return (when or utcnow()).astimezone(dt.UTC).date().isoformat()


def _add(
    raw: Raw,
    project_id: int,
    user_id: int,
    *,
    submitted: int = 0,
    deleted: int = 0,
    skipped: int = 0,
    seconds: float = 0.0,
    outcome: tuple[int, int, int] = (0, 0, 0),
    failed: int = 0,
    shard: int = 0,
) -> None:
    counts = (submitted, deleted, skipped, float(seconds), *outcome, failed)
    # nothing reads the counters in the action's own transaction: sent with its next statement
    raw.later(_ADD, (project_id, user_id, day_of(), shard, *counts))


def count_submitted(raw: Raw, project_id: int, user_id: int, seconds: float) -> None:
    _add(raw, project_id, user_id, submitted=1, seconds=seconds)


def count_skipped(raw: Raw, project_id: int, user_id: int) -> None:
    _add(raw, project_id, user_id, skipped=1)


def count_deleted(raw: Raw, project_id: int, author_id: int) -> None:
    """A manager deleted one of ``author_id``'s annotations (counted on the day of deletion)."""
    _add(raw, project_id, author_id, deleted=1)


def count_decided(
    raw: Raw, project_id: int, author_id: int, reviewer_id: int, decision: str, failed: int
) -> None:
    """A review of ``author_id``'s work was decided by ``reviewer_id``, with ``failed``
    checklist items."""
    accept, fix, reject = (int(decision == d) for d in _DECISIONS)
    outcome = (accept, fix, reject)
    shard = shard_of(reviewer_id)
    _add(raw, project_id, author_id, outcome=outcome, failed=failed, shard=shard)
