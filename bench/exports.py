"""Export N tasks through the HTTP API, streamed to the client: tasks/s, size and the server's
memory, for each export a project can ask for.

    python -m bench.exports [--tasks 1000000] [--db sqlite,postgres] [--runs 3]
        [--cases jsonl,csv,rich-jsonl,rich-csv]

Cases:
- ``jsonl``, ``csv``: every task has one annotation;
- ``rich-jsonl``, ``rich-csv``: every task has three annotations (three annotators) and one
  model prediction (the CSV has one row per annotation and no predictions).

The data is imported once per database and case family (tasks through the import action,
annotations and predictions in bulk, straight in the database, then the progress counters
recounted); each run then starts a fresh server on it (neither side warmed; the database file
is in the OS page cache for every run alike) and reads the whole export. A run counts as
failed if the request fails or the export does not hold the expected number of lines.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select, text

from accord.actions.imports import do_import
from accord.models import Project, User
from accord.queries.projects import interface_of
from bench.machine import load_average, machine
from bench.setup import (
    AnonPeak,
    Bench,
    fresh,
    heap_mb,
    peak_rss_mb,
    recount_progress,
    spread,
    table,
    write_tasks,
)
from tests.live import live_server

RESULTS = ('{"label":{"choice":"pos"}}', '{"label":{"choice":"neg"}}', '{"label":{"choice":"pos"}}')
PREDICTION = '{"label":{"choice":"neg"}}'


@dataclass(frozen=True)
class Shape:
    """What each task carries."""

    annotations: int
    predictions: int

    @property
    def name(self) -> str:
        name = f"{self.annotations} annotation" + ("s" if self.annotations > 1 else "")
        return name + (f" + {self.predictions} prediction" if self.predictions else "")


ONE = Shape(1, 0)
RICH = Shape(3, 1)
CASES = {"jsonl": (ONE, "jsonl"), "csv": (ONE, "csv"), "rich-jsonl": (RICH, "jsonl"),
         "rich-csv": (RICH, "csv")}


def fill(bench: Bench, path: Path, shape: Shape) -> None:
    """Import the tasks, then give each one ``shape.annotations`` annotations by different
    annotators and ``shape.predictions`` predictions (in bulk, straight in the database)."""
    with bench.db.write() as session, open(path, "rb") as source:
        project = session.get(Project, bench.project_id)
        owner = session.get(User, 1)
        assert project is not None and owner is not None
        do_import(session, owner, project, interface_of(project), source, "jsonl")
    with bench.db.read() as session:
        people = list(session.scalars(
            select(User.id).where(User.email.like("annotator%")).order_by(User.id)))
    assert len(people) >= shape.annotations, people
    p = {"project": bench.project_id}
    with bench.db.write() as session:
        for k in range(shape.annotations):
            session.execute(text(
                "INSERT INTO annotations (task_id, project_id, user_id, result, seconds, version,"
                " guidelines_version, created_at, updated_at) SELECT id, project_id, :user,"
                " :result, 12.5, 1, 1, created_at, created_at FROM tasks"
                " WHERE project_id = :project"), {**p, "user": people[k], "result": RESULTS[k]})
        for _ in range(shape.predictions):
            session.execute(text(
                "INSERT INTO predictions (task_id, project_id, model_version, score, result,"
                " created_at) SELECT id, project_id, 'model-1', 0.87, :result, created_at"
                " FROM tasks WHERE project_id = :project"), {**p, "result": PREDICTION})
        n = shape.annotations
        session.execute(text(
            "UPDATE tasks SET n_submitted = :n, n_claimed = :n, is_open = :open"
            " WHERE project_id = :project"), {**p, "n": n, "open": False})
    recount_progress(bench.db, bench.project_id)


@dataclass
class Measured:
    seconds: float
    size: int
    lines: int
    idle_mb: float
    heap_mb: float
    rss_mb: float
    failure: str | None


def export_once(url: str, pid: int, token: str, project_id: int, fmt: str,
                expected_lines: int) -> Measured:
    """Read the whole export once; the time runs from the request to the last byte."""
    idle = heap_mb(pid)
    lines = size = 0
    failure = None
    start = time.perf_counter()
    try:
        with AnonPeak(pid) as heap, httpx.stream(
            "GET", f"{url}/api/v1/projects/{project_id}/export", params={"format": fmt},
            timeout=3600, headers={"Authorization": f"Bearer {token}"},
        ) as response:
            if response.status_code != 200:
                failure = f"HTTP {response.status_code}: {response.read()[:200]!r}"
            else:
                for chunk in response.iter_raw(1 << 20):
                    lines += chunk.count(b"\n")
                    size += len(chunk)
    except httpx.HTTPError as exc:
        failure = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    if failure is None and lines != expected_lines:
        failure = f"{lines:,} lines, expected {expected_lines:,}"
    return Measured(seconds, size, lines, idle, heap.peak, peak_rss_mb(pid), failure)


def expected_lines(fmt: str, tasks: int, shape: Shape) -> int:
    return tasks if fmt == "jsonl" else 1 + tasks * shape.annotations


def summarise(label: dict[str, object], tasks: int, runs: list[Measured]) -> dict[str, object]:
    ok = [m for m in runs if m.failure is None]
    return {
        **label,
        "MB": round(ok[0].size / 1e6) if ok else "",
        "runs": len(runs),
        "seconds median (min–max)": spread([m.seconds for m in ok], "{:.2f}"),
        "tasks/s median (min–max)": spread([tasks / m.seconds for m in ok]),
        "server heap MB idle → peak": (
            f"{round(max(m.idle_mb for m in ok))} → {round(max(m.heap_mb for m in ok))}"
            if ok else ""),
        "peak RSS MB (with mapped db pages)": round(max(m.rss_mb for m in ok)) if ok else "",
        "failed requests": f"{len(runs) - len(ok)} of {len(runs)}",
    }


def run_cases(database: str, path: Path, tasks: int, cases: list[str],
              runs: int) -> list[dict[str, object]]:
    rows = []
    for shape in (ONE, RICH):
        formats = [CASES[c][1] for c in cases if CASES[c][0] == shape]
        if not formats:
            continue
        bench = fresh(database, overlap=shape.annotations, annotators=shape.annotations)
        fill(bench, path, shape)
        bench.db.dispose()
        for fmt in formats:
            measured = []
            for i in range(runs):
                with live_server(bench.settings) as server:
                    m = export_once(server.url, server.process.pid, bench.owner_token,
                                    bench.project_id, fmt, expected_lines(fmt, tasks, shape))
                measured.append(m)
                print(f"  {database} {fmt} {shape.name}: run {i + 1}: {m.seconds:.2f} s, "
                      f"{m.size / 1e6:.0f} MB" + (f", FAILED {m.failure}" if m.failure else ""),
                      flush=True)
            rows.append(summarise({"database": database, "format": fmt, "tasks": f"{tasks:,}",
                                   "each task": shape.name}, tasks, measured))
        bench.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help=f"any of {', '.join(CASES)}")
    parser.add_argument("--quick", action="store_true",
                        help="10,000 tasks (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.tasks = 10_000
    cases = args.cases.split(",")
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}")
    print(machine())
    print(f"exports of {args.tasks:,} tasks ({', '.join(cases)}); {args.runs} runs each, a "
          "fresh server per run", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        for database in args.db.split(","):
            rows += run_cases(database, path, args.tasks, cases, args.runs)
    print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
