"""Imported shapes or answers as annotations by a named source (a vendor, "legacy-2024", an
earlier tool), not as predictions.

Any import (``source=NAME``: a JSONL/CSV file whose rows carry ``predictions``, or a COCO,
YOLO or VOC dataset) first moves its rows into tasks as usual, each row's answer a prediction.
Then `adopt_predictions` makes each new task's prediction the source's submitted annotation:

- The source is an account of its own (`source_account`), made on first use and the same for
  the same name (compared without regard to case), which can never sign in nor get a token
  (``users.is_source``; its email, under the reserved ``.invalid`` domain, reaches no one). It
  becomes an annotator member of the project. It counts like a person: it fills the task's
  overlap, appears in exports, agreement and metrics, and is sampled for review.
- Each answer goes through the normal submission (`accord.actions.annotations.do_submit`:
  counters, overlap, completion, review sampling, consensus, audit, webhooks), then the
  prediction is deleted, so annotators are not shown the source's answer pre-filled.
- `CHUNK` tasks per write transaction, in the order of their ids, so that no one waits long
  for the write lock. It is idempotent: a task with no prediction left (already adopted) or
  that the source already answered is passed over, so running it again (a retried job)
  finishes the work and creates nothing twice.
- A task is left with its prediction, and counted in ``left_as_predictions`` with the reason
  (the first `MAX_LISTED` named), when its answer would be refused as an annotation (a
  required question unanswered: predictions are checked as partial answers), when its row
  carried several predictions (a source gives one answer per task), or when annotators took
  all its places between the import and this step. Tasks with a known answer (gold,
  qualification, training) are never adopted.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.actions.annotations import do_submit, invalid_answer
from accord.actions.audit import record
from accord.db import Database
from accord.db.raw import Raw, Sql
from accord.errors import Conflict, Invalid, NotFound
from accord.models import Assignment, Membership, Prediction, Role, User
from accord.queries.projects import ProjectInfo, project_info
from accord.queries.tasks import TaskRef

SOURCE_DOMAIN = "source.invalid"  # RFC 2606: reserved, never delivered
MAX_NAME = 100
CHUNK = 50  # tasks per write transaction (each a full submission: keep the write lock short)
ATTEMPTS = 3  # tries of one chunk that met an annotator's lease (PostgreSQL)
PAUSE_SECONDS = 0.002  # between chunks, so that writers waiting for the lock get it
MAX_LISTED = 20

Progress = Callable[[int], None]  # tasks passed so far


@dataclass
class SourceAnswers:
    """What adopting an import's predictions did."""

    source: str
    user_id: int
    annotations: int = 0  # answers recorded as the source's annotations
    left_as_predictions: int = 0
    left: list[dict[str, Any]] = field(default_factory=list)  # {task_id, id, reason}

    def leave(self, task: TaskRef, reason: str) -> None:
        self.left_as_predictions += 1
        if len(self.left) < MAX_LISTED:
            self.left.append({"task_id": task.id, "id": task.external_id, "reason": reason})

    def add(self, other: SourceAnswers) -> None:
        self.annotations += other.annotations
        self.left_as_predictions += other.left_as_predictions
        self.left += other.left[: MAX_LISTED - len(self.left)]

    def fields(self) -> dict[str, Any]:
        """The import report's fields."""
        return {
            "source": self.source,
            "annotations": self.annotations,
            "left_as_predictions": self.left_as_predictions,
            "left_tasks": self.left,
        }


def source_name(name: str) -> str:
    """The source's name as kept (NFKC, trimmed); Invalid if empty, too long or with control
    characters."""
    clean = unicodedata.normalize("NFKC", name).strip()
    if not clean or len(clean) > MAX_NAME or any(unicodedata.category(c) == "Cc" for c in clean):
        raise Invalid(
            f"source must name who made the annotations (a vendor, an earlier tool, e.g. "
            f"'legacy-2024'): 1 to {MAX_NAME} characters, no control characters; "
            f"{name[:120]!r} is not one",
            details={"field": "source"},
            code="bad_source",
        )
    return clean


def source_email(name: str) -> str:
    """The source account's email: one per name whatever its case, under a domain that
    reaches no one."""
    key = name.casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", key).strip("-")[:60] or "source"
    return f"{slug}.{hashlib.sha256(key.encode()).hexdigest()[:10]}@{SOURCE_DOMAIN}"


def _found(session: Session, name: str) -> User | None:
    """The source's account, if it exists; Invalid when it cannot be used."""
    user = session.scalar(select(User).where(User.email == source_email(name)))
    if user is not None and not user.is_source:
        raise Invalid(
            f"the email {user.email} that the source {name!r} would use belongs to a person's "
            "account; choose another source name",
            details={"field": "source"},
            code="bad_source",
        )
    if user is not None and not user.is_active:
        raise Invalid(
            f"the source {name!r} was deactivated; an admin reactivates its account "
            f"({user.email}), or choose another source name",
            details={"field": "source"},
            code="bad_source",
        )
    return user


def check_source(db: Database, name: str) -> str:
    """Before an import: the source's name as kept, or Invalid (nothing written)."""
    name = source_name(name)
    with db.read() as session:
        _found(session, name)
    return name


def do_source_account(session: Session, actor: User, project_id: int, name: str) -> User:
    """The source's account (made if new) as a member of the project (an annotator if it was
    not a member)."""
    user = _found(session, name)
    if user is None:
        user = User(
            email=source_email(name),
            name=name,
            password_hash=None,
            is_source=True,
            is_admin=False,
            can_create_projects=False,
        )
        session.add(user)
        session.flush()
        after = {"email": user.email, "name": name, "is_source": True}
        record(session, actor, "user.create", ("user", user.id), after=after)
    if session.get(Membership, (project_id, user.id)) is None:
        session.add(Membership(project_id=project_id, user_id=user.id, role=Role.annotator.value))
        session.flush()
        record(
            session,
            actor,
            "member.set",
            ("user", user.id),
            project_id=project_id,
            after={"role": Role.annotator.value},
        )
    return user


def source_account(db: Database, actor: User, project_id: int, name: str) -> User:
    for attempt in range(2):
        try:
            with db.write() as session:
                return do_source_account(session, actor, project_id, name)
        except IntegrityError:  # another import made the same source at the same moment
            if attempt:
                raise
    raise AssertionError("unreachable")


def adopt_predictions(
    db: Database,
    actor: User,
    project_id: int,
    import_id: int,
    name: str,
    on_progress: Progress | None = None,
) -> SourceAnswers:
    """Make the predictions of the tasks import ``import_id`` created the annotations of the
    source ``name`` (see the module). The caller has checked that ``actor`` manages the
    project."""
    name = source_name(name)
    user = source_account(db, actor, project_id, name)
    answers = SourceAnswers(name, user.id)
    after, passed = 0, 0
    while True:
        done = _adopt_chunk(db, user, project_id, import_id, after, answers)
        if done is None:
            break
        after, count = done
        passed += count
        if on_progress is not None:
            on_progress(passed)
        time.sleep(PAUSE_SECONDS)
    with db.write() as session:
        record(
            session,
            actor,
            "tasks.import_source",
            ("import", import_id),
            project_id=project_id,
            after={
                "source": name,
                "user_id": user.id,
                "annotations": answers.annotations,
                "left_as_predictions": answers.left_as_predictions,
            },
        )
    return answers


def _adopt_chunk(
    db: Database, user: User, project_id: int, import_id: int, after: int, answers: SourceAnswers
) -> tuple[int, int] | None:
    """One write transaction over the next `CHUNK` tasks of the import after task ``after``:
    the last task's id and how many, or None when there are no more. On PostgreSQL an
    annotator may lease a task between the check and the submission: the chunk is rolled
    back and done again (the task is then seen as taken)."""
    for attempt in range(ATTEMPTS):
        tally = SourceAnswers(answers.source, answers.user_id)
        try:
            with db.write() as session:
                done = _adopt(session, user, project_id, import_id, after, tally)
        except Conflict:
            if attempt + 1 == ATTEMPTS:
                raise
            continue
        answers.add(tally)
        return done
    return None


_PROJECT = Sql("SELECT updated_at, deleted_at FROM projects WHERE id = ?")
# The import's next tasks, by id: the project's (project_id, id) index, filtered on import_id.
_TASKS = Sql(
    "SELECT id, project_id, external_id, data, n_submitted, created_at, purpose, n_claimed, "
    "extra_overlap FROM tasks WHERE project_id = ? AND id > ? AND import_id = ? "
    "ORDER BY id LIMIT ?"
)


def _adopt(
    session: Session, user: User, project_id: int, import_id: int, after: int, tally: SourceAnswers
) -> tuple[int, int] | None:
    raw = Raw(session)
    found = raw.one(_PROJECT, (project_id,))
    if found is None or found[1] is not None:
        raise NotFound(f"project {project_id} was deleted while the source's answers were recorded")
    project = project_info(session, project_id, Raw.when(found[0]))
    rows = raw.all(_TASKS, (project_id, after, import_id, CHUNK))
    if not rows:
        return None
    ids = [int(row[0]) for row in rows]
    predictions: dict[int, list[tuple[int, str]]] = {}
    for prediction_id, task_id, result in session.execute(
        select(Prediction.id, Prediction.task_id, Prediction.result)
        .where(Prediction.task_id.in_(ids))
        .order_by(Prediction.id)
    ):
        predictions.setdefault(task_id, []).append((prediction_id, result))
    answered = set(
        session.scalars(
            select(Assignment.task_id).where(
                Assignment.task_id.in_(ids), Assignment.user_id == user.id
            )
        )
    )
    for row in rows:
        task = TaskRef(row[0], row[1], row[2], row[3], row[4], Raw.when(row[5]), row[6])
        mine = predictions.get(task.id, [])
        if task.purpose is not None or not mine or task.id in answered:
            continue  # a task with a known answer, nothing to adopt, or adopted already
        places = project.overlap + int(row[8])
        _adopt_one(session, user, project, task, mine, taken=int(row[7]) >= places, tally=tally)
    return ids[-1], len(ids)


def _adopt_one(
    session: Session,
    user: User,
    project: ProjectInfo,
    task: TaskRef,
    mine: list[tuple[int, str]],
    *,
    taken: bool,
    tally: SourceAnswers,
) -> None:
    if len(mine) > 1:
        tally.leave(task, f"the row had {len(mine)} predictions; a source gives one answer")
        return
    if taken:
        tally.leave(task, "annotators took all of the task's places before the source answered")
        return
    prediction_id, text = mine[0]
    result = orjson.loads(text)
    problems = project.interface.check_result(result, orjson.loads(task.data))
    if problems:
        tally.leave(task, invalid_answer(problems).message)
        return
    do_submit(session, user, project, task, result, 0.0, checked=text)
    session.execute(delete(Prediction).where(Prediction.id == prediction_id))
    tally.annotations += 1
