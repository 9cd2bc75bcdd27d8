"""LLM calls against a real OpenAI-compatible server process (tests/openai_server.py): the
judge's predictions, candidates as a job and per task, rewrite suggestions streamed, the
budget, timeouts and broken endpoints, and the call log (docs/llm.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.api.app import create_app
from accord.db import Database
from accord.models import Draft, LlmCall, LlmEndpoint, Prediction, Task
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.factories import add_tasks, make_project, make_user
from tests.openai_server import running

KEY = "sk-test-0123456789abcdef"

JUDGED = {
    "fields": [
        {"name": "prompt", "kind": "text"},
        {"name": "responses", "kind": "text_list", "min_items": 2, "max_items": 2},
        {"name": "reply", "kind": "text", "required": False},
    ],
    "questions": [
        {"name": "better", "kind": "pairwise", "target": "responses"},
        {"name": "quality", "kind": "rating", "min": 1, "max": 5},
        {
            "name": "rubric",
            "kind": "rubric",
            "criteria": [
                {"name": "accurate", "type": "pass_fail"},
                {"name": "style", "min": 1, "max": 5},
            ],
        },
        {"name": "rewrite", "kind": "text"},
    ],
}
RANKED = {
    "fields": [
        {"name": "prompt", "kind": "text"},
        {"name": "responses", "kind": "text_list", "required": False, "min_items": 0,
         "max_items": 3},
    ],
    "questions": [{"name": "order", "kind": "ranking", "target": "responses"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def llm_server() -> Iterator[str]:
    with running() as address:
        yield address


@pytest.fixture
def api(settings: Settings, db: Database) -> Iterator[Api]:
    """The app with ACCORD_WEBHOOK_ALLOW_PRIVATE: the test server is on 127.0.0.1."""
    allowing = settings.model_copy(update={"webhook_allow_private": True})
    with TestClient(create_app(allowing, db), raise_server_exceptions=False) as client:
        yield Api(client)


class Setup:
    def __init__(self, db: Database, api: Api, server: str, interface: dict[str, Any]) -> None:
        self.db, self.server = db, server
        owner, token = make_user(db, "owner@example.com")
        annotator, ann_token = make_user(db, "ann@example.com")
        self.project = make_project(db, owner, interface, members={annotator: "annotator"})
        self.owner, self.manager, self.annotator = owner, api.as_(token), api.as_(ann_token)
        self.base = f"/projects/{self.project.id}/llm"

    def endpoint(self, mode: str = "ok", **settings: Any) -> None:
        body = {
            "base_url": f"{self.server}/{mode}/v1",
            "model": "test-model",
            "api_key": KEY,
            **settings,
        }
        answer = self.manager.put(self.base, json=body)
        assert answer.status_code == 200, answer.text

    def template(self, name: str, prompt: str, system: str = "") -> None:
        body = {"name": name, "prompt": prompt, "system": system}
        answer = self.manager.post(self.base + "/templates", json=body)
        assert answer.status_code == 201, answer.text

    def tasks(self, rows: list[dict[str, Any]]) -> list[int]:
        add_tasks(self.db, self.owner, self.project, rows)
        with self.db.read() as session:
            query = select(Task.id).where(Task.project_id == self.project.id).order_by(Task.id)
            return list(session.scalars(query))

    def calls(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.manager.get(self.base + "/calls").json()["items"]
        return items

    def predictions(self) -> list[Prediction]:
        with self.db.read() as session:
            query = select(Prediction).where(Prediction.project_id == self.project.id)
            return list(session.scalars(query))

    def data(self, task_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            task = session.get(Task, task_id)
            assert task is not None
            value: dict[str, Any] = orjson.loads(task.data)
            return value


def judged_row(reply: str, i: int = 0) -> dict[str, Any]:
    return {"id": f"j{i}", "prompt": "Say hi", "responses": ["hi", "hello"], "reply": reply}


@pytest.fixture
def judged(db: Database, api: Api, llm_server: str) -> Setup:
    setup = Setup(db, api, llm_server, JUDGED)
    setup.endpoint()
    setup.template("judge", "Judge the answers to {{prompt}}:\n{{responses}}\nREPLY: {{reply}}")
    return setup


def last_request(server: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(server + "/_last").json()
    return data


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("quality", {"rating": 4}),
        ("better", {"choice": "B", "strength": 2}),
        ("rubric", {"criteria": {"accurate": True, "style": 3}}),
    ],
)
def test_the_judge_prefills_a_prediction_with_its_rationale(
    judged: Setup, question: str, answer: dict[str, Any]
) -> None:
    reply = orjson.dumps({"answer": answer, "rationale": "B greets warmly"}).decode()
    (task_id,) = judged.tasks([judged_row(reply)])
    out = judged.manager.post(
        f"/tasks/{task_id}/llm/judge", json={"template": "judge", "question": question}
    )
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["status"] == "ok" and body["rationale"] == "B greets warmly"
    (prediction,) = judged.predictions()
    assert prediction.model_version == "llm:test-model"
    assert orjson.loads(prediction.result) == {question: answer}
    (call,) = judged.calls()
    assert call["status"] == "ok" and call["use"] == "judge"
    assert call["prediction_id"] == prediction.id and call["rationale"] == "B greets warmly"
    assert call["template_name"] == "judge" and call["template_version"] == 1
    assert call["model"] == "test-model" and call["prompt_tokens"] > 0
    assert call["completion_tokens"] > 0 and call["latency_ms"] is not None
    assert call["parameters"]["question"] == question and "Say hi" in call["prompt"]
    assert "Answer with one JSON object" in call["prompt"]  # the format, in the system prompt
    sent = last_request(judged.server)
    assert sent["authorization"] == f"Bearer {KEY}"  # decrypted and sent, never shown
    assert sent["body"]["model"] == "test-model"


@pytest.mark.parametrize(
    ("question", "reply", "says"),
    [
        ("quality", '{"answer": {"rating": 9}, "rationale": "x"}', "does not fit"),
        ("better", '{"answer": {"choice": "C"}}', "does not fit"),
        ("quality", "I think it is a 4.", "not one JSON object"),
        ("quality", '{"answer": {"rating": 4}, "score": 1}', "unknown keys"),
        ("rewrite", '{"answer": {"text": "x"}}', None),  # not a judge kind: refused up front
    ],
)
def test_an_answer_that_does_not_fit_is_recorded_never_stored(
    judged: Setup, question: str, reply: str, says: str | None
) -> None:
    (task_id,) = judged.tasks([judged_row(reply)])
    out = judged.manager.post(
        f"/tasks/{task_id}/llm/judge", json={"template": "judge", "question": question}
    )
    assert judged.predictions() == []
    if says is None:
        assert out.status_code == 422 and "the LLM judge answers" in out.json()["error"]["message"]
        assert judged.calls() == []
        return
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "invalid" and says in out.json()["error"]
    (call,) = judged.calls()
    assert call["status"] == "invalid" and says in call["error"]


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("timeout", "did not answer within 1 s"),
        ("fail", "HTTP 500"),
        ("garbage", "not an OpenAI chat completion"),
    ],
)
def test_a_failing_endpoint_is_bounded_and_saves_nothing(
    judged: Setup, mode: str, says: str
) -> None:
    judged.endpoint(mode, timeout_seconds=1)
    (task_id,) = judged.tasks([judged_row('{"answer": {"rating": 4}}')])
    started = time.monotonic()
    out = judged.manager.post(
        f"/tasks/{task_id}/llm/judge", json={"template": "judge", "question": "quality"}
    )
    assert time.monotonic() - started < 10
    assert out.status_code == 502, out.text
    assert out.json()["error"]["code"] == "llm_failed" and says in out.json()["error"]["message"]
    assert judged.predictions() == []
    (call,) = judged.calls()
    assert call["status"] == "error" and says in call["error"]
    with judged.db.read() as session:  # a failed call costs nothing against the budget
        endpoint = session.get(LlmEndpoint, judged.project.id)
        assert endpoint is not None and endpoint.tokens_used == 0


def test_a_call_over_the_budget_is_refused_with_429(judged: Setup) -> None:
    rows = [judged_row('{"answer": {"rating": 4}}', i) for i in range(3)]
    first, second, _ = judged.tasks(rows)
    ask = {"template": "judge", "question": "quality"}
    assert judged.manager.post(f"/tasks/{first}/llm/judge", json=ask).status_code == 200
    used = judged.manager.get(judged.base).json()["tokens_used"]
    (call,) = judged.calls()
    assert used == call["prompt_tokens"] + call["completion_tokens"] > 0  # settled to usage
    judged.endpoint(token_budget=used + 1)  # the count is kept
    refused = judged.manager.post(f"/tasks/{second}/llm/judge", json=ask)
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "llm_budget_exceeded"
    assert f"used {used} of its budget of {used + 1}" in error["message"]
    assert judged.calls()[0]["status"] == "refused"
    assert len(judged.predictions()) == 1
    assert judged.manager.get(judged.base).json()["tokens_used"] == used
    # A job over the project stops at the budget with the same message.
    job = judged.manager.post(judged.base + "/jobs", json={"use": "judge", **ask}).json()
    finished = wait(judged.manager, job["id"])
    assert finished["state"] == "failed" and f"budget of {used + 1}" in finished["error"]
    assert len(judged.predictions()) == 1
    # A manager resets the count, or lifts the cap; the calls go through again.
    assert judged.manager.post(judged.base + "/reset-usage").json()["tokens_used"] == 0
    judged.endpoint(token_budget=None)
    assert judged.manager.post(f"/tasks/{second}/llm/judge", json=ask).status_code == 200



def test_the_judge_job_prefills_every_task_and_logs_failures(judged: Setup) -> None:
    rows = [judged_row('{"answer": {"rating": 3}, "rationale": "ok"}', i) for i in range(3)]
    rows.append(judged_row('{"answer": {"rating": 0}}', 3))  # out of the scale
    judged.tasks(rows)
    body = {"use": "judge", "template": "judge", "question": "quality"}
    job = judged.manager.post(judged.base + "/jobs", json=body)
    assert job.status_code == 202, job.text
    finished = wait(judged.manager, job.json()["id"])
    assert finished["state"] == "succeeded", finished
    assert finished["result"]["done"] == 3 and finished["result"]["failed"] == 1
    assert finished["result"]["template_version"] == 1
    assert any("j3" in line["message"] for line in finished["log"])
    assert sorted(orjson.loads(p.result)["quality"]["rating"] for p in judged.predictions()) == [
        3,
        3,
        3,
    ]
    assert {c["job_id"] for c in judged.calls()} == {job.json()["id"]}


@pytest.fixture
def ranked(db: Database, api: Api, llm_server: str) -> Setup:
    setup = Setup(db, api, llm_server, RANKED)
    setup.endpoint()
    setup.template("answer", "Answer #{{accord.index}}: {{prompt}}")
    return setup


def test_the_candidates_job_fills_the_text_list(ranked: Setup) -> None:
    rows = [{"id": f"c{i}", "prompt": f"question {i}"} for i in range(2)]
    rows.append({"id": "given", "prompt": "q", "responses": ["theirs"]})
    first, second, given = ranked.tasks(rows)
    body = {"use": "candidates", "template": "answer", "field": "responses", "n": 2}
    job = ranked.manager.post(ranked.base + "/jobs", json=body)
    assert job.status_code == 202, job.text
    finished = wait(ranked.manager, job.json()["id"])
    assert finished["state"] == "succeeded", finished
    assert finished["result"]["done"] == 2 and finished["result"]["skipped"] == 1
    assert ranked.data(first)["responses"] == [
        "Echo: Answer #1: question 0",
        "Echo: Answer #2: question 0",
    ]
    assert ranked.data(second)["responses"][1] == "Echo: Answer #2: question 1"
    assert ranked.data(given)["responses"] == ["theirs"]
    calls = ranked.calls()
    assert len(calls) == 4 and {c["use"] for c in calls} == {"candidates"}
    assert {c["template_version"] for c in calls} == {1}
    # More candidates than the field takes: refused before anything runs.
    too_many = ranked.manager.post(ranked.base + "/jobs", json={**body, "n": 4})
    assert too_many.status_code == 422 and "at most 3" in too_many.text
    not_a_list = ranked.manager.post(ranked.base + "/jobs", json={**body, "field": "prompt"})
    assert not_a_list.status_code == 422 and "not a text_list" in not_a_list.text


def test_a_failing_endpoint_leaves_the_tasks_as_they_were(ranked: Setup) -> None:
    ranked.endpoint("fail")
    (task_id,) = ranked.tasks([{"id": "c0", "prompt": "question"}])
    body = {"use": "candidates", "template": "answer", "field": "responses", "n": 2}
    finished = wait(
        ranked.manager, ranked.manager.post(ranked.base + "/jobs", json=body).json()["id"]
    )
    assert finished["state"] == "succeeded" and finished["result"]["failed"] == 1
    assert any("HTTP 500" in line["message"] for line in finished["log"])
    assert "responses" not in ranked.data(task_id)
    assert {c["status"] for c in ranked.calls()} == {"error"}


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], orjson.loads(lines["data"])))
    return out


def test_streamed_candidates_for_one_task_can_fill_it(ranked: Setup) -> None:
    (task_id,) = ranked.tasks([{"id": "c0", "prompt": "why is the sky blue"}])
    body = {"template": "answer", "field": "responses", "n": 2, "save": True}
    out = ranked.manager.post(f"/tasks/{task_id}/llm/candidates", json=body)
    assert out.status_code == 200, out.text
    assert out.headers["content-type"].startswith("text/event-stream")
    got = events(out)
    deltas = "".join(d["text"] for e, d in got if e == "delta" and d["index"] == 0)
    assert deltas == "Echo: Answer #1: why is the sky blue"
    assert [e for e, _ in got if e != "delta"] == ["done", "done", "end"]
    assert got[-1][1] == {
        "candidates": [
            "Echo: Answer #1: why is the sky blue",
            "Echo: Answer #2: why is the sky blue",
        ],
        "saved": True,
        "why": None,
    }
    assert ranked.data(task_id)["responses"] == got[-1][1]["candidates"]
    assert all(c["status"] == "ok" for c in ranked.calls())


@pytest.fixture
def writing(judged: Setup) -> Setup:
    judged.template("rewrite", "Rewrite: {{accord.text}}", system="You edit {{prompt}} answers.")
    return judged


def lease(setup: Setup) -> int:
    leased = setup.annotator.post(f"/projects/{setup.project.id}/next").json()
    task_id: int = leased["task"]["id"]
    return task_id


def test_a_rewrite_suggestion_streams_to_the_annotator_and_saves_nothing(writing: Setup) -> None:
    writing.tasks([judged_row("")])
    task_id = lease(writing)
    body = {
        "template": "rewrite",
        "text": "the sky is blue becuase of scattering",
        "question": "rewrite",
    }
    with writing.annotator.client.stream(
        "POST", f"/api/v1/tasks/{task_id}/llm/suggest", json=body, headers=writing.annotator.headers
    ) as response:
        assert response.status_code == 200
        chunks = [chunk for chunk in response.iter_text() if chunk]
    text = "".join(chunks)
    assert text.count("event: delta") >= 5  # piece by piece, as the server streamed it
    got = [(e, d) for e, d in events(httpx.Response(200, text=text))]
    suggestion = "".join(d["text"] for e, d in got if e == "delta")
    assert suggestion == "Echo: Rewrite: the sky is blue becuase of scattering"
    assert got[-1][0] == "done" and got[-1][1]["text"] == suggestion
    with writing.db.read() as session:  # not the annotator's answer: nothing saved
        assert list(session.scalars(select(Draft).where(Draft.task_id == task_id))) == []
        call = session.scalars(select(LlmCall)).one()
    assert call.use == "rewrite" and call.status == "ok" and call.completion == suggestion
    assert "You edit Say hi answers." in call.prompt
    assert last_request(writing.server)["body"]["stream"] is True
    # Whole, on request; and not for a task the annotator does not hold.
    whole = writing.annotator.post(f"/tasks/{task_id}/llm/suggest", json={**body, "stream": False})
    assert whole.json()["text"] == suggestion
    (other,) = writing.tasks([judged_row("", 9)])[1:]
    assert writing.annotator.post(f"/tasks/{other}/llm/suggest", json=body).status_code == 404


def test_a_broken_stream_ends_with_an_error_event(writing: Setup) -> None:
    writing.endpoint("garbage")
    writing.tasks([judged_row("")])
    task_id = lease(writing)
    out = writing.annotator.post(f"/tasks/{task_id}/llm/suggest", json={"text": "x"})
    got = events(out)
    assert got[-1][0] == "error" and got[-1][1]["code"] == "llm_failed"
    assert "not JSON" in got[-1][1]["message"]
    assert [c["status"] for c in writing.calls()] == ["error"]


def test_a_refused_stream_is_a_429_before_it_starts(writing: Setup) -> None:
    writing.endpoint(token_budget=5)
    writing.tasks([judged_row("")])
    task_id = lease(writing)
    out = writing.annotator.post(f"/tasks/{task_id}/llm/suggest", json={"text": "x"})
    assert out.status_code == 429 and out.json()["error"]["code"] == "llm_budget_exceeded"


def test_the_judge_is_scored_like_an_annotator(judged: Setup) -> None:
    reply = '{"answer": {"rating": 3}, "rationale": "fine"}'
    ids = judged.tasks([judged_row(reply, i) for i in range(4)])
    gold = judged.manager.put(f"/tasks/{ids[3]}/gold", json={"answer": {"quality": {"rating": 4}}})
    assert gold.status_code == 200, gold.text
    theirs = {"j0": 3, "j1": 3, "j2": 5, "j3": 4}
    while task := judged.annotator.post(f"/projects/{judged.project.id}/next").json()["task"]:
        rating = theirs[task["external_id"]]
        done = judged.annotator.post(
            f"/tasks/{task['id']}/annotations", json={"result": {"quality": {"rating": rating}}}
        )
        assert done.status_code in (200, 201), done.text
    for task_id in ids:
        ask = {"template": "judge", "question": "quality"}
        assert judged.manager.post(f"/tasks/{task_id}/llm/judge", json=ask).json()["status"] == "ok"
    scores = judged.manager.get(judged.base + "/judge-scores", params={"question": "quality"})
    assert scores.status_code == 200, scores.text
    (row,) = scores.json()
    (judge,) = row["judges"]
    assert judge == {
        "model_version": "llm:test-model",
        "tasks": 4,
        "tasks_with_people": 3,  # the gold task is left out, as in the metrics
        "agreement": 0.6667,  # 3 = 3, 3 = 3, 3 ≠ 5
        "gold_tasks": 1,
        "gold_accuracy": 0.0,  # it said 3; the gold answer is 4
    }
    every = judged.manager.get(judged.base + "/judge-scores").json()
    assert [q["question"] for q in every] == ["better", "quality", "rubric", "rubric"]
    refused = judged.manager.get(judged.base + "/judge-scores", params={"question": "rewrite"})
    assert refused.status_code == 422


RUBRIC_SAYS = '{"answer": {"criteria": {"accurate": true, "style": 3}}, "rationale": "clear"}'


def rubric_answer(accurate: bool, style: int) -> dict[str, Any]:
    return {"rubric": {"criteria": {"accurate": accurate, "style": style}}}


def answer_every(judged: Setup, who: Api, theirs: dict[str, dict[str, Any]]) -> None:
    project = judged.project.id
    while task := who.post(f"/projects/{project}/next").json()["task"]:
        done = who.post(
            f"/tasks/{task['id']}/annotations", json={"result": theirs[task["external_id"]]}
        )
        assert done.status_code in (200, 201), done.text


def test_a_rubric_judge_is_scored_per_criterion(judged: Setup, db: Database, api: Api) -> None:
    ids = judged.tasks([judged_row(RUBRIC_SAYS, i) for i in range(4)])
    # Two people on each task, and the last task gold.
    assert judged.manager.patch(f"/projects/{judged.project.id}", json={"overlap": 2}).is_success
    _, token = make_user(db, "second@example.com")
    added = judged.manager.post(
        f"/projects/{judged.project.id}/members",
        json={"email": "second@example.com", "role": "annotator"},
    )
    assert added.status_code in (200, 201), added.text
    gold = judged.manager.put(f"/tasks/{ids[3]}/gold", json={"answer": rubric_answer(True, 4)})
    assert gold.status_code == 200, gold.text
    answer_every(
        judged,
        judged.annotator,
        {
            "j0": rubric_answer(True, 3),
            "j1": rubric_answer(False, 3),
            "j2": rubric_answer(True, 5),
            "j3": rubric_answer(True, 4),
        },
    )
    answer_every(
        judged,
        api.as_(token),
        {
            "j0": rubric_answer(True, 3),
            "j1": rubric_answer(True, 2),
            "j2": rubric_answer(False, 5),
            "j3": rubric_answer(True, 4),
        },
    )
    for task_id in ids:
        ask = {"template": "judge", "question": "rubric"}
        said = judged.manager.post(f"/tasks/{task_id}/llm/judge", json=ask).json()
        assert said["status"] == "ok", said

    answer = judged.manager.get(judged.base + "/judge-scores", params={"question": "rubric"})
    assert answer.status_code == 200, answer.text
    accurate, style = answer.json()
    assert (accurate["question"], accurate["kind"], accurate["criterion"]) == (
        "rubric", "rubric", "accurate",
    )  # fmt: skip
    # People on j0..j2 (j3 is gold, left out): accurate T/T, F/T, T/F -> 1 of 3 pairs agree;
    # the judge said true: 4 of the 6 answers.
    assert accurate["people_agreement"] == {"pairs": 3, "agreement": 0.3333}
    assert accurate["judges"] == [
        {
            "model_version": "llm:test-model",
            "tasks": 4,
            "tasks_with_people": 3,
            "agreement": 0.6667,
            "gold_tasks": 1,
            "gold_accuracy": 1.0,  # true, as the gold answer
        }
    ]
    # style 3/3, 3/2, 5/5 -> 2 of 3 pairs agree; the judge said 3: 3 of 6 answers; gold says 4.
    assert style["criterion"] == "style"
    assert style["people_agreement"] == {"pairs": 3, "agreement": 0.6667}
    (judge,) = style["judges"]
    assert (judge["agreement"], judge["gold_accuracy"]) == (0.5, 0.0)

    # Every scored question: the rubric comes as its criteria, after the others.
    every = judged.manager.get(judged.base + "/judge-scores").json()
    assert [(r["question"], r["criterion"]) for r in every] == [
        ("better", None), ("quality", None), ("rubric", "accurate"), ("rubric", "style"),
    ]  # fmt: skip
    assert every[0]["judges"] == []  # the judge never answered `better`
    # A text question is not scored, and says which kinds are.
    refused = judged.manager.get(judged.base + "/judge-scores", params={"question": "rewrite"})
    assert refused.status_code == 422
    assert "rubric" in refused.json()["error"]["message"]
