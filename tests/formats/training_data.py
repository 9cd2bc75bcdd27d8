"""Projects and answers the training-export tests share: made through the API, as annotators
make them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

PREFERENCE = {
    "fields": [
        {"name": "prompt", "kind": "text"},
        {"name": "responses", "kind": "text_list", "min_items": 2, "max_items": 2},
    ],
    "questions": [
        {"name": "better", "kind": "pairwise", "target": "responses"},
        {"name": "rewrite", "kind": "text"},
        {"name": "quality", "kind": "rating", "min": 1, "max": 5},
    ],
}
CHAT = {
    "fields": [
        {"name": "chat", "kind": "chat", "roles": ["system", "user", "assistant"]},
        {"name": "candidates", "kind": "text_list", "min_items": 3, "max_items": 3},
    ],
    "questions": [
        {"name": "order", "kind": "ranking", "target": "candidates", "ties": True},
        {"name": "reply", "kind": "text"},
        {"name": "verdict", "kind": "choice", "options": ["good", "bad", "unsure"]},
    ],
}
SPANS = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [
        {"name": "entities", "kind": "spans", "target": "text", "labels": ["PER", "LOC", "ORG"]},
        {"name": "topic", "kind": "choice", "options": ["news", "chat"], "multiple": True},
    ],
}


class Team:
    """A manager and two annotators on a project of ``interface``."""

    def __init__(self, db: Database, api: Api, interface: dict[str, Any], overlap: int) -> None:
        self.db = db
        self.owner, token = make_user(db, "owner@example.com")
        ann, ann_token = make_user(db, "ann@example.com")
        bo, bo_token = make_user(db, "bo@example.com")
        members = {ann: "annotator", bo: "annotator"}
        self.project = make_project(db, self.owner, interface, overlap=overlap, members=members)
        self.manager = api.as_(token)
        self.ann = api.as_(ann_token)
        self.bo = api.as_(bo_token)

    def tasks(self, rows: list[dict[str, Any]]) -> None:
        add_tasks(self.db, self.owner, self.project, rows)

    def answer(self, me: Api, answers: dict[str, dict[str, Any]]) -> dict[str, int]:
        """Answer the tasks ``me`` is given, by the task's external id, until the queue gives
        one ``answers`` does not hold; their annotation ids."""
        ids: dict[str, int] = {}
        while True:
            task = me.post(f"/projects/{self.project.id}/next").json()["task"]
            if task is None or task["external_id"] not in answers:
                return ids
            result = answers[task["external_id"]]
            done = me.post(f"/tasks/{task['id']}/annotations", json={"result": result})
            assert done.status_code == 201, done.text
            ids[task["external_id"]] = done.json()["annotation"]["id"]

    def export(self, fmt: str, path: Path, **params: Any) -> Path:
        answer = self.manager.get(
            f"/projects/{self.project.id}/export", params={"format": fmt, **params}
        )
        assert answer.status_code == 200, answer.text
        path.write_bytes(answer.content)
        return path

    def report(self, fmt: str, **params: Any) -> dict[str, Any]:
        answer = self.manager.get(
            f"/projects/{self.project.id}/export",
            params={"format": fmt, "report": True, **params},
        )
        assert answer.status_code == 200, answer.text
        out: dict[str, Any] = answer.json()
        return out


def load_json_dataset(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The file as Hugging Face ``datasets`` reads it, offline, cached under ``cache``."""
    return _load("json", path, cache, monkeypatch)


def load_parquet_dataset(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return _load("parquet", path, cache, monkeypatch)


def _load(builder: str, path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    datasets.disable_progress_bars()
    return datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(cache))
