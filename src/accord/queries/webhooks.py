"""A project's webhooks and their delivery log, as managers see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.models import Webhook, WebhookDelivery


def has_webhooks(session: Session, project_id: int) -> bool:
    """Whether the project has an enabled webhook (deleted ones are disabled)."""
    found = session.scalar(
        select(Webhook.id).where(Webhook.project_id == project_id, Webhook.enabled).limit(1)
    )
    return found is not None


def webhooks_of(session: Session, project_id: int) -> Sequence[Webhook]:
    """The project's webhooks (not the deleted ones), oldest first."""
    return session.scalars(
        select(Webhook)
        .where(Webhook.project_id == project_id, Webhook.deleted_at.is_(None))
        .order_by(Webhook.id)
    ).all()


def webhook_in(
    session: Session, project_id: int, webhook_id: int, *, lock: bool = False
) -> Webhook:
    """The project's webhook ``webhook_id``, or `NotFound`."""
    query = select(Webhook).where(
        Webhook.id == webhook_id, Webhook.project_id == project_id, Webhook.deleted_at.is_(None)
    )
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no webhook {webhook_id} in project {project_id}")
    return found


def deliveries_of(
    session: Session,
    webhook_id: int,
    *,
    before: int | None = None,
    state: str | None = None,
    limit: int = 50,
) -> Sequence[WebhookDelivery]:
    """A page of the webhook's delivery log, newest first (``before``: older than this id)."""
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    return session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def delivery_of(session: Session, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    found = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id
        )
    )
    if found is None:
        raise NotFound(f"no delivery {delivery_id} of webhook {webhook_id}")
    return found


def any_due(session: Session, now: dt.datetime) -> bool:
    """Whether a delivery is due (one probe of the due index; a read, so it never waits)."""
    found = session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.next_attempt_at <= now).limit(1)
    )
    return found is not None
