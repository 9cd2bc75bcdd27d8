"""Simulated annotators doing next → submit over HTTP on a large project: cycles/s, latency,
failed requests, and the queue's integrity afterwards.

    python -m bench.annotation_loop [--tasks 1000000] [--annotators 32] [--seconds 20]
        [--db sqlite,postgres] [--runs 3] [--history 0,5000] [--layout spread] [--overlap 3]
        [--think SECONDS] [--workers N] [--servers N]

With no ``--think`` every annotator sends its next request as soon as the last is answered:
the server is saturated, and by Little's law the mean latency is annotators / throughput.
``--think S`` makes each annotator pause after each cycle (exponential, mean S), as people
reading a task do: N annotators then offer about N / (S + latency) cycles/s, and the latency
measured is the one people see at that load, below saturation.

``--history N`` first gives each annotator N submitted tasks (assignments and annotations
written in bulk, straight in the database), so that the queue's candidate query, which checks
``NOT EXISTS`` on the caller's assignments for each candidate, runs against annotators who
have already done thousands of tasks. ``--layout`` says where those tasks lie:

- ``spread``: drawn at random over the whole project, at most overlap − 1 per task, so every
  one of them is still open and waiting for colleagues (what a long-running project looks like
  when people work at different paces);
- ``head``: in blocks at the head of the queue, two annotators per block (the worst case for
  the two annotators whose block is first: their candidate scan walks past their whole block).

``--workers N`` runs ``accord serve --workers N`` (N processes sharing one port: the kernel
gives each new connection to one of them, not always evenly); ``--servers N`` runs N such
servers on ports of their own and the annotators take turns between them, as nginx's
``least_conn`` spreads people over the servers of the production layout.

Each run starts from a fresh database and a fresh server (neither warmed). Figures: the median
over the runs with min–max; latency pooled over the runs as p50 (p5–p95) / p99.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import random
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np
import orjson
from sqlalchemy import func, select, text

from accord.actions.imports import do_import
from accord.models import Annotation, Assignment, Project, Task, User
from accord.queries.projects import interface_of
from bench.machine import load_average, machine
from bench.setup import (
    Bench,
    CpuMeter,
    CpuShare,
    fresh,
    from_template,
    latency,
    pg_fill_tasks,
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


_HELD = threading.local()  # each annotator thread's task in hand, for `app_cycle`


def app_cycle(http: Any, project_id: int, tally: Tally) -> None:
    """One task the way the web app does it: submit with ``?next=true``, which answers with
    the next task in the same request (the first task comes from ``next``). A cycle is one
    submitted task; its latency is its requests'."""
    t0 = time.perf_counter()
    task = getattr(_HELD, "task", None)
    if task is None:
        got = http.post(f"/projects/{project_id}/next")
        tally.requests.append(time.perf_counter() - t0)
        if got.status_code != 200:
            tally.failed_next += 1
            tally.note(f"next {got.status_code}: {got.text}")
            return
        task = got.json().get("task")
        if task is None:
            tally.empty += 1
            return
    t1 = time.perf_counter()
    done = http.post(f"/tasks/{task['id']}/annotations?next=true", json=ANSWER)
    t2 = time.perf_counter()
    if done.status_code != 201:
        _HELD.task = None
        tally.failed_submit += 1
        tally.note(f"submit {done.status_code}: {done.text}")
        return
    tally.requests.append(t2 - t1)
    tally.cycles.append(t2 - t0)
    _HELD.task = (done.json().get("next") or {}).get("task")


# A cycle takes the annotator's client: an `httpx.Client` or a `Lean` one.
Cycle = Callable[[Any, int, Tally], None]
LOOPS: dict[str, Cycle] = {"api": accord_cycle, "app": app_cycle}


@dataclass
class LeanResponse:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return orjson.loads(self.content)


class Lean:
    """The part of `httpx.Client` the annotators use (``post``), on the standard library's
    `http.client` over one kept-alive connection: about a quarter of httpx's CPU per request.
    The load generator shares the machine's cores with the server, so what it spends is taken
    from the server (``--client httpx`` measures with httpx). Transport failures are raised as
    httpx's, and the next request connects again."""

    def __init__(self, base_url: str, *, timeout: float, headers: dict[str, str]) -> None:
        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._prefix = url.path.rstrip("/")
        self._timeout = timeout
        self._headers = {**headers, "Content-Type": "application/json"}
        self._conn: http.client.HTTPConnection | None = None

    def post(self, path: str, json: Any = None) -> LeanResponse:
        body = orjson.dumps(json) if json is not None else b""
        try:
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port,
                                                        timeout=self._timeout)
            self._conn.request("POST", self._prefix + path, body=body, headers=self._headers)
            response = self._conn.getresponse()
            return LeanResponse(response.status, response.read())
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise httpx.TransportError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Lean:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


CLIENTS: dict[str, Callable[..., Any]] = {"lean": Lean, "httpx": httpx.Client}


def annotator(cycle: Cycle, base_url: str, auth: str, project_id: int, start_at: float,
              stop_at: float, out: list[Tally], client: str = "httpx",
              think: float = 0.0) -> None:
    """One annotator: ``cycle`` in a loop; with ``think`` > 0, a pause after each cycle drawn
    from an exponential distribution of that mean (a person reading the next task), so that
    many annotators offer a steady load below the server's capacity instead of saturating it."""
    tally = Tally()
    pauses = random.Random(auth)
    with CLIENTS[client](base_url=base_url, timeout=60, headers={"Authorization": auth}) as http:
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            try:
                cycle(http, project_id, tally)
            except httpx.HTTPError as exc:
                tally.transport += 1
                tally.note(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)
            if think > 0:
                time.sleep(min(pauses.expovariate(1 / think), max(0.0, stop_at - time.time())))
    out.append(tally)


def client_process(cycle: Cycle, base_url: str | list[str], auths: list[str],
                   project_id: int, start_at: float, stop_at: float, results: Any, client: str,
                   think: float = 0.0) -> None:
    """``auths``' annotators on threads; with several ``base_url`` (one per server), the
    annotators take turns between them, as a balancer that counts connections would."""
    out: list[Tally] = []
    urls = [base_url] if isinstance(base_url, str) else base_url
    threads = [threading.Thread(target=annotator, args=(cycle, urls[i % len(urls)], a,
                                                        project_id, start_at, stop_at, out,
                                                        client, think))
               for i, a in enumerate(auths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    results.put((out, cpu.ru_utime + cpu.ru_stime))


@dataclass
class Drive:
    tally: Tally
    client_cpu: float  # CPU seconds the load generator's processes used, start-up included


def drive(cycle: Cycle, base_url: str, auths: list[str], project_id: int,
          seconds: float, client: str = "httpx") -> Tally:
    """Every annotator runs ``cycle`` in a loop for ``seconds``: threads in up to 4 processes
    (the load generator shares the machine with the server)."""
    return drive_measured(cycle, base_url, auths, project_id, seconds, client).tally


def drive_measured(cycle: Cycle, base_url: str | list[str], auths: list[str], project_id: int,
                   seconds: float, client: str, think: float = 0.0) -> Drive:
    """`drive`, with the CPU time the load generator took."""
    start_at = time.time() + 2
    stop_at = start_at + seconds
    results: Any = mp.Queue()
    groups = [g for g in (auths[i::PROCESSES] for i in range(PROCESSES)) if g]
    procs = [mp.Process(target=client_process, args=(cycle, base_url, g, project_id, start_at,
                                                     stop_at, results, client, think))
             for g in groups]
    for proc in procs:
        proc.start()
    total = Tally()
    cpu = 0.0
    for _ in procs:
        tallies, used = results.get()
        cpu += used
        for tally in tallies:
            total.add(tally)
    for proc in procs:
        proc.join()
    return Drive(total, cpu)


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
    cpu: CpuShare = field(default_factory=CpuShare)


def prepared(database: str, tasks: Callable[[], Path], args: argparse.Namespace,
             history: int) -> tuple[Bench, int]:
    """A fresh database with the project, its tasks and the annotators' history; how many
    submissions the history holds. SQLite: built anew, tasks through the import. PostgreSQL:
    a copy of a template database built once (tasks generated in the database, then
    VACUUM ANALYZE, as autovacuum would have left a project people work on)."""
    if database != "postgres":
        bench = fresh(database, overlap=OVERLAP, annotators=args.annotators)
        load(bench, tasks())
        return bench, prefill_history(bench, history, args.layout) if history else 0

    def build(bench: Bench) -> None:
        pg_fill_tasks(bench.db, bench.project_id, args.tasks)
        if history:
            prefill_history(bench, history, args.layout)

    key = (f"loop tasks={args.tasks} annotators={args.annotators} overlap={OVERLAP} "
           f"history={history}{args.layout if history else ''}")
    bench = from_template(key, build, overlap=OVERLAP, annotators=args.annotators,
                          rebuild=args.rebuild)
    args.rebuild = False  # once per scenario
    prefilled = 0
    if history:
        with bench.db.read() as session:
            prefilled = int(session.scalar(select(func.count()).select_from(Assignment)) or 0)
    return bench, prefilled


def run_once(database: str, tasks: Callable[[], Path], args: argparse.Namespace,
             history: int) -> RunResult:
    bench, prefilled = prepared(database, tasks, args, history)
    bench.db.dispose()
    auths = [f"Bearer {t}" for t in bench.annotator_tokens]
    # a server starts in ~3 s on a quiet machine; on a busy one it may take a minute
    with ExitStack() as stack:
        servers = [stack.enter_context(live_server(bench.settings, workers=args.workers,
                                                   start_seconds=180))
                   for _ in range(args.servers)]
        meter = CpuMeter([s.process.pid for s in servers], bench.settings.database_url)
        meter.start()
        urls = [s.url + "/api/v1" for s in servers]
        driven = drive_measured(LOOPS[args.loop], urls if len(urls) > 1 else urls[0], auths,
                                bench.project_id, args.seconds, args.client, args.think)
        cpu = meter.stop(driven.client_cpu)
    checked = integrity(bench, OVERLAP)
    bench.close()
    return RunResult(args.seconds, driven.tally, checked, prefilled, cpu)


def cpu_row(runs: list[RunResult]) -> tuple[str, str]:
    """CPU ms per cycle (server / PostgreSQL / load generator / other work), summed over the
    runs; and what share of the machine's cores each had."""
    cycles = sum(len(r.tally.cycles) for r in runs) or 1
    parts = [sum(getattr(r.cpu, name) for r in runs)
             for name in ("server", "postgres", "client", "others")]
    capacity = sum(r.cpu.capacity for r in runs) or 1.0
    per_cycle = " / ".join(f"{part / cycles * 1000:.2f}" for part in parts)
    shares = " / ".join(f"{part / capacity:.0%}" for part in parts)
    return per_cycle, shares


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
        "CPU ms/cycle server / PG / load gen. / other": cpu_row(runs)[0],
        "share of the cores, same order": cpu_row(runs)[1],
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
    parser.add_argument("--workers", type=int, default=1,
                        help="processes of each server (`accord serve --workers`)")
    parser.add_argument("--servers", type=int, default=1,
                        help="servers, each `accord serve` on its own port; the annotators "
                        "take turns between them (as nginx's least_conn spreads people)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--history", default="0,5000",
                        help="comma-separated: submitted tasks per annotator before the loop")
    parser.add_argument("--layout", choices=("spread", "head"), default="spread")
    parser.add_argument("--overlap", type=int, default=OVERLAP,
                        help="the project's overlap (history needs 2 or more)")
    parser.add_argument("--loop", choices=sorted(LOOPS), default="api",
                        help="api: next then submit, two requests a task (the SDK's way); "
                        "app: submit?next=true, one request a task (the web app's way)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="the annotators' HTTP client (httpx: ~4× the CPU per request)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause (s, exponential) after each cycle: many annotators "
                        "offering a steady load instead of saturating the server (0: none)")
    parser.add_argument("--rebuild", action="store_true",
                        help="PostgreSQL: build the template databases again")
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
          f"database and server per run; history layout {args.layout}; loop {args.loop}; "
          f"client {args.client}; think {args.think:g} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"

        def tasks() -> Path:  # written once, when a database is loaded through the import
            if not path.exists():
                write_tasks(path, args.tasks)
            return path

        for database in args.db.split(","):
            for history in histories:
                runs = []
                for i in range(args.runs):
                    result = run_once(database, tasks, args, history)
                    runs.append(result)
                    t = result.tally
                    print(f"  {database} history {history}: run {i + 1}: "
                          f"{len(t.cycles) / result.seconds:,.0f} cycles/s, {t.failed} failed, "
                          f"{result.prefilled:,} prefilled, integrity {result.integrity}; CPU "
                          f"ms/cycle {cpu_row([result])[0]}; load {load_average()}"
                          + (f"; e.g. {t.examples}" if t.examples else ""), flush=True)
                rows.append(summarise({
                    "database": database,
                    "loop": args.loop,
                    "annotators": args.annotators,
                    "think s": args.think,
                    "done before (each)": f"{history:,}" + (f" {args.layout}" if history else ""),
                    "servers × processes": f"{args.servers} × {args.workers}",
                }, runs))
    print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
