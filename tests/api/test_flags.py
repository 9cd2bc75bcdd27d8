"""Ambiguity flags, their answers, notifications, the FAQ and promotion into a guideline
version: who sees what (askers' identities), bad input refused whole, and the metrics."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.db import Database
from accord.models import AuditEvent, Flag, Notification
from tests.api.conftest import Api
from tests.api.test_reviews import sdk_for
from tests.factories import add_tasks, make_project, make_user, texts

GUIDELINES = "# Rules\n\n## Sarcasm\n\nSarcasm is negative.\n\n## Emoji\n\nIgnore emoji.\n"


def setup(db: Database, api: Api, **project: Any) -> tuple[int, dict[str, Api]]:
    owner, owner_token = make_user(db, "lead@example.com")
    out = {"lead": api.as_(owner_token)}
    members = {}
    for name, role in {"ann": "annotator", "bo": "annotator", "rev": "reviewer"}.items():
        user, token = make_user(db, f"{name}@example.com")
        members[user], out[name] = role, api.as_(token)
    _, stranger = make_user(db, "stranger@example.com")
    out["stranger"] = api.as_(stranger)
    made = make_project(db, owner, members=members, guidelines=GUIDELINES, **project)
    add_tasks(db, owner, made, texts(4))
    return made.id, out


def lease(me: Api, project_id: int) -> int:
    answer = me.post(f"/projects/{project_id}/next")
    assert answer.status_code == 200, answer.text
    task_id: int = answer.json()["task"]["id"]
    return task_id


def flag(me: Api, task_id: int, question: str = "Is sarcasm negative?", **more: Any) -> Any:
    made = me.post(f"/tasks/{task_id}/flags", json={"question": question, **more})
    assert made.status_code == 201, made.text
    return made.json()


def count(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_flag_then_submit_keeps_the_flag_linked_to_task_and_annotation(
    db: Database, api: Api
) -> None:
    project_id, as_ = setup(db, api)
    task_id = lease(as_["ann"], project_id)
    made = flag(as_["ann"], task_id, section="sarcasm")
    assert made["state"] == "open" and made["section"] == "sarcasm" and made["mine"]
    assert made["annotation_id"] is None and made["guidelines_version"] == 1
    submitted = as_["ann"].post(
        f"/tasks/{task_id}/annotations", json={"result": {"label": {"choice": "neg"}}}
    )
    assert submitted.status_code == 201, submitted.text
    seen = as_["lead"].get(f"/flags/{made['id']}").json()
    assert seen["annotation_id"] == submitted.json()["annotation"]["id"]
    assert seen["task_id"] == task_id and seen["asker_email"] == "ann@example.com"


def test_flag_and_skip_in_one_call(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    task_id = lease(as_["ann"], project_id)
    flag(as_["ann"], task_id, skip=True)
    again = as_["ann"].post(f"/tasks/{task_id}/skip", json={"reason": "x"})
    assert again.status_code == 409 and "already skipped" in again.json()["error"]["message"]
    assert lease(as_["ann"], project_id) != task_id


def test_a_100_kb_question_is_refused_and_nothing_written(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    task_id = lease(as_["ann"], project_id)
    events = count(db, AuditEvent)
    big = as_["ann"].post(f"/tasks/{task_id}/flags", json={"question": "x" * 100_000, "skip": True})
    assert big.status_code == 422, big.text
    error = big.json()["error"]
    assert "question" in error["message"] and "10,000" in error["message"]
    assert error["details"][0]["path"] == "question"
    assert count(db, Flag) == 0 and count(db, AuditEvent) == events
    # The skip did not happen either: the task is still the annotator's.
    assert lease(as_["ann"], project_id) == task_id
    empty = as_["ann"].post(f"/tasks/{task_id}/flags", json={"question": "   "})
    assert empty.status_code == 422 and empty.json()["error"]["details"][0]["path"] == "question"
    bad_section = as_["ann"].post(
        f"/tasks/{task_id}/flags", json={"question": "q", "section": "a\nb"}
    )
    assert bad_section.status_code == 422
    assert bad_section.json()["error"]["details"][0]["path"] == "section"


def test_askers_are_hidden_from_everyone_but_the_lead(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    mine = flag(as_["ann"], lease(as_["ann"], project_id), section="sarcasm")
    flag(as_["bo"], lease(as_["bo"], project_id), "What about emoji?", section="emoji")
    # The lead sees who asked, and the open flags per section.
    queue = as_["lead"].get(f"/projects/{project_id}/flags").json()
    assert {f["asker_email"] for f in queue["items"]} == {"ann@example.com", "bo@example.com"}
    assert queue["open_by_section"] == {"sarcasm": 1, "emoji": 1}
    # The reviewer sees the queue, without names.
    seen = as_["rev"].get(f"/projects/{project_id}/flags").json()
    assert len(seen["items"]) == 2
    assert all(f["asker_id"] is None and f["asker_name"] is None for f in seen["items"])
    assert "ann@example.com" not in str(seen) and "bo@example.com" not in str(seen)
    # An annotator sees only their own questions; another's is not there for them.
    theirs = as_["bo"].get(f"/projects/{project_id}/flags?state=all").json()
    assert [f["question"] for f in theirs["items"]] == ["What about emoji?"]
    assert theirs["open_by_section"] == {}
    assert as_["bo"].get(f"/flags/{mine['id']}").status_code == 404
    # Answered and published: the FAQ shows the question, never who asked.
    answered = as_["lead"].post(
        f"/flags/{mine['id']}/answer", json={"answer": "Yes: negative.", "publish": True}
    )
    assert answered.status_code == 200, answered.text
    faq = as_["bo"].get(f"/projects/{project_id}/faq").json()
    assert [e["question"] for e in faq] == ["Is sarcasm negative?"]
    assert "ann" not in str(faq) and "asker" not in str(faq)
    assert as_["bo"].get(f"/flags/{mine['id']}").status_code == 404


def test_answering_notifies_the_asker(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    made = flag(as_["ann"], lease(as_["ann"], project_id))
    refused = as_["rev"].post(f"/flags/{made['id']}/answer", json={"answer": "no"})
    assert refused.status_code == 403
    assert as_["ann"].get("/notifications/unread").json() == {"unread": 0}
    answered = as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "Negative."})
    assert answered.json()["state"] == "answered" and answered.json()["answer"] == "Negative."
    assert as_["ann"].get("/notifications/unread").json() == {"unread": 1}
    page = as_["ann"].get("/notifications").json()
    (note,) = page["items"]
    assert note["kind"] == "flag.answered" and note["project_id"] == project_id
    assert note["link"] == f"/projects/{project_id}/questions?flag={made['id']}"
    assert "was answered" in note["text"] and "Is sarcasm negative?" in note["text"]
    # Nobody else heard of it.
    assert as_["bo"].get("/notifications").json()["items"] == []
    # The asker reads their answer, and marks it read.
    mine = as_["ann"].get(f"/projects/{project_id}/flags?state=answered").json()["items"]
    assert [f["answer"] for f in mine] == ["Negative."]
    read = as_["ann"].post("/notifications/read", json={"ids": [note["id"]]})
    assert read.json() == {"unread": 0}
    # Another's ids change nothing; a new wording of the answer notifies again.
    assert as_["bo"].post("/notifications/read", json={"ids": [note["id"]]}).status_code == 200
    as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "Negative, always."})
    assert as_["ann"].get("/notifications/unread").json() == {"unread": 1}
    assert as_["ann"].post("/notifications/read", json={}).json() == {"unread": 0}
    big = as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "y" * 100_000})
    assert big.status_code == 422 and count(db, Notification) == 2


def test_faq_search_by_words(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    questions = ["Is sarcasm negative?", "What about emoji?", "Are 100% ratings_ok?"]
    for question in questions:
        made = flag(as_["ann"], lease(as_["ann"], project_id), question)
        as_["lead"].post(
            f"/flags/{made['id']}/answer",
            json={"answer": f"Answer to {question}", "publish": question != questions[1]},
        )
    unpublished = flag(as_["bo"], lease(as_["bo"], project_id), "sarcasm again?")

    def search(q: str) -> list[str]:
        found = as_["bo"].get(f"/projects/{project_id}/faq", params={"q": q})
        assert found.status_code == 200, found.text
        return [e["question"] for e in found.json()]

    assert search("") == [questions[2], questions[0]]
    assert search("SARCASM") == [questions[0]]
    assert search("answer negative") == [questions[0]]
    assert search("emoji") == []  # not published
    assert search("100%") == [questions[2]] and search("%") == [questions[2]]
    assert search("_ok") == [questions[2]] and search("s_r") == []
    assert unpublished["state"] == "open"
    long = as_["bo"].get(f"/projects/{project_id}/faq", params={"q": "w " * 150})
    assert long.status_code == 422
    many = as_["bo"].get(f"/projects/{project_id}/faq", params={"q": "a b c d e f g h i"})
    assert many.status_code == 422 and "words" in many.json()["error"]["message"]


def test_non_members_get_404(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    made = flag(as_["ann"], lease(as_["ann"], project_id))
    stranger = as_["stranger"]
    for path in (
        f"/projects/{project_id}/flags",
        f"/projects/{project_id}/faq",
        f"/flags/{made['id']}",
        f"/flags/{made['id']}/amendment",
    ):
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/flags/{made['id']}/answer", json={"answer": "x"}).status_code == 404
    task = made["task_id"]
    assert stranger.post(f"/tasks/{task}/flags", json={"question": "q"}).status_code == 404
    # An annotator cannot flag a task they never held.
    assert as_["bo"].post(f"/tasks/{task}/flags", json={"question": "q"}).status_code == 404


def test_promote_to_a_guideline_version(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    made = flag(as_["ann"], lease(as_["ann"], project_id), section="sarcasm")
    early = as_["lead"].post(f"/flags/{made['id']}/promote", json={"text": "x", "base_version": 1})
    assert early.status_code == 409 and "answer" in early.json()["error"]["message"]
    as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "Sarcasm is negative."})
    proposal = as_["lead"].get(f"/flags/{made['id']}/amendment").json()
    text = proposal["text"]
    assert proposal["base_version"] == 1 and f"#{made['id']}" in proposal["note"]
    # Added at the end of the sarcasm section, before the emoji one, with the task quoted.
    assert text.index("**Q: Is sarcasm negative?**") < text.index("## Emoji")
    assert text.index("## Sarcasm") < text.index("**Q: Is sarcasm negative?**")
    assert "Worked example (task t" in text and "task number" in text
    edited = text.replace("Sarcasm is negative.\n\n>", "Sarcasm is negative (edited).\n\n>")
    promoted = as_["lead"].post(
        f"/flags/{made['id']}/promote",
        json={"text": edited, "note": proposal["note"], "material": True, "base_version": 1},
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["version"] == 2 and promoted.json()["flag"]["amended_version"] == 2
    project = as_["ann"].get(f"/projects/{project_id}").json()
    assert project["guidelines_version"] == 2 and "(edited)" in project["guidelines"]
    notes = as_["ann"].get("/notifications").json()["items"]
    assert notes[0]["kind"] == "flag.promoted" and "version 2" in notes[0]["text"]
    again = as_["lead"].post(
        f"/flags/{made['id']}/promote", json={"text": edited, "base_version": 2}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "flag_promoted"


def test_amendment_under_another_section(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    made = flag(as_["ann"], lease(as_["ann"], project_id), section="emoji")
    as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "Negative."})
    path = f"/flags/{made['id']}/amendment"
    text = as_["lead"].get(path, params={"section": "sarcasm"}).json()["text"]
    assert text.index("Sarcasm is negative.") < text.index("**Q: Is sarcasm negative?**")
    assert text.index("**Q: Is sarcasm negative?**") < text.index("## Emoji")
    for params in ({}, {"section": ""}):  # its own section (the last), or the end
        text = as_["lead"].get(path, params=params).json()["text"]
        assert text.index("Ignore emoji.") < text.index("**Q: Is sarcasm negative?**")
    unknown = as_["lead"].get(path, params={"section": "nope"})
    assert unknown.status_code == 422 and "'nope'" in unknown.json()["error"]["message"]


def test_promotion_racing_another_edit_sees_a_conflict(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    made = flag(as_["ann"], lease(as_["ann"], project_id))
    as_["lead"].post(f"/flags/{made['id']}/answer", json={"answer": "Negative."})
    proposal = as_["lead"].get(f"/flags/{made['id']}/amendment").json()
    changed = as_["lead"].patch(f"/projects/{project_id}", json={"guidelines": "# New rules\n"})
    assert changed.status_code == 200, changed.text
    lost = as_["lead"].post(
        f"/flags/{made['id']}/promote",
        json={"text": proposal["text"], "base_version": proposal["base_version"]},
    )
    assert lost.status_code == 409, lost.text
    assert lost.json()["error"]["code"] == "guidelines_conflict"
    assert as_["lead"].get(f"/flags/{made['id']}").json()["amended_version"] is None


def test_metrics_count_flags(db: Database, api: Api) -> None:
    project_id, as_ = setup(db, api)
    first = flag(as_["ann"], lease(as_["ann"], project_id))
    flag(as_["bo"], lease(as_["bo"], project_id), "Second?")
    as_["lead"].post(f"/flags/{first['id']}/answer", json={"answer": "Yes."})
    proposal = as_["lead"].get(f"/flags/{first['id']}/amendment").json()
    as_["lead"].post(
        f"/flags/{first['id']}/promote", json={"text": proposal["text"], "base_version": 1}
    )
    figures = as_["lead"].get(f"/projects/{project_id}/metrics").json()["flags"]
    assert figures["open"] == 1 and figures["answered"] == 1 and figures["amendments"] == 1
    assert figures["median_seconds_to_answer"] >= 0
    assert as_["ann"].get(f"/projects/{project_id}/metrics").json()["flags"] is None


def test_the_sdk_flags_and_answers(db: Database, api: Api, client: TestClient) -> None:
    project_id, as_ = setup(db, api)
    annotator, lead = sdk_for(as_["ann"], client), sdk_for(as_["lead"], client)
    task = annotator.next_task(project_id)
    assert task is not None
    made = annotator.flag(task.id, "Is sarcasm negative?", section="sarcasm")
    assert made["state"] == "open"
    (listed,) = lead.flags(project_id)
    assert listed["id"] == made["id"] and listed["asker_email"] == "ann@example.com"
    lead.answer_flag(made["id"], "Negative.", publish=True)
    assert [e["answer"] for e in annotator.faq(project_id, "sarcasm")] == ["Negative."]
    assert annotator.notifications()["unread"] == 1
