"""The delivery log's changes as a sender works through it: claim the due deliveries, record
each attempt's outcome (scheduling the retry), and remove what is no longer needed.

A claim is one conditional UPDATE: on SQLite writers are serialised, on PostgreSQL the due rows
are locked with ``FOR UPDATE SKIP LOCKED`` (and checked again once locked), so of two senders
claiming at once each delivery goes to exactly one. Claiming moves the delivery to ``sending``,
counts the attempt and sets its next attempt to the end of the claim (`CLAIM_SECONDS`): a
sender that dies leaves it due again then. An outcome is written only by the attempt that
claimed it (``attempts`` names the attempt).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from accord.models import DeliveryState, Project, Webhook, WebhookDelivery

# Pauses before each retry, in seconds: 10 s, 1 min, 5 min, 30 min, 2 h; then it has failed
# (six attempts in all, over about 2 h 36 min).
BACKOFF: tuple[float, ...] = (10, 60, 300, 1800, 7200)
CLAIM_SECONDS = 60.0  # longer than any attempt (10 s) and the writes around it
KEEP_DAYS = 30  # finished deliveries stay in the log this long
PRUNE_BATCH = 1000
RESPONSE_CHARS = 1024
ERROR_CHARS = 1024

SENDING = DeliveryState.sending.value


@dataclass(frozen=True)
class Claimed:
    """A delivery a sender holds, with what it needs to send it."""

    id: int
    webhook_id: int
    project_id: int
    event: str
    payload: str  # JSON text of the event's data
    attempt: int
    created_at: dt.datetime
    redelivery_of: int | None
    url: str
    secret: str
    # Why it must not be sent after all (None: send it).
    stop: str | None


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    delivered: bool
    status: int | None = None  # the receiver's HTTP status; None: no answer
    duration_ms: float | None = None
    body: str = ""  # the start of the receiver's answer
    error: str = ""
    retry: bool = True  # worth another attempt (never when the target was refused)


def do_claim_deliveries(session: Session, now: dt.datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries, soonest first."""
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = (
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(due.scalar_subquery()),
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(
                state=SENDING,
                attempts=WebhookDelivery.attempts + 1,
                next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS),
            )
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = session.execute(
        select(WebhookDelivery, Webhook, Project.deleted_at)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .join(Project, Project.id == Webhook.project_id)
        .where(WebhookDelivery.id.in_(claimed))
        .order_by(WebhookDelivery.id)
    ).all()
    return [_claimed(d, w, deleted) for d, w, deleted in rows]


def _claimed(d: WebhookDelivery, w: Webhook, project_deleted: dt.datetime | None) -> Claimed:
    stop = None
    if project_deleted is not None:
        stop = "the project was deleted before this delivery was sent"
    elif w.deleted_at is not None:
        stop = "the webhook was deleted before this delivery was sent"
    elif not w.enabled:
        stop = "the webhook was disabled before this delivery was sent; redeliver it if needed"
    return Claimed(
        id=d.id,
        webhook_id=d.webhook_id,
        project_id=d.project_id,
        event=d.event,
        payload=d.payload,
        attempt=d.attempts,
        created_at=d.created_at,
        redelivery_of=d.redelivery_of,
        url=w.url,
        secret=w.secret,
        stop=stop,
    )


def do_record_outcomes(
    session: Session,
    outcomes: Sequence[tuple[Claimed, Outcome]],
    now: dt.datetime,
    backoff: Sequence[float] = BACKOFF,
) -> None:
    """Write each attempt's outcome: delivered; or pending again after the attempt's pause in
    ``backoff``; or failed once the pauses are used up (or it is not worth retrying)."""
    for claimed, outcome in outcomes:
        values: dict[str, object] = {
            "response_status": outcome.status,
            "duration_ms": None if outcome.duration_ms is None else round(outcome.duration_ms, 1),
            "response_body": outcome.body[:RESPONSE_CHARS],
            "error": outcome.error[:ERROR_CHARS],
            "last_attempt_at": now,
        }
        if outcome.delivered:
            values |= {
                "state": DeliveryState.delivered.value,
                "next_attempt_at": None,
                "delivered_at": now,
            }
        elif outcome.retry and claimed.attempt <= len(backoff):
            pause = dt.timedelta(seconds=backoff[claimed.attempt - 1])
            values |= {"state": DeliveryState.pending.value, "next_attempt_at": now + pause}
        else:
            values |= {"state": DeliveryState.failed.value, "next_attempt_at": None}
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == claimed.id,
                WebhookDelivery.state == SENDING,
                WebhookDelivery.attempts == claimed.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def do_prune_deliveries(session: Session, now: dt.datetime, batch: int = PRUNE_BATCH) -> int:
    """Remove one batch of what the log no longer needs: the deliveries of a deleted webhook
    (then the webhook itself), else finished deliveries older than `KEEP_DAYS`. How many rows
    went (0: nothing left to do)."""
    gone = session.scalar(
        select(Webhook.id).where(Webhook.deleted_at.is_not(None)).order_by(Webhook.id).limit(1)
    )
    if gone is not None:
        ids = select(WebhookDelivery.id).where(WebhookDelivery.webhook_id == gone).limit(batch)
        removed = session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids.scalar_subquery()))
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if removed:
            return int(removed)
        session.execute(delete(Webhook).where(Webhook.id == gone))
        return 1
    # The head of the log by id (the oldest rows): only these are read, whatever its size.
    head = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.created_at, WebhookDelivery.next_attempt_at)
        .order_by(WebhookDelivery.id)
        .limit(batch)
    ).all()
    cutoff = now - dt.timedelta(days=KEEP_DAYS)
    old = [row[0] for row in head if row[1] < cutoff and row[2] is None]
    if not old:
        return 0
    session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.id.in_(old))
        .execution_options(synchronize_session=False)
    )
    return len(old)
