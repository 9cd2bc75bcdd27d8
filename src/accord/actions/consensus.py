"""Consensus of a complete task, dynamic overlap and the opening of adjudications.

When a task of the dataset gets the last annotation it needs (``overlap + extra_overlap``
submissions; `settle_task`, called by `accord.actions.annotations.do_submit` inside the submit
transaction), each question gets:

- an **agreement**: the mean, over pairs of the task's answers, of ``1 - distance`` by the
  question kind's distance (`accord.kinds.base.QuestionKind.distance`; None with one answer);
- a **consensus** answer with its confidence, by the project's ``consensus_method``:
  ``majority`` is the kind's own combination (majority vote, median, Borda, span vote, text
  medoid: `QuestionKind.consensus`); ``dawid_skene`` weighs single-choice answers by the
  annotators' confusion matrices from the last project-wide run (`accord.jobs.consensus`), and
  falls back to ``majority`` for other kinds and before any run.

The rows go to ``task_consensus``. If the task's agreement (the lowest over its questions) is
below the project's ``agreement_threshold``, the task asks for one more annotator while
``overlap + extra_overlap < max_overlap`` (dynamic overlap: a guarded UPDATE raises
``extra_overlap`` and reopens the task), else an `Adjudication` opens.

Tasks with a known answer (``purpose``: gold, qualification, training) are not part of the
dataset: they get no consensus and no adjudication. With overlap 1 there is nothing to compare:
`settle_task` returns at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import orjson
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.queue import Counted
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.kinds.consensus import (
    DAWID_SKENE,
    QuestionConsensus,
    Skills,
    lowest_agreement,
    task_consensus,
)
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

_TASK_STATE = Sql("SELECT n_submitted, extra_overlap, purpose FROM tasks WHERE id = ?")
_ANSWERS = Sql("SELECT user_id, result FROM annotations WHERE task_id = ? ORDER BY id")
_DROP = Sql("DELETE FROM task_consensus WHERE task_id = ?")
_INSERT = Sql(
    "INSERT INTO task_consensus (task_id, question, project_id, method, answer, confidence, "
    "agreement, n, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Guarded: of two submissions settling the same task at once, one raises the overlap.
_ASK_ONE_MORE = Sql(
    "UPDATE tasks SET extra_overlap = extra_overlap + 1, "
    "is_open = (purpose IS NULL AND n_claimed < ? + extra_overlap + 1) "
    "WHERE id = ? AND extra_overlap = ?"
)
_HAS_ADJUDICATION = Sql("SELECT id FROM adjudications WHERE task_id = ?")
_OPEN_ADJUDICATION = Sql(
    "INSERT INTO adjudications (project_id, task_id, state, reason, created_at) "
    "VALUES (?, ?, 'open', ?, ?) RETURNING id"
)
_RUNS = Sql(
    "SELECT question, finished_at FROM consensus_runs WHERE project_id = ? AND state = 'done' "
    "AND method = 'dawid_skene' AND skills IS NOT NULL"
)
_SKILLS = Sql("SELECT skills FROM consensus_runs WHERE project_id = ? AND question = ?")
# Parsed skills by (project, question, when the run finished): a run's JSON is read once.
_PARSED: dict[tuple[int, str, str], Skills] = {}
MAX_PARSED = 64


def settle_task(
    session: Session, project: ProjectInfo, task: TaskRef, counted: Counted | None = None
) -> None:
    """After a submission: if the task now has every annotation it needs, store its consensus
    and, below the agreement threshold, ask for one more annotator or open an adjudication.
    ``counted``: the task's counts after the submission, when the caller has them."""
    if project.overlap < 2 or task.purpose is not None:
        return  # nothing to compare, or not part of the dataset
    raw = Raw(session)
    if counted is None:
        state = raw.one(_TASK_STATE, (task.id,))
        if state is None:
            return
        counted = Counted(int(state[0]), int(state[1]), state[2])
    if counted.purpose is not None:
        return
    n_submitted, extra = counted.n_submitted, counted.extra_overlap
    if n_submitted < project.overlap + extra:
        return
    answers = [(int(user), orjson.loads(result)) for user, result in raw.all(_ANSWERS, (task.id,))]
    skills = _skills(raw, project) if project.consensus_method == DAWID_SKENE else {}
    found = task_consensus(project.interface.questions, answers, skills)
    store(raw, project.id, task.id, found)
    low = lowest_agreement(found)
    if project.agreement_threshold <= 0 or low is None or low >= project.agreement_threshold:
        return
    if project.max_overlap > project.overlap + extra:
        if raw.run(_ASK_ONE_MORE, (project.overlap, task.id, extra)):
            record(
                session,
                None,
                "task.overlap_extend",
                ("task", task.id),
                project_id=project.id,
                after={"agreement": round(low, 4), "annotations": project.overlap + extra + 1},
            )
        return
    open_adjudication(session, raw, project, task.id, found)


_HAS_CONSENSUS = Sql("SELECT 1 FROM task_consensus WHERE task_id = ? LIMIT 1")


def refresh_consensus(session: Session, project: ProjectInfo, task_id: int) -> None:
    """An answer of a task with a stored consensus changed (its author's edit, a reviewer's
    fix) or went (a deletion): compute the consensus again from the answers there are now,
    or drop it if the task is no longer complete (it is stored again when it completes).
    Thresholds are not applied again: an adjudication or an extra annotator asked for stays."""
    raw = Raw(session)
    if raw.one(_HAS_CONSENSUS, (task_id,)) is None:
        return
    state = raw.one(_TASK_STATE, (task_id,))
    if state is None or int(state[0]) < project.overlap + int(state[1]):
        raw.run(_DROP, (task_id,))
        return
    answers = [(int(user), orjson.loads(result)) for user, result in raw.all(_ANSWERS, (task_id,))]
    skills = _skills(raw, project) if project.consensus_method == DAWID_SKENE else {}
    store(raw, project.id, task_id, task_consensus(project.interface.questions, answers, skills))


def store(raw: Raw, project_id: int, task_id: int, found: Sequence[QuestionConsensus]) -> None:
    """Replace the task's consensus rows."""
    stamp = raw.stamp(utcnow())
    raw.run(_DROP, (task_id,))
    for q in found:
        raw.run(
            _INSERT,
            (
                task_id,
                q.question,
                project_id,
                q.method,
                None if q.answer is None else orjson.dumps(q.answer).decode(),
                _rounded(q.confidence),
                _rounded(q.agreement),
                q.n,
                stamp,
            ),
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 6)


def open_adjudication(
    session: Session,
    raw: Raw,
    project: ProjectInfo,
    task_id: int,
    found: Sequence[QuestionConsensus],
) -> int | None:
    """Open the task's adjudication (once per task); its id, or None if it had one."""
    if raw.one(_HAS_ADJUDICATION, (task_id,)) is not None:
        return None
    threshold = project.agreement_threshold
    low = [
        f"{q.question} {q.agreement:.2f}"
        for q in found
        if q.agreement is not None and q.agreement < threshold
    ]
    reason = f"agreement below {threshold:g}: " + ", ".join(low)
    row = raw.one(_OPEN_ADJUDICATION, (project.id, task_id, reason, raw.stamp(utcnow())))
    assert row is not None
    adjudication_id = int(row[0])
    record(
        session,
        None,
        "adjudication.open",
        ("adjudication", adjudication_id),
        project_id=project.id,
        after={"task_id": task_id, "reason": reason},
    )
    return adjudication_id


def _skills(raw: Raw, project: ProjectInfo) -> dict[str, Skills]:
    """The annotators' skills from the project's last Dawid-Skene run of each question."""
    out: dict[str, Skills] = {}
    for question, finished in raw.all(_RUNS, (project.id,)):
        key = (project.id, str(question), str(finished))
        found = _PARSED.get(key)
        if found is None:
            row = raw.one(_SKILLS, (project.id, question))
            if row is None or row[0] is None:
                continue
            if len(_PARSED) >= MAX_PARSED:
                _PARSED.clear()
            found = _PARSED[key] = Skills(orjson.loads(row[0]))
        out[str(question)] = found
    return out
