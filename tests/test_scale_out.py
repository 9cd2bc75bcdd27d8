"""Several server processes that share nothing in memory: what one of them changes (a token
revoked, a session ended, an account deactivated or demoted, a project's interface) holds in
the other at once, through Redis or, without it, PostgreSQL's NOTIFY; on SQLite within the
callers cache's TTL. And the channel itself: sent only on commit, heard again after Redis or
PostgreSQL dropped the connection."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from accord.api.auth import CallerCache
from accord.db import Database
from accord.db import notices as notices_module
from accord.db.notices import Notices, Topic, announce, attach
from accord.models import User
from accord.settings import Settings
from tests.factories import PASSWORD, SIMPLE, add_tasks, make_project, make_user, texts
from tests.live import free_port, live_server

pytestmark = pytest.mark.slow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def two_servers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, redis_url: str | None
) -> Iterator[tuple[str, str]]:
    """Two `accord serve` processes on one database (and one Redis, if given)."""
    if redis_url:
        monkeypatch.setenv("ACCORD_REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("ACCORD_REDIS_URL", raising=False)
    with live_server(settings) as one, live_server(settings) as two:
        yield one.url + "/api/v1", two.url + "/api/v1"


def me(
    server: str, *, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None
) -> int:
    return httpx.get(server + "/me", headers=headers, cookies=cookies).status_code


def check_changes_reach_the_other_server(one: str, two: str, db: Database) -> None:
    """Each change goes through server one; the very next request to server two, whose
    cache had just seen the old state, acts on the new one."""
    _, admin = make_user(db, "admin@example.com", admin=True)
    person, token = make_user(db, "person@example.com", password=PASSWORD)

    # A revoked token.
    made = httpx.post(one + "/tokens", json={"name": "laptop"}, headers=bearer(token)).json()
    assert me(two, headers=bearer(made["token"])) == 200
    revoked = httpx.delete(f"{one}/tokens/{made['id']}", headers=bearer(token))
    assert revoked.status_code == 204
    assert me(two, headers=bearer(made["token"])) == 401, "revoked token"

    # A browser session signed out.
    signed = httpx.post(one + "/session", json={"email": person.email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    cookie = {"accord_session": signed.cookies["accord_session"]}
    assert me(two, cookies=cookie) == 200
    out = httpx.delete(
        one + "/session", cookies=cookie, headers={"X-CSRF-Token": signed.json()["csrf_token"]}
    )
    assert out.status_code == 204
    assert me(two, cookies=cookie) == 401, "signed-out session"

    # An admin demoted.
    second, second_token = make_user(db, "second@example.com", admin=True)
    assert httpx.get(two + "/users", headers=bearer(second_token)).status_code == 200
    demoted = httpx.patch(
        f"{one}/users/{second.id}", json={"is_admin": False}, headers=bearer(admin)
    )
    assert demoted.status_code == 200
    assert httpx.get(two + "/users", headers=bearer(second_token)).status_code == 403, "demoted"

    # An account deactivated.
    assert me(two, headers=bearer(token)) == 200
    gone = httpx.patch(f"{one}/users/{person.id}", json={"is_active": False}, headers=bearer(admin))
    assert gone.status_code == 200
    assert me(two, headers=bearer(token)) == 401, "deactivated account"


def check_project_changes_reach_the_other_server(one: str, two: str, db: Database) -> None:
    """A new answer option added through server one is accepted by server two at once (it
    had just checked an answer against the old interface)."""
    owner, manager = make_user(db, "lead@example.com", can_create_projects=True)
    worker = make_user(db, "worker@example.com")
    project = make_project(db, owner, members={worker[0]: "annotator"})
    add_tasks(db, owner, project, texts(3))
    annotator = bearer(worker[1])

    def next_task() -> int:
        got = httpx.post(f"{two}/projects/{project.id}/next", headers=annotator)
        assert got.status_code == 200, got.text
        task_id: int = got.json()["task"]["id"]
        return task_id

    def submit(task_id: int, choice: str) -> httpx.Response:
        answer = {"result": {"label": {"choice": choice}}, "seconds": 2}
        return httpx.post(f"{two}/tasks/{task_id}/annotations", json=answer, headers=annotator)

    assert submit(next_task(), "pos").status_code == 201
    held = next_task()
    assert submit(held, "maybe").status_code == 422, "not an option yet"
    wider = {
        **SIMPLE,
        "questions": [{**SIMPLE["questions"][0], "options": ["pos", "neg", "maybe"]}],
    }
    changed = httpx.patch(
        f"{one}/projects/{project.id}", json={"interface": wider}, headers=bearer(manager)
    )
    assert changed.status_code == 200, changed.text
    accepted = submit(held, "maybe")
    assert accepted.status_code == 201, accepted.text


def test_changes_reach_the_other_server_at_once_through_redis(
    settings: Settings, db: Database, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_servers(settings, monkeypatch, redis_url) as (one, two):
        check_changes_reach_the_other_server(one, two, db)
        check_project_changes_reach_the_other_server(one, two, db)


def test_changes_reach_the_other_server_at_once_through_postgresql(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL's NOTIFY: the PostgreSQL run; SQLite's bound is tested below")
    with two_servers(settings, monkeypatch, None) as (one, two):
        check_changes_reach_the_other_server(one, two, db)
        check_project_changes_reach_the_other_server(one, two, db)


def test_on_sqlite_without_redis_a_revoked_token_stops_within_the_ttl(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite sends no notices: the other process refuses the token once its cached entry
    lapses, within `CallerCache.TTL`; the process that revoked it refuses it at once."""
    if not db.is_sqlite:
        pytest.skip("the bound of SQLite, which has no channel without Redis")
    _, token = make_user(db, "person@example.com")
    with two_servers(settings, monkeypatch, None) as (one, two):
        made = httpx.post(one + "/tokens", json={}, headers=bearer(token)).json()
        assert me(one, headers=bearer(made["token"])) == 200
        assert me(two, headers=bearer(made["token"])) == 200
        assert httpx.delete(f"{one}/tokens/{made['id']}", headers=bearer(token)).status_code == 204
        revoked = time.monotonic()
        assert me(one, headers=bearer(made["token"])) == 401
        while me(two, headers=bearer(made["token"])) == 200:
            assert time.monotonic() - revoked < CallerCache.TTL + 1, "still accepted after TTL"
            time.sleep(0.05)
        check_project_changes_reach_the_other_server(one, two, db)


# -- the channel -------------------------------------------------------------------------------


class Heard:
    """Counts a process's clears; waits for the next one."""

    def __init__(self, notices: Notices) -> None:
        self.count = 0
        self.changed = threading.Condition()
        notices.listen(Topic.callers, self)

    def __call__(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait_beyond(self, count: int, seconds: float = 5) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count > count, timeout=seconds)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.02)


def revoke_all(database: Database, email: str, *, commit: bool = True) -> None:
    """Revoke the tokens of ``email`` in a transaction of ``database`` (rolled back unless
    ``commit``): the action announces the change."""
    from sqlalchemy import select

    from accord.actions.tokens import revoke_tokens_of

    class Undo(Exception):
        pass

    try:
        with database.write() as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            revoke_tokens_of(session, None, user, reason="test")
            if not commit:
                raise Undo
    except Undo:
        pass


@contextmanager
def two_processes(
    settings: Settings, redis_url: str | None, *, both_listen: bool = False
) -> Iterator[tuple[Database, Notices]]:
    """Two `Database` objects on one database, each with its own notices: as in two processes.
    Yields the first (to change things through) and the second's notices, listening (and the
    first's too if ``both_listen``: it then hears the answers to its notices)."""
    url = settings.resolved_database_url()
    first, second = Database(url), Database(url)
    listening = [attach(second, redis_url)] + ([attach(first, redis_url)] if both_listen else [])
    attach(first, redis_url)
    for notices in listening:
        notices.start()
    try:
        wait_until(lambda: all(n.connected for n in listening), 10, "listening")
        yield first, listening[0]
    finally:
        for notices in listening:
            notices.stop()
        first.dispose()
        second.dispose()


def channels(db: Database, redis_url: str) -> list[str | None]:
    """The channels this database can use: Redis, and PostgreSQL without it."""
    return [redis_url] if db.is_sqlite else [redis_url, None]


def test_a_notice_goes_out_when_the_change_commits_and_only_then(
    settings: Settings, db: Database, redis_url: str
) -> None:
    make_user(db, "person@example.com")
    for channel in channels(db, redis_url):
        with db.write() as session:
            session.execute(text("UPDATE api_tokens SET revoked_at = NULL"))
        with two_processes(settings, channel) as (first, notices):
            heard = Heard(notices)
            local = Heard(attach(first, channel))
            revoke_all(first, "person@example.com", commit=False)
            assert local.count == 0, "nothing of a rolled-back change"
            if channel is None:  # PostgreSQL's channel is this database's alone
                assert not heard.wait_beyond(0, 0.3), "nothing of a rolled-back change"
            revoke_all(first, "person@example.com")
            assert local.count == 1, "the process that made the change, at its commit"
            assert heard.wait_beyond(0), f"heard through {notices.transport}"
            started = time.monotonic()
        assert time.monotonic() - started < 1.5, "stopping the listener waits for nothing"


@contextmanager
def silent_listener(settings: Settings, redis_url: str | None) -> Iterator[None]:
    """A listener that hears notices and never answers: a server process that froze."""
    if redis_url:
        import redis

        pubsub = redis.Redis.from_url(redis_url).pubsub()
        pubsub.subscribe(notices_module.redis_channel(redis_url))
        try:
            yield
        finally:
            pubsub.close()
        return
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url()).set(drivername="postgresql")
    name = f"{notices_module.CHANNEL} frozen"
    conninfo = url.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, application_name=name) as connection:
        connection.execute(f"LISTEN {notices_module.CHANNEL}")
        yield


def test_a_change_is_dropped_everywhere_before_settle_returns(
    settings: Settings, db: Database, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a request that revoked a token waits for before it answers: every listening
    process has dropped its copy; one that stays silent delays it by `ACK_WAIT` at most."""
    make_user(db, "person@example.com")
    monkeypatch.setattr(notices_module, "ACK_WAIT", 0.3)
    for channel in channels(db, redis_url):
        with two_processes(settings, channel, both_listen=True) as (first, notices):
            heard = Heard(notices)
            sender = attach(first, channel)
            for silent in (False, True):
                with db.write() as session:
                    session.execute(text("UPDATE api_tokens SET revoked_at = NULL"))
                before = heard.count
                with silent_listener(settings, channel) if silent else nullcontext():
                    revoke_all(first, "person@example.com")
                    started = time.monotonic()
                    sender.settle()
                    waited = time.monotonic() - started
                assert heard.count == before + 1, f"dropped before settle returned, {channel}"
                if silent:
                    assert 0.25 < waited < 1.0, f"waited {waited:.2f} s for a silent process"
                else:
                    assert waited < 0.25, f"waited {waited:.2f} s for answers"


def test_announcing_outside_a_server_needs_no_listener(db: Database) -> None:
    """A change made where nothing listens (the command line) still commits."""
    make_user(db, "person@example.com")
    with db.write() as session:
        announce(session, Topic.callers)
    revoke_all(db, "person@example.com")


def test_the_listener_hears_again_after_redis_restarts(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (`make test` installs it)")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start() -> subprocess.Popen[bytes]:
        command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        process = subprocess.Popen(
            [*command, "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL
        )
        return process

    redis_server = start()
    try:
        wait_until(lambda: _answers(url), 10, "Redis starting")
        make_user(db, "person@example.com")
        with two_processes(settings, url) as (first, notices):
            heard = Heard(notices)
            redis_server.send_signal(signal.SIGKILL)
            redis_server.wait(5)
            wait_until(lambda: not notices.connected, 10, "noticing that Redis went away")
            before = heard.count
            redis_server = start()
            wait_until(lambda: notices.connected, 15, "hearing again")
            assert heard.count > before, "back: every cached caller is dropped"
            count = heard.count
            revoke_all(first, "person@example.com")
            assert heard.wait_beyond(count), "a notice after the restart"
    finally:
        redis_server.kill()
        redis_server.wait(5)


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_the_postgresql_listener_hears_again_after_losing_its_connection(
    settings: Settings, db: Database
) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL's LISTEN: the PostgreSQL run")
    make_user(db, "person@example.com")
    with two_processes(settings, None) as (first, notices):
        heard = Heard(notices)
        before = heard.count
        assert notices.channel is not None
        name = notices.channel.application_name  # type: ignore[attr-defined]
        with db.engine.begin() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": name},
            ).all()
        assert ended == [(True,)]
        assert heard.wait_beyond(before, 10), "back: every cached caller is dropped"
        wait_until(lambda: notices.connected, 10, "listening again")
        count = heard.count
        revoke_all(first, "person@example.com")
        assert heard.wait_beyond(count), "a notice after the reconnection"
