"""Declared submit checks through the API (docs/checks.md): a block-level failure is refused
with 422 naming the path and the check, a warn-level one is accepted with its warning,
consistency checks across questions, the checks endpoint the browser asks, and bad check
declarations refused when the interface is saved."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.db import Database
from accord.sdk import AccordError, Client
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts

ENGLISH = "This answer is written in plain English so that anyone can read it easily."
GERMAN = "Diese Antwort ist auf Deutsch geschrieben, damit niemand sie lesen kann."

INTERFACE: dict[str, Any] = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {
            "name": "chosen",
            "kind": "text",
            "checks": [
                "trimmed",
                {"kind": "words", "min": 5},
                {"kind": "phrases", "forbidden": ["as an AI"]},
                {"kind": "language", "expected": ["en"], "level": "warn"},
                {"kind": "sentences", "max": 1, "level": "warn", "message": "One sentence."},
            ],
            "rules": [{"pattern": "!", "must_match": False, "level": "warn"}],
        },
        {"name": "rejected", "kind": "text"},
    ],
    "checks": [
        {"kind": "differ", "questions": ["chosen", "rejected"], "message": "Write two answers."},
    ],
}


def setup(db: Database) -> tuple[int, str, str, str]:
    owner, owner_token = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "a@example.com")
    _, stranger = make_user(db, "stranger@example.com")
    project = make_project(db, owner, INTERFACE, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(4))
    return project.id, owner_token, token, stranger


def submit(api: Api, project_id: int, result: dict[str, Any]) -> Any:
    task = api.post(f"/projects/{project_id}/next").json()["task"]
    return api.post(f"/tasks/{task['id']}/annotations", json={"result": result})


def texts_of(chosen: str, rejected: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"chosen": {"text": chosen}}
    if rejected is not None:
        result["rejected"] = {"text": rejected}
    return result


def test_a_block_level_failure_is_refused_with_the_path_and_the_check(
    db: Database, api: Api
) -> None:
    project_id, _, token, _ = setup(db)
    me = api.as_(token)
    refused = submit(me, project_id, texts_of("Too short here."))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_result"
    assert error["details"] == [
        {
            "path": "result.chosen.text",
            "message": "words check: 3 words; write at least 5",
            "check": "words",
        }
    ]
    assert "result.chosen.text: words check" in error["message"]
    forbidden = submit(me, project_id, texts_of("As an AI I cannot answer this question well."))
    assert forbidden.json()["error"]["details"][0]["check"] == "phrases"
    # The built-in checks keep blocking as before.
    untrimmed = submit(me, project_id, texts_of(" " + ENGLISH))
    assert untrimmed.status_code == 422 and "check" not in untrimmed.json()["error"]["details"][0]


def test_warn_level_failures_are_accepted_with_warnings(db: Database, api: Api) -> None:
    project_id, _, token, _ = setup(db)
    me = api.as_(token)
    clean = submit(me, project_id, texts_of(ENGLISH))
    assert clean.status_code == 201, clean.text
    assert clean.json()["warnings"] == []
    warned = submit(me, project_id, texts_of(GERMAN + " Zwei Sätze!"))
    assert warned.status_code == 201, warned.text
    warnings = warned.json()["warnings"]
    assert [(w["path"], w["check"]) for w in warnings] == [
        ("result.chosen.text", "rule"),
        ("result.chosen.text", "language"),
        ("result.chosen.text", "sentences"),
    ]
    assert "looks written in de" in warnings[1]["message"]
    assert warnings[2]["message"] == "One sentence."


def test_consistency_across_questions(db: Database, api: Api) -> None:
    project_id, _, token, _ = setup(db)
    me = api.as_(token)
    same = submit(me, project_id, texts_of(ENGLISH, "  " + ENGLISH.replace(" ", "  ")))
    assert same.status_code == 422
    (detail,) = same.json()["error"]["details"]
    assert detail == {
        "path": "result.rejected",
        "message": "differ check: Write two answers.",
        "check": "differ",
    }
    different = submit(me, project_id, texts_of(ENGLISH, "Something else entirely."))
    assert different.status_code == 201, different.text
    alone = submit(me, project_id, texts_of(ENGLISH))  # a question left empty is not compared
    assert alone.status_code == 201, alone.text


def test_warn_level_consistency_is_a_warning(db: Database, api: Api) -> None:
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "a@example.com")
    interface = {
        **INTERFACE,
        "checks": [{"kind": "differ", "questions": ["chosen", "rejected"], "level": "warn"}],
    }
    project = make_project(db, owner, interface, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(2))
    warned = submit(api.as_(token), project.id, texts_of(ENGLISH, ENGLISH))
    assert warned.status_code == 201, warned.text
    assert warned.json()["warnings"] == [
        {
            "path": "result.rejected",
            "check": "differ",
            "message": 'the same as "chosen"; they must differ',
        }
    ]


def test_the_checks_endpoint_gives_the_servers_verdicts(db: Database, api: Api) -> None:
    project_id, owner_token, token, stranger = setup(db)
    path = f"/projects/{project_id}/checks"
    answer = api.as_(token).post(path, json={"question": "chosen", "text": GERMAN})
    assert answer.status_code == 200, answer.text
    verdicts = answer.json()["verdicts"]
    assert [(v["check"], v["index"], v["level"], v["ok"]) for v in verdicts] == [
        ("words", 1, "block", True),
        ("phrases", 2, "block", True),
        ("language", 3, "warn", False),
        ("sentences", 4, "warn", True),
    ]
    assert (
        api.as_(owner_token).post(path, json={"question": "chosen", "text": ""}).status_code == 200
    )
    # Members only: anyone else learns nothing of the project.
    hidden = api.as_(stranger).post(path, json={"question": "chosen", "text": "x"})
    assert hidden.status_code == 404
    assert api.post(path, json={"question": "chosen", "text": "x"}).status_code == 401
    unknown = api.as_(token).post(path, json={"question": "nope", "text": "x"})
    assert unknown.status_code == 422
    assert "the text questions are chosen, rejected" in unknown.json()["error"]["message"]
    long = api.as_(token).post(path, json={"question": "chosen", "text": "a " * 60_000})
    assert long.status_code == 422
    assert "text" in long.text


def test_bad_check_declarations_are_refused_when_saved(db: Database, api: Api) -> None:
    project_id, owner_token, _, _ = setup(db)
    me = api.as_(owner_token)

    def refused(change: dict[str, Any]) -> dict[str, Any]:
        answer = me.patch(f"/projects/{project_id}", json={"interface": {**INTERFACE, **change}})
        assert answer.status_code == 422, answer.text
        return answer.json()["error"]  # type: ignore[no-any-return]

    def with_check(check: Any) -> dict[str, Any]:
        question = {"name": "chosen", "kind": "text", "checks": [check]}
        return {"questions": [question, INTERFACE["questions"][1]]}

    error = refused(with_check({"kind": "words", "min": 9, "max": 3}))
    assert "questions[0].checks" in error["message"] and "min 9 is above max 3" in error["message"]
    assert "unknown check 'spelling'" in refused(with_check({"kind": "spelling"}))["message"]
    assert (
        "unknown language code 'zz'"
        in refused(with_check({"kind": "language", "expected": ["zz"]}))["message"]
    )
    too_long = with_check({"kind": "words", "min": 1})
    too_long["questions"][0]["rules"] = [{"pattern": "a" * 2001}]
    assert "at most 2000 characters" in refused(too_long)["message"]
    assert (
        "'ghost' is not a question"
        in refused({"checks": [{"kind": "differ", "questions": ["chosen", "ghost"]}]})["message"]
    )
    # Nothing was changed.
    kept = me.get(f"/projects/{project_id}").json()["interface"]
    assert kept["checks"] == INTERFACE["checks"]


def test_the_sdk_checks_a_text_and_sees_warnings(
    db: Database, api: Api, client: TestClient
) -> None:
    project_id, _, token, _ = setup(db)
    sdk = Client("http://testserver", token)
    sdk._http = TestClient(
        client.app,
        base_url="http://testserver/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    verdicts = sdk.check_text(project_id, "chosen", GERMAN)
    assert [v["check"] for v in verdicts if not v["ok"]] == ["language"]
    task = sdk.next_task(project_id)
    assert task is not None
    answer = sdk.answer(task.id, texts_of(GERMAN))
    assert [w["check"] for w in answer["warnings"]] == ["language"]
    following = sdk.next_task(project_id)
    assert following is not None
    with pytest.raises(AccordError) as refused:
        sdk.submit(following.id, texts_of("Too short."))
    assert refused.value.status == 422 and "words check" in str(refused.value)
