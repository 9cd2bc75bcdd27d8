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

import argparse
import atexit
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from accord.actions.tokens import do_create_token
from accord.db import Database
from accord.db.migrate import upgrade
from accord.models import Project, User
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
    return _populated(settings, overlap, annotators)


def _populated(settings: Settings, overlap: int, annotators: int) -> Bench:
    db = Database(settings.resolved_database_url())
    upgrade(db)
    owner, owner_token = make_user(db, "owner@example.com")
    people = [make_user(db, f"annotator{i}@example.com") for i in range(annotators)]
    project = make_project(
        db, owner, overlap=overlap, members={user: "annotator" for user, _ in people}
    )
    return Bench(settings, db, owner_token, project.id, [token for _, token in people])


# --- PostgreSQL databases prepared once and copied for each run -------------------------------
# A 10,000,000-task project takes minutes to build; `from_template` builds it once as a
# template database (kept between benchmark runs, named after what was built and the schema's
# migration head) and gives each run a fresh copy of it (``CREATE DATABASE … TEMPLATE``, a
# file copy: seconds). Drop them with ``python -m bench.setup --drop-templates``.
TEMPLATE_PREFIX = "accord_bench_tpl_"


def from_template(
    key: str, build: Callable[[Bench], None], *, overlap: int, annotators: int, rebuild: bool
) -> Bench:
    """A fresh PostgreSQL database (at `PG_URL`) copied from the template that ``key`` names,
    built first (on a `fresh`-like bench with ``overlap`` and ``annotators``) by ``build`` if
    missing, built for another schema, left half-built, or if ``rebuild``. Every person gets a
    new API token (the template keeps only their hashes)."""
    head = _schema_head()
    name = TEMPLATE_PREFIX + hashlib.sha1(f"{key} {head}".encode()).hexdigest()[:16]
    label = f"{key}; schema {head}; ready"
    if rebuild or _comment_of(name) != label:
        started = time.perf_counter()
        settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="accord-bench-tpl-")),
                            database_url=_with_database(PG_URL, name))
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        bench = _populated(settings, overlap, annotators)
        build(bench)
        bench.close()
        vacuum_analyze(settings.resolved_database_url())
        _admin(f"COMMENT ON DATABASE \"{name}\" IS '{label}'")
        print(f"  built template {name} ({key}) in {time.perf_counter() - started:.0f} s",
              flush=True)
    target = make_url(PG_URL).database
    _admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)',
           f'CREATE DATABASE "{target}" TEMPLATE "{name}" STRATEGY FILE_COPY')
    _drop_at_exit(PG_URL)
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="accord-bench-postgres-")),
                        database_url=PG_URL)
    db = Database(settings.resolved_database_url())
    return _reissued(settings, db)


def _reissued(settings: Settings, db: Database) -> Bench:
    """The bench of a copied template: the project, and new tokens for the owner and each
    annotator (in the order of their numbers)."""
    with db.write() as session:
        project_id = session.scalar(select(Project.id).order_by(Project.id).limit(1))
        owner = session.scalar(select(User).where(User.email == "owner@example.com"))
        assert project_id is not None and owner is not None
        owner_token, _ = do_create_token(session, None, owner, "bench")
        people = session.scalars(
            select(User).where(User.email.like("annotator%")).order_by(User.id)
        ).all()
        tokens = [do_create_token(session, None, person, "bench")[0] for person in people]
    return Bench(settings, db, owner_token, project_id, tokens)


def _schema_head() -> str:
    from alembic.script import ScriptDirectory

    from accord.db.migrate import HERE

    return str(ScriptDirectory(str(HERE / "migrations")).get_current_head())


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin(*statements: str) -> None:
    """Statements on the server's ``postgres`` database, outside any transaction."""
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def _comment_of(name: str) -> str | None:
    admin = create_engine(make_url(PG_URL).set(database="postgres"))
    with admin.connect() as conn:
        found = conn.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    return str(found) if found is not None else None


def vacuum_analyze(url: str) -> None:
    """What autovacuum would have done by the time people work on the project: statistics
    for the planner and the visibility map for index-only scans."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def drop_templates() -> list[str]:
    """Drop every template database `from_template` built; their names."""
    admin = create_engine(make_url(PG_URL).set(database="postgres"))
    with admin.connect() as conn:
        names = list(
            conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": TEMPLATE_PREFIX + "%"},
            ).scalars()
        )
    admin.dispose()
    _admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names))
    return names


def pg_fill_tasks(db: Database, project_id: int, count: int, *, batch: int = 1_000_000) -> None:
    """``count`` text tasks (ids ``t0`` …, about 200 bytes of data each, as `write_tasks`
    writes them) generated inside PostgreSQL in batches, as an import leaves them (queue
    fields, progress counters): about 10 s a million instead of 30 s through the import."""
    rng = random.Random(1)
    texts = [" ".join(rng.choices(WORDS, k=28))[:170] for _ in range(1000)]
    with db.write() as session:
        (first,) = session.execute(
            text("SELECT count(*) FROM tasks WHERE project_id = :p"), {"p": project_id}
        ).one()
    assert first == 0, "pg_fill_tasks fills an empty project"
    for start in range(0, count, batch):
        with db.write() as session:
            session.execute(
                text(
                    "INSERT INTO tasks (project_id, external_id, data, priority, queue_key, "
                    "created_at, is_open, n_claimed, n_submitted) "
                    "SELECT :p, 't' || i, "
                    "'{\"text\":\"' || (CAST(:texts AS text[]))[1 + i % 1000] || '\"}', "
                    "0, 0, now() AT TIME ZONE 'UTC', true, 0, 0 "
                    "FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS i"
                ),
                {"p": project_id, "texts": texts, "lo": start,
                 "hi": min(start + batch, count) - 1},
            )
    recount_progress(db, project_id)


def _reset_postgres(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    _drop_at_exit(url)


def _drop_at_exit(url: str) -> None:
    if url == PG_URL and "ACCORD_BENCH_DATABASE_URL" not in os.environ and not _DROP_AT_EXIT:
        _DROP_AT_EXIT.append(url)
        atexit.register(_drop_postgres, url)


_DROP_AT_EXIT: list[str] = []


def _drop_postgres(url: str) -> None:
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


# --- Where the machine's CPU went during a run ------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _machine_ticks() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


@dataclass
class CpuShare:
    """CPU seconds during a run: the server's processes, PostgreSQL's backends serving its
    database, the load generator, and everything the machine did (other work included)."""

    server: float = 0.0
    postgres: float = 0.0
    client: float = 0.0
    machine: float = 0.0
    capacity: float = 0.0  # core-seconds the machine had in the window

    @property
    def others(self) -> float:
        return max(self.machine - self.server - self.postgres - self.client, 0.0)


class CpuMeter:
    """Samples the CPU time of a server process tree and of a PostgreSQL database's backends
    (``database_url``; None on SQLite) at `start` and at `stop`."""

    def __init__(self, server_pid: int | list[int], database_url: str | None) -> None:
        self.server_pids = [server_pid] if isinstance(server_pid, int) else server_pid
        self.database_url = database_url
        self._server: dict[int, float] = {}
        self._postgres: dict[int, float] = {}
        self._machine = (0.0, 0.0)

    def _backends(self) -> list[int]:
        if not self.database_url:
            return []
        engine = create_engine(self.database_url)
        with engine.connect() as conn:
            pids = list(conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars())
        engine.dispose()
        return [int(pid) for pid in pids]

    def _tree(self) -> list[int]:
        return [p for pid in self.server_pids for p in (pid, *_children_of(pid))]

    def start(self) -> None:
        self._server = {pid: _cpu_of(pid) for pid in self._tree()}
        self._postgres = {pid: _cpu_of(pid) for pid in self._backends()}
        self._machine = _machine_ticks()

    def stop(self, client: float) -> CpuShare:
        busy, total = _machine_ticks()
        server = sum(_cpu_of(pid) - self._server.get(pid, 0.0) for pid in self._tree())
        postgres = sum(_cpu_of(pid) - self._postgres.get(pid, 0.0) for pid in self._backends())
        return CpuShare(server, postgres, client, busy - self._machine[0],
                        total - self._machine[1])


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


def upload_jsonl(
    url: str, token: str, project_id: int, path: Path, *, background: bool = False
) -> httpx.Response:
    """Stream a JSONL file to Accord's import endpoint as one request (``background``: as a
    job, answered 202 once the upload is stored)."""

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as source:
            while block := source.read(1 << 20):
                yield block

    return httpx.post(
        f"{url}/api/v1/projects/{project_id}/imports",
        params={"format": "jsonl", "filename": path.name, "background": background},
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


def main() -> None:
    parser = argparse.ArgumentParser(description="The benchmarks' shared set-up.")
    parser.add_argument("--drop-templates", action="store_true",
                        help="drop the PostgreSQL template databases the benchmarks keep")
    args = parser.parse_args()
    if args.drop_templates:
        for name in drop_templates():
            print(f"dropped {name}")


if __name__ == "__main__":
    main()
