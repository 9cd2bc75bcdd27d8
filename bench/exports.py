"""Export N tasks with one annotation each as JSONL through the HTTP API; tasks/s and memory.

python -m bench.exports [--tasks 1000000] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from accord.actions.imports import do_import
from accord.models import Project, User
from accord.queries.projects import interface_of
from bench.setup import AnonPeak, Bench, fresh, peak_rss_mb, rss_mb, table, write_tasks
from tests.live import live_server

RESULT = '{"label":{"choice":"pos"}}'


def fill(bench: Bench, path: Path) -> None:
    """Import the tasks, then give each one annotation (in bulk, straight in the database)."""
    with bench.db.write() as session, open(path, "rb") as source:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        do_import(session, owner, project, interface_of(project), source, "jsonl")
    with bench.db.write() as session:
        session.execute(
            text(
                "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version,"
                " guidelines_version, created_at, updated_at) SELECT id, project_id, 1, :result,"
                " 12.5, 1, 1, created_at, created_at FROM tasks WHERE project_id = :project"
            ),
            {"result": RESULT, "project": bench.project_id},
        )
        session.execute(
            text("UPDATE tasks SET n_submitted = 1, n_claimed = 1, is_open = :no"), {"no": False}
        )


def run(database: str, path: Path, count: int) -> dict[str, object]:
    bench = fresh(database)
    fill(bench, path)
    bench.db.dispose()
    with live_server(bench.settings) as server:
        pid = server.process.pid
        idle = rss_mb(pid)
        lines = size = 0
        start = time.perf_counter()
        with AnonPeak(pid) as heap, httpx.stream(
            "GET",
            f"{server.url}/api/v1/projects/{bench.project_id}/export",
            params={"format": "jsonl"},
            timeout=3600,
            headers={"Authorization": f"Bearer {bench.owner_token}"},
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_raw(1 << 20):
                lines += chunk.count(b"\n")
                size += len(chunk)
        seconds = time.perf_counter() - start
        peak = peak_rss_mb(pid)
    assert lines == count, (lines, count)
    return {
        "database": database,
        "tasks": count,
        "MB": round(size / 1e6),
        "seconds": round(seconds, 2),
        "tasks/s": f"{count / seconds:,.0f}",
        "server idle MB": round(idle),
        "server peak heap MB": round(heap.peak),
        "server peak RSS MB (with mapped db pages)": round(peak),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        print(f"JSONL export of {args.tasks:,} tasks with one annotation each")
        rows = [run(db, path, args.tasks) for db in args.db.split(",")]
    print(table(rows))


if __name__ == "__main__":
    main()
