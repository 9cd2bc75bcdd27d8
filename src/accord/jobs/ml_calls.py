"""The conversations with a model server, per protocol: health, predict, train
(docs/ml_backends.md). `Backend` is what a call needs, read from the database beforehand:
nothing here holds a transaction while the server thinks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.actions.secrets import instance_secret
from accord.db import Database
from accord.jobs.ml_client import PREDICT_BYTES, CallFailed, Target, call
from accord.jobs.ml_protocols import (
    Garbage,
    Predicted,
    TaskIn,
    accord_predict_body,
    label_config,
    ls_context,
    ls_predict_body,
    ls_project,
    ls_setup_body,
    ls_tasks,
    read_accord_predictions,
    read_ls_predictions,
    train_version,
)
from accord.kinds.interface import Interface, parse_interface
from accord.media.files import FILES_PATH
from accord.media.links import CLIPS
from accord.media.storage import storage_location
from accord.models import MLBackend, MLProtocol, Project
from accord.settings import Settings


@dataclass(frozen=True)
class MediaLinks:
    """How the media references of task data become links a model server can GET without a
    browser session: signed and short-lived as for readers (`accord.media.links`), and
    absolute (``base``, `Settings.public_url` or the address a request came to; empty: Accord's
    own ``/api/v1/files/...`` links stay paths)."""

    settings: Settings
    secret: bytes | None
    base: str = ""

    def sign(self, data: Mapping[str, Any]) -> dict[str, Any]:
        from accord.media.links import needs_signing, sign_task_data

        plain = dict(data)
        if not needs_signing(plain):
            return plain
        signed = sign_task_data(
            plain, self.settings, self.settings.file_url_seconds, secret=self.secret
        )
        return {k: self._absolute(v) for k, v in signed.items()} if self.base else signed

    def _absolute(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FILES_PATH):
            return self.base + value
        if isinstance(value, list):
            return [self._absolute(v) for v in value]
        if isinstance(value, dict):
            return {k: self._absolute(v) if k in ("src", *CLIPS) else v for k, v in value.items()}
        return value


def media_links(db: Database, settings: Settings, base: str | None = None) -> MediaLinks:
    """`MediaLinks` for calls made now: ``base`` (the server's own address, `own_address`)
    serves when the setting `public_url` is unset. Reads the instance's secret (local
    storage), so call it outside a transaction."""
    secret = instance_secret(db) if storage_location(settings)[0] == "file" else None
    where = settings.public_url or (base or "").rstrip("/")
    return MediaLinks(settings, secret, where)


def own_address(settings: Settings) -> str:
    """The address this server listens at (`ACCORD_HOST`, `ACCORD_PORT`; all interfaces:
    this machine's loopback), for links a model server on this machine can fetch when
    `ACCORD_PUBLIC_URL` is unset. Never the address a request names (its Host header): an
    annotator could make the model server fetch from a host of their choosing."""
    host = settings.host
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    elif ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


@dataclass(frozen=True)
class Backend:
    id: int
    project_id: int
    title: str
    protocol: str
    model_version: str
    target: Target
    interface: Interface
    interface_json: Mapping[str, Any]
    ls_project: str
    media: MediaLinks | None = None  # None: task data sent as stored

    @property
    def labelstudio(self) -> bool:
        return self.protocol == MLProtocol.labelstudio.value

    def schema(self) -> str:
        """The Label Studio labeling config of the project's interface."""
        return label_config(self.interface)


def backend_of(
    row: MLBackend, project: Project, settings: Settings, media: MediaLinks | None = None
) -> Backend:
    return Backend(
        id=row.id,
        project_id=row.project_id,
        title=row.title,
        protocol=row.protocol,
        model_version=row.model_version,
        target=Target(row.url, float(row.timeout_seconds), settings.webhook_allow_private),
        interface=parse_interface(project.interface, stored=True),
        interface_json=dict(project.interface),
        ls_project=ls_project(project.id, project.created_at),
        media=media,
    )


@dataclass(frozen=True)
class Health:
    up: bool
    model_version: str = ""
    error: str = ""


async def check_health(backend: Backend) -> Health:
    """``GET /health``; a Label Studio backend is then set up (``POST /setup``: the project's
    labeling config), which names its model version."""
    try:
        answer = await call(backend.target, "GET", "/health")
        if isinstance(answer, Mapping) and str(answer.get("status", "UP")).upper() not in (
            "UP",
            "OK",
        ):
            return Health(
                False, error=f"GET /health: the server says its status is {answer['status']!r}"
            )
        version = train_version(answer)
        if backend.labelstudio:
            body = ls_setup_body(backend.ls_project, backend.schema(), backend.model_version)
            version = train_version(await call(backend.target, "POST", "/setup", body)) or version
    except CallFailed as exc:
        return Health(False, error=exc.message)
    return Health(True, model_version=version)


async def predict(
    backend: Backend,
    tasks: Sequence[TaskIn],
    *,
    context: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> list[Predicted]:
    """One ``POST /predict`` for ``tasks``: each task's answer, or why it has none. Raises
    `CallFailed` when the call as a whole failed (down, slow, an HTTP error, not JSON)."""
    version = backend.model_version or backend.title
    # Sent with media links the server can GET; read back against the data as stored.
    media = backend.media
    sending = [TaskIn(t.id, media.sign(t.data)) for t in tasks] if media else list(tasks)
    if backend.labelstudio:
        schema = backend.schema()
        sent = ls_tasks(backend.interface, sending)
        said = ls_context(context, backend.interface) if context is not None else None
        body = ls_predict_body(backend.ls_project, schema, sent, backend.model_version, said)
    else:
        body = accord_predict_body(
            backend.project_id, backend.interface_json, sending, backend.model_version, context
        )
    answer = await call(
        backend.target, "POST", "/predict", body, max_bytes=PREDICT_BYTES, timeout=timeout
    )
    try:
        if backend.labelstudio:
            return read_ls_predictions(answer, tasks, backend.interface, version)
        return read_accord_predictions(answer, tasks, backend.interface, version)
    except Garbage as exc:
        raise CallFailed(f"POST /predict: {exc}", "garbage") from None


async def train(backend: Backend, event: Mapping[str, Any]) -> str:
    """Send a training event (Label Studio: ``POST /webhook``, falling back to the older
    ``POST /train`` on a 404; Accord: ``POST /train``); the model version it answers, if
    any."""
    if not backend.labelstudio:
        return train_version(await call(backend.target, "POST", "/train", event))
    try:
        return train_version(await call(backend.target, "POST", "/webhook", event))
    except CallFailed as exc:
        if exc.status not in (404, 405):
            raise
    older = {
        "annotations": event.get("annotations", []),
        "project": backend.ls_project,
        "label_config": event.get("project", {}).get("label_config", ""),
        "params": {},
    }
    return train_version(await call(backend.target, "POST", "/train", older))
