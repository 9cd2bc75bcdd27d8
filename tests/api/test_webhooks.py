"""Webhooks: registration and who may manage them, the outbox written by real actions, signed
deliveries to a real receiver on 127.0.0.1, retries with backoff, refused targets, redirects,
concurrent senders, redelivery, and what goes with a webhook or a project."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import trustme
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from accord.actions.webhook_deliveries import do_prune_deliveries
from accord.actions.webhook_events import job_finished
from accord.api.app import create_app
from accord.db import Database
from accord.db.types import utcnow
from accord.jobs import webhook_targets
from accord.jobs import webhooks as sender
from accord.jobs.purge import purge_all
from accord.jobs.webhooks import deliver_due
from accord.models import Job, WebhookDelivery
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import add_tasks, make_project, make_user, texts
from tests.webhook_receiver import Answer, Receiver, receiver

ALL = ["annotation.created", "annotation.updated", "task.completed", "review.decided"]
POS = {"label": {"choice": "pos"}}
NOW = (0.0, 0.0, 0.0, 0.0, 0.0)  # retries due at once


@pytest.fixture
def allowing(settings: Settings) -> Settings:
    """The settings with ACCORD_WEBHOOK_ALLOW_PRIVATE: the test receiver is on 127.0.0.1."""
    return settings.model_copy(update={"webhook_allow_private": True})


@pytest.fixture
def open_api(allowing: Settings, db: Database) -> Iterator[Api]:
    app = create_app(allowing, db)
    with TestClient(app, raise_server_exceptions=False) as client:
        # These tests send the deliveries themselves (`deliver_due`, one call at a time, to
        # see each step): the app's own job runner must not send them in the background.
        app.state.jobs.stop()
        yield Api(client)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as into:
        yield into


def people(db: Database, api: Api, **project: Any) -> tuple[int, dict[str, Api]]:
    owner, owner_token = make_user(db, "owner@example.com")
    members, out = {}, {"owner": api.as_(owner_token)}
    for name, role in {"ann": "annotator", "bo": "annotator", "rev": "reviewer"}.items():
        user, token = make_user(db, f"{name}@example.com")
        members[user], out[name] = role, api.as_(token)
    _, stranger = make_user(db, "stranger@example.com")
    out["stranger"] = api.as_(stranger)
    made = make_project(db, owner, members=members, **project)
    add_tasks(db, owner, made, texts(4))
    return made.id, out


def register(me: Api, project_id: int, url: str, events: list[str] | None = None) -> Any:
    made = me.post(f"/projects/{project_id}/webhooks", json={"url": url, "events": events or ALL})
    assert made.status_code == 201, made.text
    return made.json()


def submit(me: Api, project_id: int) -> dict[str, Any]:
    task = me.post(f"/projects/{project_id}/next").json()["task"]
    done = me.post(f"/tasks/{task['id']}/annotations", json={"result": POS})
    assert done.status_code == 201, done.text
    annotation: dict[str, Any] = done.json()["annotation"]
    return annotation


def log_of(me: Api, project_id: int, webhook_id: int) -> list[dict[str, Any]]:
    page = me.get(f"/projects/{project_id}/webhooks/{webhook_id}/deliveries")
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/webhooks.md)."""
    timestamp = headers["x-accord-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["x-accord-signature"])


def test_a_test_send_is_signed_and_logged(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url + "/in")
    secret = made["secret"]
    assert secret.startswith("whsec_") and made["secret_hint"] == secret[:10] + "…"
    listed = as_["owner"].get(f"/projects/{project_id}/webhooks").json()
    assert "secret" not in listed[0], "the secret is shown once, at creation"
    hook.answers.append(Answer(200, b'{"thanks": true}'))
    sent = as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    assert sent.status_code == 202 and sent.json()["state"] == "pending"
    assert deliver_due(db, allowing) == 1
    [got] = hook.received
    assert got.path == "/in" and got.headers["content-type"] == "application/json"
    assert got.headers["x-accord-event"] == "ping"
    assert got.headers["x-accord-delivery"] == str(sent.json()["id"])
    assert verify(secret, got.headers, got.body)
    assert not verify(secret, got.headers, got.body + b" "), "a changed body fails"
    body = orjson.loads(got.body)
    assert body["event"] == "ping" and body["delivery"] == sent.json()["id"]
    assert body["project_id"] == project_id and body["data"]["webhook"]["id"] == made["id"]
    [entry] = log_of(as_["owner"], project_id, made["id"])
    assert entry["state"] == "delivered" and entry["attempts"] == 1
    assert entry["response_status"] == 200 and entry["response_body"] == '{"thanks": true}'
    assert entry["duration_ms"] is not None and entry["next_attempt_at"] is None
    assert deliver_due(db, allowing) == 0, "nothing is sent twice"

    rotated = as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    deliver_due(db, allowing)
    latest = hook.received[-1]
    assert verify(rotated.json()["secret"], latest.headers, latest.body)
    assert not verify(secret, latest.headers, latest.body)


def test_a_password_in_the_url_is_never_shown(db: Database, open_api: Api, hook: Receiver) -> None:
    """user:password@ in a webhook's URL is kept for calling it but shown as *** in the list
    and the audit log; saving the URL as shown changes nothing, a new password replaces it."""
    from accord.models import AuditEvent, Webhook

    project_id, as_ = people(db, open_api)
    port = hook.url.rsplit(":", 1)[1]
    made = register(as_["owner"], project_id, f"http://ci:s3cret@127.0.0.1:{port}/in")
    shown = f"http://ci:***@127.0.0.1:{port}/in"
    assert made["url"] == shown
    [listed] = as_["owner"].get(f"/projects/{project_id}/webhooks").json()
    assert listed["url"] == shown
    base = f"/projects/{project_id}/webhooks/{made['id']}"
    as_["owner"].patch(base, json={"url": shown, "description": "CI"})

    def stored() -> str:
        with db.read() as session:
            return session.scalars(select(Webhook.url)).one()

    assert stored() == f"http://ci:s3cret@127.0.0.1:{port}/in"
    as_["owner"].patch(base, json={"url": f"http://ci:n3w@127.0.0.1:{port}/in"})
    assert stored() == f"http://ci:n3w@127.0.0.1:{port}/in"
    with db.read() as session:
        audit = [e.before or "" for e in session.scalars(select(AuditEvent))]
        audit += [e.after or "" for e in session.scalars(select(AuditEvent))]
    assert any(shown in str(entry) for entry in audit)
    assert not any("s3cret" in str(entry) or "n3w" in str(entry) for entry in audit)


def test_retries_back_off_then_deliver(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    hook.answers += [Answer(500, b"down"), Answer(503, b"still down")]
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    assert deliver_due(db, allowing) == 1
    [first] = log_of(as_["owner"], project_id, made["id"])
    assert first["state"] == "pending" and first["attempts"] == 1
    assert first["response_status"] == 500 and first["response_body"] == "down"
    assert "HTTP 500" in first["error"]
    wait = _seconds(first["next_attempt_at"]) - _seconds(first["last_attempt_at"])
    assert 9.9 < wait < 10.1, "the first retry comes after 10 s"
    assert deliver_due(db, allowing) == 0, "not due yet"
    assert deliver_due(db, allowing, backoff=NOW) == 0, "the pause already set stands"
    _make_due(db)
    assert deliver_due(db, allowing, backoff=NOW) == 1
    assert deliver_due(db, allowing, backoff=NOW) == 1
    [done] = log_of(as_["owner"], project_id, made["id"])
    assert done["state"] == "delivered" and done["attempts"] == 3
    assert done["response_status"] == 200 and done["error"] == ""
    assert len(hook.received) == 3
    assert {r.body for r in hook.received} == {hook.received[0].body}, "the same body each time"
    assert {r.headers["x-accord-delivery"] for r in hook.received} == {str(done["id"])}


def test_a_delivery_fails_after_its_retries_and_can_be_sent_again(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    hook.answers += [Answer(500)] * 3
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    for _ in range(3):
        assert deliver_due(db, allowing, backoff=(0.0, 0.0)) == 1
    assert deliver_due(db, allowing, backoff=(0.0, 0.0)) == 0
    [failed] = log_of(as_["owner"], project_id, made["id"])
    assert failed["state"] == "failed" and failed["attempts"] == 3
    assert failed["next_attempt_at"] is None
    base = f"/projects/{project_id}/webhooks/{made['id']}/deliveries"
    again = as_["owner"].post(f"{base}/{failed['id']}/redeliver")
    assert again.status_code == 202 and again.json()["redelivery_of"] == failed["id"]
    again_twice = as_["owner"].post(f"{base}/{again.json()['id']}/redeliver")
    assert again_twice.status_code == 409
    assert "still pending" in again_twice.json()["error"]["message"]
    assert deliver_due(db, allowing) == 1
    newest, oldest = log_of(as_["owner"], project_id, made["id"])
    assert newest["state"] == "delivered" and oldest["state"] == "failed"
    assert orjson.loads(hook.received[-1].body)["redelivery_of"] == failed["id"]
    page = as_["owner"].get(base, params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_before"] == newest["id"]
    older = as_["owner"].get(base, params={"limit": 1, "before": page["next_before"]}).json()
    assert older["items"][0]["id"] == oldest["id"]


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://localhost:8080/", "this machine"),
        ("http://[::1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://10.1.2.3/", "private-network"),
        ("https://192.168.0.10/", "private-network"),
        ("http://[fc00::1]/", "private-network"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
    ],
)
def test_internal_addresses_are_refused_unless_an_admin_allows(
    db: Database, api: Api, open_api: Api, url: str, what: str
) -> None:
    project_id, as_ = people(db, api)
    refused = as_["owner"].post(
        f"/projects/{project_id}/webhooks", json={"url": url, "events": ["task.completed"]}
    )
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert what in message and "ACCORD_WEBHOOK_ALLOW_PRIVATE=true" in message, message
    allowed = open_api.as_(as_["owner"].headers["Authorization"].split()[1]).post(
        f"/projects/{project_id}/webhooks", json={"url": url, "events": ["task.completed"]}
    )
    assert allowed.status_code == 201, allowed.text


def test_urls_must_be_http_with_a_host(db: Database, api: Api) -> None:
    project_id, as_ = people(db, api)
    for url, what in [
        ("ftp://example.com/x", "http:// or https://"),
        ("example.com/hook", "http:// or https://"),
        ("http:///nohost", "no host"),
        ("https://example.com/#frag", "fragment"),
    ]:
        answer = as_["owner"].post(
            f"/projects/{project_id}/webhooks", json={"url": url, "events": ["job.finished"]}
        )
        assert answer.status_code == 422 and what in answer.text, (url, answer.text)
    unknown = as_["owner"].post(
        f"/projects/{project_id}/webhooks",
        json={"url": "https://example.com/", "events": ["task.done"]},
    )
    assert unknown.status_code == 422 and "events" in unknown.text


def test_a_host_resolving_to_an_internal_address_is_refused_at_delivery(
    db: Database,
    open_api: Api,
    settings: Settings,
    allowing: Settings,
    hook: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name is resolved when sending, and the connection goes to the address checked (the
    name kept for Host): a name that resolves to 127.0.0.1 is refused by default, and reaches
    the receiver on 127.0.0.1 when allowed."""
    port = hook.url.rsplit(":", 1)[1]
    answers: dict[str, list[str]] = {"hooks.example.test": ["127.0.0.1"]}

    async def resolve(host: str, port: int) -> list[Any]:
        return [webhook_targets.literal_address(a) for a in answers[host]]

    monkeypatch.setattr(webhook_targets, "resolve", resolve)
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, f"http://hooks.example.test:{port}/x")
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    assert deliver_due(db, settings) == 1
    [refused] = log_of(as_["owner"], project_id, made["id"])
    assert refused["state"] == "failed", "a refused address is not retried"
    assert refused["error"] == (
        "hooks.example.test resolves to 127.0.0.1, which is a loopback address (this "
        "machine); webhooks may not target it unless an admin sets "
        "ACCORD_WEBHOOK_ALLOW_PRIVATE=true"
    )
    assert hook.received == []
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    assert deliver_due(db, allowing) == 1
    [got] = hook.received
    assert got.headers["host"] == f"hooks.example.test:{port}" and got.path == "/x"
    answers["hooks.example.test"] = ["93.184.216.34", "10.0.0.7"]
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    assert deliver_due(db, settings) == 1
    mixed = log_of(as_["owner"], project_id, made["id"])[0]
    assert "resolves to 10.0.0.7, which is a private-network address" in mixed["error"]


def test_https_goes_to_the_checked_address_and_verifies_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection goes to the address checked, with the URL's host name as the TLS server
    name: the certificate is verified for the name, not for the address."""
    ca = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("hooks.example.test").configure_cert(served)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    async def resolve(host: str, port: int) -> list[Any]:
        return [webhook_targets.literal_address("127.0.0.1")]

    monkeypatch.setattr(webhook_targets, "resolve", resolve)

    async def post(url: str) -> int:
        transport = webhook_targets.PinnedTransport(
            allow_private=True, limits=httpx.Limits(), verify=trusting
        )
        async with httpx.AsyncClient(transport=transport) as client:
            return (await client.post(url, content=b"{}")).status_code

    with receiver(tls=served) as hook:
        port = hook.url.rsplit(":", 1)[1]
        assert asyncio.run(post(f"https://hooks.example.test:{port}/tls")) == 200
        [got] = hook.received
        assert got.path == "/tls" and got.headers["host"] == f"hooks.example.test:{port}"
        with pytest.raises(httpx.ConnectError, match="certificate"):
            asyncio.run(post(f"https://other.example.test:{port}/tls"))
        assert len(hook.received) == 1


def test_redirects_are_not_followed(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url + "/old")
    hook.answers.append(Answer(302, b"", {"Location": hook.url + "/new"}))
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    deliver_due(db, allowing)
    assert [r.path for r in hook.received] == ["/old"]
    [entry] = log_of(as_["owner"], project_id, made["id"])
    assert entry["state"] == "pending" and entry["response_status"] == 302
    assert "redirects are not followed" in entry["error"] and "/new" in entry["error"]


def test_slow_receivers_time_out_and_long_answers_are_cut(
    db: Database,
    open_api: Api,
    allowing: Settings,
    hook: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sender, "TOTAL_SECONDS", 0.5)
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    hook.answers += [Answer(200, b"late", delay=2.0), Answer(200, b"x" * 5000)]
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    deliver_due(db, allowing)
    [late] = log_of(as_["owner"], project_id, made["id"])
    assert late["state"] == "pending" and "no answer within 0.5 s" in late["error"]
    assert late["response_status"] is None and late["duration_ms"] < 1500
    # The next answer is quick; a generous budget so that a busy machine does not time it out.
    monkeypatch.setattr(sender, "TOTAL_SECONDS", 30.0)
    _make_due(db)
    deliver_due(db, allowing)
    [long] = log_of(as_["owner"], project_id, made["id"])
    assert long["state"] == "delivered" and long["response_body"] == "x" * 1024


def test_two_senders_never_send_a_delivery_twice(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    for _ in range(40):
        as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    hook.answers += [Answer(200, delay=0.01)] * 40
    sent: list[int] = []
    problems: list[BaseException] = []

    def work() -> None:
        try:
            while (n := deliver_due(db, allowing, limit=3)) > 0:
                sent.append(n)
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not problems and sum(sent) == 40
    ids = [r.headers["x-accord-delivery"] for r in hook.received]
    assert len(ids) == 40 and len(set(ids)) == 40, "each delivery sent exactly once"


def test_real_work_emits_its_events(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api, overlap=2, review_share=1.0)
    made = register(as_["owner"], project_id, hook.url)
    first = submit(as_["ann"], project_id)
    assert _events(db) == ["annotation.created"], "not complete with one of two answers"
    second = submit(as_["bo"], project_id)
    assert second["task_id"] == first["task_id"]
    assert _events(db) == ["annotation.created", "annotation.created", "task.completed"]
    edited = as_["ann"].put(f"/annotations/{first['id']}", json={"result": POS})
    assert edited.status_code == 200, edited.text
    review = as_["rev"].post(f"/projects/{project_id}/reviews/next").json()
    decided = as_["rev"].post(
        f"/reviews/{review['review']['id']}/decision",
        json={"decision": "accept", "version": review["annotation"]["version"]},
    )
    assert decided.status_code == 200, decided.text
    assert _events(db)[3:] == ["annotation.updated", "review.decided"]
    assert deliver_due(db, allowing) == 5
    bodies = [orjson.loads(r.body) for r in hook.received]
    by_event: dict[str, list[Any]] = {}
    for body in bodies:
        by_event.setdefault(body["event"], []).append(body["data"])
        assert body["webhook_id"] == made["id"] and body["project_id"] == project_id
    created = by_event["annotation.created"][0]
    assert created["annotation"]["result"] == POS and created["task"]["id"] == first["task_id"]
    assert created["task"]["external_id"] == "t0" and created["task"]["purpose"] is None
    [completed] = by_event["task.completed"]
    assert completed["task"]["id"] == first["task_id"] and completed["submitted"] == 2
    assert completed["annotations"] == [first["id"], second["id"]]
    [consensus] = completed["consensus"]
    assert consensus["question"] == "label" and consensus["answer"] == {"choice": "pos"}
    [updated] = by_event["annotation.updated"]
    assert updated["change"] == "edit" and updated["annotation"]["version"] == 2
    [verdict] = by_event["review.decided"]
    assert verdict["review"]["decision"] == "accept"
    assert verdict["annotation"]["review_state"] == "accepted"


def test_only_subscribed_enabled_webhooks_get_deliveries(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    completed = register(as_["owner"], project_id, hook.url, ["task.completed"])
    off = register(as_["owner"], project_id, hook.url, ["annotation.created"])
    base = f"/projects/{project_id}/webhooks"
    changed = as_["owner"].patch(f"{base}/{off['id']}", json={"enabled": False})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    refused = as_["owner"].post(f"{base}/{off['id']}/test")
    assert refused.status_code == 409 and "disabled" in refused.text
    submit(as_["ann"], project_id)
    assert _events(db) == ["task.completed"]
    assert log_of(as_["owner"], project_id, completed["id"])[0]["event"] == "task.completed"
    assert log_of(as_["owner"], project_id, off["id"]) == []


def test_servers_see_webhooks_added_and_removed_after_they_cached_the_project(
    db: Database, open_api: Api
) -> None:
    """A server keeps the project's settings in memory, whether it has enabled webhooks among
    them: adding, enabling, disabling and deleting one makes it read them again."""
    project_id, as_ = people(db, open_api, overlap=4)
    base, owner = f"/projects/{project_id}/webhooks", as_["owner"]
    body = {"url": "http://127.0.0.1:9/in", "events": ["annotation.created"]}
    submit(as_["ann"], project_id)  # the project is cached: no webhook
    made = owner.post(base, json={**body, "enabled": False}).json()
    submit(as_["bo"], project_id)  # cached again: no enabled webhook
    assert _events(db) == []
    owner.patch(f"{base}/{made['id']}", json={"enabled": True})
    submit(as_["ann"], project_id)
    assert _events(db) == ["annotation.created"]
    assert owner.delete(f"{base}/{made['id']}").status_code == 200
    submit(as_["bo"], project_id)
    assert _events(db) == ["annotation.created"]
    again = owner.post(base, json=body).json()
    assert again["id"] != made["id"]
    submit(as_["ann"], project_id)
    assert _events(db) == ["annotation.created"] * 2


def test_a_disabled_webhook_does_not_send_what_was_waiting(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    as_["owner"].post(f"/projects/{project_id}/webhooks/{made['id']}/test")
    as_["owner"].patch(f"/projects/{project_id}/webhooks/{made['id']}", json={"enabled": False})
    assert deliver_due(db, allowing) == 1
    [entry] = log_of(as_["owner"], project_id, made["id"])
    assert entry["state"] == "failed" and "disabled" in entry["error"]
    assert hook.received == []


def test_job_finished_is_emitted_with_the_job(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    register(as_["owner"], project_id, hook.url, ["job.finished"])
    with db.write() as session:
        now = utcnow()
        job = Job(
            project_id=project_id,
            kind="export",
            state="succeeded",
            params={},
            created_at=now,
            finished_at=now,
            done=4,
            total=4,
            unit="rows",
            result={"file": "x.jsonl"},
            log=[],
        )
        session.add(job)
        session.flush()
        job_finished(session, job)
    deliver_due(db, allowing)
    [got] = hook.received
    data = orjson.loads(got.body)["data"]["job"]
    assert data["kind"] == "export" and data["state"] == "succeeded"
    assert data["result"] == {"file": "x.jsonl"} and data["done"] == 4


def test_who_may_see_and_manage_webhooks(db: Database, open_api: Api, hook: Receiver) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    base = f"/projects/{project_id}/webhooks"
    one = f"{base}/{made['id']}"
    calls = [
        ("GET", base, None),
        ("POST", base, {"url": hook.url, "events": ["task.completed"]}),
        ("GET", one, None),
        ("PATCH", one, {"enabled": False}),
        ("POST", f"{one}/rotate-secret", None),
        ("POST", f"{one}/test", None),
        ("GET", f"{one}/deliveries", None),
        ("DELETE", one, None),
    ]
    for method, path, body in calls:
        for who, status in [("ann", 403), ("rev", 403), ("stranger", 404)]:
            answer = as_[who](method, path, json=body)
            assert answer.status_code == status, (who, method, path, answer.text)
    _, admin_token = make_user(db, "admin@example.com", admin=True)
    assert open_api.as_(admin_token).get(base).status_code == 200
    assert as_["owner"].get(f"/projects/{project_id}/webhooks/{made['id'] + 99}").status_code == 404
    assert as_["owner"].get("/projects/999999/webhooks").status_code == 404


def test_deleting_a_webhook_or_its_project_removes_its_log(
    db: Database, open_api: Api, allowing: Settings, hook: Receiver
) -> None:
    project_id, as_ = people(db, open_api)
    made = register(as_["owner"], project_id, hook.url)
    kept = register(as_["owner"], project_id, hook.url)
    for webhook in (made, kept):
        for _ in range(3):
            as_["owner"].post(f"/projects/{project_id}/webhooks/{webhook['id']}/test")
    gone = as_["owner"].delete(f"/projects/{project_id}/webhooks/{made['id']}")
    assert gone.status_code == 200
    assert [w["id"] for w in as_["owner"].get(f"/projects/{project_id}/webhooks").json()] == [
        kept["id"]
    ]
    assert as_["owner"].get(f"/projects/{project_id}/webhooks/{made['id']}").status_code == 404
    with db.write() as session:
        assert do_prune_deliveries(session, utcnow(), batch=2) == 2
    with db.write() as session:
        assert do_prune_deliveries(session, utcnow(), batch=2) == 1
    with db.write() as session:
        assert do_prune_deliveries(session, utcnow(), batch=2) == 1, "then the webhook row"
    assert _count(db) == 3
    assert as_["owner"].delete(f"/projects/{project_id}").status_code in (200, 204)
    purge_all(db)
    assert _count(db) == 0


def _events(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(WebhookDelivery.event).order_by(WebhookDelivery.id)))


def _count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def _make_due(db: Database) -> None:
    """Time passes: every waiting delivery is due now."""
    with db.write() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.next_attempt_at.is_not(None))
            .values(next_attempt_at=utcnow())
        )


def _seconds(stamp: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
