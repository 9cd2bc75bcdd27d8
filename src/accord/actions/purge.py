"""Removing a deleted project's rows, a short batch at a time.

Deleting a project (`accord.actions.projects.do_delete_project`) only marks it: it is gone for
everyone at once, in one short transaction. Its rows (a million tasks and more, with their
annotations, predictions and history) are removed afterwards by `do_purge_step`, a few
thousand rows per write transaction, so that no one waits more than a few milliseconds behind
it; `accord.jobs.purge` runs the steps in the background and resumes them after a restart.
The project row goes last, once nothing points at it any more.

Its stored media go first (`do_purge_media`): the images uploaded into it, their thumbnails
and browser copies (the storage prefixes `MEDIA_PREFIXES`), so that nothing of a deleted
project is left in the storage once its row is gone.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.progress import tasks_removed
from accord.db.raw import Raw, Sql
from accord.media.storage import Storage

BATCH = 1000  # rows per write transaction: ~10-20 ms on SQLite
# A project's files in the storage: uploads (accord.actions.media), thumbnails
# (accord.jobs.thumbnails), video frames (accord.jobs.frames), audio waveform data
# (accord.jobs.waveform), browser copies of TIFFs;
# "{id}" is the project's id.
MEDIA_PREFIXES = (
    "media/projects/{id}/",
    "media/thumbs/projects/{id}/",
    "media/frames/projects/{id}/",
    "media/waveforms/projects/{id}/",
    "media/display/projects/{id}/",
    "guidelines/projects/{id}/",  # guideline images (accord.actions.guidelines)
)

# Each statement removes (or detaches) up to BATCH rows of the project, found through an index
# that starts with project_id; on PostgreSQL rows another purger is removing are skipped.
_ANNOTATIONS = Sql(
    "DELETE FROM annotations WHERE id IN "
    "(SELECT id FROM annotations WHERE project_id = ? ORDER BY id LIMIT ?)",
    "DELETE FROM annotations WHERE id IN (SELECT id FROM annotations WHERE project_id = %s "
    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)",
)  # their versions go with them (foreign key, indexed)
_PREDICTIONS = Sql(
    "DELETE FROM predictions WHERE id IN "
    "(SELECT id FROM predictions WHERE project_id = ? ORDER BY id LIMIT ?)",
    "DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE project_id = %s "
    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)",
)
# The audit log outlives the project (as the foreign key's ON DELETE SET NULL would leave
# it, but a batch at a time rather than all at once when the project row goes).
_AUDIT = Sql(
    "UPDATE audit_events SET project_id = NULL WHERE id IN "
    "(SELECT id FROM audit_events WHERE project_id = ? ORDER BY id LIMIT ?)",
    "UPDATE audit_events SET project_id = NULL WHERE id IN (SELECT id FROM audit_events "
    "WHERE project_id = %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)",
)
# Tasks take their drafts and assignments along (foreign keys, indexed); their submission
# counts come back so that the progress counters stay equal to a recount.
_TASKS = Sql(
    "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE project_id = ? ORDER BY id "
    "LIMIT ?) RETURNING n_submitted",
    "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE project_id = %s ORDER BY id "
    "LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING n_submitted",
)
# Consensus rows hold no foreign key (see accord.models.consensus.TaskConsensus).
_CONSENSUS = Sql(
    "DELETE FROM task_consensus WHERE (task_id, question) IN (SELECT task_id, question "
    "FROM task_consensus WHERE project_id = ? ORDER BY task_id LIMIT ?)",
    "DELETE FROM task_consensus WHERE (task_id, question) IN (SELECT task_id, question "
    "FROM task_consensus WHERE project_id = %s ORDER BY task_id LIMIT %s FOR UPDATE SKIP LOCKED)",
)
# Webhook deliveries hold no foreign key to the project (see accord.models.webhooks); they are
# found through the project's webhooks, which go with the project row.
_WEBHOOK_DELIVERIES = Sql(
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT d.id FROM webhooks w "
    "JOIN webhook_deliveries d ON d.webhook_id = w.id WHERE w.project_id = ? LIMIT ?)",
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT d.id FROM webhooks w "
    "JOIN webhook_deliveries d ON d.webhook_id = w.id WHERE w.project_id = %s LIMIT %s "
    "FOR UPDATE OF d SKIP LOCKED)",
)
# The originality index (reference corpora, submissions' texts): their band keys go with them
# (foreign key, indexed); a million corpus texts would otherwise go with the project row at once.
_ORIGINALITY = Sql(
    "DELETE FROM originality_texts WHERE id IN "
    "(SELECT id FROM originality_texts WHERE project_id = ? ORDER BY id LIMIT ?)",
    "DELETE FROM originality_texts WHERE id IN (SELECT id FROM originality_texts "
    "WHERE project_id = %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)",
)
_DELETED = Sql("SELECT deleted_at FROM projects WHERE id = ?")
_PROJECT = Sql("DELETE FROM projects WHERE id = ? AND deleted_at IS NOT NULL")


def deleted_projects(session: Session) -> list[int]:
    """Ids of the projects deleted but not yet removed."""
    raw = Raw(session)
    return [row[0] for row in raw.all(Sql("SELECT id FROM projects WHERE deleted_at IS NOT NULL"))]


def do_purge_step(session: Session, project_id: int, batch: int = BATCH) -> bool:
    """Remove one batch of a deleted project's rows; False once the project is gone."""
    raw = Raw(session)
    row = raw.one(_DELETED, (project_id,))
    if row is None or row[0] is None:
        return False
    statements = (_ANNOTATIONS, _PREDICTIONS, _AUDIT, _CONSENSUS, _WEBHOOK_DELIVERIES, _ORIGINALITY)
    for statement in statements:
        if raw.run(statement, (project_id, batch)):
            return True
    removed = raw.all(_TASKS, (project_id, batch))
    if removed:
        tasks_removed(raw, project_id, Counter(row[0] for row in removed).items())
        return True
    if raw.run(_PROJECT, (project_id,)):
        record(session, None, "project.purge", ("project", project_id))
    return False


def do_purge_media(storage: Storage, project_id: int) -> int:
    """Remove a deleted project's stored media (see the module); how many files went.
    Running it again removes what a failure left."""
    return sum(
        storage.delete_prefix(prefix.format(id=int(project_id))) for prefix in MEDIA_PREFIXES
    )
