"""Import N text tasks (JSONL, ~200 bytes each) through the HTTP API; tasks/s and peak memory.

python -m bench.imports [--tasks 1000000] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

from bench.setup import AnonPeak, fresh, peak_rss_mb, table, write_tasks
from tests.live import live_server


def upload(url: str, token: str, project_id: int, path: Path) -> dict[str, int]:
    def chunks():  # type: ignore[no-untyped-def]
        with open(path, "rb") as source:
            while block := source.read(1 << 20):
                yield block

    response = httpx.post(
        f"{url}/api/v1/projects/{project_id}/imports",
        params={"format": "jsonl", "filename": path.name},
        content=chunks(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=3600,
    )
    response.raise_for_status()
    data: dict[str, int] = response.json()
    return data


def run(database: str, path: Path, count: int) -> dict[str, object]:
    bench = fresh(database)
    with live_server(bench.settings) as server:
        base = peak_rss_mb(server.process.pid)
        start = time.perf_counter()
        with AnonPeak(server.process.pid) as heap:
            report = upload(server.url, bench.owner_token, bench.project_id, path)
        seconds = time.perf_counter() - start
        peak = peak_rss_mb(server.process.pid)
    assert report["created"] == count, report
    return {
        "database": database,
        "tasks": count,
        "seconds": round(seconds, 2),
        "tasks/s": f"{count / seconds:,.0f}",
        "server peak MB": round(peak),
        "server peak heap MB": round(heap.peak),
        "server idle MB": round(base),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        size = write_tasks(path, args.tasks)
        print(f"import of {args.tasks:,} tasks, {size / 1e6:.0f} MB of JSONL")
        rows = [run(db, path, args.tasks) for db in args.db.split(",")]
    print(table(rows))


if __name__ == "__main__":
    main()
