"""Export N tasks through the HTTP API, streamed to the client: tasks/s, size and the server's
memory, for each export a project can ask for.

    python -m bench.exports [--tasks 1000000] [--db sqlite,postgres] [--runs 3]
        [--cases jsonl,csv,rich-jsonl,rich-csv] [--to stream,bucket,folder]

``--to bucket`` runs each export as a background job into an S3-compatible bucket (moto in
server mode, a process of its own, started by the script) and times it from the request to
the moment the job finished (its ``finished_at``, on this machine's clock; the job is polled
every 0.25 s, so that the polls cost the server little); ``--to folder`` the same into the
local storage folder. For the bucket, the CPU time moto used during each run is given too:
moto is a Python server on the same cores, and assembling the parts of a large object takes
it seconds. Each run's file is deleted afterwards.

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
import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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
    moto_cpu: float | None = None  # seconds of CPU the S3 server used during the run
    server_cpu: float | None = None  # the server's, with its finished helper processes


@dataclass
class Bucket:
    """The moto server of ``--to bucket``, and the settings that point Accord at it."""

    env: dict[str, str]
    pid: int
    endpoint: str
    bucket: str
    prefix: str


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU time of a process so far (``children``: with its children that
    have ended, such as an export job's helper processes)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11 : 15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def export_once(url: str, pid: int, token: str, project_id: int, fmt: str,
                expected_lines: int) -> Measured:
    """Read the whole export once; the time runs from the request to the last byte."""
    idle = heap_mb(pid)
    lines = size = 0
    failure = None
    server_before = cpu_seconds(pid, children=True)
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
    return Measured(seconds, size, lines, idle, heap.peak, peak_rss_mb(pid), failure,
                    server_cpu=cpu_seconds(pid, children=True) - server_before)


def export_job_once(url: str, pid: int, token: str, project_id: int, fmt: str,
                    expected_lines: int, bucket: Bucket | None = None,
                    folder: Path | None = None) -> Measured:
    """Export as a background job into the server's storage (``--to bucket`` or ``folder``);
    the time runs from the request to the job's ``finished_at``. The file is deleted after."""
    idle = heap_mb(pid)
    failure = None
    lines = size = 0
    moto_before = cpu_seconds(bucket.pid) if bucket else 0.0
    server_before = cpu_seconds(pid, children=True)
    started = time.time()
    with AnonPeak(pid) as heap, httpx.Client(
        base_url=f"{url}/api/v1", timeout=600, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        job = http.post(f"/projects/{project_id}/exports", json={"format": fmt}).json()
        while job.get("state") in ("queued", "running"):
            time.sleep(0.25)
            job = http.get(f"/jobs/{job['id']}").json()
    moto_cpu = cpu_seconds(bucket.pid) - moto_before if bucket else None
    server_cpu = cpu_seconds(pid, children=True) - server_before
    seconds = time.time() - started
    if job.get("finished_at"):
        finished = dt.datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00"))
        seconds = finished.timestamp() - started
    if job.get("state") != "succeeded":
        failure = f"job {job.get('state')}: {job.get('error') or job}"
    else:
        size = job["result"]["bytes"]
        lines = job["result"].get("tasks", expected_lines)
        if lines != expected_lines:
            failure = f"{lines:,} tasks, expected {expected_lines:,}"
        remove_export(job["result"]["key"], bucket, folder)
    return Measured(seconds, size, lines, idle, heap.peak, peak_rss_mb(pid), failure, moto_cpu,
                    server_cpu)


def remove_export(key: str, bucket: Bucket | None, folder: Path | None) -> None:
    """Delete a run's export file (moto keeps objects in memory and temporary files)."""
    if bucket is not None:
        from accord.media.s3 import s3_client

        s3_client(bucket.endpoint).delete_object(Bucket=bucket.bucket,
                                                 Key=f"{bucket.prefix}/{key}")
    elif folder is not None:
        (folder / key).unlink(missing_ok=True)


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
        "server CPU s, with helpers": (
            spread([m.server_cpu or 0.0 for m in ok], "{:.2f}")
            if ok and ok[0].server_cpu is not None else ""),
        "moto CPU s median (min–max)": (
            spread([m.moto_cpu or 0.0 for m in ok], "{:.2f}")
            if ok and ok[0].moto_cpu is not None else ""),
    }


def run_cases(database: str, path: Path, tasks: int, cases: list[str],
              runs: int, targets: list[str],
              bucket: Bucket | None = None) -> list[dict[str, object]]:
    """Each case's export ``runs`` times into each of ``targets`` (stream, bucket, folder),
    on data filled once per database and kind of task."""
    rows = []
    for shape in (ONE, RICH):
        formats = [CASES[c][1] for c in cases if CASES[c][0] == shape]
        if not formats:
            continue
        bench = fresh(database, overlap=shape.annotations, annotators=shape.annotations)
        fill(bench, path, shape)
        bench.db.dispose()
        for fmt in formats:
            for to in targets:
                label = {"database": database, "to": to, "format": fmt, "tasks": f"{tasks:,}",
                         "each task": shape.name}
                measured = [measure(bench, to, fmt, expected_lines(fmt, tasks, shape), bucket,
                                    f"{database} {fmt} {shape.name} → {to}: run {i + 1}")
                            for i in range(runs)]
                rows.append(summarise(label, tasks, measured))
        bench.close()
    return rows


def measure(bench: Bench, to: str, fmt: str, expected: int, bucket: Bucket | None,
            label: str) -> Measured:
    """One export on a fresh server."""
    env = bucket.env if to == "bucket" and bucket else None
    with live_server(bench.settings, env=env) as server:
        args = (server.url, server.process.pid, bench.owner_token, bench.project_id, fmt,
                expected)
        if to == "stream":
            m = export_once(*args)
        else:
            m = export_job_once(*args, bucket=bucket if to == "bucket" else None,
                                folder=bench.settings.data_dir)
    moto = f", moto {m.moto_cpu:.2f} s CPU" if m.moto_cpu is not None else ""
    if m.server_cpu is not None:
        moto = f", server {m.server_cpu:.2f} s CPU{moto}"
    print(f"  {label}: {m.seconds:.2f} s, {m.size / 1e6:.0f} MB{moto}"
          + (f", FAILED {m.failure}" if m.failure else ""), flush=True)
    return m


@contextmanager
def bucket_env(folder: Path) -> Iterator[Bucket]:
    """A moto S3 server (a process of its own) and the settings that point Accord at it."""
    from tests.live import free_port
    from tests.s3 import CREDENTIALS, S3Server

    server = S3Server(free_port(), folder / "moto.log")
    saved = dict(os.environ)
    os.environ.update(CREDENTIALS)
    server.start()
    assert server.process is not None
    print(f"bucket: moto {server.endpoint}, s3://{server.bucket}/bench", flush=True)
    try:
        yield Bucket({"ACCORD_STORAGE_URL": f"s3://{server.bucket}/bench",
                      "ACCORD_S3_ENDPOINT_URL": server.endpoint, **CREDENTIALS},
                     server.process.pid, server.endpoint, server.bucket, "bench")
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES), help=f"any of {', '.join(CASES)}")
    parser.add_argument(
        "--to",
        default="stream",
        help="any of stream, bucket, folder (comma-separated: each on the same data). stream: "
        "GET /export read by the client; bucket: an export job into an S3-compatible bucket "
        "(moto in server mode, a process of its own); folder: an export job into the local "
        "storage folder",
    )
    parser.add_argument("--quick", action="store_true",
                        help="10,000 tasks (checks the script, not a figure)")
    args = parser.parse_args()
    if args.quick:
        args.tasks = 10_000
    cases = args.cases.split(",")
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}")
    targets = args.to.split(",")
    if set(targets) - {"stream", "bucket", "folder"}:
        parser.error(f"--to: unknown targets in {args.to!r}")
    print(machine())
    print(f"exports of {args.tasks:,} tasks ({', '.join(cases)}); {args.runs} runs each, a "
          "fresh server per run", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        bucket = stack.enter_context(bucket_env(Path(tmp))) if "bucket" in targets else None
        path = Path(tmp) / "tasks.jsonl"
        write_tasks(path, args.tasks)
        for database in args.db.split(","):
            rows += run_cases(database, path, args.tasks, cases, args.runs, targets, bucket)
    print(table(rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
