"""A server killed in the middle of an import leaves nothing of it, or, once the import is
committed, everything after a restart: never half."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from accord.db import Database
from accord.models import Import, Task
from accord.settings import Settings
from tests.factories import assert_counts_match, make_project, make_user
from tests.live import live_server

ROWS = 400_000


def write_rows(path: Path) -> None:
    with open(path, "w") as out:
        for i in range(ROWS):
            out.write(f'{{"id": "r{i}", "text": "row {i} of a large import"}}\n')


def checking(settings: Settings, db: Database) -> bool:
    """True once checked rows are being staged: into the import's staging file (SQLite), or
    copied into its transaction's temporary table (PostgreSQL; this test's database only: the
    other workers' tests insert rows in theirs at the same time)."""
    if settings.database_url is None:
        staged = settings.data_dir / "imports"
        files = list(staged.glob("*.sqlite")) if staged.exists() else []
        return any(f.stat().st_size > 4 * 1024 * 1024 for f in files) and state(db) == "staging"
    with db.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND datname = current_database() AND query LIKE 'COPY import_rows%'"
                )
            ).scalar()
        )


def moving(settings: Settings, db: Database) -> bool:
    """True once the import is committed and part of it moved (SQLite), or while its one
    transaction inserts the rows (PostgreSQL)."""
    if settings.database_url is None:
        with db.read() as session:
            row = session.execute(select(Import.state, Import.moved)).first()
        return row is not None and row[0] == "moving" and row[1] > 0
    with db.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND datname = current_database() AND query LIKE 'INSERT INTO tasks%'"
                )
            ).scalar()
        )


def state(db: Database) -> str | None:
    with db.read() as session:
        return session.scalar(select(Import.state))


def tasks(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Task)) or 0)


def kill_when(
    settings: Settings,
    db: Database,
    source: Path,
    url_of: Callable[[str], str],
    token: str,
    ready: Callable[[Settings, Database], bool],
) -> None:
    """Start the import on a live server and kill the server (SIGKILL) once ``ready``."""

    def upload(url: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under it: expected
            httpx.post(
                url_of(url),
                content=source.read_bytes(),
                timeout=120,
                headers={"Authorization": f"Bearer {token}"},
            )

    with live_server(settings) as server:
        sender = threading.Thread(target=upload, args=(server.url,))
        sender.start()
        deadline = time.monotonic() + 60
        while not ready(settings, db):
            assert time.monotonic() < deadline, "the import never got there"
            assert sender.is_alive(), "the import finished before it could be interrupted"
            time.sleep(0.005)
        server.kill()
        sender.join(30)


@pytest.fixture
def big(tmp_path: Path) -> Path:
    source = tmp_path / "big.jsonl"
    write_rows(source)
    return source


@pytest.mark.slow
def test_kill_while_checking_leaves_nothing(settings: Settings, db: Database, big: Path) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)

    def url_of(base: str) -> str:
        return f"{base}/api/v1/projects/{project.id}/imports?format=jsonl"

    kill_when(settings, db, big, url_of, token, checking)
    assert tasks(db) == 0  # nothing visible, ever
    assert state(db) == "staging"

    # The restart settles it: rolled back, its staging file gone; then the same import
    # goes through whole.
    with live_server(settings) as server:
        assert state(db) == "failed"
        assert list((settings.data_dir / "imports").glob("*.sqlite")) == []
        assert tasks(db) == 0
        response = httpx.post(
            url_of(server.url),
            content=big.read_bytes(),
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["created"] == ROWS
    assert_counts_match(db, project.id)


@pytest.mark.slow
def test_kill_after_the_commit_point(settings: Settings, db: Database, big: Path) -> None:
    """SQLite: the import is committed, so the restart rolls it forward to every row.
    PostgreSQL: the rows move in one transaction, so the kill leaves none."""
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)

    def url_of(base: str) -> str:
        return f"{base}/api/v1/projects/{project.id}/imports?format=jsonl"

    kill_when(settings, db, big, url_of, token, moving)
    sqlite = settings.database_url is None
    if sqlite:
        assert 0 < tasks(db) < ROWS
    else:
        assert tasks(db) == 0
    assert_counts_match(db, project.id)
    with live_server(settings):
        pass
    with db.read() as session:
        entry = session.scalars(select(Import)).one()
    if sqlite:
        assert (entry.state, entry.created, entry.moved) == ("done", ROWS, ROWS)
        assert tasks(db) == ROWS
    else:
        assert entry.state == "failed"
        assert tasks(db) == 0
    assert list((settings.data_dir / "imports").glob("*.sqlite")) == []
    assert_counts_match(db, project.id)
