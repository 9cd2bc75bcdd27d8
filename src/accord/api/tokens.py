"""Personal API tokens: create (shown once), list, revoke."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import select

from accord.actions.tokens import MAX_EXPIRY_DAYS, do_create_token, do_revoke_token
from accord.api.auth import CurrentCaller, Db, forget_callers
from accord.api.errors import errors
from accord.api.schemas import In, Out
from accord.errors import NotFound
from accord.models import ApiToken, User

router = APIRouter(tags=["tokens"])


class TokenCreate(In):
    name: str = Field(default="", max_length=200, description="What the token is for")
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EXPIRY_DAYS,
        description="Days the token works for; left out, it works until revoked",
    )


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="null: the token does not expire")
    last_used_at: dt.datetime | None = Field(
        description="When the token was last used (recorded to the minute)"
    )


class NewToken(TokenOut):
    token: str = Field(description="The token itself; shown only this once")


@router.get("/tokens", summary="The caller's API tokens", responses=errors(401))
def list_tokens(caller: CurrentCaller, db: Db) -> list[TokenOut]:
    with db.read() as session:
        rows = session.scalars(
            select(ApiToken).where(ApiToken.user_id == caller.user.id).order_by(ApiToken.id)
        )
        return [TokenOut.model_validate(t) for t in rows]


@router.post(
    "/tokens", summary="Create an API token", status_code=201, responses=errors(401, 413, 422)
)
def create_token(body: TokenCreate, caller: CurrentCaller, db: Db) -> NewToken:
    with db.write() as session:
        user = session.get(User, caller.user.id)
        assert user is not None
        token, row = do_create_token(
            session, user, user, body.name, expires_in_days=body.expires_in_days
        )
        return NewToken(**TokenOut.model_validate(row).model_dump(), token=token)


@router.delete(
    "/tokens/{token_id}",
    summary="Revoke an API token",
    status_code=204,
    responses=errors(401, 404, 409, 422),
)
def revoke_token(token_id: int, caller: CurrentCaller, db: Db, request: Request) -> None:
    with db.write() as session:
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != caller.user.id:
            raise NotFound(f"no token {token_id} of yours")
        do_revoke_token(session, caller.user, token)
    forget_callers(request)
