"""32 annotators at once, over real HTTP against a running server (SQLite and PostgreSQL).

Afterwards: no task beyond its overlap, no annotator with a task twice, no submission lost, and
the project's progress counters equal to a recount of its tasks.
"""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import Annotation, Assignment, Task
from accord.settings import Settings
from tests.factories import add_tasks, assert_counts_match, make_project, make_user, texts
from tests.live import live_server

ANNOTATORS = 32
TASKS = 120
OVERLAP = 3


@pytest.mark.slow
def test_many_annotators_at_once(settings: Settings, db: Database) -> None:
    owner, _ = make_user(db, "owner@example.com")
    people = [make_user(db, f"a{i}@example.com") for i in range(ANNOTATORS)]
    project = make_project(
        db, owner, overlap=OVERLAP, members={user: "annotator" for user, _ in people}
    )
    add_tasks(db, owner, project, texts(TASKS))
    accepted: list[tuple[int, int, int]] = []  # (user index, task id, annotation id)
    leased: list[tuple[int, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(ANNOTATORS)

    def work(index: int, token: str, url: str) -> None:
        with httpx.Client(
            base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            start.wait()
            while True:
                response = http.post(f"/projects/{project.id}/next")
                if response.status_code != 200:
                    failures.append(f"next: {response.status_code} {response.text}")
                    return
                task = response.json()["task"]
                if task is None:
                    return
                with lock:
                    leased.append((index, task["id"]))
                body = {"result": {"label": {"choice": "pos"}}, "seconds": 1}
                done = http.post(f"/tasks/{task['id']}/annotations", json=body)
                if done.status_code != 201:
                    failures.append(f"submit: {done.status_code} {done.text}")
                    return
                with lock:
                    accepted.append((index, task["id"], done.json()["annotation"]["id"]))

    with live_server(settings) as server:
        threads = [
            threading.Thread(target=work, args=(i, token, server.url))
            for i, (_, token) in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    assert not failures, failures[:5]
    assert len(accepted) == TASKS * OVERLAP, "every slot filled, none beyond"
    per_task = Counter(task_id for _, task_id, _ in accepted)
    assert set(per_task.values()) == {OVERLAP}, "no task beyond (or short of) its overlap"
    pairs = Counter((index, task_id) for index, task_id, _ in accepted)
    assert max(pairs.values()) == 1, "no annotator submitted a task twice"
    assert len(set(leased)) == len(leased), "no annotator was handed a task twice"
    with db.read() as session:
        stored = set(session.scalars(select(Annotation.id)))
        assert stored == {annotation_id for _, _, annotation_id in accepted}, "none lost"
        assert session.scalar(select(func.max(Task.n_claimed))) == OVERLAP
        assert session.scalar(select(func.min(Task.n_submitted))) == OVERLAP
        assert (
            session.scalar(
                select(func.count()).select_from(Assignment).where(Assignment.state == "leased")
            )
            == 0
        )
    assert_counts_match(db, project.id)
