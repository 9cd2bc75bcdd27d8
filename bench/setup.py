"""Shared set-up for the benchmarks: a data directory, a database, people and a project,
a server in a subprocess, and the server's peak memory."""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.db import Database
from accord.db.migrate import upgrade
from accord.settings import Settings
from tests.factories import make_project, make_user

PG_URL = os.environ.get(
    "ACCORD_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench"
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
