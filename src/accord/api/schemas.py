"""Response shapes shared by several routers. Requests live beside their handlers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from accord.models import User


class In(BaseModel):
    """A request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserOut(Out):
    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls.model_validate(user)


class Deleted(BaseModel):
    deleted: bool = True
