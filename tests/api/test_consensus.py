"""The project-wide consensus (Dawid-Skene over every task): what it stores, when it says it
ran, and how the per-task consensus of later tasks uses its skill estimates."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import orjson
import pytest
from sqlalchemy import select

from accord.db import Database
from accord.jobs import consensus as consensus_job
from accord.jobs.consensus import fetch_arrays, run_consensus
from accord.models import ConsensusRun, Project, TaskConsensus, User
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"]},
        {"name": "note", "kind": "text"},
    ],
}


def setup(db: Database, api: Api, tasks: int, **settings: Any) -> tuple[int, dict[str, Api], User]:
    owner, owner_token = make_user(db, "owner@example.com")
    people, members = {}, {}
    for name in ("good", "fair", "bad", "late"):
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user] = api.as_(token), "annotator"
    project = make_project(db, owner, INTERFACE, overlap=3, members=members, **settings)
    add_tasks(db, owner, project, texts(tasks))
    return project.id, {"owner": api.as_(owner_token), **people}, owner


def work(me: Api, project_id: int, answer: Any) -> None:
    while (task := me.post(f"/projects/{project_id}/next").json()["task"]) is not None:
        truth = "pos" if int(task["external_id"][1:]) % 3 else "neg"
        result = answer(truth)
        done = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert done.status_code == 201, done.text


def test_a_run_stores_dawid_skene_and_says_when(db: Database, api: Api) -> None:
    project_id, as_, owner = setup(db, api, tasks=12, consensus_method="dawid_skene")
    flip = {"pos": "neg", "neg": "pos"}
    work(as_["good"], project_id, lambda t: {"label": {"choice": t}})
    work(as_["fair"], project_id, lambda t: {"label": {"choice": t}, "note": {"text": "ok"}})
    work(as_["bad"], project_id, lambda t: {"label": {"choice": flip[t]}})
    reports = run_consensus(db, project_id)
    assert [(r.question, r.tasks, r.annotations) for r in reports] == [("label", 12, 36)]
    with db.read() as session:
        rows = session.scalars(select(TaskConsensus).where(TaskConsensus.question == "label")).all()
        run = session.scalars(select(ConsensusRun)).one()
    assert len(rows) == 12 and {r.method for r in rows} == {"dawid_skene"}
    assert all(round(r.agreement or 0, 4) == 0.3333 for r in rows), "two of three agree"
    assert run.state == "done" and run.finished_at is not None and run.tasks == 12
    skills = orjson.loads(run.skills or "")
    assert skills["classes"] == ["pos", "neg"] and len(skills["annotators"]) == 3
    again = run_consensus(db, project_id)  # a second run replaces the rows, one per task
    assert [(r.question, r.tasks) for r in again] == [("label", 12)]
    with db.read() as session:
        labels = session.scalars(select(TaskConsensus).where(TaskConsensus.question == "label"))
        assert len(labels.all()) == 12
    seen = as_["owner"].get(f"/projects/{project_id}/consensus/runs").json()
    assert seen["runs"][0]["state"] == "done" and seen["runs"][0]["finished_at"]
    assert as_["good"].get(f"/projects/{project_id}/consensus/runs").status_code == 403
    # A task completed after the run: its consensus uses the annotators' confusion matrices.
    # The majority says neg; but "bad" is always wrong, so its neg means pos.
    add_tasks(db, owner, project_id, [{"id": "t99", "text": "one more"}])
    work(as_["good"], project_id, lambda t: {"label": {"choice": "pos"}})
    work(as_["fair"], project_id, lambda t: {"label": {"choice": "neg"}})
    work(as_["bad"], project_id, lambda t: {"label": {"choice": "neg"}})
    with db.read() as session:
        last = session.scalars(
            select(TaskConsensus)
            .where(TaskConsensus.question == "label")
            .order_by(TaskConsensus.task_id.desc())
        ).first()
    assert last is not None and last.method == "dawid_skene"
    assert orjson.loads(last.answer or "") == {"choice": "pos"}
    assert last.confidence is not None and last.confidence > 0.5


def test_the_api_starts_a_run_in_the_background(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api, tasks=3)
    work(as_["good"], project_id, lambda t: {"label": {"choice": t}})
    work(as_["fair"], project_id, lambda t: {"label": {"choice": t}})
    work(as_["bad"], project_id, lambda t: {"label": {"choice": "pos"}})
    started = as_["owner"].post(f"/projects/{project_id}/consensus/runs")
    assert started.status_code == 202, started.text
    for _ in range(200):
        seen = as_["owner"].get(f"/projects/{project_id}/consensus/runs").json()
        if not seen["running"] and seen["runs"] and seen["runs"][0]["state"] != "running":
            break
        time.sleep(0.05)
    assert seen["runs"][0]["state"] == "done", seen
    assert seen["runs"][0]["tasks"] == 3


def test_a_changed_answer_recomputes_the_stored_consensus(db: Database, api: Api) -> None:
    project_id, as_, _ = setup(db, api, tasks=1, review_share=1.0)
    answers = {"good": "pos", "fair": "pos", "bad": "neg"}
    ids = {}
    for name, choice in answers.items():
        task = as_[name].post(f"/projects/{project_id}/next").json()["task"]
        done = as_[name].post(
            f"/tasks/{task['id']}/annotations", json={"result": {"label": {"choice": choice}}}
        )
        ids[name] = done.json()["annotation"]["id"]

    def stored() -> tuple[Any, float | None]:
        with db.read() as session:
            row = session.scalars(
                select(TaskConsensus).where(TaskConsensus.question == "label")
            ).one_or_none()
        if row is None:
            return (None, None)
        return orjson.loads(row.answer), round(row.agreement or 0, 4)

    assert stored() == ({"choice": "pos"}, 0.3333)
    # A reviewer's fix (the "late" member reviews: they did not annotate this task).
    with db.write() as session:
        from accord.models import Membership

        late = session.scalars(select(User).where(User.email == "late@example.com")).one()
        member = session.get(Membership, (project_id, late.id))
        assert member is not None
        member.role = "reviewer"
    lease = as_["late"].post(f"/projects/{project_id}/reviews/next").json()
    while lease["annotation"]["id"] != ids["good"]:
        as_["late"].post(f"/reviews/{lease['review']['id']}/release")
        lease = as_["late"].post(f"/projects/{project_id}/reviews/next").json()
    fixed = as_["late"].post(
        f"/reviews/{lease['review']['id']}/decision",
        json={"decision": "fix", "version": 1, "result": {"label": {"choice": "neg"}}},
    )
    assert fixed.status_code == 200, fixed.text
    assert stored() == ({"choice": "neg"}, 0.3333), "two of three now say neg"
    # The author of an unreviewed answer edits it.
    edited = as_["fair"].put(
        f"/annotations/{ids['fair']}", json={"result": {"label": {"choice": "neg"}}}
    )
    assert edited.status_code == 200, edited.text
    assert stored() == ({"choice": "neg"}, 1.0), "all three now say neg"
    # A deletion leaves the task incomplete: its consensus goes until it completes again.
    gone = as_["owner"].delete(f"/annotations/{ids['bad']}")
    assert gone.status_code == 200, gone.text
    assert stored() == (None, None)


def test_what_a_run_stores_is_what_it_computed(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stored value read back equals the computed one, for each way a row can look: an
    empty consensus (most answers left the question empty), each class, and a task with one
    answer (no agreement). On PostgreSQL the rows go as binary COPY data, one block per look."""
    project_id, as_, owner = setup(db, api, tasks=9)
    flip = {"pos": "neg", "neg": "pos"}
    work(as_["good"], project_id, lambda t: {"label": {"choice": t}})
    work(
        as_["fair"],
        project_id,
        lambda t: {"label": {"choice": t}} if t == "neg" else {"note": {"text": "unsure"}},
    )
    work(
        as_["bad"],
        project_id,
        lambda t: {"note": {"text": "?"}} if t == "pos" else {"label": {"choice": flip[t]}},
    )
    with db.write() as session:  # from now on one answer completes a task
        project = session.get(Project, project_id)
        assert project is not None
        project.overlap = 1
    add_tasks(db, owner, project_id, texts(2, prefix="s"))
    work(as_["late"], project_id, lambda t: {"label": {"choice": "pos"}})
    computed: list[tuple[Any, ...]] = []
    store = consensus_job._store

    def spy(*args: Any) -> None:
        computed.append(args[4])
        store(*args)

    monkeypatch.setattr(consensus_job, "_store", spy)
    (report,) = run_consensus(db, project_id)
    assert report.tasks == 11 and len(computed) == 1
    tasks, label, confidence, agreement, n = computed[0]
    with db.read() as session:
        stored = {
            row.task_id: row
            for row in session.scalars(
                select(TaskConsensus).where(TaskConsensus.question == "label")
            )
        }
    assert sorted(stored) == tasks.tolist()
    answers = {-1: None, 0: '{"choice":"pos"}', 1: '{"choice":"neg"}'}
    for i, task in enumerate(tasks.tolist()):
        row = stored[task]
        assert (row.method, row.project_id, row.n) == ("dawid_skene", project_id, int(n[i]))
        assert row.answer == answers[int(label[i])]
        assert row.confidence == round(float(confidence[i]), 6)
        expected = None if np.isnan(agreement[i]) else round(float(agreement[i]), 6)
        assert row.agreement == expected
        assert row.computed_at is not None
    assert set(label.tolist()) == {-1, 0, 1} and np.isnan(agreement).any()


def test_arrays_from_postgresql_are_decoded_or_refused(db: Database) -> None:
    """The PostgreSQL read: integer arrays in binary form, decoded by NumPy; a NULL in one, or
    an array of another type, is an error rather than a wrong number."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's arrays")
    with db.read() as session:
        raw: Any = session.connection().connection.driver_connection
        with raw.cursor(binary=True) as cursor:
            small, wide, none = fetch_arrays(
                cursor,
                "SELECT array_send(array_agg(i::int2)), array_send(array_agg(i * 10000000000)), "
                "array_send(array_agg(i) FILTER (WHERE false)) FROM generate_series(1, %s) i",
                (5,),
            )
            assert small.tolist() == [1, 2, 3, 4, 5] and small.dtype == np.int16
            assert wide.tolist() == [i * 10**10 for i in range(1, 6)] and wide.dtype == np.int64
            assert none.shape == (0,)
            with pytest.raises(RuntimeError, match="NULLs"):
                fetch_arrays(cursor, "SELECT array_send(ARRAY[1, NULL]::int8[])", None)
            with pytest.raises(RuntimeError, match="another type"):
                fetch_arrays(cursor, "SELECT array_send(ARRAY[1.5]::float8[])", None)


def test_task_ranges_hold_about_a_chunk_of_submissions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consensus_job, "CHUNK", 10)
    ids = np.array([3, 4, 7, 8, 9, 12])
    submitted = np.array([4, 4, 4, 30, 0, 3])
    assert consensus_job._task_ranges(ids, submitted) == [(3, 7), (8, 8), (9, 12)]
    assert consensus_job._task_ranges(ids[:0], submitted[:0]) == []


def test_two_connections_read_and_store_what_one_does(
    db: Database, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From `PARALLEL_ROWS` submissions on, PostgreSQL's read shares the task ranges with a
    second connection on the same snapshot, and the store alternates batches between two
    connections: the answers read and the rows stored are those of one connection."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's shared snapshot")
    from accord.quality import parallel

    project_id, as_, _ = setup(db, api, tasks=9)
    work(as_["good"], project_id, lambda t: {"label": {"choice": t}})
    work(as_["fair"], project_id, lambda t: {"label": {"choice": "pos"}})
    work(as_["bad"], project_id, lambda t: {"label": {"choice": "neg"}})
    reads: list[Any] = []
    read = consensus_job._read

    def spy(*args: Any) -> Any:
        reads.append(read(*args))
        return reads[-1]

    monkeypatch.setattr(consensus_job, "_read", spy)

    def stored() -> list[tuple[Any, ...]]:
        with db.read() as session:
            rows = session.scalars(
                select(TaskConsensus).order_by(TaskConsensus.task_id, TaskConsensus.question)
            )
            return [(r.task_id, r.question, r.answer, r.confidence, r.n) for r in rows]

    run_consensus(db, project_id)
    alone = stored()
    monkeypatch.setattr(consensus_job, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(consensus_job, "PG_BATCH", 2)
    monkeypatch.setattr(parallel, "PARALLEL_ROWS", 0)
    run_consensus(db, project_id)
    assert len(alone) == 18 and stored() == alone  # 9 tasks, 2 questions
    one, two = reads

    def answers(read: Any) -> list[tuple[int, int, int]]:
        return sorted(zip(read.task.tolist(), read.user.tolist(), read.code.tolist(), strict=True))

    assert len(answers(one)) == 27 and answers(one) == answers(two)  # 9 tasks × 3
    assert one.complete.tolist() == two.complete.tolist()
    assert one.known.tolist() == two.known.tolist()
    assert consensus_job._task_ranges(np.array([1, 2, 3]), np.array([3, 3, 3]), pieces=2) == [
        (1, 2),
        (3, 3),
    ]
