"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
``ACCORD_TEST_DATABASE_URL`` is set), the app called in-process, and factories.

SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: each test session gets its own database, named after the one in the URL and the
session's process (so runs side by side never share tables), migrated once and dropped at the
end; each test starts from truncated tables.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from accord.db import Database
from accord.db.base import Base
from accord.db.migrate import upgrade
from accord.settings import Settings

PG_URL = os.environ.get("ACCORD_TEST_DATABASE_URL")

# Jobs run at the requests' priority in tests (apps in this process and the servers they start
# inherit it): the suite runs more processes than cores, and job threads 10 steps lower would
# wait behind the other workers' tests. tests/api/test_job_priority.py sets its own niceness.
os.environ["ACCORD_JOB_NICENESS"] = "0"

# Datumaro's tests run in `make test-datumaro`, in the overlay venv it is installed in: where it
# is not installed, the file is left out of a run of the suite (a file named on the command
# line is still collected, and skips saying where it runs).
if importlib.util.find_spec("datumaro") is None:
    collect_ignore = ["formats/test_cvat_video_datumaro.py"]


def pytest_report_header() -> str:
    return f"accord database: {PG_URL or 'SQLite (set ACCORD_TEST_DATABASE_URL for PostgreSQL)'}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that touch the database are marked ``db``: the PostgreSQL run selects them."""
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def _maintenance(url: URL) -> Engine:
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop_database(url: URL) -> None:
    admin = _maintenance(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "accord.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    assert PG_URL is not None
    base = make_url(PG_URL)
    url = base.set(database=f"{base.database}_{os.getpid()}")
    _drop_database(url)
    admin = _maintenance(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    db = Database(url.render_as_string(hide_password=False))
    upgrade(db)
    db.dispose()
    yield url.render_as_string(hide_password=False)
    _drop_database(url)


def _truncate(db: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    if PG_URL:
        url = request.getfixturevalue("pg_schema")
        return Settings(data_dir=data, database_url=url)
    template: Path = request.getfixturevalue("sqlite_template")
    shutil.copy(template, data / "accord.db")
    return Settings(data_dir=data)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.resolved_database_url())
    if PG_URL:
        _truncate(database)
    yield database
    database.dispose()


REDIS_URL = os.environ.get("ACCORD_TEST_REDIS_URL")
# Database 15 of the machine's Redis: never the one a person's own Accord uses (0 by default).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def worker_redis_url(url: str) -> str:
    """``url`` for this pytest-xdist worker: worker N uses database (the URL's number - N), so
    workers running side by side never share a job queue or a notice channel."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    head, number = re.fullmatch(r"(.*?)(?:/(\d+))?/?", url).groups()  # type: ignore[union-attr]
    mine = int(number or 0) - int(worker[2:])
    if mine < 0:
        raise RuntimeError(f"{url}: too few Redis databases below it for xdist worker {worker}")
    return f"{head}/{mine}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis for the tests that need it: ``ACCORD_TEST_REDIS_URL`` (``make test`` sets it, and
    starts a throwaway Redis when the machine has none), else database 15 on 127.0.0.1:6379."""
    import redis

    url = worker_redis_url(REDIS_URL or DEFAULT_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if REDIS_URL:
            pytest.fail(f"ACCORD_TEST_REDIS_URL={url} does not answer: {exc}")
        pytest.skip(
            f"no Redis answers at {url}: start one, or set ACCORD_TEST_REDIS_URL "
            "(`make test` starts a throwaway Redis itself)"
        )
    return url
