"""Response shapes shared by several routers. Requests live beside their handlers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.api.policies import ADMIN
from accord.db.types import utcnow
from accord.models import Role, User


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
    can_create_projects: bool = Field(
        description="May create projects (granted by an admin; admins always may)"
    )
    locked_until: dt.datetime | None = Field(
        description="Signing in is refused until then, after repeated failed sign-ins "
        "(null: not locked)"
    )
    last_login_at: dt.datetime | None = Field(description="The last browser sign-in")
    created_at: dt.datetime
    is_source: bool = Field(
        default=False,
        description="An imported source of annotations (import with source=NAME), not a "
        "person: it never signs in",
    )

    @classmethod
    def of(cls, user: User) -> UserOut:
        out = cls.model_validate(user)
        if out.locked_until is not None and out.locked_until <= utcnow():
            out.locked_until = None  # a lock that has run out
        return out


class Deleted(BaseModel):
    deleted: bool = True


class ChecklistItemIn(In):
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="A short stable name (default: from the text); keep it when rewording",
    )
    text: str = Field(min_length=1, max_length=500, description="What reviewers check")
    severity: Literal["minor", "major", "critical"] = "major"
    guideline: str | None = Field(
        default=None, min_length=1, max_length=200, description="A guideline section's anchor"
    )


class ChecklistItem(BaseModel):
    id: str
    text: str
    severity: str


class LinkedChecklistItem(ChecklistItem):
    """A checklist item as the project shows it: with its guideline section, if linked."""

    guideline: str | None = Field(default=None, description="A guideline section's anchor")


def shows_emails(role: str) -> bool:
    """Whether a caller in ``role`` sees other people's emails in a project's answers
    (members, annotations): managers and admins do; others see names, and their own email."""
    return role in (Role.manager.value, ADMIN)
