"""Project-wide Dawid-Skene: every single-choice question's consensus over all tasks at once.

Per-task consensus (`accord.actions.consensus`) sees one task's answers. Dawid-Skene
(`accord.quality.dawid_skene`) looks at every answer in the project together: each annotator
gets a confusion matrix (how often they say ``k`` when the truth is ``c``), so one who is
often wrong weighs less everywhere. `run_consensus` runs it for each single-choice question
of a project, outside any write lock and never inside a request (the API claims the run and
runs it on a worker thread once its answer is sent: `claim_run`, `run_claimed`), then:

- reads every answer from one snapshot of the database, the database finding each answer's
  class so that only whole numbers cross (PostgreSQL: as a few arrays decoded by NumPy);
- stores, for every complete task of the dataset, the consensus (the class with the highest
  posterior), its confidence (that posterior, scaled by the share of answers that are not
  empty) and the agreement of the task's answers (mean pairwise similarity, as per task) in
  ``task_consensus`` (method ``dawid_skene``) in short writes: a few thousand upserts each on
  SQLite, whose writers queue; a binary ``COPY`` of up to `PG_BATCH` tasks each on PostgreSQL
  (a fraction of a second: only a submission to one of those tasks waits, at most that long);
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import delete, select

from accord.actions.audit import record
from accord.db import Database
from accord.db.types import utcnow
from accord.kinds.base import QuestionConfig
from accord.kinds.questions.choice import single_choice
from accord.models import ConsensusRun, Project
from accord.quality import parallel
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
    """The questions a project-wide run infers: single-choice ones (``choice``,
    ``image_class``)."""
    return [q for q in interface_of(project).questions if single_choice(q)]


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
    """Every answer to ``question`` in the project, as arrays, from one snapshot of the
    database: SQLite's read transaction, PostgreSQL's REPEATABLE READ (the complete tasks and
    the answers agree even while submissions go on)."""
    values = [option.value for option in question.options]  # type: ignore[attr-defined]
    with db.read() as session:
        if db.is_sqlite:
            raw: Any = session.connection().connection.driver_connection
            return _read_sqlite(raw.cursor(), project_id, overlap, question.name, values)
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        raw = connection.connection.driver_connection
        with raw.cursor(binary=True) as cursor:
            return _read_postgres(db, cursor, project_id, overlap, question.name, values)


def _read_sqlite(
    cursor: Any, project_id: int, overlap: int, name: str, values: list[str]
) -> _Answers:
    cursor.execute(
        "SELECT id FROM tasks WHERE project_id = ? AND purpose IS NULL "
        "AND n_submitted >= ? + extra_overlap ORDER BY id",
        (project_id, overlap),
    )
    complete = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    cursor.execute(
        "SELECT id FROM tasks WHERE project_id = ? AND purpose IS NOT NULL", (project_id,)
    )
    known = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    # The class index of each answer is computed by the database (-1: empty or unknown),
    # so that only whole numbers cross into Python, a batch at a time.
    cases = " ".join(f"WHEN ? THEN {i}" for i in range(len(values)))
    # When the project holds much of the table, reading it in storage order beats a walk of
    # the project's index, which visits the rows in task order.
    where = "+a.project_id" if _most_of_table(cursor, project_id) else "a.project_id"
    cursor.execute(
        f"SELECT a.task_id, a.user_id, CASE json_extract(a.result, ?) {cases} ELSE -1 END "
        f"FROM annotations a WHERE {where} = ?",
        (f'$."{name}".choice', *values, project_id),
    )
    parts = []
    while batch := cursor.fetchmany(FETCH):
        flat = itertools.chain.from_iterable(batch)
        parts.append(np.fromiter(flat, dtype=np.int64, count=3 * len(batch)))
    cursor.close()
    rows = np.concatenate(parts).reshape(-1, 3) if parts else np.zeros((0, 3), dtype=np.int64)
    return _Answers(rows[:, 0], rows[:, 1], rows[:, 2], complete, known)


def _read_postgres(
    db: Database, cursor: Any, project_id: int, overlap: int, name: str, values: list[str]
) -> _Answers:
    """The database finds each answer's class and gathers each column into one array
    (``array_agg``, sent in binary form), which NumPy decodes: a million rows cross as a few
    values, with no Python object per row. Answers come in ranges of tasks holding at most
    about `CHUNK` submissions, so that no array nears PostgreSQL's 1 GB limit on a value; from
    `PARALLEL_ROWS` submissions on, the ranges are shared with a second connection that
    imports this transaction's snapshot, so that two database processes parse the answers."""
    (snapshot,) = fetch_row(cursor, "SELECT pg_export_snapshot()", None)
    ids, state, submitted = fetch_arrays(
        cursor,
        "SELECT array_send(array_agg(id)), array_send(array_agg((CASE WHEN purpose IS NOT NULL "
        "THEN 2 WHEN n_submitted >= %s + extra_overlap THEN 1 ELSE 0 END)::int2)), "
        "array_send(array_agg(n_submitted)) FROM tasks WHERE project_id = %s",
        (overlap, project_id),
    )
    order = np.argsort(ids)
    ids, state, submitted = ids[order], state[order], submitted[order]
    cases = " ".join(f"WHEN %s THEN {i}" for i in range(len(values)))
    # jsonb: one parse of the text (json's -> parses it again after the cast), a fifth faster.
    code = f"(CASE a.result::jsonb #>> %s {cases} ELSE -1 END)::int2"
    query = (
        "SELECT array_send(array_agg(a.task_id)), array_send(array_agg(a.user_id)), "
        f"array_send(array_agg({code})) FROM annotations a "
        "WHERE a.project_id = %s AND a.task_id BETWEEN %s AND %s"
    )
    total = int(submitted.sum())
    ranges = _task_ranges(ids, submitted, pieces=2 if total >= PARALLEL_ROWS else 1)
    parts: list[Any] = [None] * len(ranges)

    def read_ranges(cursor: Any, first: int) -> None:
        for i in range(first, len(ranges), 2 if len(ranges) > 1 else 1):
            low, high = ranges[i]
            parts[i] = fetch_arrays(
                cursor, query, ([name, "choice"], *values, project_id, low, high)
            )

    if len(ranges) > 1:
        with _same_snapshot(db, snapshot) as other:

            def piece(i: int) -> None:
                if i == 0:
                    read_ranges(cursor, 0)
                else:
                    with other.cursor(binary=True) as theirs:
                        read_ranges(theirs, 1)

            parallel.each(piece, 2, total)
    else:
        read_ranges(cursor, 0)
    task, user, answer = (
        np.concatenate([np.zeros(0, dtype=np.int64), *(part[i] for part in parts)]).astype(np.int64)
        for i in range(3)
    )
    return _Answers(task, user, answer, ids[state == 1], ids[state == 2])


@contextmanager
def _same_snapshot(db: Database, snapshot: str) -> Iterator[Any]:
    """A second PostgreSQL connection (the driver's), reading the snapshot ``snapshot``."""
    from psycopg import sql

    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as other:
        driver: Any = other.connection.driver_connection
        # The first statement of its transaction (psycopg begins it at REPEATABLE READ).
        driver.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        try:
            yield driver
        finally:
            driver.rollback()


PARALLEL_ROWS = 200_000  # submissions from which PostgreSQL's read and store use 2 connections
CHUNK = 4_000_000  # submissions per query of the PostgreSQL read (48 MB per array)


def _task_ranges(ids: Any, submitted: Any, pieces: int = 1) -> list[tuple[int, int]]:
    """Ranges ``(first id, last id)`` of the sorted task ``ids``: a range ends where the next
    task's submissions would start past a multiple of the chunk (`CHUNK`, or less so that there
    are at least ``pieces`` ranges), so that each holds at most a chunk of submissions besides
    those of its last task."""
    if ids.shape[0] == 0:
        return []
    total = int(submitted.sum())
    chunk = max(1, min(CHUNK, -(-total // pieces)))
    before = np.cumsum(submitted, dtype=np.int64) - submitted
    starts = np.flatnonzero(np.diff(before // chunk)) + 1
    firsts = np.concatenate(([0], starts))
    lasts = np.append(starts, ids.shape[0]) - 1
    return [(int(ids[a]), int(ids[b])) for a, b in zip(firsts, lasts, strict=True)]


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
    from accord.quality.data import Categorical, factorize
    from accord.quality.dawid_skene import dawid_skene

    values = [option.value for option in question.options]  # type: ignore[attr-defined]
    k = len(values)
    data = _read(db, project_id, overlap, question)
    keep = data.code >= 0
    if data.known.shape[0]:
        keep &= ~np.isin(data.task, data.known)  # tasks with a known answer are not data
    if not keep.any():
        return 0, 0, {}
    task_ids, task = factorize(data.task[keep])
    user_ids, user = factorize(data.user[keep])
    classes = np.arange(k)
    cat = Categorical(task, user, task_ids, user_ids, data.code[keep].astype(np.intp), classes)
    found = dawid_skene(cat, classes=classes)
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


def _lookup(ids: Any, wanted: Any) -> tuple[Any, Any]:
    """Where each of ``wanted`` is in the sorted, distinct ``ids``, and whether it is there:
    a table over the id range when ids are dense (task ids of a project usually are), else a
    binary search."""
    if ids.shape[0] == 0:
        return np.zeros(wanted.shape[0], dtype=np.intp), np.zeros(wanted.shape[0], dtype=bool)
    low, high = int(ids[0]), int(ids[-1])
    if high - low < 4 * (ids.shape[0] + wanted.shape[0]) + 1024:
        table = np.full(high - low + 1, -1, dtype=np.intp)
        table[ids - low] = np.arange(ids.shape[0], dtype=np.intp)
        inside = (wanted >= low) & (wanted <= high)
        at = np.full(wanted.shape[0], -1, dtype=np.intp)
        at[inside] = table[wanted[inside] - low]
        found = at >= 0
        at[~found] = 0
        return at, found
    at = np.minimum(np.searchsorted(ids, wanted), ids.shape[0] - 1)
    return at, ids[at] == wanted


def _rows(data: _Answers, found: Any, k: int) -> tuple[Any, ...]:
    """Per complete task: (task id, class index or -1, confidence, agreement or nan, n)."""
    tasks = data.complete
    if tasks.shape[0] == 0:
        empty = np.zeros(0)
        return tasks, empty.astype(np.int64), empty, empty, empty
    at, mine = _lookup(tasks, data.task)
    index, code = at[mine], data.code[mine] + 1  # 0: empty, 1..k: classes
    counts = np.bincount(index * (k + 1) + code, minlength=tasks.shape[0] * (k + 1))
    counts = counts.reshape(tasks.shape[0], k + 1).astype(np.float64)
    n = counts.sum(axis=1)
    pairs = n * (n - 1)
    same = (counts * (counts - 1)).sum(axis=1)
    agreement = np.divide(same, pairs, out=np.full_like(n, np.nan), where=pairs > 0)
    label = np.full(tasks.shape[0], -1, dtype=np.int64)
    confidence = np.zeros(tasks.shape[0])
    where, inferred = _lookup(found.items, tasks)
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
    "agreement, n, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
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
    `PG_BATCH` tasks, the question's rows of that range of tasks replaced through a binary
    ``COPY`` (PostgreSQL, where writers do not wait on one another)."""
    answers = [orjson.dumps({"choice": v}).decode() for v in values]
    if db.is_sqlite:
        _store_sqlite(db, project_id, question, answers, rows, batch)
        return
    tasks, label, confidence, agreement, n = rows
    table = _Table(
        question.encode(),
        project_id,
        [a.encode() for a in answers],
        _stamp(utcnow(), False),
        (tasks, label, np.round(confidence, 6), np.round(agreement, 6), n.astype(np.int32)),
    )
    starts = list(range(0, tasks.shape[0], PG_BATCH))

    def write_batches(piece: int) -> None:
        # Two connections, alternate batches: two database processes maintain the index.
        for start in starts[piece::2]:
            end = min(start + PG_BATCH, tasks.shape[0])
            payload = table.copy_data(start, end)
            with db.write() as session:
                driver: Any = session.connection().connection.driver_connection
                with driver.cursor() as cursor:
                    cursor.execute(
                        "DELETE FROM task_consensus WHERE project_id = %s AND question = %s "
                        "AND task_id >= %s AND task_id <= %s",
                        (project_id, question, int(tasks[start]), int(tasks[end - 1])),
                    )
                    copy_in = f"COPY task_consensus ({_COLUMNS}) FROM STDIN BINARY"
                    with cursor.copy(copy_in) as copy:
                        copy.write(payload)

    parallel.each(write_batches, 2, tasks.shape[0] * 3)


def _store_sqlite(
    db: Database,
    project_id: int,
    question: str,
    answers: list[str],
    rows: tuple[Any, ...],
    batch: int,
) -> None:
    tasks, label, confidence, agreement, n = rows
    levels = np.round(confidence, 6).tolist()
    agreements = [None if a != a else a for a in np.round(agreement, 6).tolist()]
    ids, labels, counts = tasks.tolist(), label.tolist(), n.astype(np.int64).tolist()
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
            cursor.executemany(_UPSERT, table[start : start + batch])
            cursor.close()


PG_BATCH = 100_000
_COLUMNS = "task_id, question, project_id, method, answer, confidence, agreement, n, computed_at"


def _stamp(when: dt.datetime, sqlite: bool) -> Any:
    from accord.db.types import sqlite_stamp

    return sqlite_stamp(when) if sqlite else when.astimezone(dt.UTC).replace(tzinfo=None)


# PostgreSQL's binary forms, read and written by NumPy. An array (``array_send``): its number of
# dimensions, whether it has NULLs, its element type, then per dimension its length and lower
# bound, then each element's length in bytes and its bytes, big-endian. COPY's binary format:
# a signature, flags and an extension length; per row, the number of fields, then each field's
# length (-1: NULL) and its bytes; -1 where the next row's field count would be.
_ELEMENTS = {21: ">i2", 23: ">i4", 20: ">i8"}  # type oid: int2, int4, int8
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_END = b"\xff\xff"
_EPOCH = dt.datetime(2000, 1, 1)  # PostgreSQL's timestamps count microseconds from here


def fetch_row(cursor: Any, query: str, params: Any) -> Any:
    cursor.execute(query, params)
    return cursor.fetchone()


def fetch_arrays(cursor: Any, query: str, params: Any) -> list[Any]:
    """The one row of ``query``, whose values are ``array_send`` of one-dimensional integer
    arrays without NULLs (or NULL: no rows), as native NumPy arrays. ``cursor`` must be a
    binary cursor (bytea as bytes)."""
    return [_decode_array(value, query) for value in fetch_row(cursor, query, params)]


def _decode_array(value: bytes | None, query: str) -> Any:
    if value is None:
        return np.zeros(0, dtype=np.int64)
    ndim, has_nulls, oid = np.frombuffer(value, dtype=">i4", count=3)
    kind = _ELEMENTS.get(int(oid))
    if kind is None or has_nulls or ndim != 1:
        raise RuntimeError(f"{query!r} gave an array of another type, shape, or with NULLs")
    (count,) = np.frombuffer(value, dtype=">i4", count=1, offset=12)
    layout = np.dtype([("size", ">i4"), ("value", kind)])
    items = np.frombuffer(value, dtype=layout, count=int(count), offset=20)
    if 20 + int(count) * layout.itemsize != len(value):
        raise RuntimeError(f"{query!r} gave an array of an unexpected length")
    return items["value"].astype(np.dtype(kind).newbyteorder("="))


@dataclass(frozen=True)
class _Table:
    """``task_consensus`` rows of one run, as binary COPY data for a range of them."""

    question: bytes
    project_id: int
    answers: list[bytes]
    stamp: dt.datetime
    columns: tuple[Any, Any, Any, Any, Any]  # task ids, label or -1, confidence, agreement, n

    def copy_data(self, start: int, end: int) -> bytes:
        """Rows ``start`` to ``end``, one block per layout (answer, and agreement or NULL)."""
        tasks, label, confidence, agreement, n = (c[start:end] for c in self.columns)
        blank = np.isnan(agreement)
        at = (self.stamp - _EPOCH) // dt.timedelta(microseconds=1)
        parts = [_SIGNATURE, bytes(8)]
        for code in range(-1, len(self.answers)):
            answer = self.answers[code] if code >= 0 else None
            for missing in (False, True):
                pick = np.flatnonzero((label == code) & (blank == missing))
                if pick.shape[0] == 0:
                    continue
                block = self._block(pick.shape[0], answer, missing)
                block["task_id"] = tasks[pick]
                block["confidence"] = confidence[pick]
                if not missing:
                    block["agreement"] = agreement[pick]
                block["n"] = n[pick]
                block["computed_at"] = at
                parts.append(block.tobytes())
        parts.append(_END)
        return b"".join(parts)

    def _block(self, count: int, answer: bytes | None, no_agreement: bool) -> Any:
        """``count`` rows of one layout, constant fields filled in."""
        method = DAWID_SKENE.encode()
        # (column, its NumPy type or None for NULL, its value when the same on every row)
        columns: list[tuple[str, str | None, Any]] = [
            ("task_id", ">i8", None),
            ("question", f"S{len(self.question)}", self.question),
            ("project_id", ">i8", self.project_id),
            ("method", f"S{len(method)}", method),
            ("answer", None if answer is None else f"S{len(answer)}", answer),
            ("confidence", ">f8", None),
            ("agreement", None if no_agreement else ">f8", None),
            ("n", ">i4", None),
            ("computed_at", ">i8", None),
        ]
        fields = [("count", ">i2")]
        for name, kind, _ in columns:
            fields.append((f"{name}_size", ">i4"))
            if kind is not None:
                fields.append((name, kind))
        block = np.empty(count, dtype=np.dtype(fields))
        block["count"] = len(columns)
        for name, kind, value in columns:
            block[f"{name}_size"] = -1 if kind is None else np.dtype(kind).itemsize
            if kind is not None and value is not None:
                block[name] = value
        return block
