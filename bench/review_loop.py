"""Simulated reviewers doing next review → decision over HTTP: decisions/s, latency, failed
requests, and the reviews' integrity afterwards.

    python -m bench.review_loop [--annotations 100000] [--reviewers 16] [--seconds 20]
        [--db sqlite,postgres] [--runs 3]

Before each run, a fresh database gets a project that reviews everything, ``--annotations``
tasks each with one submitted annotation and its open review (written in bulk, as submissions
would have left them). Then ``--reviewers`` reviewers (threads in 4 processes, httpx, no think
time) lease the next review and accept it, for ``--seconds``. Each run starts a fresh server
(neither warmed). Figures: the median over the runs with min–max; latency pooled over the runs
as p50 (p5–p95) / p99. Integrity, checked in the database afterwards: no review decided twice,
every decided review's annotation accepted, no annotation accepted without its decision.
Where the machine's CPU went, per decision: the server process, the load generator's
processes and (on a PostgreSQL server on this machine) the server's database backends, from
/proc (user + system time over the run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select, text

from accord.actions.members import do_set_member
from accord.models import Annotation, Project, Review, User
from bench.annotation_loop import Tally, drive, load
from bench.machine import load_average, machine
from bench.setup import Bench, fresh, latency, recount_progress, spread, table, write_tasks
from tests.factories import make_user
from tests.live import live_server

RESULT = '{"label":{"choice":"pos"}}'


def review_cycle(http: httpx.Client, project_id: int, tally: Tally) -> None:
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends(bench: Bench) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the bench's database (other than
    this query's), by process id; empty on SQLite or when PostgreSQL runs elsewhere."""
    if bench.db.is_sqlite:
        return {}
    with bench.db.read() as session:
        pids = session.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")).all()
    return {int(pid): cpu_seconds(int(pid)) for pid in pids}


@dataclass
class Cpu:
    """CPU seconds spent during a run by the server, the load generator and the database."""

    server: float
    clients: float
    database: float | None


def run_once(database: str, path: Path, args: argparse.Namespace) -> tuple[Tally, str, Cpu]:
    bench = fresh(database, overlap=1)
    load(bench, path)
    auths = prefill(bench, args.reviewers)
    bench.db.dispose()
    with live_server(bench.settings) as server:
        pid = server.process.pid
        server_before, clients_before, db_before = cpu_seconds(pid), os.times(), backends(bench)
        tally = drive(review_cycle, server.url + "/api/v1", auths, bench.project_id,
                      args.seconds)
        clients_after, db_after = os.times(), backends(bench)
        cpu = Cpu(
            server=cpu_seconds(pid) - server_before,
            clients=(clients_after.children_user + clients_after.children_system)
            - (clients_before.children_user + clients_before.children_system),
            # None when the backends' /proc cannot be read (PostgreSQL on another machine)
            database=sum(t - db_before.get(p, 0.0) for p, t in db_after.items())
            if any(db_after.values()) else None,
        )
    checked = integrity(bench)
    bench.close()
    return tally, checked, cpu


def per_decision(runs: list[tuple[Tally, str, Cpu]]) -> str:
    """Median CPU milliseconds per decision over the runs: server / load generator /
    database."""
    def ms(of: str) -> str:
        values = [getattr(c, of) * 1000 / len(t.cycles) for t, _, c in runs
                  if t.cycles and getattr(c, of) is not None]
        return f"{statistics.median(values):.1f}" if values else "n/a"

    return f"{ms('server')} / {ms('clients')} / {ms('database')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="5,000 annotations, 5 s (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.annotations, args.seconds = 5_000, 5.0
    print(machine())
    print(f"{args.reviewers} reviewers, next review → accept for {args.seconds:g} s on "
          f"{args.annotations:,} annotations waiting for review; {args.runs} runs each, fresh "
          "database and server per run", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.annotations)
        for database in args.db.split(","):
            runs = []
            for i in range(args.runs):
                tally, checked, cpu = run_once(database, path, args)
                runs.append((tally, checked, cpu))
                print(f"  {database}: run {i + 1}: {len(tally.cycles) / args.seconds:,.0f} "
                      f"decisions/s, {tally.failed} failed, integrity {checked}; CPU ms per "
                      f"decision (server / load generator / database): "
                      f"{per_decision([runs[-1]])}"
                      + (f"; e.g. {tally.examples}" if tally.examples else ""), flush=True)
            total = Tally()
            for tally, _, _ in runs:
                total.add(tally)
            rows.append({
                "database": database,
                "runs": len(runs),
                "decisions/s median (min–max)": spread(
                    [len(t.cycles) / args.seconds for t, _, _ in runs]),
                "request ms p50 (p5–p95) / p99": latency(sorted(total.requests)),
                "decision cycle ms p50 (p5–p95) / p99": latency(sorted(total.cycles)),
                "failed requests": f"{total.failed} of {total.requests_sent:,}",
                "integrity": "; ".join(sorted({c for _, c, _ in runs})),
                "CPU ms/decision: server / load generator / database": per_decision(runs),
            })
    print(table(rows))
    print(f"load average at the end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
