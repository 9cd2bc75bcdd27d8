"""The project-wide consensus (Dawid-Skene over every task), end to end, and the per-task
consensus that runs inside each submission that completes a task.

    python -m bench.consensus [--tasks 1000000] [--annotators 500] [--overlap 3]
        [--db sqlite,postgres] [--runs 3] [--quick]

Project-wide: a fresh database gets a project of ``--tasks`` tasks, each with ``--overlap``
submitted single-choice answers (3 classes) from ``--annotators`` annotators of varied skill
(written in bulk, as submissions would have left them). Then `accord.jobs.consensus.
run_consensus` runs, as the background job does: read every answer, Dawid-Skene, store the
consensus of every task in short write transactions, record the run. The figure is its wall
time end to end, with the read, the inference and the writes timed apart, and how far the
consensus matches the simulated truth.

Per task: the time `accord.actions.consensus.settle_task` adds to a submission that completes
a task (reading its answers, agreement and consensus of each question, storing the rows), on
tasks of that project, inside a write transaction; and the same call with overlap 1, where it
returns at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import time
from typing import Any

import numpy as np
from sqlalchemy import text

from accord.actions.consensus import settle_task
from accord.jobs import consensus as job
from accord.models import Project
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef
from bench.annotation_loop import load
from bench.machine import load_average, machine
from bench.setup import Bench, fresh, spread, table, write_tasks
from tests.factories import make_user

CLASSES = ("pos", "neg")  # the options of the project's label question (tests.factories.SIMPLE)


def prefill(bench: Bench, annotators: int, overlap: int, seed: int = 3) -> np.ndarray[Any, Any]:
    """``overlap`` answers per task from annotators of accuracy 0.55-0.95; the true labels."""
    rng = np.random.default_rng(seed)
    people = [make_user(bench.db, f"a{i}@example.com")[0].id for i in range(annotators)]
    with bench.db.read() as session:
        tasks = np.array(
            [
                r[0]
                for r in session.execute(
                    text("SELECT id FROM tasks WHERE project_id = :p ORDER BY id"),
                    {"p": bench.project_id},
                )
            ],
            dtype=np.int64,
        )
    truth = rng.integers(0, len(CLASSES), tasks.shape[0])
    accuracy = rng.uniform(0.55, 0.95, annotators)
    who = np.stack(
        [rng.choice(annotators, overlap, replace=False) for _ in range(min(tasks.shape[0], 4096))]
    )
    who = who[rng.integers(0, who.shape[0], tasks.shape[0])]  # overlap distinct people per task
    rows = []
    for slot in range(overlap):
        person = who[:, slot]
        right = rng.random(tasks.shape[0]) < accuracy[person]
        wrong = (truth + rng.integers(1, len(CLASSES), tasks.shape[0])) % len(CLASSES)
        rows.append((tasks, np.asarray(people)[person], np.where(right, truth, wrong)))
    results = [f'{{"label":{{"choice":"{c}"}}}}' for c in CLASSES]
    with bench.db.write() as session:
        conn: Any = session.connection().connection.driver_connection
        stamp = "2026-01-01T00:00:00.000000Z"
        if bench.db.is_sqlite:
            cursor = conn.cursor()
            for task, user, label in rows:
                cursor.executemany(
                    "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, "
                    "version, guidelines_version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, 3, 1, 1, ?, ?)",
                    (
                        (int(t), bench.project_id, int(u), results[int(c)], stamp, stamp)
                        for t, u, c in zip(task, user, label, strict=True)
                    ),
                )
        else:
            with (
                conn.cursor() as cursor,
                cursor.copy(
                    "COPY annotations (task_id, project_id, user_id, result, seconds, version, "
                    "guidelines_version, created_at, updated_at) FROM STDIN"
                ) as copy,
            ):
                for task, user, label in rows:
                    buffer = io.StringIO()
                    for t, u, c in zip(task.tolist(), user.tolist(), label.tolist(), strict=True):
                        buffer.write(
                            f"{t}\t{bench.project_id}\t{u}\t{results[c]}\t3\t1\t1\t"
                            "2026-01-01 00:00:00\t2026-01-01 00:00:00\n"
                        )
                    copy.write(buffer.getvalue())
        session.execute(
            text(
                "UPDATE tasks SET n_submitted = :n, n_claimed = :n, is_open = false "
                "WHERE project_id = :p"
            ),
            {"n": overlap, "p": bench.project_id},
        )
    return truth


def timed_run(bench: Bench) -> dict[str, float]:
    """`run_consensus` end to end, with its read, inference and writes timed apart."""
    spent: dict[str, float] = {"read": 0.0, "infer": 0.0, "store": 0.0}
    read, store = job._read, job._store

    def timed_read(*args: Any) -> Any:
        t0 = time.perf_counter()
        out = read(*args)
        spent["read"] += time.perf_counter() - t0
        return out

    def timed_store(*args: Any) -> None:
        t0 = time.perf_counter()
        store(*args)
        spent["store"] += time.perf_counter() - t0

    job._read, job._store = timed_read, timed_store  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        reports = job.run_consensus(bench.db, bench.project_id)
        total = time.perf_counter() - t0
    finally:
        job._read, job._store = read, store  # type: ignore[assignment]
    assert len(reports) == 1 and reports[0].tasks > 0, reports
    spent["total"] = total
    spent["infer"] = total - spent["read"] - spent["store"]
    return spent


def accuracy(bench: Bench, truth: np.ndarray[Any, Any]) -> float:
    with bench.db.read() as session:
        found = (
            session.execute(
                text("SELECT answer FROM task_consensus WHERE project_id = :p ORDER BY task_id"),
                {"p": bench.project_id},
            )
            .scalars()
            .all()
        )
    picked = np.array([CLASSES.index(a[11:-2]) if a else -1 for a in found])
    return float((picked == truth).mean())


def settle_cost(bench: Bench, count: int = 2000) -> tuple[float, float]:
    """Microseconds per `settle_task` on complete tasks (overlap as set) and with overlap 1."""
    with bench.db.read() as session:
        project = session.get(Project, bench.project_id)
        assert project is not None
        info = ProjectInfo.of(project)
        ids = [
            r[0]
            for r in session.execute(
                text("SELECT id, data FROM tasks WHERE project_id = :p ORDER BY id LIMIT :n"),
                {"p": bench.project_id, "n": count},
            )
        ]
    refs = [TaskRef(i, bench.project_id, None, "{}", info.overlap, project.created_at) for i in ids]
    single = dataclasses.replace(info, overlap=1)
    out = []
    for which in (info, single):
        with bench.db.write() as session:
            t0 = time.perf_counter()
            for ref in refs:
                settle_task(session, which, ref)
            out.append((time.perf_counter() - t0) / len(refs) * 1e6)
            session.rollback()
    return out[0], out[1]


def run_once(database: str, args: argparse.Namespace, path: Any) -> dict[str, Any]:
    bench = fresh(database, overlap=args.overlap)
    load(bench, path)
    t0 = time.perf_counter()
    truth = prefill(bench, args.annotators, args.overlap)
    filled = time.perf_counter() - t0
    spent = timed_run(bench)
    right = accuracy(bench, truth)
    per_task, no_op = settle_cost(bench)
    bench.close()
    return {
        **spent,
        "accuracy": right,
        "settle_us": per_task,
        "settle_1_us": no_op,
        "prefill": filled,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--annotators", type=int, default=500)
    parser.add_argument("--overlap", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="20,000 tasks, 1 run (checks the script, not a figure)"
    )
    args = parser.parse_args()
    if args.quick:
        args.tasks, args.runs = 20_000, 1
    print(machine())
    print(
        f"project-wide Dawid-Skene over {args.tasks:,} tasks × {args.overlap} answers from "
        f"{args.annotators} annotators ({len(CLASSES)} classes); {args.runs} runs each, fresh "
        "database per run",
        flush=True,
    )
    import tempfile
    from pathlib import Path

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        for database in args.db.split(","):
            runs = []
            for i in range(args.runs):
                found = run_once(database, args, path)
                runs.append(found)
                print(
                    f"  {database}: run {i + 1}: {found['total']:.2f} s (read "
                    f"{found['read']:.2f}, inference {found['infer']:.2f}, store "
                    f"{found['store']:.2f}); matches the truth on {found['accuracy']:.1%}; "
                    f"settle_task {found['settle_us']:.0f} µs per completed task, "
                    f"{found['settle_1_us']:.2f} µs at overlap 1",
                    flush=True,
                )
            rows.append(
                {
                    "database": database,
                    "runs": len(runs),
                    "end to end s median (min–max)": spread([r["total"] for r in runs], "{:.2f}"),
                    "read s": spread([r["read"] for r in runs], "{:.2f}"),
                    "inference s": spread([r["infer"] for r in runs], "{:.2f}"),
                    "store s": spread([r["store"] for r in runs], "{:.2f}"),
                    "matches truth": f"{np.median([r['accuracy'] for r in runs]):.1%}",
                    "settle_task µs (overlap 3 / 1)": (
                        f"{np.median([r['settle_us'] for r in runs]):.0f} / "
                        f"{np.median([r['settle_1_us'] for r in runs]):.2f}"
                    ),
                }
            )
    print(table(rows))
    print(f"load average at the end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
