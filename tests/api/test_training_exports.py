"""The training exports through the API: what a project must have for each format (a 422
naming it), the filters (annotator, reviewed only, final answers), the report, and the export
as a background job. The files' contents are checked with their consumers' libraries in
tests/formats/test_training_exports.py."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.api.test_jobs import wait
from tests.factories import RICH, SIMPLE, make_user, texts
from tests.formats.training_data import CHAT, PREFERENCE, SPANS, Team


def export(team: Team, fmt: str, **params: Any) -> Any:
    return team.manager.get(f"/projects/{team.project.id}/export", params={"format": fmt, **params})


def records(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return [orjson.loads(line) for line in answer.content.splitlines()]


@pytest.mark.parametrize(
    ("interface", "fmt", "params", "words"),
    [
        (SIMPLE, "trl-preference", {}, "needs a pairwise or ranking question whose target"),
        (SIMPLE, "trl-sft", {}, "trl-sft needs a response: a text question"),
        (SIMPLE, "conll", {}, "conll needs a spans question"),
        (SIMPLE, "spacy", {}, "spacy needs a spans question"),
        (RICH, "trl-kto", {}, "needs desirable=<values>"),
        (RICH, "trl-kto", {"desirable": "meh"}, "meh is not an option"),
        (RICH, "trl-sft", {"prompt": "label"}, "'label' is not a chat or text or markdown"),
        (CHAT, "trl-preference", {"consensus": True}, "leave out consensus (use final"),
        (SPANS, "spacy", {"lang": "zz"}, "spaCy has no language 'zz'"),
        (SPANS, "spacy", {"lang": "../en"}, "'../en' is not a language code"),
        (SPANS, "conll", {"question": "topic"}, "'topic' is not a spans question"),
        (SPANS, "jsonl", {"reviewed": True}, "reviewed and report go with the training"),
        (SPANS, "conll", {"reviewed": True, "final": True}, "use one of them"),
    ],
)
def test_a_project_without_what_the_format_needs_gets_a_422_saying_what(
    db: Database,
    api: Api,
    interface: dict[str, Any],
    fmt: str,
    params: dict[str, Any],
    words: str,
) -> None:
    team = Team(db, api, interface, overlap=1)
    answer = export(team, fmt, **params)
    assert answer.status_code == 422, answer.text
    assert words in answer.text, answer.text


def test_several_candidates_questions_ask_for_one_by_name(db: Database, api: Api) -> None:
    two = {
        "fields": PREFERENCE["fields"],
        "questions": [
            {"name": "better", "kind": "pairwise", "target": "responses"},
            {"name": "order", "kind": "ranking", "target": "responses"},
        ],
    }
    team = Team(db, api, two, overlap=1)
    answer = export(team, "trl-preference")
    assert answer.status_code == 422
    assert "several pairwise or ranking questions (better, order): name one with" in answer.text
    assert export(team, "trl-preference", question="order").status_code == 200


def test_annotator_filter_and_report(db: Database, api: Api) -> None:
    team = Team(db, api, CHAT, overlap=2)
    chat = [{"role": "user", "content": "Hi?"}]
    team.tasks([{"id": "c1", "chat": chat, "candidates": ["a", "b", "c"]}])
    order = {"order": {"order": [[1], [0], [2]]}}
    team.answer(team.ann, {"c1": {**order, "reply": {"text": "Hello."}}})
    team.answer(team.bo, {"c1": {**order, "reply": {"text": "Hey."}}})
    got = records(export(team, "trl-sft", annotator="bo@example.com"))
    assert got == [{"messages": [*chat, {"role": "assistant", "content": "Hey."}]}]
    assert records(export(team, "trl-sft", status="new")) == []
    report = export(team, "trl-preference", report=True).json()
    assert report["records"] == 6 and report["answers"] == 2 and report["skipped"] == {}
    assert report["bytes"] == len(export(team, "trl-preference").content)


def test_reviewed_keeps_what_a_reviewer_accepted_or_fixed(db: Database, api: Api) -> None:
    team = Team(db, api, PREFERENCE, overlap=1)
    reviewer, token = make_user(db, "rev@example.com")
    with db.write() as session:
        from accord.actions.members import do_set_member
        from accord.actions.projects import do_update_project
        from accord.models import Project

        project = session.get(Project, team.project.id)
        assert project is not None
        do_set_member(session, team.owner, project, reviewer, "reviewer")
        do_update_project(session, team.owner, project, {"review_share": 1})
    rev = api.as_(token)
    team.tasks([{"id": f"r{i}", "prompt": f"q{i}", "responses": ["a", "b"]} for i in range(3)])
    team.answer(team.ann, {f"r{i}": {"rewrite": {"text": f"answer {i}"}} for i in range(3)})
    decisions: dict[str, dict[str, Any]] = {
        "answer 0": {"decision": "accept"},
        "answer 1": {"decision": "fix", "result": {"rewrite": {"text": "fixed 1"}}},
        "answer 2": {"decision": "reject", "comment": "Too short."},
    }
    for _ in range(3):
        leased = rev.post(f"/projects/{team.project.id}/reviews/next").json()
        annotation = leased["annotation"]
        body = decisions[annotation["result"]["rewrite"]["text"]]
        done = rev.post(
            f"/reviews/{leased['review']['id']}/decision",
            json={"version": annotation["version"], **body},
        )
        assert done.status_code == 200, done.text
    replies = [r["messages"][1]["content"] for r in records(export(team, "trl-sft"))]
    assert replies == ["answer 0", "fixed 1", "answer 2"]
    replies = [r["messages"][1]["content"] for r in records(export(team, "trl-sft", reviewed=True))]
    assert replies == ["answer 0", "fixed 1"]


def test_final_writes_each_complete_tasks_consensus(db: Database, api: Api) -> None:
    interface = {
        "fields": [{"name": "prompt", "kind": "text"}, {"name": "response", "kind": "text"}],
        "questions": [{"name": "verdict", "kind": "choice", "options": ["good", "bad"]}],
    }
    team = Team(db, api, interface, overlap=2)
    team.tasks(
        [
            {"id": "f1", "prompt": "Hi?", "response": "Hello."},
            {"id": "f2", "prompt": "Yo?", "response": "Hm."},
        ]
    )
    team.answer(
        team.ann, {"f1": {"verdict": {"choice": "good"}}, "f2": {"verdict": {"choice": "bad"}}}
    )
    team.answer(team.bo, {"f1": {"verdict": {"choice": "good"}}})  # f2 is not complete
    final = records(export(team, "trl-kto", desirable="good", final=True))
    assert final == [{"prompt": "Hi?", "completion": "Hello.", "label": True}]
    every = records(export(team, "trl-kto", desirable="good"))
    assert [r["label"] for r in every] == [True, True, False]
    parquet = export(team, "hf-parquet", final=True)
    assert parquet.status_code == 200, parquet.text
    table = pq.read_table(pa.BufferReader(parquet.content)).to_pylist()
    assert [(r["external_id"], r["source"], r["annotation_id"]) for r in table] == [
        ("f1", "consensus", None)
    ]
    assert table[0]["verdict"] == "good" and table[0]["response"] == "Hello."


def test_an_export_job_writes_the_file_and_its_report(db: Database, api: Api) -> None:
    team = Team(db, api, PREFERENCE, overlap=1)
    team.tasks(
        [
            {"id": "j1", "prompt": "A or B?", "responses": ["A", "B"]},
            {"id": "j2", "prompt": "Same?", "responses": ["x", "x"]},
        ]
    )
    team.answer(team.ann, {"j1": {"better": {"choice": "B"}}, "j2": {"better": {"choice": "tie"}}})
    started = team.manager.post(
        f"/projects/{team.project.id}/exports", json={"format": "trl-preference"}
    )
    assert started.status_code == 202, started.text
    assert started.json()["params"]["lang"] == "en"
    done = wait(team.manager, started.json()["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["report"]["skipped"] == {"tie": 1}
    assert done["result"]["filename"] == f"project-{team.project.id}.trl-preference.jsonl"
    assert any("pairwise answer is a tie" in line["message"] for line in done["log"])
    link = team.manager.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    file = api.client.get(link.headers["location"])
    assert [orjson.loads(x) for x in file.content.splitlines()] == [
        {"prompt": "A or B?", "chosen": "B", "rejected": "A"}
    ]
    refused = team.manager.post(f"/projects/{team.project.id}/exports", json={"format": "conll"})
    assert refused.status_code == 422 and "conll needs a spans question" in refused.text
    refused = team.manager.post(
        f"/projects/{team.project.id}/exports", json={"format": "csv", "reviewed": True}
    )
    assert refused.status_code == 422, refused.text


def test_annotators_cannot_export(db: Database, api: Api) -> None:
    team = Team(db, api, SIMPLE, overlap=1)
    team.tasks(texts(1))
    assert export(team, "hf-parquet").status_code == 200
    assert (
        team.ann.get(
            f"/projects/{team.project.id}/export", params={"format": "hf-parquet"}
        ).status_code
        == 403
    )
