"""A server killed in the middle of an import leaves no partial import behind."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from accord.db import Database
from accord.models import Import, Task
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.live import live_server

ROWS = 400_000


def write_rows(path: Path) -> None:
    with open(path, "w") as out:
        for i in range(ROWS):
            out.write(f'{{"id": "r{i}", "text": "row {i} of a large import"}}\n')


def inserting(settings: Settings, db: Database) -> bool:
    """True once rows are being written inside the import's transaction."""
    if settings.database_url is None:
        wal = settings.data_dir / "accord.db-wal"
        return wal.exists() and wal.stat().st_size > 4 * 1024 * 1024
    with db.engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND query LIKE 'COPY tasks%'"
                )
            ).scalar()
        )


@pytest.mark.slow
def test_kill_during_import_leaves_nothing(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    source = tmp_path / "big.jsonl"
    write_rows(source)

    def upload(url: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under it: expected
            httpx.post(
                f"{url}/api/v1/projects/{project.id}/imports?format=jsonl",
                content=source.read_bytes(),
                timeout=120,
                headers={"Authorization": f"Bearer {token}"},
            )

    with live_server(settings) as server:
        sender = threading.Thread(target=upload, args=(server.url,))
        sender.start()
        deadline = time.monotonic() + 60
        while not inserting(settings, db):
            assert time.monotonic() < deadline, "the import never started writing"
            assert sender.is_alive(), "the import finished before it could be interrupted"
            time.sleep(0.005)
        server.kill()
        sender.join(30)

    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0
        assert session.scalar(select(func.count()).select_from(Import)) == 0
    # The database is healthy afterwards: the same import now goes through whole.
    with live_server(settings) as server:
        response = httpx.post(
            f"{server.url}/api/v1/projects/{project.id}/imports?format=jsonl",
            content=source.read_bytes(),
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["created"] == ROWS
