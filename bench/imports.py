"""Import N text tasks (JSONL, ~185 bytes each) through the HTTP API while annotators keep
working (next → submit) on another project of the same server: import tasks/s, its phases,
the annotators' latency during the import beside their idle latency, failures, server memory.

    python -m bench.imports [--tasks 1000000] [--db sqlite,postgres] [--runs 3]
        [--annotators 8] [--idle-seconds 10] [--mode sync|job] [--quick]

Each run starts from a fresh database and a fresh server (neither warmed). Project A is empty
and receives the import; project B holds ``--b-tasks`` tasks (overlap 1) and the annotators.
The annotators start first and work alone for ``--idle-seconds`` (the idle figure), then the
import is sent and they go on until it has answered; a cycle counts as "during" when it starts
while the import request is open (however long it then takes). ``--mode job`` sends the file
with ``background=true`` (the upload goes to the storage, the server answers 202 with a job)
and follows the job every 0.5 s, as the SDK, the CLI and the web app do, until it has
succeeded: "during" then runs from the first byte sent to the job's ``finished_at`` (the
server's clock, on the same machine). (Before 2026-12-06 it polled every 20 ms, which took
the server's interpreter from the import: 50 requests a second in the same process.)
``--annotators 0`` measures the import alone.

Phases, seen from outside (a read of the import's state every 20 ms): "check" runs from sending
the request to the import's commit point (upload, parse, check, staging; nothing holds the
write lock), "move" from there to the answer (SQLite: the rows go in by short write
transactions). On PostgreSQL the rows go into the project in the same transaction that commits
the import, so the whole import counts as "check" there.

Figures: the median over runs with min–max; latency pooled over runs as p50 (p5–p95) / p99,
in ms; the server's peak resident memory (VmHWM, whole life) and peak heap (RssAnon, sampled
during the import).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from accord.actions.imports import do_import
from accord.actions.projects import do_create_project
from accord.models import Import, Project, Task, User
from accord.queries.projects import interface_of
from bench.machine import load_average, machine
from bench.setup import (
    AnonPeak,
    Bench,
    fresh,
    latency,
    peak_rss_mb,
    spread,
    table,
    upload_jsonl,
    write_tasks,
)
from tests.factories import SIMPLE
from tests.live import live_server

PROCESSES = 2
ANSWER = {"result": {"label": {"choice": "pos"}}, "seconds": 3}


@dataclass
class Cycles:
    """Next → submit cycles of the annotators: (wall start, wall end) of each, and failures
    as (wall time, what)."""

    done: list[tuple[float, float]] = field(default_factory=list)
    failed: list[tuple[float, str]] = field(default_factory=list)

    def add(self, other: Cycles) -> None:
        self.done += other.done
        self.failed += other.failed

    def within(self, start: float, end: float) -> tuple[list[float], int]:
        """Latencies (s, sorted) of the cycles that started in [start, end] (however long
        they took), and the failures there."""
        inside = sorted(b - a for a, b in self.done if start <= a <= end)
        return inside, sum(1 for at, _ in self.failed if start <= at <= end)


def cycle(http: httpx.Client, project_id: int, out: Cycles) -> None:
    start = time.time()
    try:
        got = http.post(f"/projects/{project_id}/next")
        if got.status_code != 200 or got.json().get("task") is None:
            out.failed.append((time.time(), f"next {got.status_code}: {got.text[:200]}"))
            return
        task = got.json()["task"]
        done = http.post(f"/tasks/{task['id']}/annotations", json=ANSWER)
        if done.status_code != 201:
            out.failed.append((time.time(), f"submit {done.status_code}: {done.text[:200]}"))
            return
    except httpx.HTTPError as exc:
        out.failed.append((time.time(), f"{type(exc).__name__}: {exc}"))
        time.sleep(0.05)
        return
    out.done.append((start, time.time()))


def client_process(
    base_url: str, auths: list[str], project_id: int, stop: Any, results: Any
) -> None:
    """Annotator threads of one load-generating process, until ``stop`` is set."""
    found: list[Cycles] = []

    def annotator(auth: str) -> None:
        mine = Cycles()
        with httpx.Client(base_url=base_url, timeout=120, headers={"Authorization": auth}) as h:
            while not stop.is_set():
                cycle(h, project_id, mine)
        found.append(mine)

    threads = [threading.Thread(target=annotator, args=(a,)) for a in auths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Cycles()
    for mine in found:
        total.add(mine)
    results.put(total)


class Annotators:
    """``auths`` annotators working on ``project_id`` in up to `PROCESSES` processes (the
    load generator shares the machine with the server), from start to `stop`."""

    def __init__(self, base_url: str, auths: list[str], project_id: int) -> None:
        self._stop = mp.Event()
        self._results: Any = mp.Queue()
        groups = [g for g in (auths[i::PROCESSES] for i in range(PROCESSES)) if g]
        self._procs = [
            mp.Process(
                target=client_process, args=(base_url, g, project_id, self._stop, self._results)
            )
            for g in groups
        ]
        for proc in self._procs:
            proc.start()

    def stop(self) -> Cycles:
        self._stop.set()
        total = Cycles()
        for _ in self._procs:
            total.add(self._results.get())
        for proc in self._procs:
            proc.join()
        return total


class Phases:
    """Watches the import's state from outside (a read every 20 ms): when it reached its
    commit point (``moving`` on SQLite; ``done`` on PostgreSQL, where the two coincide)."""

    def __init__(self, bench: Bench, project_id: int) -> None:
        self.commit_point: float | None = None
        self._bench = bench
        self._project_id = project_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and self.commit_point is None:
            with self._bench.db.read() as session:
                state = session.scalar(
                    select(Import.state).where(Import.project_id == self._project_id)
                )
            if state in ("moving", "done"):
                self.commit_point = time.time()
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    mode: str
    seconds: float
    check: float
    move: float
    created: int
    peak_mb: float
    heap_mb: float
    idle: list[float]
    idle_failed: int
    idle_seconds: float
    during: list[float]
    during_failed: int
    checking: list[float]
    moving: list[float]
    examples: list[str]
    answered: float  # job: the upload stored, until the 202 answer (sync: the whole request)
    queued: float  # job: from its creation to a worker starting it (the server's clock)


def prepare(database: str, b_tasks: int, annotators: int, b_path: Path) -> tuple[Bench, int]:
    """A fresh database: project B (the annotators', with tasks) and an empty project A."""
    bench = fresh(database, annotators=annotators)
    with bench.db.write() as session, open(b_path, "rb") as source:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        do_import(session, owner, project, interface_of(project), source, "jsonl")
        target = make_target(session, owner)
    return bench, target


def make_target(session: Any, owner: User) -> int:
    return do_create_project(session, owner, "Import target", SIMPLE).id


def run_once(database: str, path: Path, count: int, args: argparse.Namespace, b_path: Path) -> Run:
    bench, target = prepare(database, args.b_tasks, args.annotators, b_path)
    bench.db.dispose()
    auths = [f"Bearer {t}" for t in bench.annotator_tokens]
    with live_server(bench.settings) as server:
        pid = server.process.pid
        crowd = Annotators(server.url + "/api/v1", auths, bench.project_id)
        idle_start = time.time() + 1  # connections up
        time.sleep(1 + args.idle_seconds)
        idle_end = time.time()
        phases = Phases(bench, target)
        with AnonPeak(pid) as heap:
            start = time.time()
            response = upload_jsonl(server.url, bench.owner_token, target, path,
                                    background=args.mode == "job")
            end = time.time()
            answered, queued = end - start, 0.0
            if args.mode == "job":  # the upload is stored: follow the job to its end
                response.raise_for_status()
                report, end, queued = follow_job(
                    server.url, bench.owner_token, response.json()["id"]
                )
        phases.stop()
        cycles = crowd.stop()
        peak = peak_rss_mb(pid)
    if args.mode == "sync":
        response.raise_for_status()
        report = response.json()
    created = report["created"]
    with bench.db.read() as session:
        stored = session.scalar(
            select(func.count()).select_from(Task).where(Task.project_id == target)
        )
    assert created == count == stored, (created, count, stored)
    bench.close()
    idle, idle_failed = cycles.within(idle_start, idle_end)
    during, during_failed = cycles.within(start, end)
    commit = phases.commit_point or end
    checking, _ = cycles.within(start, commit)
    moving, _ = cycles.within(commit, end)
    return Run(
        args.mode,
        end - start,
        commit - start,
        end - commit,
        created,
        peak,
        heap.peak,
        idle,
        idle_failed,
        idle_end - idle_start,
        during,
        during_failed,
        checking,
        moving,
        [what for _, what in cycles.failed[:3]],
        answered,
        queued,
    )


POLL_SECONDS = 0.5  # as the SDK (`wait_job`), the CLI and the web app follow a job


def utc(text: str) -> dt.datetime:
    """One of the API's times (UTC, with or without its offset)."""
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def follow_job(url: str, token: str, job_id: int) -> tuple[dict[str, Any], float, float]:
    """Poll the job as clients do until it ends; its result (the import report), when it
    finished (the server's ``finished_at``, as a Unix time: the same machine's clock) and how
    long it waited for a worker (``started_at`` − ``created_at``). Polling faster would take
    the server's interpreter from the import it measures."""
    with httpx.Client(base_url=url + "/api/v1", timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            job = http.get(f"/jobs/{job_id}").json()
            if job["state"] == "succeeded":
                result: dict[str, Any] = job["result"]
                at = {k: utc(job[k]) for k in ("created_at", "started_at", "finished_at")}
                queued = (at["started_at"] - at["created_at"]).total_seconds()
                return result, at["finished_at"].timestamp(), queued
            if job["state"] in ("failed", "cancelled"):
                raise RuntimeError(f"the import job ended {job['state']}: {job['error']}")
            time.sleep(POLL_SECONDS)


def summarise(database: str, count: int, runs: list[Run]) -> dict[str, object]:
    idle = sorted(x for r in runs for x in r.idle)
    during = sorted(x for r in runs for x in r.during)
    return {
        "database": database,
        "mode": runs[0].mode if runs else "",
        "tasks": f"{count:,}",
        "runs": len(runs),
        "import tasks/s": spread([r.created / r.seconds for r in runs]),
        "seconds": spread([r.seconds for r in runs], "{:.2f}"),
        "check s": spread([r.check for r in runs], "{:.2f}"),
        "move s": spread([r.move for r in runs], "{:.2f}"),
        "cycle ms idle p50 (p5–p95) / p99": latency(idle),
        "cycle ms during import": latency(during),
        "longest ms": spread([max(r.during, default=0) * 1000 for r in runs]),
        "… while checking": latency(sorted(x for r in runs for x in r.checking)),
        "… while moving": latency(sorted(x for r in runs for x in r.moving)),
        "cycles/s idle → during": f"{spread([len(r.idle) / r.idle_seconds for r in runs])} → "
        f"{spread([len(r.during) / r.seconds for r in runs])}",
        "failed idle / during": f"{sum(r.idle_failed for r in runs)} / "
        f"{sum(r.during_failed for r in runs)}",
        "server peak MB": spread([r.peak_mb for r in runs]),
        "peak heap MB": spread([r.heap_mb for r in runs]),
        "job: upload stored s / queued s": (
            f"{spread([r.answered for r in runs], '{:.2f}')} / "
            f"{spread([r.queued for r in runs], '{:.2f}')}"
            if runs and runs[0].mode == "job"
            else "-"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument(
        "--mode",
        choices=("sync", "job"),
        default="sync",
        help="sync: one request that answers with the report; job: background=true, then "
        "the job followed until it ends (upload to the storage, then the import in the "
        "server's job threads)",
    )
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument(
        "--b-tasks", type=int, default=100_000, help="tasks of the annotators' project"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20,000 tasks, 1 run, 3 s idle (checks the script, not a figure)",
    )
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.runs, args.idle_seconds, args.b_tasks = 20_000, 1, 3.0, 10_000
    print(machine())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        size = write_tasks(path, args.tasks)
        b_path = Path(tmp) / "b.jsonl"
        write_tasks(b_path, args.b_tasks, seed=2)
        print(
            f"data: {args.tasks:,} tasks, {size / 1e6:.0f} MB of JSONL (one line each: "
            f"{path.read_text().splitlines()[0]}); sent in 1 MiB chunks as one request"
        )
        print(
            f"annotators: {args.annotators}, next → submit on a {args.b_tasks:,}-task project "
            f"of the same server (overlap 1), {args.idle_seconds:g} s alone first; "
            f"{args.runs} runs per database, fresh database and server per run",
            flush=True,
        )
        for database in args.db.split(","):
            runs = []
            for i in range(args.runs):
                run = run_once(database, path, args.tasks, args, b_path)
                runs.append(run)
                print(
                    f"  {database} run {i + 1}: {run.created / run.seconds:,.0f} tasks/s "
                    f"({run.seconds:.2f} s: check {run.check:.2f}, move {run.move:.2f}); "
                    f"cycles idle {len(run.idle)}, during {len(run.during)} (longest "
                    f"{max(run.during, default=0) * 1000:.0f} ms); failed "
                    f"{run.idle_failed}/{run.during_failed}"
                    + (f"; e.g. {run.examples}" if run.examples else ""),
                    flush=True,
                )
            rows.append(summarise(database, args.tasks, runs))
    print(table(rows))
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
