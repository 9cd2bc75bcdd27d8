"""Webhooks: a project's managers register URLs for events; actions emit the events.

`emit` writes one delivery row per enabled webhook subscribed to the event, in the transaction
of the action that made it (an outbox): the event and its deliveries commit together or not at
all, and nothing is sent inside a request. `accord.jobs.webhooks.deliver_due` sends them from
the process that runs background jobs. The events and their payloads are in docs/webhooks.md;
`accord.actions.webhook_events` builds them where they happen.

Every change here is audited; the secret never is (it is shown once, at creation and rotation).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid
from accord.jobs.webhook_targets import check_url, shown_url
from accord.models import DeliveryState, Project, User, Webhook, WebhookDelivery

# The events a webhook may subscribe to (docs/webhooks.md describes each payload).
EVENTS = (
    "annotation.created",
    "annotation.updated",
    "task.completed",
    "review.decided",
    "job.finished",
)
PING = "ping"  # the test-send: delivered whatever the webhook subscribes to
SECRET_PREFIX = "whsec_"
MAX_WEBHOOKS = 20  # per project
MAX_DESCRIPTION = 200
FINISHED = (DeliveryState.delivered.value, DeliveryState.failed.value)

Payload = dict[str, Any] | Callable[[], dict[str, Any]]


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [name for name in chosen if name not in EVENTS]
    if unknown or not chosen:
        what = f"unknown event {unknown[0]!r}" if unknown else "choose at least one event"
        raise Invalid(
            f"events: {what}; the events are {', '.join(EVENTS)}", details={"field": "events"}
        )
    return chosen


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise Invalid(
            f"description: at most {MAX_DESCRIPTION} characters ({len(text)} given)",
            details={"field": "description"},
        )
    return text


def _touch(session: Session, project_id: int) -> None:
    """The project's settings changed (its cached `ProjectInfo.webhooks` is read again)."""
    project = session.get(Project, project_id)
    if project is not None:
        project.updated_at = utcnow()


def do_create_webhook(
    session: Session,
    actor: User,
    project_id: int,
    url: str,
    events: Iterable[str],
    *,
    description: str = "",
    enabled: bool = True,
    allow_private: bool = False,
) -> Webhook:
    """Register a webhook; its secret (on the returned row) is shown to the caller once."""
    checked = check_url(url, allow_private=allow_private)
    chosen = check_events(events)
    count = session.scalar(
        select(func.count())
        .select_from(Webhook)
        .where(Webhook.project_id == project_id, Webhook.deleted_at.is_(None))
    )
    if (count or 0) >= MAX_WEBHOOKS:
        raise Conflict(
            f"this project has {MAX_WEBHOOKS} webhooks, the most it may have; delete one first"
        )
    now = utcnow()
    webhook = Webhook(
        project_id=project_id,
        url=checked,
        description=_description(description),
        events=chosen,
        secret=new_secret(),
        enabled=enabled,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(webhook)
    session.flush()
    _touch(session, project_id)
    record(
        session,
        actor,
        "webhook.create",
        ("webhook", webhook.id),
        project_id=project_id,
        after=_shown(webhook),
    )
    return webhook


def do_update_webhook(
    session: Session,
    actor: User,
    webhook: Webhook,
    *,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    allow_private: bool = False,
) -> Webhook:
    """Change what is given (None: unchanged). Deliveries already written keep their event;
    those still waiting when the webhook is disabled are not sent (the log says so)."""
    before, called = _shown(webhook), webhook.url
    if url is not None and url.strip() != shown_url(webhook.url):  # as shown: unchanged
        webhook.url = check_url(url, allow_private=allow_private)
    if events is not None:
        webhook.events = check_events(events)
    if description is not None:
        webhook.description = _description(description)
    if enabled is not None:
        webhook.enabled = enabled
    after = _shown(webhook)
    if after == before and webhook.url == called:
        return webhook
    webhook.updated_at = utcnow()
    session.flush()
    _touch(session, webhook.project_id)
    record(
        session,
        actor,
        "webhook.update",
        ("webhook", webhook.id),
        project_id=webhook.project_id,
        before=before,
        after=after,
    )
    return webhook


def do_rotate_secret(session: Session, actor: User, webhook: Webhook) -> Webhook:
    """Give the webhook a new secret (shown once); deliveries sent from now on are signed with
    it, including retries of earlier ones."""
    webhook.secret = new_secret()
    webhook.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "webhook.rotate_secret",
        ("webhook", webhook.id),
        project_id=webhook.project_id,
    )
    return webhook


def do_delete_webhook(session: Session, actor: User, webhook: Webhook) -> None:
    """Delete the webhook: gone and silent at once; its delivery log is removed a batch at a
    time afterwards (`accord.actions.webhook_deliveries.do_prune_deliveries`)."""
    webhook.enabled = False
    webhook.deleted_at = utcnow()
    session.flush()
    _touch(session, webhook.project_id)
    record(
        session,
        actor,
        "webhook.delete",
        ("webhook", webhook.id),
        project_id=webhook.project_id,
        before=_shown(webhook),
    )


def do_test_webhook(session: Session, actor: User, webhook: Webhook) -> WebhookDelivery:
    """Queue a ``ping`` delivery to the webhook (sent within a second or so by the process
    that runs background jobs); its outcome appears in the delivery log."""
    if not webhook.enabled:
        raise Conflict("this webhook is disabled; enable it to send a test", code="disabled")
    payload = {
        "webhook": {"id": webhook.id, "url": shown_url(webhook.url), "events": webhook.events},
        "message": "A test from Accord: this webhook is set up.",
        "by": actor.id,
    }
    delivery = _add(session, webhook, PING, orjson.dumps(payload).decode())
    record(
        session,
        actor,
        "webhook.test",
        ("webhook", webhook.id),
        project_id=webhook.project_id,
        after={"delivery_id": delivery.id},
    )
    return delivery


def do_redeliver(
    session: Session, actor: User, webhook: Webhook, delivery: WebhookDelivery
) -> WebhookDelivery:
    """Send a finished delivery again, as a new delivery with the same event and payload
    (``redelivery_of`` names the first); the first one stays in the log as it ended."""
    if delivery.webhook_id != webhook.id:
        raise Invalid(f"delivery {delivery.id} is not one of webhook {webhook.id}'s")
    if delivery.state not in FINISHED:
        raise Conflict(
            f"delivery {delivery.id} is still {delivery.state}; redeliver it once it has "
            "succeeded or failed",
            code="delivery_pending",
        )
    if not webhook.enabled:
        raise Conflict("this webhook is disabled; enable it to redeliver", code="disabled")
    again = _add(session, webhook, delivery.event, delivery.payload, redelivery_of=delivery.id)
    record(
        session,
        actor,
        "webhook.redeliver",
        ("webhook", webhook.id),
        project_id=webhook.project_id,
        after={"delivery_id": again.id, "of": delivery.id},
    )
    return again


def _add(
    session: Session,
    webhook: Webhook,
    event: str,
    payload: str,
    *,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    now = utcnow()
    delivery = WebhookDelivery(
        webhook_id=webhook.id,
        project_id=webhook.project_id,
        event=event,
        payload=payload,
        state=DeliveryState.pending.value,
        attempts=0,
        next_attempt_at=now,
        response_body="",
        error="",
        created_at=now,
        redelivery_of=redelivery_of,
    )
    session.add(delivery)
    session.flush()
    mark_emitted(session)
    return delivery


def _shown(webhook: Webhook) -> dict[str, Any]:
    """What the audit log keeps of a webhook (never its secret, nor a password in its URL)."""
    return {
        "url": shown_url(webhook.url),
        "events": list(webhook.events),
        "enabled": webhook.enabled,
        "description": webhook.description,
    }


# -- emitting ----------------------------------------------------------------------------

# One probe of the webhooks' project index: what every emitting action pays when the project
# has no webhook (the usual case). Deleted webhooks are disabled.
_SUBSCRIBED = Sql("SELECT id, events FROM webhooks WHERE project_id = ? AND enabled")
_INSERT = Sql(
    "INSERT INTO webhook_deliveries (webhook_id, project_id, event, payload, state, attempts, "
    "next_attempt_at, response_body, error, created_at) "
    "VALUES (?, ?, ?, ?, 'pending', 0, ?, '', '', ?)"
)
EMITTED = "webhook_deliveries"  # session.info key: this transaction wrote deliveries


class Subscribers:
    """The project's enabled webhooks by the events they subscribe to, read once for the
    events an action emits."""

    def __init__(self, raw: Raw, project_id: int) -> None:
        self.raw = raw
        self.project_id = project_id
        self.by_event: dict[str, list[int]] = {}
        for webhook_id, events in raw.all(_SUBSCRIBED, (project_id,)):
            for event in orjson.loads(events):
                self.by_event.setdefault(str(event), []).append(int(webhook_id))

    def wants(self, event: str) -> bool:
        return event in self.by_event

    def emit(self, session: Session, event: str, payload: Payload) -> int:
        """Write a delivery of ``event`` to each subscribed webhook; how many. ``payload``
        (the event's data) may be a function, called only when someone subscribes."""
        webhooks = self.by_event.get(event)
        if not webhooks:
            return 0
        data = payload() if callable(payload) else payload
        text = orjson.dumps(data, option=orjson.OPT_UTC_Z).decode()
        stamp = self.raw.stamp(utcnow())
        for webhook_id in webhooks:
            self.raw.run(_INSERT, (webhook_id, self.project_id, event, text, stamp, stamp))
        mark_emitted(session)
        return len(webhooks)


def emit(session: Session, project_id: int | None, event: str, payload: Payload) -> int:
    """Write one delivery of ``event`` per enabled webhook of the project subscribed to it,
    in the caller's transaction; how many. With no webhook this costs one indexed query."""
    if project_id is None:
        return 0
    return Subscribers(Raw(session), project_id).emit(session, event, payload)


def mark_emitted(session: Session) -> None:
    """Note on the session that its transaction wrote deliveries: once it commits, the job
    runner may send them at once (`emitted`) instead of at its next tick."""
    session.info[EMITTED] = True


def emitted(session: Session) -> bool:
    return bool(session.info.get(EMITTED))
