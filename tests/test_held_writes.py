"""Writes sent `later` (`accord.db.raw`): the work counters and the audit trail go to
PostgreSQL with the transaction's next statement, in one round trip, in the code's order; they
are never lost at a commit nor sent after a rollback; on SQLite they run at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from accord.db.database import Database
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.models import AuditEvent

_AUDIT = Sql(
    "INSERT INTO audit_events (at, actor_id, project_id, action, object_type, object_id) "
    "VALUES (?, NULL, NULL, ?, 'test', ?)"
)
_COUNT = Sql("SELECT count(*) FROM audit_events WHERE action = ?")
_BROKEN = Sql("INSERT INTO audit_events (at, action, object_type) VALUES (?, NULL, 'test')")


def _held(raw: Raw, action: str, n: int) -> None:
    for i in range(n):
        raw.later(_AUDIT, (raw.stamp(utcnow()), action, i))


def _count(db: Database, action: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def test_the_next_statement_and_the_orm_see_them_in_order(db: Database) -> None:
    with db.write() as session:
        raw = Raw.of(session)
        _held(raw, "held.raw", 2)
        assert raw.one(_COUNT, ("held.raw",)) == (2,)
        _held(raw, "held.orm", 3)
        orm = session.execute(
            text("SELECT count(*) FROM audit_events WHERE action = :a"), {"a": "held.orm"}
        ).scalar()
        assert orm == 3
        _held(raw, "held.commit", 1)  # nothing after it: sent before the commit
    assert [_count(db, a) for a in ("held.raw", "held.orm", "held.commit")] == [2, 3, 1]


def test_a_rollback_drops_them_and_the_next_transaction_does_not_send_them(
    db: Database,
) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        _held(Raw.of(session), "held.dropped", 2)
        raise RuntimeError("the action failed")
    for _ in range(3):  # whichever pooled connection comes next
        with db.write() as session:
            Raw.of(session).one(Sql("SELECT 1"))
    assert _count(db, "held.dropped") == 0


def test_a_failing_held_write_fails_its_whole_transaction(db: Database) -> None:
    """Its error comes from the next statement or the commit (PostgreSQL), or at once
    (SQLite); either way nothing of the transaction is written."""
    with pytest.raises(Exception, match=r"action|null"), db.write() as session:
        raw = Raw.of(session)
        _held(raw, "held.failed", 1)
        raw.later(_BROKEN, (raw.stamp(utcnow()),))
    assert _count(db, "held.failed") == 0


def test_on_postgresql_they_ride_in_one_round_trip(db: Database, tmp_path: Path) -> None:
    """Three held writes and the statement after them: one synchronisation with the server
    (libpq's trace counts the Sync messages sent), instead of one each."""
    if db.is_sqlite:
        pytest.skip("SQLite runs them at once: no network")
    trace = tmp_path / "libpq.trace"
    with db.write() as session:
        raw = Raw.of(session)
        raw.one(Sql("SELECT 1"))  # BEGIN is behind us
        pgconn = session.connection().connection.driver_connection.pgconn  # type: ignore[union-attr]
        with trace.open("w") as out:
            pgconn.trace(out.fileno())
            try:
                _held(raw, "held.trip", 3)
                assert raw.one(_COUNT, ("held.trip",)) == (3,)
            finally:
                pgconn.untrace()
    sent = [line for line in trace.read_text().splitlines() if "\tF\t" in line]
    assert sum("\tSync" in line for line in sent) == 1, "\n".join(sent)
    assert sum("\tBind\t" in line for line in sent) == 4, "\n".join(sent)
