"""Metrics: every figure on a small project checked by hand, annotators' isolation, CSV, the
background snapshot and what a bad request is told."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from accord.db import Database
from accord.db.types import utcnow
from accord.models import GoldScore, Task, TaskConsensus
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True}],
}
CHECKLIST = [{"id": "style", "text": "follows the style guide", "severity": "minor"}]


def answer(value: str) -> dict[str, Any]:
    return {"label": {"choice": value}}


def submit(me: Api, project_id: int, value: str, seconds: float) -> dict[str, Any]:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    done = me.post(
        f"/tasks/{task['id']}/annotations", json={"result": answer(value), "seconds": seconds}
    )
    assert done.status_code == 201, done.text
    out: dict[str, Any] = done.json()["annotation"]
    return out


def review(me: Api, project_id: int, plan: dict[tuple[str, int], dict[str, Any]]) -> None:
    """Decide every open review; ``plan`` says what, by (author email, task id)."""
    while True:
        lease = me.post(f"/projects/{project_id}/reviews/next")
        assert lease.status_code == 200, lease.text
        found = lease.json()
        if found.get("review") is None:
            return
        annotation = found["annotation"]
        key = (annotation["annotator"], annotation["task_id"])
        body = plan.get(key, {"decision": "accept"})
        done = me.post(
            f"/reviews/{found['review']['id']}/decision",
            json={"version": annotation["version"], **body},
        )
        assert done.status_code == 200, done.text


@pytest.fixture
def project(db: Database, api: Api) -> tuple[int, dict[str, Api], dict[str, int]]:
    """Two annotators on three tasks (overlap 2), a third who skips, one reviewer:
    ann pos pos neg (60 s each), bo pos neg neg (120 s each); cy skips the fourth task."""
    owner, owner_token = make_user(db, "owner@example.com")
    people, members, ids = {}, {}, {}
    cast = {"ann": "annotator", "bo": "annotator", "cy": "annotator", "rev": "reviewer"}
    for name, role in cast.items():
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user], ids[name] = api.as_(token), role, user.id
    made = make_project(
        db, owner, INTERFACE, overlap=2, members=members, review_share=1.0, checklist=CHECKLIST
    )
    add_tasks(db, owner, made, texts(4))
    for value in ("pos", "pos", "neg"):
        submit(people["ann"], made.id, value, 60)
    for value in ("pos", "neg", "neg"):
        submit(people["bo"], made.id, value, 120)
    task = people["cy"].post(f"/projects/{made.id}/next").json()["task"]
    assert (
        people["cy"].post(f"/tasks/{task['id']}/skip", json={"reason": "unsure"}).status_code == 200
    )
    return made.id, {"owner": api.as_(owner_token), **people}, ids


def tasks_of(db: Database, project_id: int) -> list[int]:
    with db.read() as session:
        return list(
            session.scalars(select(Task.id).where(Task.project_id == project_id).order_by(Task.id))
        )


def refreshed(api: Api, me: Api, path: str) -> dict[str, Any]:
    """The metrics once the background snapshot asked for by a first call is stored."""
    me.get(path)
    assert api.client.app.state.jobs.wait_idle(60)
    found = me.get(path)
    assert found.status_code == 200, found.text
    out: dict[str, Any] = found.json()
    return out


def test_the_figures_of_a_small_project(db: Database, api: Api, project: Any) -> None:
    project_id, as_, ids = project
    first, second, third, _ = tasks_of(db, project_id)
    review(  # by the manager, who sees whose work it is
        as_["owner"],
        project_id,
        {
            ("ann@example.com", third): {"decision": "reject", "comment": "look again"},
            ("bo@example.com", first): {
                "decision": "fix",
                "result": answer("pos"),
                "failed": ["style"],
            },
        },
    )
    with db.write() as session:  # the tie's consensus, as the consensus part stores it
        session.merge(
            TaskConsensus(
                task_id=second,
                question="label",
                project_id=project_id,
                method="majority",
                answer='{"choice": "pos"}',
                confidence=0.5,
                agreement=0.5,
                n=2,
                computed_at=utcnow(),
            )
        )
        scores = ((first, 1, 1.0), (second, 1, 1.0), (third, 1, 0.0), (first, 2, 1.0))
        for task_id, attempt, score in scores:
            session.add(
                GoldScore(
                    project_id=project_id,
                    task_id=task_id,
                    user_id=ids["ann"],
                    purpose="gold",
                    attempt=attempt,
                    result="{}",
                    score=score,
                )
            )
    out = refreshed(api, as_["owner"], f"/projects/{project_id}/metrics?by=annotator")
    assert out["computed_at"] is not None and out["stale"] is False
    assert out["progress"] == {
        "tasks": 4,
        "new": 1,
        "in_progress": 0,
        "complete": 3,
        "annotations": 6,
    }
    rows = {r["annotator"]: r for r in out["rows"]}
    ann, bo, cy = rows["ann@example.com"], rows["bo@example.com"], rows["cy@example.com"]
    assert (ann["submitted"], ann["active_seconds"], ann["throughput_per_hour"]) == (3, 180, 60)
    assert (bo["submitted"], bo["active_seconds"], bo["throughput_per_hour"]) == (3, 360, 30)
    assert (cy["submitted"], cy["skipped"], cy["throughput_per_hour"]) == (0, 1, None)
    assert (ann["reviewed"], ann["accepted"], ann["rejected"]) == (3, 2, 1)
    assert (ann["accept_rate"], ann["reject_rate"], ann["fix_rate"]) == (0.6667, 0.3333, 0.0)
    assert (bo["fixed"], bo["fix_rate"], bo["checklist_failures"]) == (1, 0.3333, 1)
    # Gold: 3 of 4 (Wilson 95%: 0.3006 .. 0.9544).
    assert (ann["gold_scored"], ann["gold_accuracy"]) == (4, 0.75)
    assert (ann["gold_low"], ann["gold_high"]) == (0.3006, 0.9544)
    assert bo["gold_scored"] == 0 and bo["gold_accuracy"] is None
    # Agreement with the other: tasks 1 and 3 agree, 2 does not. Consensus: pos (stored),
    # pos, neg: ann agrees on all three, bo on two.
    assert ann["agreement_others"] == bo["agreement_others"] == 0.6667
    assert (ann["agreement_consensus"], bo["agreement_consensus"]) == (1.0, 0.6667)
    assert 0 < bo["skill"] <= ann["skill"] <= 1
    assert cy["agreement_others"] is None and cy["skill"] is None

    by_question = as_["rev"].get(f"/projects/{project_id}/metrics?by=question").json()
    (label,) = by_question["questions"]
    assert label["classes"] == ["pos", "neg"] and label["labels"] == {"pos": 3, "neg": 3}
    assert (label["answers"], label["items"]) == (6, 3)
    # Nominal alpha: D_o = 2/6, D_e = 2*3*3/(6*5) = 0.6, alpha = 1 - (1/3)/0.6 = 0.4444.
    assert label["alpha"] == pytest.approx(4 / 9)
    assert label["alpha_low"] <= label["alpha"] <= label["alpha_high"]
    assert label["confusion"][str(ids["bo"])] == [[1, 1], [0, 1]]
    assert label["confusion"][str(ids["ann"])] == [[2, 0], [0, 1]]
    # Stored consensus where there is one (the tie's, at least), Dawid-Skene's elsewhere.
    assert label["consensus_from"]["stored"] >= 1
    assert sum(label["consensus_from"].values()) == 3
    assert str(ids["bo"]) in by_question["names"]
    # Every kind's agreement as the consensus workflow stored it per task (the tie: 0.5).
    assert 1 <= by_question["task_agreement"]["label"]["tasks"] <= 3
    assert 0.5 <= by_question["task_agreement"]["label"]["mean"] < 1

    days = as_["owner"].get(f"/projects/{project_id}/metrics?by=day").json()["rows"]
    assert len(days) == 1 and days[0]["key"] == utcnow().date().isoformat()
    assert (days[0]["submitted"], days[0]["skipped"], days[0]["reviewed"]) == (6, 1, 6)
    assert days[0]["gold_scored"] == 4
    weeks = as_["owner"].get(f"/projects/{project_id}/metrics?by=week").json()["rows"]
    assert len(weeks) == 1 and weeks[0]["submitted"] == 6


def test_an_annotator_sees_only_their_own_figures(db: Database, api: Api, project: Any) -> None:
    project_id, as_, ids = project
    out = refreshed(api, as_["ann"], f"/projects/{project_id}/metrics?by=annotator")
    assert [r["annotator"] for r in out["rows"]] == ["ann@example.com"]
    assert list(out["names"]) == [str(ids["ann"])]
    days = as_["ann"].get(f"/projects/{project_id}/metrics?by=day").json()["rows"]
    assert days[0]["submitted"] == 3 and days[0]["skipped"] == 0, "not bo's or cy's work"
    questions = as_["ann"].get(f"/projects/{project_id}/metrics?by=question").json()
    (label,) = questions["questions"]
    assert list(label["confusion"]) == [str(ids["ann"])]
    assert label["labels"] == {"pos": 2, "neg": 1} and label["answers"] == 3
    assert (
        label["alpha"] is None
        and label["items"] is None
        and list(label["skills"]) == [str(ids["ann"])]
    )
    assert questions["task_agreement"] == {}, "computed from everyone's answers"
    assert "bo" not in str(questions) and "bo@" not in str(out)
    # The reviewer sees everyone, by name (emails are for managers).
    everyone = as_["rev"].get(f"/projects/{project_id}/metrics").json()["rows"]
    assert sorted(int(r["key"]) for r in everyone) == sorted([ids["ann"], ids["bo"], ids["cy"]])
    assert all(r["annotator"] is None for r in everyone)


def test_csv_download(db: Database, api: Api, project: Any) -> None:
    project_id, as_, _ = project
    got = as_["owner"].get(f"/projects/{project_id}/metrics?by=annotator&format=csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    ann = next(r for r in rows if r["annotator"] == "ann@example.com")
    assert (ann["submitted"], ann["throughput_per_hour"], ann["gold_accuracy"]) == ("3", "60.0", "")
    questions = refreshed(api, as_["owner"], f"/projects/{project_id}/metrics?by=question")
    assert questions["questions"]
    got = as_["owner"].get(f"/projects/{project_id}/metrics?by=question&format=csv")
    (label,) = list(csv.DictReader(io.StringIO(got.text)))
    assert label["name"] == "label" and label["labels"] == "pos=3; neg=3"
    assert label["computed_at"]


def test_a_bad_by_names_the_allowed_values(db: Database, api: Api, project: Any) -> None:
    project_id, as_, _ = project
    bad = as_["owner"].get(f"/projects/{project_id}/metrics?by=month")
    assert bad.status_code == 422
    message = bad.json()["error"]["message"] + str(bad.json()["error"]["details"])
    assert "by" in message
    for allowed in ("annotator", "day", "week", "question"):
        assert allowed in message


def test_the_first_call_answers_at_once_and_starts_the_snapshot(
    db: Database, api: Api, project: Any
) -> None:
    project_id, as_, _ = project
    first = as_["owner"].get(f"/projects/{project_id}/metrics?by=question").json()
    assert first["computed_at"] is None and first["stale"] is True and first["questions"] == []
    assert api.client.app.state.jobs.wait_idle(60)
    second = as_["owner"].get(f"/projects/{project_id}/metrics?by=question").json()
    assert second["computed_at"] is not None and second["stale"] is False
    # A deleted annotation counts against its author on the day it went.
    mine = as_["ann"].get(f"/projects/{project_id}/annotations/mine").json()
    items = mine["items"] if isinstance(mine, dict) else mine
    gone = as_["owner"].delete(f"/annotations/{items[0]['id']}")
    assert gone.status_code == 200, gone.text
    rows = as_["owner"].get(f"/projects/{project_id}/metrics").json()["rows"]
    ann = next(r for r in rows if r["annotator"] == "ann@example.com")
    assert (ann["submitted"], ann["deleted"]) == (3, 1)


def test_the_migration_counts_the_work_done_before_it(db: Database, api: Api, project: Any) -> None:
    """Work recorded before the counters existed is counted when migration 0006 runs."""
    from accord.db.migrate import downgrade, upgrade

    project_id, as_, _ = project
    review(
        as_["owner"],
        project_id,
        {("bo@example.com", tasks_of(db, project_id)[1]): {"decision": "reject", "comment": "no"}},
    )
    fields = ("submitted", "skipped", "active_seconds", "accepted", "fixed", "rejected")
    path = f"/projects/{project_id}/metrics"

    def counted() -> dict[str, tuple[Any, ...]]:
        rows = as_["owner"].get(path).json()["rows"]
        return {r["annotator"]: tuple(r[f] for f in fields) for r in rows}

    live = counted()
    assert live["bo@example.com"] == (3, 0, 360, 2, 0, 1)
    assert api.client.app.state.jobs.wait_idle(60)
    downgrade(db, "0005")
    upgrade(db)
    assert counted() == live


def test_tasks_with_a_known_answer_are_left_out_of_the_snapshot() -> None:
    """Gold, qualification and training tasks count for no label, agreement or confusion."""
    from array import array

    import numpy as np

    from accord.jobs.metric_figures import Answers, figures

    # Tasks 1 and 2 of the dataset; task 3 is gold (everyone answers b there).
    rows = [(1, 10, 0), (1, 11, 0), (2, 10, 1), (2, 11, 0), (3, 10, 1), (3, 11, 1)]
    answers = Answers(
        "label",
        "choice",
        ["a", "b"],
        array("q", [r[0] for r in rows]),
        array("q", [r[1] for r in rows]),
        array("l", [r[2] for r in rows]),
    )
    found = figures([answers], np.asarray([3], dtype=np.int64), {})
    (label,) = found["questions"]
    assert label["labels"] == {"a": 3, "b": 1} and (label["answers"], label["items"]) == (4, 2)
    assert found["annotators"]["10"]["agreement_others"] == 0.5
    assert sum(map(sum, label["confusion"]["10"])) == 2
    everything = figures([answers], np.asarray([], dtype=np.int64), {})
    assert everything["questions"][0]["labels"] == {"a": 3, "b": 3}


def test_an_annotator_sees_gold_figures_only_where_gold_results_are_shown(
    db: Database, api: Api, project: Any
) -> None:
    """Without gold feedback, a gold count that moves after a submission would tell an
    annotator which task was gold: they see none (leads see them)."""
    project_id, as_, ids = project
    first = tasks_of(db, project_id)[0]
    with db.write() as session:
        session.add(
            GoldScore(
                project_id=project_id,
                task_id=first,
                user_id=ids["ann"],
                purpose="gold",
                result="{}",
                score=1.0,
            )
        )
    path = f"/projects/{project_id}/metrics"
    for by in ("annotator", "day"):
        (mine,) = as_["ann"].get(path, params={"by": by}).json()["rows"]
        assert (mine["gold_scored"], mine["gold_accuracy"]) == (0, None)
    lead = {r["annotator"]: r for r in as_["owner"].get(path).json()["rows"]}
    assert lead["ann@example.com"]["gold_scored"] == 1
    shown = as_["owner"].patch(f"/projects/{project_id}", json={"gold_feedback": True})
    assert shown.status_code == 200, shown.text
    (mine,) = as_["ann"].get(path).json()["rows"]
    assert (mine["gold_scored"], mine["gold_accuracy"]) == (1, 1.0)
