"""Background jobs through the API: imports and exports as jobs, progress, results, cancel,
access, and what the sweep does with a job whose worker died."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, update

from accord.actions.jobs import MAX_ATTEMPTS, do_claim_job, do_start_job
from accord.db import Database
from accord.db.types import utcnow
from accord.jobs.runner import JobRunner
from accord.models import Import, Job, Task, User
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def wait(api: Api | httpx.Client, job_id: int, timeout: float = 60) -> dict[str, Any]:
    """The job once it has ended (an `Api` of the app, or an HTTP client of a live server)."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']}"
        time.sleep(0.05)


@pytest.fixture
def owner(db: Database, api: Api) -> tuple[Api, int]:
    user, token = make_user(db, "owner@example.com")
    project = make_project(db, user)
    return api.as_(token), project.id


def tasks(db: Database, project_id: int, count: int) -> None:
    with db.read() as session:
        user = session.scalars(select(User).where(User.email == "owner@example.com")).one()
    add_tasks(db, user, project_id, texts(count))


def test_an_import_job_imports_the_file_and_reports(db: Database, owner: tuple[Api, int]) -> None:
    api, project_id = owner
    body = jsonl([{"id": f"r{i}", "text": f"row {i}"} for i in range(2500)])
    started = api.post(
        f"/projects/{project_id}/imports",
        params={"background": "true", "format": "jsonl", "filename": "rows.jsonl"},
        content=body,
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["kind"] == "import" and job["state"] in ("queued", "running", "succeeded")
    done = wait(api, job["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["created"] == 2500 and done["result"]["duplicates"] == 0
    assert done["unit"] == "bytes" and done["done"] == done["total"] == len(body)
    assert done["percent"] == 100.0 and done["created_by"] == "owner@example.com"
    with db.read() as session:
        assert len(session.scalars(select(Task.id)).all()) == 2500
    # The spooled upload is removed once the job is over.
    assert not list(api.client.app.state.jobs.storage.list("spool/imports/"))
    # The project's list shows it, newest first.
    listed = api.get(f"/projects/{project_id}/jobs").json()["jobs"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_a_refused_file_fails_its_job_naming_the_line(owner: tuple[Api, int]) -> None:
    api, project_id = owner
    body = b'{"id": "1", "text": "ok"}\n{"id": "2", "txt": "no text"}\n'
    job = api.post(
        f"/projects/{project_id}/imports",
        params={"background": "true", "format": "jsonl"},
        content=body,
    ).json()
    done = wait(api, job["id"])
    assert done["state"] == "failed"
    assert "line 2" in done["error"] and "Nothing was imported" in done["error"]
    assert done["result"]["details"]["errors"][0]["line"] == 2
    assert done["log"][-1]["message"] == done["error"]


def test_an_export_job_writes_the_file_and_links_to_it(
    db: Database, owner: tuple[Api, int]
) -> None:
    api, project_id = owner
    tasks(db, project_id, 300)
    job = api.post(f"/projects/{project_id}/exports", json={"format": "jsonl"})
    assert job.status_code == 202, job.text
    done = wait(api, job.json()["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["tasks"] == 300 and done["unit"] == "tasks"
    assert done["done"] == done["total"] == 300
    assert done["download_url"] == f"/api/v1/jobs/{done['id']}/download"
    link = api.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    assert link.status_code == 307
    file = api.client.get(link.headers["location"])  # signed: no token needed
    assert file.status_code == 200
    lines = file.content.splitlines()
    assert len(lines) == 300 and orjson.loads(lines[0])["external_id"] == "t0"
    streamed = api.get(f"/projects/{project_id}/export").content
    assert file.content == streamed  # the same export as the streamed one


def test_an_export_file_is_deleted_once_kept_long_enough(
    db: Database, owner: tuple[Api, int]
) -> None:
    """After ACCORD_EXPORT_KEEP_HOURS the file goes; the job says so and its download
    answers 410 with what to do. A file someone already removed is no error."""
    from accord.jobs.expiry import expire_exports

    api, project_id = owner
    tasks(db, project_id, 20)
    runner: JobRunner = api.client.app.state.jobs
    done = [
        wait(api, api.post(f"/projects/{project_id}/exports", json={}).json()["id"])
        for _ in range(2)
    ]
    keep = runner.settings.export_keep_hours
    expires = dt.datetime.fromisoformat(done[0]["file_expires_at"])
    finished = dt.datetime.fromisoformat(done[0]["finished_at"])
    assert expires - finished == dt.timedelta(hours=keep) and not done[0]["file_expired"]
    assert expire_exports(runner) == 0  # nothing old enough yet
    old = utcnow() - dt.timedelta(hours=keep, minutes=1)
    with db.write() as session:
        session.execute(update(Job).where(Job.id == done[0]["id"]).values(finished_at=old))
        session.execute(update(Job).where(Job.id == done[1]["id"]).values(finished_at=old))
    runner.storage.delete(done[1]["result"]["key"])  # removed by hand: still noted
    assert expire_exports(runner) == 2 and expire_exports(runner) == 0
    assert not runner.storage.exists(done[0]["result"]["key"])
    job = api.get(f"/jobs/{done[0]['id']}").json()
    assert job["file_expired"] is True and job["download_url"] is None
    assert job["result"]["tasks"] == 20  # what it made is still described
    gone = api.get(f"/jobs/{done[0]['id']}/download", follow_redirects=False)
    assert gone.status_code == 410, gone.text
    error = gone.json()["error"]
    assert error["code"] == "export_expired" and "run the export again" in error["message"]


def test_jobs_are_for_managers_only(db: Database, owner: tuple[Api, int]) -> None:
    api, project_id = owner
    job = api.post(f"/projects/{project_id}/exports", json={}).json()
    _, ann_token = make_user(db, "ann@example.com")
    api.post(
        f"/projects/{project_id}/members", json={"email": "ann@example.com", "role": "annotator"}
    )
    annotator = api.as_(ann_token)
    assert annotator.get(f"/projects/{project_id}/jobs").status_code == 403
    assert annotator.get(f"/jobs/{job['id']}").status_code == 404
    assert annotator.post(f"/jobs/{job['id']}/cancel").status_code == 404
    assert annotator.get(f"/jobs/{job['id']}/download").status_code == 404
    _, stranger = make_user(db, "stranger@example.com")
    assert api.as_(stranger).get(f"/projects/{project_id}/jobs").status_code == 404
    assert api.as_(stranger).get(f"/jobs/{job['id']}").status_code == 404


def test_cancelling_a_queued_job_stops_it_before_it_starts(
    db: Database, settings: Settings, owner: tuple[Api, int]
) -> None:
    api, project_id = owner
    with db.write() as session:  # recorded, never handed to the queue
        job_id = do_start_job(session, None, project_id, "export", {}).id
    cancelled = api.post(f"/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    again = api.post(f"/jobs/{job_id}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
    JobRunner(settings, db).run(job_id)  # a late message: nothing runs
    assert api.get(f"/jobs/{job_id}").json()["state"] == "cancelled"


def test_cancelling_a_running_import_leaves_nothing_imported(
    db: Database, settings: Settings, owner: tuple[Api, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, project_id = owner
    import accord.jobs.handlers as handlers

    monkeypatch.setattr(handlers, "CHUNK", 1024)  # many small reads: many chances to stop
    original = handlers._Reading.read

    def slow_read(self: Any, size: int = -1, /) -> bytes:
        time.sleep(0.01)
        return original(self, min(size, 1024) if size > 0 else 1024)

    monkeypatch.setattr(handlers._Reading, "read", slow_read)
    body = jsonl([{"id": f"r{i}", "text": "x" * 50} for i in range(4000)])
    job = api.post(
        f"/projects/{project_id}/imports",
        params={"background": "true", "format": "jsonl"},
        content=body,
    ).json()
    deadline = time.monotonic() + 30
    while api.get(f"/jobs/{job['id']}").json()["done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    api.post(f"/jobs/{job['id']}/cancel")
    done = wait(api, job["id"])
    assert done["state"] == "cancelled"
    with db.read() as session:
        assert session.scalars(select(Task.id)).all() == []
        assert [i.state for i in session.scalars(select(Import))] == ["failed"]


def test_the_sweep_retries_a_job_whose_worker_died_then_gives_up(
    db: Database, settings: Settings, owner: tuple[Api, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, project_id = owner
    tasks(db, project_id, 5)
    runner = JobRunner(settings, db)
    # The requeued job is not handed to the queue: the test server's workers share it and
    # would claim the job before the "worker" below does.
    sent: list[int] = []
    monkeypatch.setattr(runner, "send", lambda job_id, **_: sent.append(job_id))
    with db.write() as session:
        job_id = do_start_job(session, None, project_id, "export", {}).id
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with db.write() as session:  # a worker claims it, then dies without a word
            claim = do_claim_job(session, job_id, "gone:1")
            assert claim is not None and claim.attempt == attempt
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(heartbeat_at=utcnow() - dt.timedelta(seconds=31))
            )
        runner.sweep()
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.state == "failed" and job.attempts == MAX_ATTEMPTS
        assert "stopped answering" in (job.error or "") and len(job.log) == MAX_ATTEMPTS
    assert sent == [job_id] * (MAX_ATTEMPTS - 1)  # queued again after each death but the last


def test_a_requeued_job_runs_again_and_succeeds(
    db: Database, settings: Settings, owner: tuple[Api, int]
) -> None:
    api, project_id = owner
    tasks(db, project_id, 5)
    with db.write() as session:
        job_id = do_start_job(session, None, project_id, "export", {}).id
    with db.write() as session:
        assert do_claim_job(session, job_id, "gone:1") is not None
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - dt.timedelta(seconds=31))
        )
    api.client.app.state.jobs.sweep()  # queued again and handed to this server's workers
    done = wait(api, job_id)
    assert done["state"] == "succeeded" and done["attempts"] == 2
    assert "stopped answering" in done["log"][0]["message"]


def test_consensus_and_metrics_run_as_jobs(db: Database, owner: tuple[Api, int]) -> None:
    api, project_id = owner
    tasks(db, project_id, 3)
    runs = api.post(f"/projects/{project_id}/consensus/runs")
    assert runs.status_code == 202, runs.text
    jobs = api.get(f"/projects/{project_id}/jobs", params={"kind": "consensus"}).json()["jobs"]
    assert len(jobs) == 1
    assert wait(api, jobs[0]["id"])["state"] == "succeeded"
    api.get(f"/projects/{project_id}/metrics")  # no snapshot yet: a metrics job starts
    metrics = api.get(f"/projects/{project_id}/jobs", params={"kind": "metrics"}).json()["jobs"]
    assert len(metrics) == 1
    assert wait(api, metrics[0]["id"])["state"] == "succeeded"


def test_a_bucket_sync_job_makes_a_task_per_file_once(
    settings: Settings, owner: tuple[Api, int]
) -> None:
    api, project_id = owner
    folder = settings.data_dir / "media" / "photos"
    folder.mkdir(parents=True)
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(name)
    body = {"url": "media/photos", "field": "text"}
    first = wait(api, api.post(f"/projects/{project_id}/bucket-syncs", json=body).json()["id"])
    assert first["state"] == "succeeded", first
    assert (first["result"]["created"], first["result"]["duplicates"]) == (2, 0)
    (folder / "c.txt").write_text("c")
    again = wait(api, api.post(f"/projects/{project_id}/bucket-syncs", json=body).json()["id"])
    assert (again["result"]["created"], again["result"]["duplicates"]) == (1, 2)
    outside = api.post(
        f"/projects/{project_id}/bucket-syncs", json={"url": "/etc", "field": "text"}
    ).json()
    refused = wait(api, outside["id"])
    assert refused["state"] == "failed" and "cannot sync '/etc'" in refused["error"]
