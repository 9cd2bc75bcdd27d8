"""Project-wide Dawid-Skene: every single-choice question's consensus over all tasks at once.

Per-task consensus (`accord.actions.consensus`) sees one task's answers. Dawid-Skene
(`accord.quality.dawid_skene`) looks at every answer in the project together: each annotator
gets a confusion matrix (how often they say ``k`` when the truth is ``c``), so one who is
often wrong weighs less everywhere. `run_consensus` runs it for each single-choice question
of a project, outside any write lock and never inside a request (the API claims the run and
runs it on a worker thread once its answer is sent: `claim_run`, `run_claimed`), then:

- stores, for every complete task of the dataset, the consensus (the class with the highest
  posterior), its confidence (that posterior, scaled by the share of answers that are not
  empty) and the agreement of the task's answers (mean pairwise similarity, as per task) in
  ``task_consensus`` (method ``dawid_skene``), a few thousand rows per short write;
- records the run in ``consensus_runs`` (state, when it started and finished, over how many
  tasks and annotations) with the annotators' confusion matrices, which the per-task
  consensus of tasks completed later uses when the project's method is ``dawid_skene``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import delete, select

from accord.actions.audit import record
from accord.db import Database
from accord.db.types import utcnow
from accord.kinds.base import QuestionConfig
from accord.models import ConsensusRun, Project
from accord.queries.projects import interface_of

log = logging.getLogger("accord.consensus")

BATCH = 5000  # task_consensus rows per write transaction
FETCH = 100_000  # answers read per batch
DAWID_SKENE = "dawid_skene"
_running: set[tuple[int, int]] = set()  # (id of the Database, project id)
_lock = threading.Lock()


@dataclass(frozen=True)
class RunReport:
    question: str
    tasks: int  # tasks whose consensus was stored
    annotations: int  # answers the inference saw
    seconds: float


def questions_of(project: Project) -> list[QuestionConfig]:
    """The questions a project-wide run infers: single-choice ones."""
    return [
        q
        for q in interface_of(project).questions
        if q.kind == "choice" and not getattr(q, "multiple", False)
    ]


def claim_run(db: Database, project_id: int) -> bool:
    """Mark a run of the project as under way in this process; False if one already is."""
    key = (id(db), project_id)
    with _lock:
        if key in _running:
            return False
        _running.add(key)
        return True


def run_claimed(db: Database, project_id: int) -> None:
    """`run_consensus` for a run `claim_run` marked (after the request that asked for it, on a
    worker thread), then the mark is lifted; a failure is logged and recorded in the run."""
    try:
        run_consensus(db, project_id)
    except Exception:
        log.exception("the project-wide consensus of project %s failed", project_id)
    finally:
        with _lock:
            _running.discard((id(db), project_id))


def is_running(db: Database, project_id: int) -> bool:
    with _lock:
        return (id(db), project_id) in _running


def run_consensus(db: Database, project_id: int, *, batch: int = BATCH) -> list[RunReport]:
    """Infer and store the consensus of every single-choice question of the project."""
    with db.read() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            return []
        questions = questions_of(project)
        overlap = project.overlap
    started = utcnow()
    with db.write() as session:
        session.execute(delete(ConsensusRun).where(ConsensusRun.project_id == project_id))
        for q in questions:
            session.add(
                ConsensusRun(
                    project_id=project_id, question=q.name, method=DAWID_SKENE, started_at=started
                )
            )
    reports = []
    for question in questions:
        began = time.perf_counter()
        try:
            tasks, annotations, skills = _run_question(db, project_id, overlap, question, batch)
        except Exception as exc:
            _finish(db, project_id, question.name, state="failed", error=str(exc)[:2000])
            raise
        _finish(
            db,
            project_id,
            question.name,
            state="done",
            tasks=tasks,
            annotations=annotations,
            skills=skills,
        )
        reports.append(RunReport(question.name, tasks, annotations, time.perf_counter() - began))
    with db.write() as session:
        record(
            session,
            None,
            "consensus.run",
            ("project", project_id),
            project_id=project_id,
            after={r.question: {"tasks": r.tasks, "annotations": r.annotations} for r in reports},
        )
    return reports


def _finish(db: Database, project_id: int, question: str, **values: Any) -> None:
    with db.write() as session:
        run = session.scalar(
            select(ConsensusRun).where(
                ConsensusRun.project_id == project_id, ConsensusRun.question == question
            )
        )
        if run is None:
            return  # a newer run replaced it
        skills = values.pop("skills", None)
        for key, value in values.items():
            setattr(run, key, value)
        run.skills = None if skills is None else orjson.dumps(skills).decode()
        run.finished_at = utcnow()


@dataclass(frozen=True)
class _Answers:
    task: Any  # task id of each answer
    user: Any  # annotator id of each answer
    code: Any  # class index of each answer, -1 when the question was left empty
    complete: Any  # sorted ids of the complete tasks of the dataset
    known: Any  # ids of the tasks with a known answer (gold, qualification, training)


def _read(db: Database, project_id: int, overlap: int, question: QuestionConfig) -> _Answers:
    """Every answer to ``question`` in the project, as arrays (one read snapshot)."""
    values = [option.value for option in question.options]  # type: ignore[attr-defined]
    with db.read() as session:
        raw: Any = session.connection().connection.driver_connection
        sqlite = session.connection().dialect.name == "sqlite"
        cursor = raw.cursor()
        p = "?" if sqlite else "%s"
        cursor.execute(
            f"SELECT id FROM tasks WHERE project_id = {p} AND purpose IS NULL "
            f"AND n_submitted >= {p} + extra_overlap ORDER BY id",
            (project_id, overlap),
        )
        complete = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
        cursor.execute(
            f"SELECT id FROM tasks WHERE project_id = {p} AND purpose IS NOT NULL", (project_id,)
        )
        known = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
        # The class index of each answer is computed by the database (-1: empty or unknown),
        # so that only whole numbers cross into Python, a batch at a time.
        pick = f"json_extract(a.result, {p})" if sqlite else f"(a.result::json -> {p}) ->> 'choice'"
        path = f'$."{question.name}".choice' if sqlite else question.name
        cases = " ".join(f"WHEN {p} THEN {i}" for i in range(len(values)))
        # SQLite: when the project holds much of the table, reading it in storage order beats
        # a walk of the project's index, which visits the rows in task order.
        where = "+a.project_id" if sqlite and _most_of_table(cursor, project_id) else "a.project_id"
        cursor.execute(
            f"SELECT a.task_id, a.user_id, CASE {pick} {cases} ELSE -1 END "
            f"FROM annotations a WHERE {where} = {p}",
            (path, *values, project_id),
        )
        parts = []
        while batch := cursor.fetchmany(FETCH):
            flat = itertools.chain.from_iterable(batch)
            parts.append(np.fromiter(flat, dtype=np.int64, count=3 * len(batch)))
        cursor.close()
    rows = np.concatenate(parts).reshape(-1, 3) if parts else np.zeros((0, 3), dtype=np.int64)
    return _Answers(rows[:, 0], rows[:, 1], rows[:, 2], complete, known)


def _most_of_table(cursor: Any, project_id: int) -> bool:
    """SQLite: whether the project's annotations are a quarter or more of all annotations."""
    cursor.execute("SELECT count(*) FROM annotations WHERE project_id = ?", (project_id,))
    mine = int(cursor.fetchone()[0])
    cursor.execute("SELECT max(id) FROM annotations")
    everyone = cursor.fetchone()[0] or 0
    return mine * 4 >= int(everyone)


def _run_question(
    db: Database, project_id: int, overlap: int, question: QuestionConfig, batch: int
) -> tuple[int, int, dict[str, Any]]:
    from accord.quality.data import as_categorical
    from accord.quality.dawid_skene import dawid_skene

    values = [option.value for option in question.options]  # type: ignore[attr-defined]
    k = len(values)
    data = _read(db, project_id, overlap, question)
    keep = data.code >= 0
    if data.known.shape[0]:
        keep &= ~np.isin(data.task, data.known)  # tasks with a known answer are not data
    if not keep.any():
        return 0, 0, {}
    cat = as_categorical((data.task[keep], data.user[keep], data.code[keep]), classes=np.arange(k))
    found = dawid_skene(cat, classes=np.arange(k))
    rows = _rows(data, found, k)
    _store(db, project_id, question.name, values, rows, batch)
    confusion = np.nan_to_num(found.confusion) if found.confusion is not None else None
    skills = {
        "classes": values,
        "priors": [float(x) for x in (found.priors if found.priors is not None else [])],
        "annotators": {
            str(int(a)): np.round(confusion[i], 6).tolist() for i, a in enumerate(found.annotators)
        }
        if confusion is not None
        else {},
        "mean": np.round(confusion.mean(axis=0), 6).tolist() if confusion is not None else None,
    }
    return int(rows[0].shape[0]), int(keep.sum()), skills


def _rows(data: _Answers, found: Any, k: int) -> tuple[Any, ...]:
    """Per complete task: (task id, class index or -1, confidence, agreement or nan, n)."""
    tasks = data.complete
    if tasks.shape[0] == 0:
        empty = np.zeros(0)
        return tasks, empty.astype(np.int64), empty, empty, empty
    at = np.minimum(np.searchsorted(tasks, data.task), tasks.shape[0] - 1)
    mine = tasks[at] == data.task
    index, code = at[mine], data.code[mine] + 1  # 0: empty, 1..k: classes
    counts = np.bincount(index * (k + 1) + code, minlength=tasks.shape[0] * (k + 1))
    counts = counts.reshape(tasks.shape[0], k + 1).astype(np.float64)
    n = counts.sum(axis=1)
    pairs = n * (n - 1)
    same = (counts * (counts - 1)).sum(axis=1)
    agreement = np.divide(same, pairs, out=np.full_like(n, np.nan), where=pairs > 0)
    label = np.full(tasks.shape[0], -1, dtype=np.int64)
    confidence = np.zeros(tasks.shape[0])
    where = np.searchsorted(found.items, tasks)
    where = np.minimum(where, max(found.items.shape[0] - 1, 0))
    inferred = found.items[where] == tasks
    label[inferred] = np.asarray(found.labels, dtype=np.int64)[where[inferred]]
    share = np.divide(n - counts[:, 0], n, out=np.zeros_like(n), where=n > 0)
    confidence[inferred] = found.confidence[where[inferred]] * share[inferred]
    empty = share * 2 <= 1  # as per task: mostly empty answers make an empty consensus
    label[empty] = -1
    confidence[empty] = 1 - share[empty]
    keep = n > 0
    return tasks[keep], label[keep], confidence[keep], agreement[keep], n[keep]


_UPSERT = (
    "INSERT INTO task_consensus (task_id, question, project_id, method, answer, confidence, "
    "agreement, n, computed_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}) "
    "ON CONFLICT (task_id, question) DO UPDATE SET method = excluded.method, "
    "answer = excluded.answer, confidence = excluded.confidence, "
    "agreement = excluded.agreement, n = excluded.n, computed_at = excluded.computed_at"
)


def _store(
    db: Database,
    project_id: int,
    question: str,
    values: list[str],
    rows: tuple[Any, ...],
    batch: int,
) -> None:
    """Write the rows: upserts, ``batch`` per short write transaction (SQLite); or, per
    `PG_BATCH` tasks, the question's rows of that range of tasks replaced through ``COPY``
    (PostgreSQL, where writers do not wait on one another)."""
    tasks, label, confidence, agreement, n = rows
    answers = [orjson.dumps({"choice": v}).decode() for v in values]
    levels = np.round(confidence, 6).tolist()
    agreements = [None if a != a else a for a in np.round(agreement, 6).tolist()]
    ids, labels, counts = tasks.tolist(), label.tolist(), n.astype(np.int64).tolist()
    if db.is_sqlite:
        stamp = _stamp(utcnow(), True)
        table = [
            (
                ids[i],
                question,
                project_id,
                DAWID_SKENE,
                answers[labels[i]] if labels[i] >= 0 else None,
                levels[i],
                agreements[i],
                counts[i],
                stamp,
            )
            for i in range(len(ids))
        ]
        for start in range(0, len(table), batch):
            with db.write() as session:
                driver: Any = session.connection().connection.driver_connection
                cursor = driver.cursor()
                cursor.executemany(_UPSERT.format(p="?"), table[start : start + batch])
                cursor.close()
        return
    stamp = _stamp(utcnow(), False).isoformat()
    texts = [_copy_text(a) for a in answers]
    head = f"\t{question}\t{project_id}\t{DAWID_SKENE}\t"
    for start in range(0, len(ids), PG_BATCH):
        end = min(start + PG_BATCH, len(ids))
        lines = "".join(
            f"{ids[i]}{head}{texts[labels[i]] if labels[i] >= 0 else NULL}\t{levels[i]}\t"
            f"{NULL if agreements[i] is None else agreements[i]}\t{counts[i]}\t{stamp}\n"
            for i in range(start, end)
        )
        with db.write() as session:
            driver = session.connection().connection.driver_connection
            with driver.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM task_consensus WHERE project_id = %s AND question = %s "
                    "AND task_id >= %s AND task_id <= %s",
                    (project_id, question, ids[start], ids[end - 1]),
                )
                with cursor.copy(f"COPY task_consensus ({_COLUMNS}) FROM STDIN") as copy:
                    copy.write(lines)


PG_BATCH = 100_000
NULL = "\\N"
_COLUMNS = "task_id, question, project_id, method, answer, confidence, agreement, n, computed_at"


def _copy_text(value: str) -> str:
    """A value as COPY's text format writes it (backslash, tab and line ends escaped)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _stamp(when: dt.datetime, sqlite: bool) -> Any:
    from accord.db.types import sqlite_stamp

    return sqlite_stamp(when) if sqlite else when.astimezone(dt.UTC).replace(tzinfo=None)
