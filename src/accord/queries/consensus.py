"""Consensus per task and question, for the export (``--consensus``).

For each single-choice and pairwise question (the preferred side: A, B or tie; the strength is
left out), Dawid-Skene (`accord.quality.dawid_skene`) runs over every
answer to it in the project (all annotators' skills are estimated together, so an unreliable
annotator weighs less everywhere), giving each answered task a consensus value with its
posterior probability (``confidence``); ``agreement`` is the share of the task's answers equal
to the consensus and ``n`` the number of answers. Other kinds of questions have no consensus
here yet (they are left out of the object).

Computed once per export from the export's own snapshot, then looked up task by task while the
export streams: a few arrays per question, no object per task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import Connection, text

from accord.kinds import Interface

CONSENSUS_METHOD = "dawid_skene"


@dataclass(frozen=True)
class _Question:
    name: str
    tasks: Any  # sorted task ids
    values: Any  # consensus value of each
    confidence: Any
    agreement: Any
    counts: Any


class Consensus:
    """The consensus of each task, as JSON text for the export."""

    def __init__(self, questions: list[_Question]) -> None:
        self._questions = questions

    def json_for(self, task_id: int) -> str:
        """``{"question": {"value", "confidence", "agreement", "n"}}`` of one task (``{}`` when
        it has no answer to a question with a consensus)."""
        out: dict[str, Any] = {}
        for q in self._questions:
            at = int(np.searchsorted(q.tasks, task_id))
            if at < q.tasks.shape[0] and q.tasks[at] == task_id:
                out[q.name] = {
                    "value": q.values[at],
                    "confidence": round(float(q.confidence[at]), 4),
                    "agreement": round(float(q.agreement[at]), 4),
                    "n": int(q.counts[at]),
                }
        return orjson.dumps(out).decode()

    @property
    def names(self) -> list[str]:
        return [q.name for q in self._questions]

    def cells_for(self, task_id: int) -> list[Any]:
        """Per question with a consensus: value, confidence, agreement (CSV cells; empty when
        the task has no answer to it)."""
        cells: list[Any] = []
        for q in self._questions:
            at = int(np.searchsorted(q.tasks, task_id))
            if at < q.tasks.shape[0] and q.tasks[at] == task_id:
                cells += [
                    q.values[at],
                    round(float(q.confidence[at]), 4),
                    round(float(q.agreement[at]), 4),
                ]
            else:
                cells += ["", "", ""]
        return cells


def consensus_of(conn: Connection, project_id: int, interface: Interface) -> Consensus:
    """The consensus of every answered task of the project, from ``conn``'s snapshot."""
    questions = [q for q in interface.questions if _classes(q) is not None]
    if not questions:
        return Consensus([])
    rows: dict[str, tuple[list[int], list[int], list[str]]] = {
        q.name: ([], [], []) for q in questions
    }
    found = conn.execute(
        text("SELECT task_id, user_id, result FROM annotations WHERE project_id = :project"),
        {"project": project_id},
    )
    for task_id, user_id, result in found:
        answers = orjson.loads(result)
        for name, (tasks, users, values) in rows.items():
            answer = answers.get(name)
            if isinstance(answer, dict) and isinstance(answer.get("choice"), str):
                tasks.append(task_id)
                users.append(user_id)
                values.append(answer["choice"])
    out = []
    for question in questions:
        tasks, users, values = rows[question.name]
        if tasks:
            out.append(_consensus(question.name, tasks, users, values, _classes(question) or []))
    return Consensus(out)


def _classes(question: Any) -> list[str] | None:
    """The values a question's consensus chooses among, or None: no consensus for its kind."""
    if question.kind == "choice" and not question.multiple:
        return [option.value for option in question.options]
    if question.kind == "pairwise":
        return ["A", "B", "tie"] if question.allow_tie else ["A", "B"]
    return None


def _consensus(
    name: str, tasks: list[int], users: list[int], values: list[str], classes: list[str]
) -> _Question:
    from accord.quality import dawid_skene

    task_ids = np.asarray(tasks, dtype=np.int64)
    picked = np.asarray(values, dtype=object)
    known = sorted(set(classes) | set(values))  # an option removed since still counts
    people = np.asarray(users, dtype=np.int64)
    found = dawid_skene((task_ids, people, picked), classes=np.asarray(known, dtype=object))
    index = np.searchsorted(found.items, task_ids)
    same = picked == found.labels[index]
    counts = np.bincount(index, minlength=found.items.shape[0])
    agreement = np.bincount(index, same.astype(np.float64), minlength=found.items.shape[0])
    return _Question(
        name,
        np.asarray(found.items, dtype=np.int64),
        found.labels,
        found.confidence,
        agreement / np.maximum(counts, 1),
        counts,
    )
