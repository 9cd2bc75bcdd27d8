"""Simulated annotators doing next → submit over HTTP on a large project: cycles/s, latency,
failed requests, and the queue's integrity afterwards.

    python -m bench.annotation_loop [--tasks 1000000] [--annotators 32] [--seconds 20]
        [--db sqlite,postgres] [--runs 3] [--history 0,5000] [--layout spread] [--overlap 3]

``--history N`` first gives each annotator N submitted tasks (assignments and annotations
written in bulk, straight in the database), so that the queue's candidate query, which checks
``NOT EXISTS`` on the caller's assignments for each candidate, runs against annotators who
have already done thousands of tasks. ``--layout`` says where those tasks lie:

- ``spread``: drawn at random over the whole project, at most overlap − 1 per task, so every
  one of them is still open and waiting for colleagues (what a long-running project looks like
  when people work at different paces);
- ``head``: in blocks at the head of the queue, two annotators per block (the worst case for
  the two annotators whose block is first: their candidate scan walks past their whole block).

Each run starts from a fresh database and a fresh server (neither warmed). Figures: the median
over the runs with min–max; latency pooled over the runs as p50 (p5–p95) / p99.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import func, select, text

from accord.actions.imports import do_import
from accord.models import Annotation, Assignment, Project, Task, User
from accord.queries.projects import interface_of
from bench.machine import load_average, machine
from bench.setup import (
    Bench,
    fresh,
    latency,
    recount_progress,
    spread,
    table,
    write_tasks,
)
from tests.live import live_server

PROCESSES = 4
OVERLAP = 3
ANSWER = {"result": {"label": {"choice": "pos"}}, "seconds": 3}
RESULT = '{"label":{"choice":"pos"}}'


@dataclass
class Tally:
    """What one annotator (or all of them) saw during a run."""

    cycles: list[float] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    failed_next: int = 0
    failed_submit: int = 0
    transport: int = 0  # timeouts, refused or dropped connections
    empty: int = 0  # the server said there was nothing left for this annotator
    examples: list[str] = field(default_factory=list)

    @property
    def requests_sent(self) -> int:
        return len(self.requests) + self.failed_next + self.failed_submit + self.transport

    @property
    def failed(self) -> int:
        return self.failed_next + self.failed_submit + self.transport

    def note(self, what: str) -> None:
        if len(self.examples) < 3:
            self.examples.append(what[:200])

    def add(self, other: Tally) -> None:
        self.cycles += other.cycles
        self.requests += other.requests
        self.failed_next += other.failed_next
        self.failed_submit += other.failed_submit
        self.transport += other.transport
        self.empty += other.empty
        for example in other.examples:
            self.note(example)


def accord_cycle(http: httpx.Client, project_id: int, tally: Tally) -> None:
    """One next → submit on Accord's API; latencies and failures go into ``tally``."""
    t0 = time.perf_counter()
    got = http.post(f"/projects/{project_id}/next")
    t1 = time.perf_counter()
    if got.status_code != 200:
        tally.failed_next += 1
        tally.note(f"next {got.status_code}: {got.text}")
        return
    task = got.json().get("task")
    if task is None:
        tally.requests.append(t1 - t0)
        tally.empty += 1
        return
    done = http.post(f"/tasks/{task['id']}/annotations", json=ANSWER)
    t2 = time.perf_counter()
    if done.status_code != 201:
        tally.requests.append(t1 - t0)
        tally.failed_submit += 1
        tally.note(f"submit {done.status_code}: {done.text}")
        return
    tally.requests += [t1 - t0, t2 - t1]
    tally.cycles.append(t2 - t0)


Cycle = Callable[[httpx.Client, int, Tally], None]


def annotator(cycle: Cycle, base_url: str, auth: str, project_id: int, start_at: float,
              stop_at: float, out: list[Tally]) -> None:
    tally = Tally()
    with httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": auth}) as http:
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            try:
                cycle(http, project_id, tally)
            except httpx.HTTPError as exc:
                tally.transport += 1
                tally.note(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)
    out.append(tally)


def client_process(cycle: Cycle, base_url: str, auths: list[str], project_id: int,
                   start_at: float, stop_at: float, results: Any) -> None:
    out: list[Tally] = []
    threads = [threading.Thread(target=annotator,
                                args=(cycle, base_url, a, project_id, start_at, stop_at, out))
               for a in auths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def drive(cycle: Cycle, base_url: str, auths: list[str], project_id: int,
          seconds: float) -> Tally:
    """Every annotator runs ``cycle`` in a loop for ``seconds``: threads in up to 4 processes
    (the load generator shares the machine with the server)."""
    start_at = time.time() + 2
    stop_at = start_at + seconds
    results: Any = mp.Queue()
    groups = [g for g in (auths[i::PROCESSES] for i in range(PROCESSES)) if g]
    procs = [mp.Process(target=client_process,
                        args=(cycle, base_url, g, project_id, start_at, stop_at, results))
             for g in groups]
    for proc in procs:
        proc.start()
    total = Tally()
    for _ in procs:
        for tally in results.get():
            total.add(tally)
    for proc in procs:
        proc.join()
    return total


def load(bench: Bench, path: Path) -> None:
    with bench.db.write() as session, open(path, "rb") as source:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        do_import(session, owner, project, interface_of(project), source, "jsonl")


def history_pairs(n_tasks: int, n_people: int, per_person: int, layout: str,
                  seed: int = 7) -> list[tuple[int, int]]:
    """(task index, person index) pairs: ``per_person`` distinct tasks for each person, at most
    OVERLAP − 1 people per task so every task stays open."""
    cap = OVERLAP - 1
    if per_person * n_people > n_tasks * cap:
        raise SystemExit(f"--history {per_person} × {n_people} annotators needs at least "
                         f"{per_person * n_people // cap:,} tasks")
    pairs: list[tuple[int, int]] = []
    if layout == "head":
        # block b (per_person tasks) is done by people 2b and 2b + 1
        for person in range(n_people):
            first = (person // 2) * per_person
            pairs += [(first + k, person) for k in range(per_person)]
        return pairs
    rng = np.random.default_rng(seed)
    taken = np.zeros(n_tasks, dtype=np.int8)
    for person in range(n_people):
        free = np.flatnonzero(taken < cap)
        picked = rng.choice(free, per_person, replace=False)
        taken[picked] += 1
        pairs += [(int(t), person) for t in picked]
    return pairs


def prefill_history(bench: Bench, per_person: int, layout: str) -> int:
    """Give every annotator ``per_person`` submitted tasks, as the product would have left
    them (assignment, annotation, its first version, task counters, progress counters)."""
    with bench.db.read() as session:
        task_ids = list(session.scalars(
            select(Task.id).where(Task.project_id == bench.project_id)
            .order_by(Task.queue_key, Task.id)))
        people = list(session.scalars(
            select(User.id).where(User.email.like("annotator%")).order_by(User.id)))
    pairs = history_pairs(len(task_ids), len(people), per_person, layout)
    rows = [{"task": task_ids[t], "user": people[p]} for t, p in pairs]
    p = {"project": bench.project_id}
    with bench.db.write() as session:
        session.execute(text(
            "INSERT INTO assignments (task_id, project_id, user_id, state, leased_at, updated_at)"
            " SELECT id, project_id, :user, 'submitted', created_at, created_at FROM tasks"
            " WHERE id = :task"), rows)
        session.execute(text(
            "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version,"
            " guidelines_version, created_at, updated_at) SELECT a.task_id, a.project_id,"
            " a.user_id, :result, 3, 1, 1, a.updated_at, a.updated_at FROM assignments a"
            " WHERE a.project_id = :project AND a.state = 'submitted' ORDER BY a.id"),
            {**p, "result": RESULT})
        session.execute(text(
            "INSERT INTO annotation_versions (annotation_id, version, author_id, result, seconds,"
            " created_at) SELECT id, 1, user_id, result, seconds, created_at FROM annotations"
            " WHERE project_id = :project"), p)
        session.execute(text(
            "UPDATE tasks SET n_submitted = s.n, n_claimed = s.n, is_open = (s.n < :overlap)"
            " FROM (SELECT task_id, count(*) AS n FROM assignments WHERE project_id = :project"
            " GROUP BY task_id) s WHERE tasks.id = s.task_id"), {**p, "overlap": OVERLAP})
    recount_progress(bench.db, bench.project_id)
    return len(rows)


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


@dataclass
class RunResult:
    seconds: float
    tally: Tally
    integrity: str
    prefilled: int = 0


def run_once(database: str, path: Path, args: argparse.Namespace, history: int) -> RunResult:
    bench = fresh(database, overlap=OVERLAP, annotators=args.annotators)
    load(bench, path)
    prefilled = prefill_history(bench, history, args.layout) if history else 0
    bench.db.dispose()
    auths = [f"Bearer {t}" for t in bench.annotator_tokens]
    with live_server(bench.settings, workers=args.workers) as server:
        tally = drive(accord_cycle, server.url + "/api/v1", auths, bench.project_id,
                      args.seconds)
    checked = integrity(bench, OVERLAP)
    bench.close()
    return RunResult(args.seconds, tally, checked, prefilled)


def summarise(label: dict[str, object], runs: list[RunResult]) -> dict[str, object]:
    """One table row from a scenario's runs."""
    total = Tally()
    for r in runs:
        total.add(r.tally)
    rates = [len(r.tally.cycles) / r.seconds for r in runs if r.tally.cycles]
    sent = sum(r.tally.requests_sent for r in runs)
    return {
        **label,
        "runs": len(runs),
        "cycles/s median (min–max)": spread(rates),
        "request ms p50 (p5–p95) / p99": latency(sorted(total.requests)),
        "cycle ms p50 (p5–p95) / p99": latency(sorted(total.cycles)),
        "failed requests": f"{total.failed} of {sent:,}",
        "empty next": total.empty,
        "integrity": "; ".join(sorted({r.integrity for r in runs})),
    }


def set_overlap(overlap: int) -> None:
    """The project's overlap for this run (3 unless told; the history needs 2 or more)."""
    global OVERLAP
    OVERLAP = overlap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--history", default="0,5000",
                        help="comma-separated: submitted tasks per annotator before the loop")
    parser.add_argument("--layout", choices=("spread", "head"), default="spread")
    parser.add_argument("--overlap", type=int, default=OVERLAP,
                        help="the project's overlap (history needs 2 or more)")
    parser.add_argument("--quick", action="store_true",
                        help="10,000 tasks, 5 s, history 0,100 (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.seconds, args.history = 10_000, 5.0, "0,100"
    histories = [int(h) for h in args.history.split(",")]
    set_overlap(args.overlap)
    print(machine())
    print(f"{args.annotators} annotators, next → submit for {args.seconds:g} s on a "
          f"{args.tasks:,}-task project with overlap {OVERLAP}; {args.runs} runs each, fresh "
          f"database and server per run; history layout {args.layout}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        for database in args.db.split(","):
            for history in histories:
                runs = []
                for i in range(args.runs):
                    result = run_once(database, path, args, history)
                    runs.append(result)
                    t = result.tally
                    print(f"  {database} history {history}: run {i + 1}: "
                          f"{len(t.cycles) / result.seconds:,.0f} cycles/s, {t.failed} failed, "
                          f"{result.prefilled:,} prefilled, integrity {result.integrity}"
                          + (f"; e.g. {t.examples}" if t.examples else ""), flush=True)
                rows.append(summarise({
                    "database": database,
                    "annotators": args.annotators,
                    "done before (each)": f"{history:,}" + (f" {args.layout}" if history else ""),
                    "workers": args.workers,
                }, runs))
    print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
