"""Shared set-up for the benchmarks: a data directory, a database, people and a project,
a server in a subprocess, the server's peak memory, and how figures are summarised.

Every server benchmark here follows the same rules, stated in bench/README.md:
- each figure is the median of ``--runs`` runs (3 unless told) with the spread across runs
  (min–max); latency distributions are pooled over the runs and given as p50 (p5–p95) and p99;
- neither side is warmed: each run starts a fresh server process (readiness probe only) and,
  unless the data is only read, a fresh database;
- every request that fails (an error status, a transport error, a wrong count) is counted and
  printed, and a failed run's time is left out of the figures.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from accord.db import Database
from accord.db.migrate import upgrade
from accord.settings import Settings
from tests.factories import make_project, make_user

# Each benchmark process gets a database of its own (dropped when it ends), so that two
# benchmarks run at once on the machine's PostgreSQL cannot reset each other's data.
PG_URL = os.environ.get(
    "ACCORD_BENCH_DATABASE_URL",
    f"postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_{os.getpid()}",
)
WORDS = (
    "the quick brown fox jumps over a lazy dog while annotators label data with care and "
    "reviewers check every span of text for quality and agreement"
).split(" ")


@dataclass
class Bench:
    settings: Settings
    db: Database
    owner_token: str
    project_id: int
    annotator_tokens: list[str]

    def close(self) -> None:
        """Let go of the database and delete the data directory (databases of a million
        tasks would otherwise pile up in /tmp run after run)."""
        self.db.dispose()
        shutil.rmtree(self.settings.data_dir, ignore_errors=True)


def fresh(database: str, *, overlap: int = 1, annotators: int = 0) -> Bench:
    """A new empty database ("sqlite" or "postgres") with an owner, annotators and a project."""
    data = Path(tempfile.mkdtemp(prefix=f"accord-bench-{database}-"))
    if database == "postgres":
        _reset_postgres(PG_URL)
        settings = Settings(data_dir=data, database_url=PG_URL)
    else:
        settings = Settings(data_dir=data)
    db = Database(settings.resolved_database_url())
    upgrade(db)
    owner, owner_token = make_user(db, "owner@example.com")
    people = [make_user(db, f"annotator{i}@example.com") for i in range(annotators)]
    project = make_project(
        db, owner, overlap=overlap, members={user: "annotator" for user, _ in people}
    )
    return Bench(settings, db, owner_token, project.id, [token for _, token in people])


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    if url == PG_URL and "ACCORD_BENCH_DATABASE_URL" not in os.environ and not _DROP_AT_EXIT:
        _DROP_AT_EXIT.append(url)
        atexit.register(_drop_postgres, url)


_DROP_AT_EXIT: list[str] = []


def _drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def write_tasks(path: Path, count: int, *, seed: int = 1) -> int:
    """A JSONL file of ``count`` text tasks of about 200 bytes each; returns its size."""
    rng = random.Random(seed)
    with open(path, "w") as out:
        for i in range(count):
            text = " ".join(rng.choices(WORDS, k=28))[:170]
            out.write(f'{{"id": "t{i}", "text": "{text}"}}\n')
    return path.stat().st_size


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class AnonPeak:
    """Samples a process's anonymous resident memory (RssAnon: its own heap, not the pages of
    files it maps, such as SQLite's database) every few milliseconds; `peak` is the largest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _status_mb(self.pid, "RssAnon:"))
            time.sleep(0.005)

    def __enter__(self) -> AnonPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return float("nan")


def heap_mb(pid: int) -> float:
    """The process's anonymous resident memory (RssAnon) now, in MB."""
    return _status_mb(pid, "RssAnon:")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    lines = [" | ".join(k.ljust(widths[k]) for k in keys)]
    lines.append("-|-".join("-" * widths[k] for k in keys))
    lines += [" | ".join(str(r[k]).ljust(widths[k]) for k in keys) for r in rows]
    return "\n".join(lines)


def recount_progress(db: Database, project_id: int) -> None:
    """Set the project's progress counters to a recount of its tasks (after bulk SQL fills
    that change ``tasks.n_submitted`` behind the actions' back)."""
    with db.write() as session:
        session.execute(
            text("DELETE FROM progress_counts WHERE project_id = :p"), {"p": project_id}
        )
        session.execute(
            text(
                "INSERT INTO progress_counts (project_id, shard, submitted, tasks) "
                "SELECT project_id, 0, n_submitted, count(*) FROM tasks WHERE project_id = :p "
                "GROUP BY project_id, n_submitted"
            ),
            {"p": project_id},
        )


def upload_jsonl(url: str, token: str, project_id: int, path: Path) -> httpx.Response:
    """Stream a JSONL file to Accord's import endpoint as one request."""

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as source:
            while block := source.read(1 << 20):
                yield block

    return httpx.post(
        f"{url}/api/v1/projects/{project_id}/imports",
        params={"format": "jsonl", "filename": path.name},
        content=chunks(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=3600,
    )


def spread(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    """``median (min–max)`` of the runs' values; "failed" when no run succeeded."""
    if not values:
        return "failed"
    median = fmt.format(statistics.median(values))
    if len(values) == 1:
        return f"{median} (1 run)"
    return f"{median} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p`` quantile (0–1) of sorted ``values``, nearest rank."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(p * len(values)))]


def latency(values: Sequence[float]) -> str:
    """A latency distribution in ms (``values`` sorted, in seconds): p50 (p5–p95) / p99."""
    if not values:
        return "none"

    def ms(p: float) -> str:
        return f"{percentile(values, p) * 1000:.0f}"

    return f"{ms(0.5)} ({ms(0.05)}–{ms(0.95)}) / {ms(0.99)}"
