"""Staged imports: what a process that dies leaves, and how recovery settles it.

In-process stand-ins for a dead server: the import's staging file is let go (its lock dropped,
as the kernel does when a process dies) with the import unfinished. Killing a real server is in
tests/test_crash.py.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, update

import accord.actions.import_moves as moves
import accord.actions.imports as imports
from accord.actions.imports import ImportOptions, do_recover_imports, run_import
from accord.db import Database
from accord.models import Import, ImportState, Prediction, Task
from accord.settings import Settings
from tests.factories import RICH, assert_counts_match, make_project, make_user

ROWS = 40


def body(count: int = ROWS, prefix: str = "r") -> bytes:
    return b"".join(
        orjson.dumps({"id": f"{prefix}{i}", "text": f"row {i}"}) + b"\n" for i in range(count)
    )


def tasks_of(db: Database, project_id: int) -> int:
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Task).where(Task.project_id == project_id)
            )
            or 0
        )


def imports_of(db: Database) -> list[tuple[str, int, int]]:
    with db.read() as session:
        return [
            (i.state, i.created, i.moved)
            for i in session.scalars(select(Import).order_by(Import.id))
        ]


class Died(BaseException):
    """Stands for the process dying where it is raised (nothing below catches it)."""


@pytest.fixture
def setup(settings: Settings, db: Database) -> tuple[Any, int, ImportOptions]:
    owner, _ = make_user(db, "owner@example.com")
    project = make_project(db, owner)
    return owner, project.id, ImportOptions(staging_dir=settings.data_dir / "imports")


def staging_files(options: ImportOptions) -> list[str]:
    if not options.staging_dir.exists():
        return []
    return sorted(p.name for p in options.staging_dir.iterdir())


def test_death_before_the_commit_point_rolls_back(
    db: Database, setup: tuple[Any, int, ImportOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, project_id, options = setup

    def dying_commit_point(job: Any, *, atomic: bool) -> None:
        job.staging.release()  # the process is gone: its lock with it
        raise Died

    monkeypatch.setattr(imports, "_commit_point", dying_commit_point)
    monkeypatch.setattr(imports, "_give_up", lambda job, exc: None)  # a dead process does not
    with pytest.raises(Died):
        run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
    assert imports_of(db) == [("staging", 0, 0)]
    assert staging_files(options)  # left behind
    assert tasks_of(db, project_id) == 0

    assert len(do_recover_imports(db, options.staging_dir)) == 1
    assert imports_of(db) == [("failed", 0, 0)]
    assert staging_files(options) == []
    assert tasks_of(db, project_id) == 0
    assert_counts_match(db, project_id)


@pytest.mark.parametrize("dies_after_chunks", [0, 2])
def test_death_after_the_commit_point_rolls_forward(
    db: Database,
    setup: tuple[Any, int, ImportOptions],
    monkeypatch: pytest.MonkeyPatch,
    dies_after_chunks: int,
) -> None:
    if not db.is_sqlite:
        pytest.skip("PostgreSQL commits the import with its rows, in one transaction")
    owner, project_id, options = setup
    monkeypatch.setattr(moves, "MOVE_CHUNK", 7)
    moved = 0
    real_move = moves.move_chunk

    def dying_move(*args: Any) -> Any:
        nonlocal moved
        if moved == dies_after_chunks:
            raise Died
        moved += 1
        return real_move(*args)

    monkeypatch.setattr(moves, "move_chunk", dying_move)
    with pytest.raises(Died):
        run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
    assert imports_of(db) == [("moving", 7 * dies_after_chunks, 7 * dies_after_chunks)]
    assert tasks_of(db, project_id) == 7 * dies_after_chunks
    assert_counts_match(db, project_id)

    monkeypatch.setattr(moves, "move_chunk", real_move)
    assert len(do_recover_imports(db, options.staging_dir, project_id=project_id)) == 1
    assert imports_of(db) == [("done", ROWS, ROWS)]
    assert tasks_of(db, project_id) == ROWS
    assert staging_files(options) == []
    assert_counts_match(db, project_id)


def test_a_new_import_first_finishes_an_abandoned_one(
    db: Database, setup: tuple[Any, int, ImportOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recovery runs before an import into the same project, so the order of ids holds:
    the abandoned import's rows are in, and the new one reports them as duplicates."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL commits the import with its rows, in one transaction")
    owner, project_id, options = setup
    monkeypatch.setattr(moves, "MOVE_CHUNK", 5)
    real_move = moves.move_chunk

    def dying_move(*args: Any) -> Any:
        monkeypatch.setattr(moves, "move_chunk", real_move)
        real_move(*args)
        raise Died

    monkeypatch.setattr(moves, "move_chunk", dying_move)
    with pytest.raises(Died):
        run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
    report = run_import(db, owner, project_id, io.BytesIO(body(ROWS + 5)), "jsonl", options)
    assert (report.created, report.duplicates) == (5, ROWS)
    assert [state for state, *_ in imports_of(db)] == ["done", "done"]
    assert tasks_of(db, project_id) == ROWS + 5
    assert_counts_match(db, project_id)


def test_a_live_import_is_left_alone(
    db: Database, setup: tuple[Any, int, ImportOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, project_id, options = setup
    reached, go_on = threading.Event(), threading.Event()
    real_rows = imports.checked_rows

    def slow_rows(*args: Any, **kwargs: Any) -> Any:
        for i, row in enumerate(real_rows(*args, **kwargs)):
            if i == 3:
                reached.set()
                assert go_on.wait(60)
            yield row

    monkeypatch.setattr(imports, "checked_rows", slow_rows)
    outcome: list[Any] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
        )
    )
    worker.start()
    try:
        assert reached.wait(60)
        assert do_recover_imports(db, options.staging_dir) == []
        assert imports_of(db) == [("staging", 0, 0)]
    finally:
        go_on.set()
        worker.join(60)
    assert outcome[0].created == ROWS
    assert imports_of(db) == [("done", ROWS, ROWS)]


def test_an_import_not_heard_of_for_minutes_is_given_up(
    db: Database, setup: tuple[Any, int, ImportOptions]
) -> None:
    """With no staging file here (an import of another server, on PostgreSQL), only its
    heartbeat tells whether it is alive."""
    _, project_id, options = setup
    with db.write() as session:
        fresh = Import(project_id=project_id, format="jsonl", state="staging")
        old = Import(project_id=project_id, format="jsonl", state="staging")
        session.add_all([fresh, old])
        session.flush()
        fresh.heartbeat_at = dt.datetime.now(dt.UTC)
        old.heartbeat_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert do_recover_imports(db, options.staging_dir) == [old.id]
    assert [state for state, *_ in imports_of(db)] == ["staging", "failed"]
    assert staging_files(options) == []


def test_an_import_given_up_for_dead_stops(
    db: Database, setup: tuple[Any, int, ImportOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another process gave the import up (it was silent too long), it does not go on."""
    owner, project_id, options = setup
    monkeypatch.setattr(imports, "BATCH", 5)
    monkeypatch.setattr(moves, "HEARTBEAT_SECONDS", 0)
    real_rows = imports.checked_rows

    def rows(*args: Any, **kwargs: Any) -> Any:
        for i, row in enumerate(real_rows(*args, **kwargs)):
            if i == 12:
                with db.write() as session:
                    session.execute(update(Import).values(state=ImportState.failed.value))
            yield row

    monkeypatch.setattr(imports, "checked_rows", rows)
    with pytest.raises(Exception, match=r"given up for dead|was stopped"):
        run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
    assert tasks_of(db, project_id) == 0
    assert staging_files(options) == []


def test_orphan_staging_files_are_removed(db: Database, tmp_path: Path) -> None:
    staging = tmp_path / "imports"
    staging.mkdir()
    (staging / "999.sqlite").write_bytes(b"left over")
    (staging / "999.lock").write_bytes(b"")
    do_recover_imports(db, staging)
    assert list(staging.iterdir()) == []


def test_predictions_and_duplicates_survive_a_roll_forward(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.is_sqlite:
        pytest.skip("PostgreSQL commits the import with its rows, in one transaction")
    owner, _ = make_user(db, "owner@example.com")
    project = make_project(db, owner, RICH)
    options = ImportOptions(staging_dir=settings.data_dir / "imports")
    prediction = {"model_version": "m", "score": 0.5, "result": {"label": {"choice": "pos"}}}
    rows = [
        {"id": f"r{i % 15}", "text": "t", "responses": ["a", "b"], "predictions": [prediction]}
        for i in range(30)
    ]
    source = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    monkeypatch.setattr(moves, "MOVE_CHUNK", 4)
    real_move = moves.move_chunk

    def dying_move(*args: Any) -> Any:
        monkeypatch.setattr(moves, "move_chunk", real_move)
        real_move(*args)
        raise Died

    monkeypatch.setattr(moves, "move_chunk", dying_move)
    with pytest.raises(Died):
        run_import(db, owner, project.id, io.BytesIO(source), "jsonl", options)
    do_recover_imports(db, options.staging_dir)
    with db.read() as session:
        entry = session.scalars(select(Import)).one()
        assert (entry.state, entry.created, entry.duplicates, entry.predictions) == (
            "done",
            15,
            15,
            15,
        )
        assert session.scalar(select(func.count()).select_from(Prediction)) == 15
        tasks = session.scalar(select(func.count()).select_from(Task))
        assert tasks == 15
    assert_counts_match(db, project.id)


def test_death_during_the_postgres_move_leaves_nothing(
    db: Database, setup: tuple[Any, int, ImportOptions], monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.is_sqlite:
        pytest.skip("on SQLite the move commits chunk by chunk (see the tests above)")
    owner, project_id, options = setup
    monkeypatch.setattr(moves, "MOVE_CHUNK", 7)
    real_insert = moves.PostgresMove.insert

    def dying_insert(self: Any, *args: Any) -> Any:
        real_insert(self, *args)  # every row in, not yet committed
        raise Died

    monkeypatch.setattr(moves.PostgresMove, "insert", dying_insert)
    # A dead process records nothing; the kernel drops its lock.
    monkeypatch.setattr(imports, "_give_up", lambda job, exc: job.staging.release())
    with pytest.raises(Died):
        run_import(db, owner, project_id, io.BytesIO(body()), "jsonl", options)
    assert tasks_of(db, project_id) == 0
    assert imports_of(db) == [("staging", 0, 0)]
    assert len(do_recover_imports(db, options.staging_dir)) == 1
    assert imports_of(db) == [("failed", 0, 0)]
    assert staging_files(options) == []
    assert_counts_match(db, project_id)
