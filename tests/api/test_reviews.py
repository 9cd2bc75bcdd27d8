"""Review: the policy that sends submissions to review, the reviewers' queue, the three
decisions, rework and resubmission, races between reviewers, and what each role may do."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from accord.db import Database
from accord.db.types import utcnow
from accord.models import AnnotationVersion, AuditEvent, Review, User, WorkCount
from accord.sdk import AccordError, Client
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

INTERFACE = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "label", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "ents", "kind": "spans", "target": "text", "labels": ["A", "B"]},
    ],
}
POS = {"label": {"choice": "pos"}}
NEG = {"label": {"choice": "neg"}}


def setup(db: Database, api: Api, *, tasks: int = 6, **policy: Any) -> tuple[int, dict[str, Api]]:
    owner, owner_token = make_user(db, "owner@example.com")
    people = {}
    members = {}
    cast = {"ann": "annotator", "bo": "annotator", "rev": "reviewer", "rita": "reviewer"}
    for name, role in cast.items():
        user, token = make_user(db, f"{name}@example.com")
        people[name], members[user] = api.as_(token), role
    project = make_project(db, owner, INTERFACE, members=members, **policy)
    add_tasks(db, owner, project, texts(tasks))
    return project.id, {"owner": api.as_(owner_token), **people}


def submit(me: Api, project_id: int, answer: dict[str, Any] = POS) -> dict[str, Any]:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    done = me.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
    assert done.status_code == 201, done.text
    annotation: dict[str, Any] = done.json()["annotation"]
    return annotation


def next_review(me: Api, project_id: int) -> dict[str, Any]:
    answer = me.post(f"/projects/{project_id}/reviews/next")
    assert answer.status_code == 200, answer.text
    out: dict[str, Any] = answer.json()
    return out


def decide(me: Api, review: dict[str, Any], version: int, **body: Any) -> Any:
    return me.post(f"/reviews/{review['id']}/decision", json={"version": version, **body})


def test_the_policy_sends_the_first_n_then_a_share_and_says_why(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, tasks=8, review_first=2)
    states = [submit(as_["ann"], project_id)["review_state"] for _ in range(3)]
    assert states == ["pending", "pending", None], "the first two, then none (share 0)"
    changed = as_["owner"].patch(f"/projects/{project_id}", json={"review_share": 1})
    assert changed.status_code == 200 and changed.json()["review_share"] == 1
    assert submit(as_["ann"], project_id)["review_state"] == "pending"
    assert submit(as_["bo"], project_id)["review_state"] == "pending"
    summary = {
        row["annotator_name"] or row["annotator"]: row
        for row in as_["owner"].get(f"/projects/{project_id}/reviews/summary").json()
    }
    ann = next(r for r in summary.values() if r["annotator"] == "ann@example.com")
    assert ann["submitted"] == 4 and ann["sent_to_review"] == {"first": 2, "all": 1}
    assert ann["open"] == 3 and ann["decisions"] == {}
    bo = next(r for r in summary.values() if r["annotator"] == "bo@example.com")
    assert bo["sent_to_review"] == {"first": 1}, "bo's first submission counts as one of his first"
    bad = as_["owner"].patch(f"/projects/{project_id}", json={"review_share": 1.5})
    assert bad.status_code == 422 and "review_share" in bad.text


def test_reviewers_lease_one_at_a_time_and_never_their_own(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    first = submit(as_["ann"], project_id)
    second = submit(as_["bo"], project_id)
    mine = submit(as_["owner"], project_id)  # a manager who annotates too
    got = next_review(as_["rev"], project_id)
    assert got["review"]["annotation_id"] == first["id"] and got["review"]["reason"] == "all"
    assert got["annotation"]["result"] == POS and got["task"]["data"]["text"].startswith("task")
    assert got["review"]["author_name"] is not None and got["review"]["author"] is None
    again = next_review(as_["rev"], project_id)
    assert again["review"]["id"] == got["review"]["id"], "the one you hold comes back"
    other = next_review(as_["rita"], project_id)
    assert other["review"]["annotation_id"] == second["id"]
    own = next_review(as_["owner"], project_id)
    assert own["review"] is None, "the only one left is the manager's own work"
    assert next_review(as_["rita"], project_id)["review"]["annotation_id"] == second["id"]
    released = as_["rita"].post(f"/reviews/{other['review']['id']}/release")
    assert released.status_code == 200 and released.json()["reviewer_name"] is None
    assert next_review(as_["owner"], project_id)["review"]["annotation_id"] == second["id"]
    rita_next = next_review(as_["rita"], project_id)["review"]
    assert rita_next["annotation_id"] == mine["id"]
    refused = decide(as_["owner"], rita_next, 1, decision="accept")
    assert refused.status_code == 403 and "your own work" in refused.json()["error"]["message"]


def test_passing_hands_the_review_back_and_moves_on(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    first = submit(as_["ann"], project_id)
    second = submit(as_["bo"], project_id)
    got = next_review(as_["rev"], project_id)["review"]
    assert got["annotation_id"] == first["id"] and got["reviewer_name"] is not None
    assert as_["rev"].post(f"/reviews/{got['id']}/release").status_code == 200
    moved = next_review(as_["rev"], project_id)["review"]
    assert moved["annotation_id"] == second["id"], "the one handed back comes after the next"
    assert next_review(as_["rita"], project_id)["review"]["annotation_id"] == first["id"]
    assert as_["rev"].post(f"/reviews/{moved['id']}/release").status_code == 200
    assert next_review(as_["rev"], project_id)["review"]["annotation_id"] == second["id"], (
        "with nothing else waiting, the one handed back comes back"
    )
    held = as_["rita"].post(f"/reviews/{moved['id']}/release")
    assert held.status_code == 409 and held.json()["error"]["code"] == "review_held"


def test_accept_locks_the_annotation_for_its_author(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    annotation = submit(as_["ann"], project_id)
    assert annotation["editable"] is True
    edited = as_["ann"].put(f"/annotations/{annotation['id']}", json={"result": NEG})
    assert edited.status_code == 200 and edited.json()["review_state"] == "pending"
    review = next_review(as_["rev"], project_id)["review"]
    stale = decide(as_["rev"], review, 1, decision="accept")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "annotation_changed"
    accepted = decide(as_["rev"], review, 2, decision="accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision"] == "accept" and accepted.json()["version"] == 2
    shown = as_["ann"].get(f"/annotations/{annotation['id']}").json()
    assert shown["review_state"] == "accepted" and shown["editable"] is False
    locked = as_["ann"].put(f"/annotations/{annotation['id']}", json={"result": POS})
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "reviewed"
    again = decide(as_["rita"], review, 2, decision="reject", comment="no")
    assert again.status_code == 409 and again.json()["error"]["code"] == "review_decided"


def test_a_fix_keeps_the_original_and_shows_the_author_the_diff(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    annotation = submit(as_["ann"], project_id, POS)
    review = next_review(as_["rev"], project_id)["review"]
    missing = decide(as_["rev"], review, 1, decision="fix")
    assert missing.status_code == 422 and "result" in missing.json()["error"]["message"]
    wrong = decide(as_["rev"], review, 1, decision="fix", result={"label": {"choice": "maybe"}})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_result"
    fixed = decide(as_["rev"], review, 1, decision="fix", result=NEG, comment="it is negative")
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["version"] == 1 and fixed.json()["fix_version"] == 2
    shown = as_["ann"].get(f"/annotations/{annotation['id']}").json()
    assert shown["result"] == NEG and shown["review_state"] == "fixed" and not shown["editable"]
    versions = as_["ann"].get(f"/annotations/{annotation['id']}/versions").json()
    assert [v["result"] for v in versions] == [POS, NEG], "the original is kept"
    history = as_["ann"].get(f"/annotations/{annotation['id']}/reviews").json()
    assert len(history) == 1 and history[0]["decision"] == "fix"
    assert history[0]["before"] == POS and history[0]["after"] == NEG
    assert history[0]["changed"] == ["label"] and history[0]["comment"] == "it is negative"
    assert as_["bo"].get(f"/annotations/{annotation['id']}/reviews").status_code == 404


def test_reject_sends_it_back_with_comments_and_resubmission_reopens_it(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    annotation = submit(as_["ann"], project_id, POS)
    review = next_review(as_["rev"], project_id)["review"]
    bare = decide(as_["rev"], review, 1, decision="reject")
    assert bare.status_code == 422 and "reason" in bare.json()["error"]["message"]
    unknown = decide(
        as_["rev"], review, 1, decision="reject", comment="see",
        comments=[{"question": "sentiment", "text": "?"}],
    )
    assert unknown.status_code == 422 and "label, ents" in unknown.json()["error"]["message"]
    not_spans = decide(
        as_["rev"], review, 1, decision="reject", comment="see",
        comments=[{"question": "label", "text": "?", "span": {"start": 0, "end": 4}}],
    )
    assert not_spans.status_code == 422 and "span" in not_spans.json()["error"]["message"]
    comments = [
        {"question": "label", "text": "read the last sentence"},
        {"question": "ents", "text": "this is a product", "span": {"start": 0, "end": 4}},
    ]
    rejected = decide(
        as_["rev"], review, 1, decision="reject", comment="guideline §2", comments=comments
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["comments"] == [{**c, "span": c.get("span")} for c in comments]
    rework = as_["ann"].get(f"/projects/{project_id}/rework").json()
    assert [item["annotation"]["id"] for item in rework] == [annotation["id"]]
    assert rework[0]["review"]["comment"] == "guideline §2"
    assert rework[0]["annotation"]["editable"] is True
    assert as_["bo"].get(f"/projects/{project_id}/rework").json() == []
    resubmitted = as_["ann"].put(f"/annotations/{annotation['id']}", json={"result": NEG})
    assert resubmitted.status_code == 200 and resubmitted.json()["review_state"] == "pending"
    assert as_["ann"].get(f"/projects/{project_id}/rework").json() == []
    second = next_review(as_["rita"], project_id)["review"]
    assert second["annotation_id"] == annotation["id"]
    assert second["round"] == 2 and second["reason"] == "resubmitted"
    assert decide(as_["rita"], second, 2, decision="accept").status_code == 200
    rounds = as_["owner"].get(f"/annotations/{annotation['id']}/reviews").json()
    assert [(r["round"], r["decision"]) for r in rounds] == [(1, "reject"), (2, "accept")]
    assert rounds[0]["author"] == "ann@example.com", "managers see emails"
    listed = as_["owner"].get(f"/projects/{project_id}/reviews?decision=reject").json()
    assert [r["id"] for r in listed["items"]] == [review["id"]]
    with db.read() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"review.lease", "review.reject", "review.accept"} <= actions


def test_who_may_review(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    submit(as_["ann"], project_id)
    outsider = api.as_(make_user(db, "out@example.com")[1])
    assert as_["ann"].post(f"/projects/{project_id}/reviews/next").status_code == 403
    assert outsider.post(f"/projects/{project_id}/reviews/next").status_code == 404
    assert as_["ann"].get(f"/projects/{project_id}/reviews").status_code == 403
    review = next_review(as_["rev"], project_id)["review"]
    assert decide(as_["bo"], review, 1, decision="accept").status_code == 404
    assert decide(as_["ann"], review, 1, decision="accept").status_code == 403
    assert as_["ann"].get(f"/reviews/{review['id']}").status_code == 200, "the author may look"
    assert as_["bo"].get(f"/reviews/{review['id']}").status_code == 404
    assert decide(outsider, review, 1, decision="accept").status_code == 404


def test_two_reviewers_racing_on_one_review_exactly_one_wins(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    submit(as_["ann"], project_id)
    review = next_review(as_["rev"], project_id)["review"]
    as_["rev"].post(f"/reviews/{review['id']}/release")  # free for whoever decides first
    answers: list[Any] = []
    start = threading.Barrier(2)

    def race(me: Api, decision: dict[str, Any]) -> None:
        start.wait()
        answers.append(decide(me, review, 1, **decision))

    threads = [
        threading.Thread(target=race, args=(as_["rev"], {"decision": "accept"})),
        threading.Thread(
            target=race, args=(as_["rita"], {"decision": "reject", "comment": "no"})
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409).json()["error"]
    assert loser["code"] in {"review_decided", "review_held"}
    with db.read() as session:
        decided = session.scalars(select(Review)).all()
    assert len(decided) == 1 and decided[0].state == "decided"


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_held_review_is_not_decided_by_another(
    db: Database, api: Api, decision: str
) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    submit(as_["ann"], project_id)
    review = next_review(as_["rev"], project_id)["review"]
    taken = decide(as_["rita"], review, 1, decision=decision, comment="x")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "review_held"


def sdk_for(me: Api, client: TestClient) -> Client:
    token = me.headers["Authorization"].removeprefix("Bearer ")
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    return sdk


def test_the_sdk_reviews_and_reworks(db: Database, api: Api, client: TestClient) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    first = submit(as_["ann"], project_id)
    second = submit(as_["ann"], project_id)
    reviewer, author = sdk_for(as_["rev"], client), sdk_for(as_["ann"], client)
    lease = reviewer.next_review(project_id)
    assert lease is not None and lease["annotation"]["id"] == first["id"]
    reviewer.decide(lease["review"]["id"], "reject", version=1, comment="label is wrong")
    lease = reviewer.next_review(project_id)
    assert lease is not None and lease["annotation"]["id"] == second["id"]
    reviewer.release_review(lease["review"]["id"])
    lease = reviewer.next_review(project_id)
    assert lease is not None
    reviewer.decide(lease["review"]["id"], "fix", version=1, result=NEG)
    assert reviewer.next_review(project_id) is None
    rework = author.rework(project_id)
    assert [item["review"]["comment"] for item in rework] == ["label is wrong"]
    author.edit(first["id"], NEG)
    decisions = [(r["annotation_id"], r["decision"]) for r in reviewer.reviews(project_id)]
    assert decisions == [(first["id"], "reject"), (second["id"], "fix"), (first["id"], None)]
    again = reviewer.next_review(project_id)
    assert again is not None and again["review"]["round"] == 2
    with pytest.raises(AccordError, match="reason"):
        reviewer.decide(again["review"]["id"], "reject", version=2)


CHECKLIST = [
    {"text": "Follows the style guide §3", "severity": "minor"},
    {"id": "facts", "text": "No factual error", "severity": "critical"},
]


def test_checklist_failures_are_recorded_and_counted(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    made = as_["owner"].patch(f"/projects/{project_id}", json={"checklist": CHECKLIST})
    assert made.status_code == 200, made.text
    items = made.json()["checklist"]
    assert [i["id"] for i in items] == ["follows-the-style-guide-3", "facts"]
    twice = as_["owner"].patch(
        f"/projects/{project_id}", json={"checklist": [*CHECKLIST, {"id": "facts", "text": "x"}]}
    )
    assert twice.status_code == 422 and "used twice" in twice.json()["error"]["message"]
    for who in ("ann", "ann", "bo"):
        submit(as_[who], project_id)
    first = next_review(as_["rev"], project_id)["review"]
    unknown = decide(as_["rev"], first, 1, decision="reject", comment="x", failed=["nope"])
    assert unknown.status_code == 422 and "facts" in unknown.json()["error"]["message"]
    accepting = decide(as_["rev"], first, 1, decision="accept", failed=["facts"])
    assert accepting.status_code == 422
    rejected = decide(
        as_["rev"], first, 1, decision="reject", comment="wrong", failed=["facts", items[0]["id"]]
    )
    assert rejected.status_code == 200, rejected.text
    assert [i["id"] for i in rejected.json()["failed"]] == ["facts", items[0]["id"]]
    second = next_review(as_["rev"], project_id)["review"]
    fixed = decide(as_["rev"], second, 1, decision="fix", result=NEG, failed=["facts"])
    assert fixed.status_code == 200, fixed.text
    third = next_review(as_["rev"], project_id)["review"]
    third_done = decide(as_["rev"], third, 1, decision="reject", comment="no", failed=["facts"])
    assert third_done.status_code == 200
    by_person = as_["owner"].get(f"/projects/{project_id}/reviews/checklist").json()
    counts = {(r["item"], r["annotator"]): r["failures"] for r in by_person}
    assert counts == {
        ("facts", "ann@example.com"): 2,
        ("facts", "bo@example.com"): 1,
        (items[0]["id"], "ann@example.com"): 1,
    }
    by_week = as_["rev"].get(f"/projects/{project_id}/reviews/checklist?by=week").json()
    assert {(r["item"], r["failures"]) for r in by_week} == {("facts", 3), (items[0]["id"], 1)}
    assert all(r["period"] and r["annotator"] is None for r in by_week)
    assert as_["ann"].get(f"/projects/{project_id}/reviews/checklist").status_code == 403


def test_risk_based_review_low_model_confidence_and_disagreement(db: Database, api: Api) -> None:
    owner, owner_token = make_user(db, "owner@example.com")
    people = {name: make_user(db, f"{name}@example.com") for name in ("a", "b", "c", "d")}
    project = make_project(
        db,
        owner,
        INTERFACE,
        overlap=4,
        members={user: "annotator" for user, _ in people.values()},
        review_below_confidence=0.5,
        review_disagreements=True,
    )
    doubtful = {"model_version": "m", "score": 0.3, "result": {"label": {"choice": "pos"}}}
    sure = {**doubtful, "score": 0.9}
    add_tasks(db, owner, project, [
        {"id": "doubt", "text": "one", "predictions": [doubtful, sure | {"score": 0.4}]},
        {"id": "sure", "text": "two", "predictions": [sure]},
    ])
    states: dict[tuple[str, str], Any] = {}
    for name, answer in (("a", POS), ("b", POS), ("c", NEG), ("d", POS)):
        me = api.as_(people[name][1])
        for _ in range(2):
            task = me.post(f"/projects/{project.id}/next").json()["task"]
            done = me.post(f"/tasks/{task['id']}/annotations", json={"result": answer})
            assert done.status_code == 201, done.text
            states[(name, task["external_id"])] = done.json()["annotation"]["review_state"]
    assert states[("a", "doubt")] == "pending", "the best prediction scores 0.4 < 0.5"
    assert states[("a", "sure")] is None and states[("b", "sure")] is None
    assert states[("c", "sure")] == "pending", "c says neg where a and b said pos"
    assert states[("d", "sure")] is None, "d agrees with the majority"
    reasons = as_reasons(api.as_(owner_token), project.id)
    assert reasons == {"low_confidence": 4, "disagrees": 1}
    assert api.as_(owner_token).patch(
        f"/projects/{project.id}", json={"review_below_confidence": 2}
    ).status_code == 422


def as_reasons(me: Api, project_id: int) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for row in me.get(f"/projects/{project_id}/reviews/summary").json():
        for reason, n in row["sent_to_review"].items():
            reasons[reason] = reasons.get(reason, 0) + n
    return reasons


# The reviewers' hot path (next review → decision) is written with prepared statements
# (accord.actions.review_decisions, accord.queries.reviews): what it guarantees, each on both
# databases, down to the rows it writes.


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by("id"))
        )


def _counts(db: Database, email: str) -> tuple[int, int, int, int]:
    """The author's work counters: accepted, fixed, rejected, checklist items failed."""
    with db.read() as session:
        rows = session.execute(
            select(WorkCount.accepted, WorkCount.fixed, WorkCount.rejected, WorkCount.failed)
            .join(User, User.id == WorkCount.user_id)
            .where(User.email == email)
        ).all()
    return (
        sum(r[0] for r in rows),
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
        sum(r[3] for r in rows),
    )


def _name(db: Database, email: str, name: str) -> int:
    with db.write() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        user.name = name
        return user.id


def test_a_decided_review_is_never_decided_again(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    _name(db, "rev@example.com", "Rev")
    annotation = submit(as_["ann"], project_id)
    review = next_review(as_["rev"], project_id)["review"]
    accepted = decide(as_["rev"], review, 1, decision="accept")
    assert accepted.status_code == 200, accepted.text
    shown = accepted.json()
    assert shown["state"] == "decided" and shown["reviewer_name"] == "Rev"
    assert shown["expires_at"] is None and shown["decided_at"] is not None
    for me in ("rev", "rita"):
        for body in (
            {"decision": "accept"},
            {"decision": "fix", "result": NEG},
            {"decision": "reject", "comment": "no"},
        ):
            again = decide(as_[me], review, 1, **body)
            assert again.status_code == 409, again.text
            error = again.json()["error"]
            assert error["code"] == "review_decided"
            assert "already decided (accept) by Rev" in error["message"]
    after = as_["ann"].get(f"/annotations/{annotation['id']}").json()
    assert after["result"] == POS and after["version"] == 1
    assert after["review_state"] == "accepted"
    versions = as_["ann"].get(f"/annotations/{annotation['id']}/versions").json()
    assert len(versions) == 1, "no refused fix left a version behind"
    assert len(_events(db, "review.accept")) == 1
    assert not _events(db, "review.fix") and not _events(db, "review.reject")
    assert _counts(db, "ann@example.com") == (1, 0, 0, 0), "counted once"


def test_nobody_decides_their_own_work_and_a_refusal_writes_nothing(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    submit(as_["owner"], project_id)  # a manager who annotates too
    assert next_review(as_["owner"], project_id)["review"] is None, "never leased to its author"
    review = next_review(as_["rev"], project_id)["review"]
    as_["rev"].post(f"/reviews/{review['id']}/release")
    for body in (
        {"decision": "accept"},
        {"decision": "fix", "result": NEG},
        {"decision": "reject", "comment": "mine"},
    ):
        refused = decide(as_["owner"], review, 1, **body)
        assert refused.status_code == 403, refused.text
        assert "your own work" in refused.json()["error"]["message"]
    assert as_["owner"].get(f"/reviews/{review['id']}").json()["state"] == "open"
    assert decide(as_["rita"], review, 1, decision="accept").status_code == 200
    assert len(_events(db, "review.accept")) == 1


def test_a_lease_is_renewed_while_held_and_free_for_others_once_expired(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    annotation = submit(as_["ann"], project_id)
    first = next_review(as_["rev"], project_id)
    review = first["review"]
    assert review["reviewer_name"] is not None and review["expires_at"] is not None
    assert first["annotation"]["id"] == annotation["id"]
    assert first["annotation"]["annotator"] is None, "a reviewer does not see the email"
    assert first["annotation"]["editable"] is False and first["task"]["annotations"] == 1
    again = next_review(as_["rev"], project_id)["review"]
    assert again["id"] == review["id"] and again["expires_at"] >= review["expires_at"]
    leases = _events(db, "review.lease")
    assert [(e.object_id, e.actor_id) for e in leases] == [(review["id"], leases[0].actor_id)]
    assert leases[0].after == {"annotation_id": annotation["id"], "round": 1}, "renewal: no event"
    held = decide(as_["rita"], review, 1, decision="accept")
    assert held.status_code == 409 and held.json()["error"]["code"] == "review_held"
    with db.write() as session:  # the lease runs out
        session.execute(
            update(Review).values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    taken = next_review(as_["rita"], project_id)["review"]
    assert taken["id"] == review["id"], "an expired lease is free for anyone"
    assert len(_events(db, "review.lease")) == 2
    late = decide(as_["rev"], review, 1, decision="accept")
    assert late.status_code == 409 and late.json()["error"]["code"] == "review_held"
    assert decide(as_["rita"], review, 1, decision="accept").status_code == 200
    assert next_review(as_["rev"], project_id)["review"] is None


def test_an_expired_lease_may_be_decided_by_another_reviewer(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    submit(as_["ann"], project_id)
    review = next_review(as_["rev"], project_id)["review"]
    with db.write() as session:
        session.execute(
            update(Review).values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    decided = decide(as_["rita"], review, 1, decision="reject", comment="too short")
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "reject" and decided.json()["fix_version"] is None


def test_a_fix_with_failed_items_keeps_both_answers_and_is_counted_and_audited(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1, checklist=CHECKLIST)
    annotation = submit(as_["ann"], project_id, POS)
    lease = next_review(as_["rev"], project_id)
    review = lease["review"]
    comments = [{"question": "label", "text": "it says it is bad"}]
    fixed = decide(
        as_["rev"], review, 1, decision="fix", result=NEG, comment=" it is negative ",
        comments=comments, failed=["facts"],
    )
    assert fixed.status_code == 200, fixed.text
    out = fixed.json()
    assert out["decision"] == "fix" and out["state"] == "decided"
    assert out["version"] == 1 and out["fix_version"] == 2
    assert out["comment"] == "it is negative"
    assert out["comments"] == [{**comments[0], "span": None}]
    assert out["failed"] == [
        {"id": "facts", "text": "No factual error", "severity": "critical"}
    ]
    assert out["author_name"] == lease["review"]["author_name"] and out["author"] is None
    shown = as_["ann"].get(f"/annotations/{annotation['id']}").json()
    assert shown["result"] == NEG and shown["version"] == 2
    assert shown["review_state"] == "fixed" and shown["editable"] is False
    with db.read() as session:
        kept = session.execute(
            select(AnnotationVersion.version, AnnotationVersion.result, User.email)
            .join(User, User.id == AnnotationVersion.author_id)
            .where(AnnotationVersion.annotation_id == annotation["id"])
            .order_by(AnnotationVersion.version)
        ).all()
    assert [(v, orjson.loads(r), who) for v, r, who in kept] == [
        (1, POS, "ann@example.com"),
        (2, NEG, "rev@example.com"),
    ], "the original and the reviewer's fix, each by its author"
    [event] = _events(db, "review.fix")
    assert (event.object_type, event.object_id, event.project_id) == (
        "review",
        review["id"],
        project_id,
    )
    assert event.before == {"version": 1, "review_state": "pending"}
    assert event.after == {
        "annotation_id": annotation["id"],
        "task_id": annotation["task_id"],
        "version": 2,
        "review_state": "fixed",
        "comment": "it is negative",
        "comments": 1,
        "failed": ["facts"],
    }
    assert _counts(db, "ann@example.com") == (0, 1, 0, 1)


def test_a_rejection_is_audited_and_counted_and_the_annotation_goes_to_rework(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1, checklist=CHECKLIST)
    annotation = submit(as_["ann"], project_id, POS)
    review = next_review(as_["rev"], project_id)["review"]
    rejected = decide(
        as_["rev"], review, 1, decision="reject", comment="read §3",
        failed=["facts", "follows-the-style-guide-3"],
    )
    assert rejected.status_code == 200, rejected.text
    [event] = _events(db, "review.reject")
    assert event.before == {"version": 1, "review_state": "pending"}
    assert event.after == {
        "annotation_id": annotation["id"],
        "task_id": annotation["task_id"],
        "version": 1,
        "review_state": "rejected",
        "comment": "read §3",
        "comments": 0,
        "failed": ["facts", "follows-the-style-guide-3"],
    }
    assert _counts(db, "ann@example.com") == (0, 0, 1, 2)
    rework = as_["ann"].get(f"/projects/{project_id}/rework").json()
    assert [item["annotation"]["id"] for item in rework] == [annotation["id"]]
    assert rework[0]["annotation"]["result"] == POS, "a rejection keeps the answer"


def test_no_decision_in_a_deleted_project_or_on_a_deleted_annotation(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, review_share=1)
    first = submit(as_["ann"], project_id)
    submit(as_["bo"], project_id)
    review = next_review(as_["rev"], project_id)["review"]
    assert review["annotation_id"] == first["id"]
    assert as_["owner"].delete(f"/annotations/{first['id']}").status_code == 200
    gone = decide(as_["rev"], review, 1, decision="accept")
    assert gone.status_code == 404 and f"no review {review['id']}" in gone.text
    other = next_review(as_["rev"], project_id)["review"]
    assert as_["owner"].delete(f"/projects/{project_id}").status_code in (200, 202, 204)
    assert decide(as_["rev"], other, 1, decision="accept").status_code == 404
    assert as_["rev"].post(f"/projects/{project_id}/reviews/next").status_code == 404


def test_reviewers_working_at_once_decide_every_review_exactly_once(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api, tasks=24, review_share=1)
    for i in range(24):
        submit(as_["ann" if i % 2 else "bo"], project_id)
    reviewers = [as_["rev"], as_["rita"], as_["owner"]]
    for n in range(3):
        user, token = make_user(db, f"extra{n}@example.com")
        assert as_["owner"].post(
            f"/projects/{project_id}/members",
            json={"email": user.email, "role": "reviewer"},
        ).status_code in (200, 201)
        reviewers.append(api.as_(token))
    problems: list[str] = []
    decided: list[int] = []
    start = threading.Barrier(len(reviewers))

    def work(me: Api) -> None:
        start.wait()
        while True:
            lease = me.post(f"/projects/{project_id}/reviews/next")
            if lease.status_code != 200:
                problems.append(lease.text)
                return
            got = lease.json()
            if got["review"] is None:
                return
            done = decide(me, got["review"], got["annotation"]["version"], decision="accept")
            if done.status_code != 200:
                problems.append(done.text)
                return
            decided.append(got["review"]["id"])

    threads = [threading.Thread(target=work, args=(me,)) for me in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not problems, problems
    assert len(decided) == 24 and len(set(decided)) == 24
    events = _events(db, "review.accept")
    assert sorted(e.object_id for e in events) == sorted(decided)
    assert len(_events(db, "review.lease")) == 24, "each review leased once"
    with db.read() as session:
        states = session.scalars(select(Review.state)).all()
    assert states == ["decided"] * 24
    accepted = _counts(db, "ann@example.com")[0] + _counts(db, "bo@example.com")[0]
    assert accepted == 24
