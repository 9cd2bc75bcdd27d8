"""The instance's secrets (`accord.models.secrets`): made on first use, then read by every
process. What one server signs with them (a link to a stored file), any other can check."""

from __future__ import annotations

import secrets

from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accord.db import Database
from accord.db.types import utcnow
from accord.models import InstanceSecret

FILE_LINKS = "file_links"  # signs the links to stored files (`accord.media.files`)


def instance_secret(db: Database, name: str = FILE_LINKS) -> bytes:
    """The secret called ``name``, made now if this instance has none yet.

    A secret never changes once made, so each process remembers it after the first read.
    """
    remembered = db.memo.get(("instance_secret", name))
    if isinstance(remembered, bytes):
        return remembered
    with db.read() as session:
        row = session.get(InstanceSecret, name)
    if row is None:
        with db.write() as session:
            do_create_secret(session, name)
        with db.read() as session:
            row = session.get(InstanceSecret, name)
        assert row is not None
    value = bytes.fromhex(row.value)
    db.memo[("instance_secret", name)] = value
    return value


def do_create_secret(session: Session, name: str) -> None:
    """Make the secret ``name`` unless it exists (another process may have made it a moment
    ago: the first one made is kept, so everyone uses the same)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    session.execute(
        insert(InstanceSecret)
        .values(name=name, value=secrets.token_hex(32), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["name"])
    )
