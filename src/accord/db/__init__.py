"""Database access: the engine, sessions and the single write path (`Database.write`)."""

from accord.db.database import Database

__all__ = ["Database"]
