"""Simulated reviewers doing next review → decision over HTTP: decisions/s, latency, failed
requests, the reviews' integrity afterwards, and where the machine's CPU went.

    python -m bench.review_loop [--annotations 100000] [--reviewers 16] [--seconds 20]
        [--db sqlite,postgres] [--runs 3] [--client lean|httpx]

Before each run, a fresh database gets a project that reviews everything, ``--annotations``
tasks each with one submitted annotation and its open review (written in bulk, as submissions
would have left them). Then ``--reviewers`` reviewers (threads in 4 processes, no think time;
the annotation loop's load generator and HTTP clients, `bench.annotation_loop`) lease the next
review and accept it, for ``--seconds``. Each run starts a fresh server (neither warmed).
Figures: the median over the runs with min–max; latency pooled over the runs as p50
(p5–p95) / p99. Integrity, checked in the database afterwards: no review decided twice,
every decided review's annotation accepted, no annotation accepted without its decision. CPU
per decision, from /proc over the run (`bench.setup.CpuMeter`): the server's processes,
PostgreSQL's backends serving its database, the load generator, and other work on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from accord.actions.members import do_set_member
from accord.models import Annotation, Project, Review, User
from bench.annotation_loop import (
    CLIENTS,
    RunResult,
    Tally,
    cpu_row,
    drive_measured,
    load,
)
from bench.machine import load_average, machine
from bench.setup import (
    Bench,
    CpuMeter,
    fresh,
    latency,
    recount_progress,
    spread,
    table,
    vacuum_analyze,
    write_tasks,
)
from tests.factories import make_user
from tests.live import live_server

RESULT = '{"label":{"choice":"pos"}}'


def review_cycle(http: Any, project_id: int, tally: Tally) -> None:
    """One next review → accept; latencies and failures go into ``tally``."""
    t0 = time.perf_counter()
    got = http.post(f"/projects/{project_id}/reviews/next")
    t1 = time.perf_counter()
    if got.status_code != 200:
        tally.failed_next += 1
        tally.note(f"next {got.status_code}: {got.text}")
        return
    lease = got.json()
    if lease["review"] is None:
        tally.requests.append(t1 - t0)
        tally.empty += 1
        return
    body = {"decision": "accept", "version": lease["annotation"]["version"]}
    done = http.post(f"/reviews/{lease['review']['id']}/decision", json=body)
    t2 = time.perf_counter()
    if done.status_code != 200:
        tally.requests.append(t1 - t0)
        tally.failed_submit += 1
        tally.note(f"decision {done.status_code}: {done.text}")
        return
    tally.requests += [t1 - t0, t2 - t1]
    tally.cycles.append(t2 - t0)


def prefill(bench: Bench, reviewers: int) -> list[str]:
    """One annotation per task by one author, each with its open review; the reviewers'
    tokens."""
    author, _ = make_user(bench.db, "author@example.com")
    people = [make_user(bench.db, f"reviewer{i}@example.com") for i in range(reviewers)]
    p = {"project": bench.project_id, "author": author.id, "result": RESULT}
    with bench.db.write() as session:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        project.review_share = 1.0
        for user, role in [(author, "annotator")] + [(u, "reviewer") for u, _ in people]:
            member = session.get(User, user.id)
            assert member is not None
            do_set_member(session, owner, project, member, role)
        session.execute(text(
            "INSERT INTO assignments (task_id, project_id, user_id, state, leased_at, updated_at)"
            " SELECT id, project_id, :author, 'submitted', created_at, created_at FROM tasks"
            " WHERE project_id = :project"), p)
        session.execute(text(
            "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version,"
            " review_state, guidelines_version, created_at, updated_at) SELECT id, project_id,"
            " :author, :result, 3, 1, 'pending', 1, created_at, created_at FROM tasks"
            " WHERE project_id = :project ORDER BY id"), p)
        session.execute(text(
            "INSERT INTO annotation_versions (annotation_id, version, author_id, result, seconds,"
            " created_at) SELECT id, 1, user_id, result, seconds, created_at FROM annotations"
            " WHERE project_id = :project"), p)
        session.execute(text(
            "INSERT INTO reviews (project_id, annotation_id, author_id, round, reason, state,"
            " comment, comments, failed, created_at) SELECT project_id, id, user_id, 1, 'all',"
            " 'open', '', '[]', '[]', created_at FROM annotations WHERE project_id = :project"
            " ORDER BY id"), p)
        session.execute(text(
            "UPDATE tasks SET n_submitted = 1, n_claimed = 1, is_open = (1 < :overlap)"
            " WHERE project_id = :project"), {**p, "overlap": 1})
    recount_progress(bench.db, bench.project_id)
    return [f"Bearer {token}" for _, token in people]


def integrity(bench: Bench) -> str:
    with bench.db.read() as session:
        twice = session.scalar(select(func.count()).select_from(
            select(Review.annotation_id).where(Review.state == "decided")
            .group_by(Review.annotation_id).having(func.count() > 1).subquery()))
        decided = session.scalar(select(func.count()).select_from(Review).where(
            Review.state == "decided"))
        accepted = session.scalar(select(func.count()).select_from(Annotation).where(
            Annotation.review_state == "accepted"))
    problems = {"decided twice": twice, "decided ≠ accepted": (decided or 0) - (accepted or 0)}
    bad = {k: v for k, v in problems.items() if v}
    return "ok" if not bad else str(bad)


def run_once(database: str, path: Path, args: argparse.Namespace) -> RunResult:
    bench = fresh(database, overlap=1)
    load(bench, path)
    auths = prefill(bench, args.reviewers)
    bench.db.dispose()
    if database == "postgres":  # what autovacuum does after a bulk load (it is off here)
        vacuum_analyze(bench.settings.resolved_database_url())
    # a server starts in ~3 s on a quiet machine; on a busy one it may take a minute
    with live_server(bench.settings, workers=args.workers, start_seconds=180) as server:
        meter = CpuMeter(server.process.pid, bench.settings.database_url)
        meter.start()
        driven = drive_measured(review_cycle, server.url + "/api/v1", auths, bench.project_id,
                                args.seconds, args.client)
        cpu = meter.stop(driven.client_cpu)
    checked = integrity(bench)
    bench.close()
    return RunResult(args.seconds, driven.tally, checked, cpu=cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (`accord serve --workers`)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="the reviewers' HTTP client (httpx: ~4× the CPU per request)")
    parser.add_argument("--quick", action="store_true",
                        help="5,000 annotations, 5 s (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.annotations, args.seconds = 5_000, 5.0
    print(machine())
    print(f"{args.reviewers} reviewers, next review → accept for {args.seconds:g} s on "
          f"{args.annotations:,} annotations waiting for review; {args.runs} runs each, fresh "
          f"database and server per run; client {args.client}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.annotations)
        for database in args.db.split(","):
            runs = []
            for i in range(args.runs):
                result = run_once(database, path, args)
                runs.append(result)
                tally = result.tally
                print(f"  {database}: run {i + 1}: {len(tally.cycles) / args.seconds:,.0f} "
                      f"decisions/s, {tally.failed} failed, integrity {result.integrity}; "
                      f"CPU ms/decision server / PG / load gen. / other "
                      f"{cpu_row([result])[0]}; load {load_average()}"
                      + (f"; e.g. {tally.examples}" if tally.examples else ""), flush=True)
            rows.append(summary(database, runs, args.workers))
    print(table(rows))
    print(f"load average at the end: {load_average()}", flush=True)


def summary(database: str, runs: list[RunResult], workers: int) -> dict[str, object]:
    """One table row from a database's runs."""
    total = Tally()
    for run in runs:
        total.add(run.tally)
    return {
        "database": database,
        "server processes": workers,
        "runs": len(runs),
        "decisions/s median (min–max)": spread([len(r.tally.cycles) / r.seconds for r in runs]),
        "request ms p50 (p5–p95) / p99": latency(sorted(total.requests)),
        "decision cycle ms p50 (p5–p95) / p99": latency(sorted(total.cycles)),
        "failed requests": f"{total.failed} of {total.requests_sent:,}",
        "integrity": "; ".join(sorted({r.integrity for r in runs})),
        "CPU ms/decision server / PG / load gen. / other": cpu_row(runs)[0],
        "share of the cores, same order": cpu_row(runs)[1],
    }


if __name__ == "__main__":
    main()
