"""A large JSONL export job written by several processes (`accord.jobs.export_parts`): the
same bytes as the streamed export, one snapshot for every part, and a helper that fails
costing nothing but time."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from accord.db import Database
from accord.jobs import export_parts
from accord.models import User
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user

TASKS = 120


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"export_processes": 3})


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every export job is split, however small; the helpers' ranges copied are recorded."""
    monkeypatch.setattr(export_parts, "MIN_TASKS", 1)
    copied: list[Any] = []
    spooled = export_parts._Helper.spooled

    def recorded(self: export_parts._Helper) -> Any:
        copied.append(self.tasks_in)
        return spooled(self)

    monkeypatch.setattr(export_parts._Helper, "spooled", recorded)
    return copied


@pytest.fixture
def project(db: Database, api: Api) -> tuple[Api, int, User]:
    """Tasks with 0, 1 or 2 annotations (overlap 2) and a prediction on some."""
    owner, token = make_user(db, "owner@example.com")
    people = [make_user(db, f"ann{i}@example.com") for i in range(2)]
    project = make_project(db, owner, overlap=2, members={u: "annotator" for u, _ in people})
    rows: list[dict[str, Any]] = []
    for i in range(TASKS):
        row: dict[str, Any] = {"id": f"t{i}", "text": f'task "{i}"\nwith a line break'}
        if i % 7 == 0:
            row["predictions"] = [{"model_version": "m1", "score": 0.25, "result": answer(i)}]
        rows.append(row)
    add_tasks(db, owner, project, rows)
    for count, (_, annotator) in zip((40, 25), people, strict=True):
        me = api.as_(annotator)
        for i in range(count):
            task = me.post(f"/projects/{project.id}/next").json()["task"]
            done = me.post(
                f"/tasks/{task['id']}/annotations",
                json={"result": answer(i), "seconds": 1.1 * i},
            )
            assert done.status_code == 201, done.text
    return api.as_(token), project.id, owner


def answer(i: int) -> dict[str, Any]:
    return {"label": {"choice": "pos" if i % 3 else "neg"}}


def run_export(api: Api, project_id: int, **params: Any) -> bytes:
    job = api.post(f"/projects/{project_id}/exports", json={"format": "jsonl", **params})
    assert job.status_code == 202, job.text
    deadline = time.monotonic() + 60
    while (done := api.get(f"/jobs/{job.json()['id']}").json())["state"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, done
        time.sleep(0.05)
    assert done["state"] == "succeeded", done
    link = api.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    content: bytes = api.client.get(link.headers["location"]).content
    assert done["result"]["tasks"] == content.count(b"\n")
    return content


def test_an_export_in_parts_is_the_streamed_export(
    project: tuple[Api, int, User], split: list[Any], settings: Settings
) -> None:
    api, project_id, _ = project
    for params in ({}, {"status": "in_progress"}, {"annotator": "ann1@example.com"}):
        copied = len(split)
        streamed = api.get(f"/projects/{project_id}/export", params=params).content
        assert streamed.count(b"\n") > 10
        assert run_export(api, project_id, **params) == streamed, params
        assert len(split) == copied + 2, "two helpers wrote two of the three ranges"
    assert not list(Path(settings.data_dir).glob(f"{export_parts.SPOOL_PREFIX}*"))


def test_every_part_reads_the_snapshot_of_the_start(
    db: Database,
    project: tuple[Api, int, User],
    split: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once the job's snapshot is taken (and before the helpers have read anything), a task
    is imported: it would fall in the last helper's range, and no part shows it."""
    api, project_id, owner = project
    before = api.get(f"/projects/{project_id}/export").content
    lines = export_parts.jsonl_lines
    raced: list[int] = []

    def racing(*args: Any) -> Any:
        if not raced:
            raced.append(1)
            add_tasks(db, owner, project_id, [{"id": "late", "text": "imported meanwhile"}])
        return lines(*args)

    monkeypatch.setattr(export_parts, "jsonl_lines", racing)
    assert run_export(api, project_id) == before
    assert raced == [1]
    after = api.get(f"/projects/{project_id}/export").content
    assert after.count(b"\n") == before.count(b"\n") + 1 and b'"late"' in after


def test_a_helper_that_fails_costs_only_time(
    db: Database,
    project: tuple[Api, int, User],
    split: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    api, project_id, _ = project
    spec_of = export_parts._spec

    def unreachable(*args: Any) -> dict[str, Any]:
        spec = spec_of(*args)
        if spec["postgres"]:
            spec["database"] = spec["database"].rsplit("/", 1)[0] + "/accord_no_such_database"
        else:
            spec["database"] = str(tmp_path / "missing" / "accord.db")
        return spec

    monkeypatch.setattr(export_parts, "_spec", unreachable)
    streamed = api.get(f"/projects/{project_id}/export").content
    with caplog.at_level(logging.WARNING, logger="accord.jobs"):
        assert run_export(api, project_id) == streamed
    assert split == [], "no helper got to write its range"
    warned = [r.getMessage() for r in caplog.records if "export helper" in r.getMessage()]
    assert len(warned) == 2 and all("this process writes its range" in w for w in warned)
