"""The production layout on one machine, with real processes: two `accord serve` processes,
two `accord worker` processes, Redis (a throwaway `redis-server`), the S3-compatible server
(moto, a process of its own) and the test run's database (PostgreSQL in the PostgreSQL pass,
SQLite in the other: several processes on one machine share it).

32 annotators, spread over both servers, work through real HTTP while an import job and an
export job run. Afterwards: no task beyond its overlap, no annotator with a task twice, no
acknowledged submission lost, counters equal to a recount, and both jobs' results right.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import Annotation, Task
from accord.settings import Settings
from tests.factories import add_tasks, assert_counts_match, make_project, make_user, texts
from tests.live import LiveServer, LiveWorker, live_server, start_worker
from tests.redis_server import RedisServer, redis_server
from tests.s3 import CREDENTIALS, S3Server, s3, s3_server, unique_prefix

__all__ = ["redis_server", "s3", "s3_server"]

ANNOTATORS = 32
TASKS = 400
OVERLAP = 2
IMPORTED = 20_000


@dataclass
class Cluster:
    servers: list[LiveServer]
    workers: list[LiveWorker]
    env: dict[str, str]
    prefix: str


def cluster_env(redis: RedisServer, s3: S3Server, prefix: str) -> dict[str, str]:
    return {
        "ACCORD_REDIS_URL": redis.url,
        "ACCORD_STORAGE_URL": f"s3://{s3.bucket}/{prefix}",
        "ACCORD_S3_ENDPOINT_URL": s3.endpoint,
        "ACCORD_JOB_STALE_SECONDS": "4",
        **CREDENTIALS,
    }


@contextmanager
def cluster(
    settings: Settings, redis: RedisServer, s3: S3Server, *, servers: int = 2, workers: int = 2
) -> Iterator[Cluster]:
    prefix = unique_prefix()
    env = cluster_env(redis, s3, prefix)
    with ExitStack() as stack:
        running = [stack.enter_context(live_server(settings, env=env)) for _ in range(servers)]
        pool = [start_worker(settings, env) for _ in range(workers)]
        try:
            yield Cluster(running, pool, env, prefix)
        finally:
            for worker in pool:
                worker.stop()


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {token}"}
    )


def wait_job(http: httpx.Client, job_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = http.get(f"/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']}: {job}"
        time.sleep(0.2)


def rows_file(count: int, prefix: str) -> bytes:
    return b"".join(
        orjson.dumps({"id": f"{prefix}{i}", "text": f"imported {i}"}) + b"\n" for i in range(count)
    )


@pytest.mark.slow
def test_two_servers_two_workers_32_annotators_and_jobs(
    settings: Settings, db: Database, redis_server: RedisServer, s3: S3Server
) -> None:
    owner, owner_token = make_user(db, "owner@example.com")
    people = [make_user(db, f"a{i}@example.com") for i in range(ANNOTATORS)]
    project = make_project(
        db, owner, overlap=OVERLAP, members={user: "annotator" for user, _ in people}
    )
    add_tasks(db, owner, project, texts(TASKS))
    accepted: list[tuple[int, int, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(ANNOTATORS + 1)
    stop = threading.Event()

    def work(index: int, token: str, url: str) -> None:
        with client(url, token) as http:
            start.wait()
            while not stop.is_set():
                response = http.post(f"/projects/{project.id}/next")
                if response.status_code != 200:
                    failures.append(f"next: {response.status_code} {response.text}")
                    return
                task = response.json()["task"]
                if task is None:
                    return
                body = {"result": {"label": {"choice": "pos"}}, "seconds": 1}
                done = http.post(f"/tasks/{task['id']}/annotations", json=body)
                if done.status_code != 201:
                    failures.append(f"submit: {done.status_code} {done.text}")
                    return
                with lock:
                    accepted.append((index, task["id"], done.json()["annotation"]["id"]))

    with cluster(settings, redis_server, s3) as running:
        urls = [server.url for server in running.servers]
        threads = [
            threading.Thread(target=work, args=(i, token, urls[i % 2]))
            for i, (_, token) in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        with client(urls[0], owner_token) as one, client(urls[1], owner_token) as two:
            start.wait()
            imported = two.post(
                f"/projects/{project.id}/imports",
                params={"background": "true", "format": "jsonl", "filename": "more.jsonl"},
                content=rows_file(IMPORTED, "more"),
            )
            assert imported.status_code == 202, imported.text
            exported = one.post(f"/projects/{project.id}/exports", json={"format": "jsonl"})
            assert exported.status_code == 202, exported.text
            import_job = wait_job(one, imported.json()["id"])  # followed through the other
            export_job = wait_job(two, exported.json()["id"])
            stop.set()
            for thread in threads:
                thread.join(120)
            download = one.get(f"/jobs/{export_job['id']}/download", follow_redirects=False)
            assert download.status_code == 307
            file = httpx.get(download.headers["location"], timeout=60)
        workers_log = "".join(w.log.read_text() for w in running.workers)

    assert not failures, failures[:5]
    assert import_job["state"] == "succeeded", import_job
    assert import_job["result"]["created"] == IMPORTED
    assert export_job["state"] == "succeeded", export_job
    assert file.status_code == 200
    lines = [orjson.loads(line) for line in file.content.splitlines()]
    # The export read one snapshot: the first tasks, with or without the whole import.
    assert len(lines) in (TASKS, TASKS + IMPORTED) and len(lines) == export_job["result"]["tasks"]
    assert len({line["id"] for line in lines}) == len(lines)
    assert "Traceback" not in workers_log, workers_log[-3000:]

    per_task = Counter(task_id for _, task_id, _ in accepted)
    assert max(per_task.values()) <= OVERLAP, "no task beyond its overlap"
    pairs = Counter((index, task_id) for index, task_id, _ in accepted)
    assert max(pairs.values()) == 1, "no annotator submitted a task twice"
    with db.read() as session:
        stored = set(session.scalars(select(Annotation.id)))
        assert {a for _, _, a in accepted} <= stored, "no acknowledged submission lost"
        assert len(stored) == len(accepted)
        assert session.scalar(select(func.count()).select_from(Task)) == TASKS + IMPORTED
    assert_counts_match(db, project.id)
