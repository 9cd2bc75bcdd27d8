"""Managers delete tasks and annotations: what goes, what the counters say, what is audited,
and the interface change that was refused for orphans then goes through."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.actions.annotations import do_delete_annotation, do_edit_annotation, do_submit
from accord.actions.queue import do_next_task
from accord.actions.tasks import do_delete_tasks
from accord.api.policies import Can, access, task_access
from accord.db import Database
from accord.errors import Conflict, NotFound
from accord.models import (
    Annotation,
    AnnotationVersion,
    Assignment,
    AuditEvent,
    Prediction,
    Task,
    User,
)
from accord.sdk import Client
from tests.api.conftest import Api
from tests.factories import add_tasks, assert_counts_match, make_project, make_user, texts

SIMPLE_WITH_NOTE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "note", "kind": "text"},
    ],
}
ANSWER = {"label": {"choice": "pos"}, "note": {"text": "fine"}}


def setup(db: Database, api: Api, *, overlap: int = 1, tasks: int = 5):
    owner, owner_token = make_user(db, "owner@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    bo, bo_token = make_user(db, "bo@example.com")
    reviewer, reviewer_token = make_user(db, "rev@example.com")
    members = {ann: "annotator", bo: "annotator", reviewer: "reviewer"}
    project = make_project(db, owner, SIMPLE_WITH_NOTE, overlap=overlap, members=members)
    rows = texts(tasks)
    rows[0]["predictions"] = [{"model_version": "m1", "result": {"label": {"choice": "neg"}}}]
    add_tasks(db, owner, project, rows)
    as_ = {
        "owner": api.as_(owner_token),
        "ann": api.as_(ann_token),
        "bo": api.as_(bo_token),
        "reviewer": api.as_(reviewer_token),
    }
    return project, as_


def submit_next(me: Api, project_id: int, answer: dict[str, Any] = ANSWER) -> tuple[int, int]:
    """Lease and submit the next task: (task id, annotation id)."""
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    done = me.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
    assert done.status_code == 201, done.text
    return task["id"], done.json()["annotation"]["id"]


def count(db: Database, model: Any, *where: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def audit(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_deleting_tasks_takes_their_work_along_and_keeps_counts(db: Database, api: Api) -> None:
    project, as_ = setup(db, api, overlap=2)
    first, annotation = submit_next(as_["ann"], project.id)
    leased = as_["bo"].post(f"/projects/{project.id}/next").json()["task"]["id"]
    assert leased == first
    as_["bo"].put(f"/tasks/{leased}/draft", json={"result": {"note": {"text": "half"}}})
    listing = as_["owner"].get(f"/projects/{project.id}/tasks").json()["items"]
    second = listing[1]["id"]
    as_["ann"].post(f"/projects/{project.id}/next")
    as_["ann"].post(f"/tasks/{second}/skip", json={"reason": "unclear"})
    other, other_token = make_user(db, "other@example.com")
    elsewhere = make_project(db, other)
    add_tasks(db, other, elsewhere, texts(1, "x"))
    outsider = api.as_(other_token)
    other_task = outsider.get(f"/projects/{elsewhere.id}/tasks").json()["items"][0]["id"]

    answer = as_["owner"].post(
        f"/projects/{project.id}/tasks/delete", json={"ids": [first, second, first, other_task]}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body == {
        "deleted": 2,
        "task_ids": [first, second],
        "annotations": 1,
        "missing": [other_task],
    }
    assert count(db, Annotation, Annotation.id == annotation) == 0
    assert count(db, AnnotationVersion, AnnotationVersion.annotation_id == annotation) == 0
    assert count(db, Assignment, Assignment.task_id.in_([first, second])) == 0
    assert count(db, Prediction, Prediction.task_id == first) == 0
    assert count(db, Annotation) == 0
    assert_counts_match(db, project.id)
    progress = as_["owner"].get(f"/projects/{project.id}").json()["progress"]
    assert progress["tasks"] == 3 and progress["complete"] == 0 and progress["in_progress"] == 0
    assert as_["owner"].get(f"/projects/{project.id}/tasks").json()["total"] == 3
    assert as_["owner"].get(f"/tasks/{first}").status_code == 404
    assert outsider.get(f"/tasks/{other_task}").status_code == 200, "another project's stays"

    [event] = audit(db, "task.delete")
    assert event.project_id == project.id and event.actor_id is not None
    before = event.before or {}
    assert [t["id"] for t in before["tasks"]] == [first, second]
    assert [t["external_id"] for t in before["tasks"]] == ["t0", "t1"]
    ann_id = as_["ann"].get("/me").json()["id"]
    assert before["annotations"] == [{"id": annotation, "task_id": first, "user_id": ann_id}]
    assert event.after == {"deleted_tasks": 2, "deleted_annotations": 1}
    # The others work on: the queue still hands out the remaining tasks.
    assert as_["bo"].post(f"/projects/{project.id}/next").json()["task"]["id"] not in (
        first,
        second,
    )


def test_deleting_tasks_is_refused_with_reasons(db: Database, api: Api) -> None:
    project, as_ = setup(db, api)
    url = f"/projects/{project.id}/tasks/delete"
    too_many = as_["owner"].post(url, json={"ids": list(range(1, 1002))})
    assert too_many.status_code == 422
    assert "at most 1000" in too_many.json()["error"]["message"]
    assert as_["owner"].post(url, json={"ids": []}).status_code == 422
    assert as_["owner"].post(url, json={"ids": ["one"]}).status_code == 422
    task = as_["owner"].get(f"/projects/{project.id}/tasks").json()["items"][0]["id"]
    for who in ("ann", "reviewer"):
        refused = as_[who].post(url, json={"ids": [task]})
        assert refused.status_code == 403, who
    assert as_["owner"].get(f"/projects/{project.id}/tasks").json()["total"] == 5
    nothing = as_["owner"].post(url, json={"ids": [987654]}).json()
    assert nothing == {"deleted": 0, "task_ids": [], "annotations": 0, "missing": [987654]}
    assert audit(db, "task.delete") == [], "nothing deleted, nothing recorded"


def test_deleting_an_annotation_gives_the_task_back(db: Database, api: Api) -> None:
    project, as_ = setup(db, api, overlap=1, tasks=1)
    task, annotation = submit_next(as_["ann"], project.id)
    as_["ann"].put(f"/annotations/{annotation}", json={"result": {"label": {"choice": "neg"}}})
    assert as_["bo"].post(f"/projects/{project.id}/next").json()["task"] is None, "complete"
    for who, status in (("ann", 403), ("reviewer", 403), ("bo", 404)):
        assert as_[who].delete(f"/annotations/{annotation}").status_code == status, who

    deleted = as_["owner"].delete(f"/annotations/{annotation}")
    assert deleted.status_code == 200, deleted.text
    assert as_["owner"].delete(f"/annotations/{annotation}").status_code == 404
    assert count(db, AnnotationVersion, AnnotationVersion.annotation_id == annotation) == 0
    detail = as_["owner"].get(f"/tasks/{task}").json()
    assert detail["annotations"] == [] and detail["task"]["status"] == "new"
    assert_counts_match(db, project.id)
    assert as_["owner"].get(f"/projects/{project.id}").json()["progress"]["complete"] == 0
    # The slot is back in the queue, for anyone: its author included.
    assert as_["ann"].post(f"/projects/{project.id}/next").json()["task"]["id"] == task
    assert as_["ann"].get(f"/projects/{project.id}/annotations/mine").json()["items"] == []

    [event] = audit(db, "annotation.delete")
    assert event.object_id == annotation and event.project_id == project.id
    before = event.before or {}
    assert before["task_id"] == task and before["version"] == 2
    assert before["result"] == {"label": {"choice": "neg"}}


def test_the_orphan_refusal_says_how_then_the_change_goes_through(db: Database, api: Api) -> None:
    project, as_ = setup(db, api, overlap=1, tasks=3)
    annotations = [submit_next(as_["ann"], project.id)[1] for _ in range(2)]
    without_note = {**SIMPLE_WITH_NOTE, "questions": SIMPLE_WITH_NOTE["questions"][:1]}
    refused = as_["owner"].patch(f"/projects/{project.id}", json={"interface": without_note})
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert "orphan 2 annotations" in message
    assert "press 'Delete annotation'" in message and "DELETE /api/v1/annotations/ID" in message
    for annotation in annotations:
        assert as_["owner"].delete(f"/annotations/{annotation}").status_code == 200
    changed = as_["owner"].patch(f"/projects/{project.id}", json={"interface": without_note})
    assert changed.status_code == 200, changed.text

    # Fields: tasks carry the field that goes; the advice names deleting tasks.
    no_text = {**SIMPLE_WITH_NOTE, "fields": [{"name": "body", "kind": "text"}]}
    refusal = as_["owner"].patch(f"/projects/{project.id}", json={"interface": no_text}).json()
    assert refusal["error"]["code"] == "interface_orphans"
    assert "tick the tasks and press 'Delete selected'" in refusal["error"]["message"]
    assert f"/api/v1/projects/{project.id}/tasks/delete" in refusal["error"]["message"]


def test_the_sdk_deletes_tasks_in_batches_and_annotations(
    db: Database, api: Api, client: TestClient
) -> None:
    project, as_ = setup(db, api, overlap=1, tasks=3)
    _, annotation = submit_next(as_["ann"], project.id)
    token = as_["owner"].headers["Authorization"].removeprefix("Bearer ")
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    sdk.delete_annotation(annotation)
    assert count(db, Annotation) == 0
    ids = [t["id"] for t in as_["owner"].get(f"/projects/{project.id}/tasks").json()["items"]]
    done = sdk.delete_tasks(project.id, [*ids, *range(10**6, 10**6 + 1500)])
    assert done["deleted"] == 3 and done["annotations"] == 0 and len(done["missing"]) == 1500
    assert_counts_match(db, project.id)
    assert len(audit(db, "task.delete")) == 1


def test_deleting_while_annotators_submit_keeps_every_count(db: Database) -> None:
    """Annotators lease and submit while a manager deletes tasks and annotations, at once (on
    PostgreSQL truly in parallel, each in its own transaction): no deadlock, no error but the
    expected refusals, and every counter equal to a recount afterwards."""
    owner, _ = make_user(db, "owner@example.com")
    annotators = [make_user(db, f"a{i}@example.com")[0] for i in range(4)]
    project = make_project(
        db, owner, SIMPLE_WITH_NOTE, overlap=2, members={u: "annotator" for u in annotators}
    )
    add_tasks(db, owner, project, texts(40))
    failures: list[str] = []
    start = threading.Barrier(len(annotators) + 1)

    def annotate(user: User) -> None:
        start.wait()
        for _ in range(12):
            try:
                with db.write() as session:
                    info, _ = access(session, user, project.id, Can.annotate)
                    lease = do_next_task(session, user, info)
                    if lease is None:
                        return
                    do_submit(session, user, info, lease.task, ANSWER)
            except (Conflict, NotFound):
                continue  # the task went while it was held: as a person would, ask again
            except Exception as exc:  # any other failure fails the test
                failures.append(f"{user.email}: {exc!r}")
                return

    def manage() -> None:
        start.wait()
        for round_ in range(10):
            try:
                with db.write() as session:
                    ids = list(
                        session.scalars(
                            select(Task.id)
                            .where(Task.project_id == project.id)
                            .order_by(Task.id)
                            .offset(round_)
                            .limit(2)
                        )
                    )
                    do_delete_tasks(session, owner, project.id, ids)
                with db.write() as session:
                    found = session.scalar(
                        select(Annotation.id).where(Annotation.project_id == project.id).limit(1)
                    )
                    if found is not None:
                        annotation = session.get(Annotation, found)
                        assert annotation is not None
                        task, info, _ = task_access(session, owner, annotation.task_id, Can.manage)
                        do_delete_annotation(session, owner, info, found, task)
            except NotFound:
                continue
            except Exception as exc:
                failures.append(f"manager: {exc!r}")
                return

    threads = [threading.Thread(target=annotate, args=(u,)) for u in annotators]
    threads.append(threading.Thread(target=manage))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert audit(db, "task.delete") and audit(db, "annotation.delete"), "the manager deleted"
    assert len(audit(db, "annotation.submit")) > 10, "the annotators submitted meanwhile"
    assert_counts_match(db, project.id)
    with db.read() as session:
        for task in session.scalars(select(Task).where(Task.project_id == project.id)):
            submitted = count(db, Annotation, Annotation.task_id == task.id)
            held = count(
                db, Assignment, Assignment.task_id == task.id, Assignment.state != "skipped"
            )
            assert task.n_submitted == submitted, task.id
            assert task.n_claimed == held, task.id
            assert task.is_open == (task.n_claimed < 2), task.id


def _user(db: Database, email: str) -> User:
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        session.expunge(user)
        return user


@pytest.mark.parametrize("deletes_task", [False, True])
def test_an_edit_racing_a_deletion_answers_not_found(
    db: Database, api: Api, deletes_task: bool
) -> None:
    """PostgreSQL runs writers side by side: an annotator's edit loads the annotation, then a
    manager deletes it (or its task) and commits before the edit writes. The edit answers 404
    with a reason, and writes nothing (it used to fail with a server error)."""
    if db.is_sqlite:
        pytest.skip("SQLite serialises writers: the edit runs wholly before or after")
    project, as_ = setup(db, api)
    task_id, annotation_id = submit_next(as_["ann"], project.id)
    ann, owner = _user(db, "ann@example.com"), _user(db, "owner@example.com")
    with pytest.raises(NotFound, match="deleted in the meantime"), db.write() as editing:
        annotation = editing.get(Annotation, annotation_id)
        assert annotation is not None
        task, info, _ = task_access(editing, ann, task_id, Can.annotate)
        with db.write() as managing:  # another connection: commits while the edit is open
            if deletes_task:
                do_delete_tasks(managing, owner, project.id, [task_id])
            else:
                _, manager_view, _ = task_access(managing, owner, task_id, Can.manage)
                do_delete_annotation(managing, owner, manager_view, annotation_id, task)
        do_edit_annotation(editing, ann, info, annotation, task, ANSWER)
    assert count(db, Annotation, Annotation.id == annotation_id) == 0
    assert count(db, AnnotationVersion, AnnotationVersion.annotation_id == annotation_id) == 0
    assert_counts_match(db, project.id)


def test_two_edits_racing_keep_every_version(db: Database, api: Api) -> None:
    """Two edits of one annotation side by side (the author's two tabs, on PostgreSQL): the
    second waits for the first and builds on it; both versions are kept (it used to fail on
    the versions' unique key)."""
    if db.is_sqlite:
        pytest.skip("SQLite serialises writers: the edits run one after the other")
    project, as_ = setup(db, api)
    task_id, annotation_id = submit_next(as_["ann"], project.id)
    ann = _user(db, "ann@example.com")
    second = {"label": {"choice": "neg"}, "note": {"text": "second"}}
    with db.write() as slow:
        annotation = slow.get(Annotation, annotation_id)
        assert annotation is not None and annotation.version == 1
        task, info, _ = task_access(slow, ann, task_id, Can.annotate)
        with db.write() as fast:
            other = fast.get(Annotation, annotation_id)
            assert other is not None
            do_edit_annotation(fast, ann, info, other, task, ANSWER)
        do_edit_annotation(slow, ann, info, annotation, task, second)
        assert annotation.version == 3
    versions = count(db, AnnotationVersion, AnnotationVersion.annotation_id == annotation_id)
    assert versions == 3
    final = as_["ann"].get(f"/annotations/{annotation_id}").json()
    assert final["version"] == 3 and final["result"] == second
