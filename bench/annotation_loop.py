"""Simulated annotators doing next → submit over HTTP on a large project; cycles/s, latency,
and the queue's integrity afterwards.

    python -m bench.annotation_loop [--tasks 1000000] [--annotators 32] [--seconds 20]
        [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from accord.actions.imports import do_import
from accord.models import Annotation, Assignment, Project, Task, User
from accord.queries.projects import interface_of
from bench.setup import Bench, fresh, table, write_tasks
from tests.live import live_server

PROCESSES = 4
ANSWER = {"result": {"label": {"choice": "pos"}}, "seconds": 3}


def load(bench: Bench, path: Path) -> None:
    with bench.db.write() as session, open(path, "rb") as source:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        do_import(session, owner, project, interface_of(project), source, "jsonl")


def annotator(url: str, token: str, project_id: int, stop_at: float, start_at: float,
              out: list[Any]) -> None:
    cycles: list[float] = []
    requests: list[float] = []
    errors = 0
    with httpx.Client(base_url=url + "/api/v1", timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            t0 = time.perf_counter()
            got = http.post(f"/projects/{project_id}/next")
            t1 = time.perf_counter()
            task = got.json().get("task") if got.status_code == 200 else None
            if task is None:
                errors += 1
                continue
            done = http.post(f"/tasks/{task['id']}/annotations", json=ANSWER)
            t2 = time.perf_counter()
            if done.status_code != 201:
                errors += 1
                continue
            requests += [t1 - t0, t2 - t1]
            cycles.append(t2 - t0)
    out.append((cycles, requests, errors))


def client_process(url: str, tokens: list[str], project_id: int, start_at: float,
                   stop_at: float, results: Any) -> None:
    out: list[Any] = []
    threads = [threading.Thread(target=annotator,
                                args=(url, t, project_id, stop_at, start_at, out))
               for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def integrity(bench: Bench, overlap: int) -> str:
    with bench.db.read() as session:
        over = session.scalar(select(func.count()).select_from(Task).where(
            Task.n_claimed > overlap))
        per_task = select(Annotation.task_id, func.count().label("n")).group_by(
            Annotation.task_id).subquery()
        beyond = session.scalar(select(func.count()).select_from(per_task).where(
            per_task.c.n > overlap))
        twice = session.scalar(select(func.count()).select_from(
            select(Annotation.task_id, Annotation.user_id).group_by(
                Annotation.task_id, Annotation.user_id).having(func.count() > 1).subquery()))
        leased = session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.state == "leased"))
        mismatch = session.scalar(select(func.count()).select_from(Task).where(
            Task.n_submitted != select(func.count()).where(
                Annotation.task_id == Task.id).scalar_subquery(),
            Task.n_submitted > 0))
    problems = {"tasks over overlap": over, "annotated beyond overlap": beyond,
                "annotated twice by one person": twice, "counter mismatches": mismatch}
    bad = {k: v for k, v in problems.items() if v}
    return "ok" if not bad else str(bad) + f" (open leases {leased})"


def run(database: str, path: Path, args: argparse.Namespace) -> dict[str, object]:
    bench = fresh(database, overlap=3, annotators=args.annotators)
    load(bench, path)
    bench.db.dispose()
    with live_server(bench.settings, workers=args.workers) as server:
        start_at = time.time() + 2
        stop_at = start_at + args.seconds
        results: Any = mp.Queue()
        groups = [bench.annotator_tokens[i::PROCESSES] for i in range(PROCESSES)]
        procs = [mp.Process(target=client_process,
                            args=(server.url, g, bench.project_id, start_at, stop_at, results))
                 for g in groups]
        for proc in procs:
            proc.start()
        gathered = [item for _ in procs for item in results.get()]
        for proc in procs:
            proc.join()
    cycles = sorted(c for cs, _, _ in gathered for c in cs)
    requests = sorted(r for _, rs, _ in gathered for r in rs)
    errors = sum(e for _, _, e in gathered)

    def pct(values: list[float], p: float) -> str:
        return f"{values[min(len(values) - 1, int(p * len(values)))] * 1000:.0f}"

    return {
        "database": database,
        "annotators": args.annotators,
        "workers": args.workers,
        "cycles": len(cycles),
        "cycles/s": f"{len(cycles) / args.seconds:,.0f}",
        "cycle p50 ms": pct(cycles, 0.5),
        "cycle p99 ms": pct(cycles, 0.99),
        "request p50 ms": pct(requests, 0.5),
        "request p99 ms": pct(requests, 0.99),
        "mean ms": f"{statistics.fmean(cycles) * 1000:.0f}",
        "errors": errors,
        "integrity": integrity(bench, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        print(f"{args.annotators} annotators, next → submit for {args.seconds:g} s on a "
              f"{args.tasks:,}-task project with overlap 3")
        rows = [run(db, path, args) for db in args.db.split(",")]
    print(table(rows))


if __name__ == "__main__":
    main()
