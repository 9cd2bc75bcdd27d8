"""Consensus per task and question, for the export (``--consensus``).

Reads what `accord.actions.consensus` stored when each task got its last annotation (or what
the project-wide Dawid-Skene run stored since): per question the consensus answer, its
confidence, the agreement of the task's answers (mean pairwise ``1 - distance`` by the
question's kind) and the number of answers; and, where a reviewer adjudicated the task, the
final answer. A task with answers but no stored rows (overlap 1, where nothing is stored, or a
task not complete yet) gets its consensus computed here the same way
(`accord.kinds.consensus.task_consensus`); a task without answers has none (``{}``).

The export asks task by task in increasing id order; the rows are read by cursors in the same
order and merged, so a million tasks cost no memory beyond one task's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from accord.kinds import QUESTION_KINDS, Interface
from accord.kinds.base import QuestionConfig
from accord.kinds.consensus import task_consensus
from accord.models import ConsensusRun

_ROWS = text(
    "SELECT task_id, question, answer, confidence, agreement, n FROM task_consensus "
    "WHERE project_id = :project ORDER BY task_id, question"
)
_ANSWERS = text(
    "SELECT task_id, user_id, result FROM annotations WHERE project_id = :project "
    "ORDER BY task_id, id"
)
_FINAL = text(
    "SELECT task_id, result FROM adjudications WHERE project_id = :project "
    "AND state = 'decided' ORDER BY task_id"
)

Row = tuple[str, str | None, float | None, float | None, int]


class _Cursor:
    """Rows grouped by task id, read forward only: `at(task_id)` for increasing ids."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next: Any = next(rows, None)
        self._task: int | None = None
        self._found: list[Any] = []

    def at(self, task_id: int) -> list[Any]:
        if task_id == self._task:
            return self._found
        while self._next is not None and self._next[0] < task_id:
            self._next = next(self._rows, None)
        found = []
        while self._next is not None and self._next[0] == task_id:
            found.append(self._next)
            self._next = next(self._rows, None)
        self._task, self._found = task_id, found
        return found


class Consensus:
    """The stored consensus of each task, as JSON text or CSV cells for the export."""

    def __init__(self, conn: Connection, project_id: int, interface: Interface) -> None:
        self._questions: list[QuestionConfig] = list(interface.questions)
        streaming = conn.execution_options(stream_results=True, yield_per=5000)
        self._results = [
            streaming.execute(query, {"project": project_id}) for query in (_ROWS, _FINAL, _ANSWERS)
        ]
        self._rows, self._final, self._answers = (_Cursor(iter(r)) for r in self._results)
        self._task: int | None = None
        self._found: list[Row] = []

    def _at(self, task_id: int) -> list[Row]:
        """The task's (question, answer JSON, confidence, agreement, n): stored, else
        computed from its answers."""
        if task_id == self._task:
            return self._found
        found: list[Row] = [
            (row[1], row[2], row[3], row[4], int(row[5])) for row in self._rows.at(task_id)
        ]
        answers = self._answers.at(task_id)
        if not found and answers:
            given = [(int(row[1]), orjson.loads(row[2])) for row in answers]
            found = [
                (
                    q.question,
                    None if q.answer is None else orjson.dumps(q.answer).decode(),
                    q.confidence,
                    q.agreement,
                    q.n,
                )
                for q in task_consensus(self._questions, given)
            ]
        self._task, self._found = task_id, found
        return found

    def close(self) -> None:
        """Close the streamed results (PostgreSQL's server-side cursors) of an export stopped
        before their end, before the connection is closed."""
        for result in self._results:
            result.close()

    @property
    def names(self) -> list[str]:
        return [q.name for q in self._questions]

    def json_for(self, task_id: int) -> str:
        """``{"question": {"value", "confidence", "agreement", "n"}}`` of one task (``{}``
        while it is not complete); ``value`` is shaped like the question's answer."""
        parts = []
        for question, answer, confidence, agreement, n in self._at(task_id):
            parts.append(
                f"{orjson.dumps(question).decode()}:"
                f'{{"value":{answer or "null"},"confidence":{_number(confidence)},'
                f'"agreement":{_number(agreement)},"n":{int(n)}}}'
            )
        return "{" + ",".join(parts) + "}"

    def final_json_for(self, task_id: int) -> str:
        """The adjudicated final answer of the task (JSON text), or ``null``."""
        found = self._final.at(task_id)
        return str(found[0][1]) if found else "null"

    def cells_for(self, task_id: int) -> list[Any]:
        """Per question: consensus (as the question's CSV cell), confidence and agreement;
        then the adjudicated final answer (JSON). Empty cells while the task is not complete."""
        stored = {row[0]: row for row in self._at(task_id)}
        cells: list[Any] = []
        for question in self._questions:
            row = stored.get(question.name)
            if row is None:
                cells += ["", "", ""]
                continue
            cells += [
                _cell(question, row[1]),
                "" if row[2] is None else round(float(row[2]), 4),
                "" if row[3] is None else round(float(row[3]), 4),
            ]
        found = self._final.at(task_id)
        cells.append(str(found[0][1]) if found else "")
        return cells


def _number(value: float | None) -> str:
    return "null" if value is None else repr(round(float(value), 4))


def _cell(question: QuestionConfig, answer: str | None) -> str:
    if answer is None:
        return ""
    kind = QUESTION_KINDS[question.kind]
    value = orjson.loads(answer)
    return "" if kind.is_empty(value) else kind.csv_cell(question, value)


def consensus_of(conn: Connection, project_id: int, interface: Interface) -> Consensus:
    """The stored consensus of the project's tasks, read from ``conn``'s snapshot."""
    return Consensus(conn, project_id, interface)


def runs_of(session: Session, project_id: int) -> list[ConsensusRun]:
    """The project's last project-wide run of each question."""
    return list(
        session.scalars(
            select(ConsensusRun)
            .where(ConsensusRun.project_id == project_id)
            .order_by(ConsensusRun.question)
        )
    )
