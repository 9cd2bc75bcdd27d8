"""Webhooks of a project (its managers and admins): register, change, rotate the secret, test,
delete; the delivery log, and redelivery. See docs/webhooks.md."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from accord.actions.webhooks import (
    MAX_DESCRIPTION,
    do_create_webhook,
    do_delete_webhook,
    do_redeliver,
    do_rotate_secret,
    do_test_webhook,
    do_update_webhook,
)
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.policies import Can, access
from accord.api.schemas import Deleted, In
from accord.jobs.webhook_targets import MAX_URL, shown_url
from accord.models import Webhook, WebhookDelivery
from accord.queries.webhooks import deliveries_of, delivery_of, webhook_in, webhooks_of

router = APIRouter(tags=["webhooks"])

Event = Literal[
    "annotation.created", "annotation.updated", "task.completed", "review.decided", "job.finished"
]
DeliveryStateName = Literal["pending", "sending", "delivered", "failed"]
HINT = 10  # characters of the secret shown after creation (its fixed prefix and 4 more)


class WebhookIn(In):
    url: str = Field(max_length=MAX_URL, description="http(s) URL the deliveries are POSTed to")
    events: list[Event] = Field(min_length=1, description="The events to deliver")
    description: str = Field(default="", max_length=MAX_DESCRIPTION, description="What it is for")
    enabled: bool = True


class WebhookChange(In):
    url: str | None = Field(default=None, max_length=MAX_URL)
    events: list[Event] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    enabled: bool | None = None


class WebhookOut(BaseModel):
    id: int
    project_id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    secret_hint: str = Field(description="The start of the signing secret, to tell them apart")
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls(
            id=webhook.id,
            project_id=webhook.project_id,
            url=shown_url(webhook.url),
            description=webhook.description,
            events=list(webhook.events),
            enabled=webhook.enabled,
            secret_hint=webhook.secret[:HINT] + "…",
            created_at=webhook.created_at,
            updated_at=webhook.updated_at,
        )


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        description="The signing secret; shown only this once (rotate it to get a new one)"
    )


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event: str
    state: str = Field(description="pending, sending, delivered or failed")
    attempts: int
    response_status: int | None = Field(description="The receiver's HTTP status, last attempt")
    duration_ms: float | None
    response_body: str = Field(description="The first KiB of the receiver's last answer")
    error: str = Field(description="What went wrong in the last attempt (empty: nothing)")
    next_attempt_at: dt.datetime | None = Field(description="When it is tried (again)")
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    redelivery_of: int | None

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=d.id,
            webhook_id=d.webhook_id,
            event=d.event,
            state=d.state,
            attempts=d.attempts,
            response_status=d.response_status,
            duration_ms=d.duration_ms,
            response_body=d.response_body,
            error=d.error,
            next_attempt_at=d.next_attempt_at,
            last_attempt_at=d.last_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
            redelivery_of=d.redelivery_of,
        )


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page")


BASE = "/projects/{project_id}/webhooks"
ONE = BASE + "/{webhook_id}"


def _with_secret(webhook: Webhook) -> WebhookWithSecret:
    return WebhookWithSecret(**WebhookOut.of(webhook).model_dump(), secret=webhook.secret)


@router.get(BASE, summary="The project's webhooks", responses=errors(401, 403, 404, 422))
def list_webhooks(project_id: int, caller: CurrentCaller, db: Db) -> list[WebhookOut]:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return [WebhookOut.of(w) for w in webhooks_of(session, project_id)]


@router.post(
    BASE,
    summary="Register a webhook (its secret is in the answer, only this once)",
    status_code=201,
    responses=errors(401, 403, 404, 409, 413, 422),
)
def create_webhook(
    project_id: int, body: WebhookIn, caller: CurrentCaller, db: Db, settings: AppSettings
) -> WebhookWithSecret:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        webhook = do_create_webhook(
            session,
            caller.user,
            project_id,
            body.url,
            body.events,
            description=body.description,
            enabled=body.enabled,
            allow_private=settings.webhook_allow_private,
        )
        return _with_secret(webhook)


@router.get(ONE, summary="A webhook", responses=errors(401, 403, 404, 422))
def get_webhook(project_id: int, webhook_id: int, caller: CurrentCaller, db: Db) -> WebhookOut:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        return WebhookOut.of(webhook_in(session, project_id, webhook_id))


@router.patch(
    ONE,
    summary="Change a webhook's URL, events, description, or enable/disable it",
    responses=errors(401, 403, 404, 413, 422),
)
def update_webhook(
    project_id: int,
    webhook_id: int,
    body: WebhookChange,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
) -> WebhookOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        webhook = do_update_webhook(
            session,
            caller.user,
            webhook_in(session, project_id, webhook_id, lock=True),
            url=body.url,
            events=body.events,
            description=body.description,
            enabled=body.enabled,
            allow_private=settings.webhook_allow_private,
        )
        return WebhookOut.of(webhook)


@router.delete(ONE, summary="Delete a webhook and its log", responses=errors(401, 403, 404, 422))
def delete_webhook(project_id: int, webhook_id: int, caller: CurrentCaller, db: Db) -> Deleted:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        do_delete_webhook(session, caller.user, webhook_in(session, project_id, webhook_id))
    return Deleted()


@router.post(
    ONE + "/rotate-secret",
    summary="Give a webhook a new signing secret (in the answer, only this once)",
    responses=errors(401, 403, 404, 422),
)
def rotate_secret(
    project_id: int, webhook_id: int, caller: CurrentCaller, db: Db
) -> WebhookWithSecret:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        webhook = do_rotate_secret(
            session, caller.user, webhook_in(session, project_id, webhook_id, lock=True)
        )
        return _with_secret(webhook)


@router.post(
    ONE + "/test",
    summary="Send a test delivery (event `ping`); its outcome appears in the delivery log",
    status_code=202,
    responses=errors(401, 403, 404, 409, 422),
)
def test_webhook(project_id: int, webhook_id: int, caller: CurrentCaller, db: Db) -> DeliveryOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        delivery = do_test_webhook(
            session, caller.user, webhook_in(session, project_id, webhook_id)
        )
        return DeliveryOut.of(delivery)


@router.get(
    ONE + "/deliveries",
    summary="A webhook's delivery log, newest first",
    responses=errors(401, 403, 404, 422),
)
def list_deliveries(
    project_id: int,
    webhook_id: int,
    caller: CurrentCaller,
    db: Db,
    before: int | None = Query(default=None, ge=1, description="Deliveries older than this id"),
    state: DeliveryStateName | None = Query(default=None),
    limit: int = Query(default=50, ge=1, le=500),
) -> DeliveryPage:
    with db.read() as session:
        access(session, caller.user, project_id, Can.manage)
        webhook_in(session, project_id, webhook_id)
        rows = deliveries_of(session, webhook_id, before=before, state=state, limit=limit)
        return DeliveryPage(
            items=[DeliveryOut.of(d) for d in rows],
            next_before=rows[-1].id if len(rows) == limit else None,
        )


@router.post(
    ONE + "/deliveries/{delivery_id}/redeliver",
    summary="Send a finished delivery again (as a new delivery)",
    status_code=202,
    responses=errors(401, 403, 404, 409, 422),
)
def redeliver(
    project_id: int, webhook_id: int, delivery_id: int, caller: CurrentCaller, db: Db
) -> DeliveryOut:
    with db.write() as session:
        access(session, caller.user, project_id, Can.manage)
        webhook = webhook_in(session, project_id, webhook_id)
        again = do_redeliver(
            session, caller.user, webhook, delivery_of(session, webhook_id, delivery_id)
        )
        return DeliveryOut.of(again)
