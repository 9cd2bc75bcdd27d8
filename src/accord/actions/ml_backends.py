"""Model servers of a project (docs/ml_backends.md): connect, change, disconnect; what a health
check found; the predictions a batch job stores; how far training has got.

A backend's URL obeys the webhooks' rules (`accord.jobs.webhook_targets.check_url`): no
internal address unless the instance allows it. Every change a manager makes is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accord.actions.active_learning import requeue
from accord.actions.audit import record
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid
from accord.jobs.ml_client import MAX_TIMEOUT
from accord.jobs.ml_protocols import Predicted
from accord.jobs.webhook_targets import check_url, shown_url
from accord.models import Annotation, MLBackend, MLHealth, MLProtocol, Prediction, User

MAX_BACKENDS = 20  # per project
MAX_TITLE = 200
MAX_TRAIN_EVERY = 1_000_000
PROTOCOLS = tuple(p.value for p in MLProtocol)


def _title(text: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_TITLE:
        raise Invalid(
            f"title: give the backend a name of 1 to {MAX_TITLE} characters",
            details={"field": "title"},
        )
    return text


def _protocol(name: str) -> str:
    if name not in PROTOCOLS:
        raise Invalid(
            f"protocol: {name!r} is not one; use {' or '.join(PROTOCOLS)}",
            details={"field": "protocol"},
        )
    return name


def _timeout(value: float) -> float:
    if not 0.1 <= value <= MAX_TIMEOUT:
        raise Invalid(
            f"timeout_seconds: between 0.1 and {MAX_TIMEOUT:g} seconds ({value:g} given)",
            details={"field": "timeout_seconds"},
        )
    return float(value)


def _train_every(value: int) -> int:
    if not 0 <= value <= MAX_TRAIN_EVERY:
        raise Invalid(
            f"train_every: 0 (never) to {MAX_TRAIN_EVERY} new annotations ({value} given)",
            details={"field": "train_every"},
        )
    return value


def newest_annotation(session: Session, project_id: int) -> int:
    """The id of the project's newest annotation (0: none)."""
    return int(
        session.scalar(select(func.max(Annotation.id)).where(Annotation.project_id == project_id))
        or 0
    )


def do_create_backend(
    session: Session,
    actor: User,
    project_id: int,
    *,
    title: str,
    url: str,
    protocol: str = MLProtocol.labelstudio.value,
    enabled: bool = True,
    interactive: bool = False,
    timeout_seconds: float = 30.0,
    train_every: int = 0,
    allow_private: bool = False,
) -> MLBackend:
    """Connect a model server. Training counts the annotations made from now on."""
    checked = check_url(url, allow_private=allow_private)
    count = session.scalar(
        select(func.count()).select_from(MLBackend).where(MLBackend.project_id == project_id)
    )
    if (count or 0) >= MAX_BACKENDS:
        raise Conflict(
            f"this project has {MAX_BACKENDS} ML backends, the most it may have; remove one first"
        )
    now = utcnow()
    backend = MLBackend(
        project_id=project_id,
        title=_title(title),
        url=checked,
        protocol=_protocol(protocol),
        enabled=enabled,
        interactive=interactive,
        timeout_seconds=_timeout(timeout_seconds),
        train_every=_train_every(train_every),
        trained_through=newest_annotation(session, project_id),
        model_version="",
        health=MLHealth.unknown.value,
        health_error="",
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(backend)
    session.flush()
    record(
        session,
        actor,
        "ml_backend.create",
        ("ml_backend", backend.id),
        project_id=project_id,
        after=shown(backend),
    )
    return backend


def do_update_backend(
    session: Session,
    actor: User,
    backend: MLBackend,
    changes: dict[str, Any],
    *,
    allow_private: bool = False,
) -> MLBackend:
    """Change what ``changes`` names (title, url, protocol, enabled, interactive,
    timeout_seconds, train_every); a new URL or protocol makes the health unknown again."""
    before = shown(backend)
    if changes.get("url") is not None and changes["url"].strip() != shown_url(backend.url):
        backend.url = check_url(changes["url"], allow_private=allow_private)
        backend.health, backend.health_error = MLHealth.unknown.value, ""
    if changes.get("title") is not None:
        backend.title = _title(changes["title"])
    if changes.get("protocol") is not None and changes["protocol"] != backend.protocol:
        backend.protocol = _protocol(changes["protocol"])
        backend.health, backend.health_error = MLHealth.unknown.value, ""
    for name in ("enabled", "interactive"):
        if changes.get(name) is not None:
            setattr(backend, name, bool(changes[name]))
    if changes.get("timeout_seconds") is not None:
        backend.timeout_seconds = _timeout(changes["timeout_seconds"])
    if changes.get("train_every") is not None:
        backend.train_every = _train_every(changes["train_every"])
    after = shown(backend)
    if after == before:
        return backend
    backend.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "ml_backend.update",
        ("ml_backend", backend.id),
        project_id=backend.project_id,
        before=before,
        after=after,
    )
    return backend


def do_delete_backend(session: Session, actor: User, backend: MLBackend) -> None:
    """Disconnect it; the predictions it made stay (they carry their model version)."""
    record(
        session,
        actor,
        "ml_backend.delete",
        ("ml_backend", backend.id),
        project_id=backend.project_id,
        before=shown(backend),
    )
    session.delete(backend)
    session.flush()


def do_record_health(
    session: Session, backend_id: int, *, up: bool, model_version: str = "", error: str = ""
) -> MLBackend | None:
    """What a health check found (None: the backend was removed meanwhile)."""
    backend = session.get(MLBackend, backend_id)
    if backend is None:
        return None
    backend.health = MLHealth.up.value if up else MLHealth.down.value
    backend.health_error = "" if up else error[:2000]
    backend.health_checked_at = utcnow()
    if up and model_version:
        backend.model_version = model_version[:200]
    session.flush()
    return backend


def do_store_predictions(session: Session, project_id: int, predicted: Sequence[Predicted]) -> int:
    """Store the answers that fit (`Predicted.ok`) as predictions; a task's earlier prediction
    of the same model version is replaced (a job run again stores each once). In an active
    learning order, the tasks take their new places in the queue. How many."""
    good = [p for p in predicted if p.ok]
    for version in {p.model_version for p in good}:
        session.execute(
            delete(Prediction).where(
                Prediction.project_id == project_id,
                Prediction.task_id.in_([p.task_id for p in good if p.model_version == version]),
                Prediction.model_version == version,
            )
        )
    now = utcnow()
    session.add_all(
        Prediction(
            task_id=p.task_id,
            project_id=project_id,
            model_version=p.model_version,
            score=p.score,
            result=orjson.dumps(p.result).decode(),
            probabilities=orjson.dumps(p.probabilities).decode() if p.probabilities else None,
            created_at=now,
        )
        for p in good
    )
    session.flush()
    requeue(session, project_id, sorted({p.task_id for p in good}))
    return len(good)


def do_mark_trained(
    session: Session, backend_id: int, through: int, model_version: str = ""
) -> None:
    """The annotations up to id ``through`` were sent for training."""
    backend = session.get(MLBackend, backend_id)
    if backend is None:
        return
    backend.trained_through = max(backend.trained_through, through)
    backend.last_trained_at = utcnow()
    if model_version:
        backend.model_version = model_version[:200]
    session.flush()


def shown(backend: MLBackend) -> dict[str, Any]:
    """What the audit log keeps of a backend (never a password in its URL)."""
    return {
        "title": backend.title,
        "url": shown_url(backend.url),
        "protocol": backend.protocol,
        "enabled": backend.enabled,
        "interactive": backend.interactive,
        "timeout_seconds": backend.timeout_seconds,
        "train_every": backend.train_every,
    }
