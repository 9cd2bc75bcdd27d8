"""Faults in the production layout, with real processes (see tests/test_cluster.py): a worker
killed mid-import, an app server killed mid-request, Redis restarted mid-job, the bucket
unreachable for a while. Each time: clear errors, retries, nothing half-applied, nothing lost.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import Annotation, Task
from accord.settings import Settings
from tests.factories import add_tasks, assert_counts_match, make_project, make_user, texts
from tests.live import live_server, start_worker
from tests.redis_server import RedisServer, redis_server
from tests.s3 import S3Server, s3, s3_server, unique_prefix
from tests.test_cluster import client, cluster, cluster_env, rows_file, wait_job

__all__ = ["redis_server", "s3", "s3_server"]

pytestmark = pytest.mark.slow


def task_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Task)) or 0)


def running_with_progress(
    http: httpx.Client, job_id: int, timeout: float = 60, *, progressed: bool = True
) -> None:
    """Wait until the job runs (and, with ``progressed``, has written some progress: that is
    written about once a second, so a job shorter than that may never show it)."""
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"/jobs/{job_id}").json()
        if job["state"] == "running" and (job["done"] > 0 or not progressed):
            return
        assert job["state"] in ("queued", "running"), job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def test_a_worker_killed_mid_import_is_retried_never_half_applied(
    settings: Settings, db: Database, redis_server: RedisServer, s3: S3Server
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    rows = 150_000
    with (
        cluster(settings, redis_server, s3, servers=1, workers=1) as running,
        client(running.servers[0].url, token) as http,
    ):
        started = http.post(
            f"/projects/{project.id}/imports",
            params={"background": "true", "format": "jsonl"},
            content=rows_file(rows, "r"),
        )
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        running_with_progress(http, job_id)
        running.workers[0].kill()  # kill -9 mid-import
        half = task_count(db)
        assert half in (0, rows) or settings.is_sqlite, "PostgreSQL: all or nothing"
        replacement = start_worker(settings, running.env)  # takes the job over after the sweep
        try:
            job = wait_job(http, job_id)
        finally:
            replacement.stop()
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 2
    assert any("stopped answering" in line["message"] for line in job["log"]), job["log"]
    assert job["result"]["created"] in (rows, 0) and task_count(db) == rows
    assert_counts_match(db, project.id)


def test_a_server_killed_mid_request_loses_no_acknowledged_submit(
    settings: Settings, db: Database, redis_server: RedisServer, s3: S3Server
) -> None:
    owner, _ = make_user(db, "owner@example.com")
    people = [make_user(db, f"a{i}@example.com") for i in range(16)]
    project = make_project(db, owner, overlap=2, members={user: "annotator" for user, _ in people})
    add_tasks(db, owner, project, texts(300))
    accepted: list[tuple[int, int, int]] = []
    unexpected: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def work(index: int, token: str, urls: list[str]) -> None:
        order = urls if index % 2 == 0 else urls[::-1]
        for url in order:  # the first server; when it dies, the other
            with client(url, token) as http:
                try:
                    while True:
                        response = http.post(f"/projects/{project.id}/next")
                        if response.status_code != 200:
                            unexpected.append(f"next {response.status_code} {response.text}")
                            return
                        task = response.json()["task"]
                        if task is None:
                            return
                        body = {"result": {"label": {"choice": "pos"}}, "seconds": 1}
                        done = http.post(f"/tasks/{task['id']}/annotations", json=body)
                        if done.status_code != 201:
                            unexpected.append(f"submit {done.status_code} {done.text}")
                            return
                        with lock:
                            accepted.append((index, task["id"], done.json()["annotation"]["id"]))
                except httpx.TransportError:
                    if not killed.is_set():
                        raise
                    continue  # the server died mid-request: go on with the other one

    env = cluster_env(redis_server, s3, unique_prefix())
    with ExitStack() as stack:
        servers = [stack.enter_context(live_server(settings, env=env)) for _ in range(2)]
        urls = [server.url for server in servers]
        threads = [
            threading.Thread(target=work, args=(i, token, urls))
            for i, (_, token) in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(accepted) < 60:
            assert time.monotonic() < deadline and not unexpected, unexpected[:3]
            time.sleep(0.02)
        killed.set()
        servers[0].kill()  # kill -9, with requests in flight
        for thread in threads:
            thread.join(180)
    assert not unexpected, unexpected[:5]
    per_task = Counter(task_id for _, task_id, _ in accepted)
    assert max(per_task.values()) <= 2
    assert max(Counter((i, t) for i, t, _ in accepted).values()) == 1
    with db.read() as session:
        stored = set(session.scalars(select(Annotation.id)))
    assert {a for _, _, a in accepted} <= stored, "an acknowledged submission was lost"
    assert len(stored) == len(accepted) or len(stored) - len(accepted) <= 8, (
        "only submissions cut off before their answer may be stored unacknowledged"
    )
    assert_counts_match(db, project.id)


def test_redis_restarted_mid_job_and_while_a_job_is_sent(
    settings: Settings, db: Database, redis_server: RedisServer, s3: S3Server
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    rows = 150_000
    with (
        cluster(settings, redis_server, s3, servers=1, workers=1) as running,
        client(running.servers[0].url, token) as http,
    ):
        first = http.post(
            f"/projects/{project.id}/imports",
            params={"background": "true", "format": "jsonl"},
            content=rows_file(rows, "r"),
        ).json()
        # Running is enough: Redis dies while the job runs (on a quiet machine the import can
        # end within the second before its first progress is written).
        running_with_progress(http, first["id"], progressed=False)
        redis_server.stop()  # Redis dies mid-job: the job goes on (the database is the truth)
        second = http.post(f"/projects/{project.id}/exports", json={})  # sent while it is down
        assert second.status_code == 202, second.text
        assert second.json()["state"] == "queued"
        time.sleep(1)
        redis_server.start()  # empty: the message of the second job is gone
        jobs = [wait_job(http, first["id"]), wait_job(http, second.json()["id"])]
    assert [job["state"] for job in jobs] == ["succeeded", "succeeded"], jobs
    assert jobs[0]["result"]["created"] == rows and task_count(db) == rows
    # The export is a snapshot taken when it runs. PostgreSQL moves an import's rows in one
    # transaction (none or all are seen); SQLite moves them in batches after the commit point,
    # so an export that runs meanwhile sees the batches moved so far.
    exported = jobs[1]["result"]["tasks"]
    if settings.database_url is None:
        assert 0 <= exported <= rows
    else:
        assert exported in (0, rows)


def test_the_bucket_unreachable_for_a_while(
    settings: Settings, db: Database, redis_server: RedisServer, s3: S3Server
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    add_tasks(db, owner, project, texts(50))
    with (
        cluster(settings, redis_server, s3, servers=1, workers=1) as running,
        client(running.servers[0].url, token) as http,
    ):
        s3.stop()
        try:
            refused = http.post(
                f"/projects/{project.id}/imports",
                params={"background": "true", "format": "jsonl"},
                content=rows_file(10, "r"),
            )
            assert refused.status_code == 503, refused.text
            error: dict[str, Any] = refused.json()["error"]
            assert error["code"] == "storage_unavailable" and "s3://" in error["message"]
            export = http.post(f"/projects/{project.id}/exports", json={}).json()
            deadline = time.monotonic() + 60
            while not (job := http.get(f"/jobs/{export['id']}").json())["log"]:
                assert time.monotonic() < deadline, job
                time.sleep(0.1)
            assert job["state"] == "queued" and "retrying in" in job["log"][0]["message"]
        finally:
            s3.start()  # back (empty, as moto restarts), before the retry
        done = wait_job(http, export["id"])
    # moto takes a few seconds to start again; on a loaded machine that can outlast the first
    # pause (5 s), and the second attempt fails the same way and waits its own pause.
    assert done["state"] == "succeeded" and done["attempts"] >= 2, done
    retries = [entry["message"] for entry in done["log"]]
    assert len(retries) == done["attempts"] - 1, retries
    assert all("s3://" in message and "retrying in" in message for message in retries), retries
    assert done["result"]["tasks"] == 50
    assert task_count(db) == 50, "the refused import left nothing"
