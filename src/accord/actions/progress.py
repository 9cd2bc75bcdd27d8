"""Keeping `ProgressCount` in step with the tasks, in the transaction that changes them.

Every change of a task's ``n_submitted`` goes through `count_submission`, `take_slot` (in
`accord.actions.queue`) or `uncount_submission`, and each of those moves one task between
counts here; tasks added or removed in bulk go through `tasks_added` / `tasks_removed`.
`accord.queries.projects.progress` reads the sums.
"""

from __future__ import annotations

from collections.abc import Iterable

from accord.db.raw import Raw, Sql

SHARDS = 16

_ADD = Sql(
    "INSERT INTO progress_counts (project_id, shard, submitted, tasks) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (project_id, shard, submitted) "
    "DO UPDATE SET tasks = progress_counts.tasks + excluded.tasks"
)
_MOVE = Sql(
    "INSERT INTO progress_counts (project_id, shard, submitted, tasks) "
    "VALUES (?, ?, ?, -1), (?, ?, ?, 1) "
    "ON CONFLICT (project_id, shard, submitted) "
    "DO UPDATE SET tasks = progress_counts.tasks + excluded.tasks"
)


def shard_of(user_id: int | None) -> int:
    """The counter row a person's changes go to (spreads concurrent writers apart)."""
    return (user_id or 0) % SHARDS


def task_moved(raw: Raw, project_id: int, user_id: int | None, before: int, after: int) -> None:
    """One task of the project went from ``before`` to ``after`` submissions."""
    if before != after:
        shard = shard_of(user_id)
        raw.run(_MOVE, (project_id, shard, before, project_id, shard, after))


def tasks_added(raw: Raw, project_id: int, count: int, submitted: int = 0) -> None:
    """``count`` new tasks with ``submitted`` submissions each (imports: none)."""
    if count:
        raw.run(_ADD, (project_id, 0, submitted, count))


def tasks_removed(raw: Raw, project_id: int, by_submitted: Iterable[tuple[int, int]]) -> None:
    """Tasks deleted: ``(submitted, how many)`` pairs."""
    for submitted, count in by_submitted:
        if count:
            raw.run(_ADD, (project_id, 0, submitted, -count))
