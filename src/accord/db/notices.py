"""Notices between processes that something they keep a copy of has changed.

Server processes keep in memory what every request needs: who an API token or a session
cookie belongs to (`accord.api.auth.CallerCache`). The action that changes the original (a
token revoked, a session ended, an account changed) says so in its transaction with
`announce`; once the transaction commits, every process drops its copy:

- the process that made the change, at once, at its commit;
- the other processes through a channel, heard on a thread of their own (`Notices.start`, from
  the app's lifespan): Redis ``PUBLISH`` when ``ACCORD_REDIS_URL`` is set, otherwise, on
  PostgreSQL, ``NOTIFY`` sent inside the transaction (delivered when, and only if, it commits)
  and heard with ``LISTEN``. Each process that heard a notice answers once it has dropped its
  copy, and `Notices.settle` waits for those answers (at most `ACK_WAIT`): a request that
  revoked a token calls it before it answers, so that no server accepts the token after that;
- the thread reconnects after a restart of Redis or PostgreSQL, and each time it is connected
  again it drops every copy, since the notices sent while it was away are lost;
- on SQLite without Redis nothing is sent (it serves one machine, usually one process).

Copies also expire on their own (`CallerCache.TTL`): that is the whole bound on SQLite, and the
bound for a process that has lost its channel. Notices only ever drop copies sooner.

A notice is one line of text on one channel: ``<origin> <topic> <number>`` (a change),
``<origin> ack <to origin> <number>`` (the answer), ``<origin> stop`` (a listener's own).
"""

from __future__ import annotations

import functools
import itertools
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from accord.db.database import Database

log = logging.getLogger("accord.notices")

CHANNEL = "accord_notices"
ACK_WAIT = 1.0  # seconds `settle` waits for the other processes' answers
HEARTBEAT = 1.0  # seconds of silence after which the listener checks its connection
SILENCE = 3 * HEARTBEAT  # Redis: no answer to a ping for this long means the link is dead
RETRY = (0.1, 0.5, 1.0, 2.0)  # pauses between reconnection attempts (the last one repeats)
_PENDING = "accord.notices"  # session.info key: topics announced in the open transaction


class Topic(StrEnum):
    callers = "callers"  # API tokens, browser sessions, accounts: who a request comes from


_TOPICS = frozenset(topic.value for topic in Topic)
Listener = Callable[[], None]
Heard = Callable[[str], str | None]  # a notice in, the answer to send back (if any) out


class _Channel(Protocol):
    name: str  # as said in logs: "redis" or "postgresql"
    in_transaction: bool  # notices are sent inside the transaction (else after its commit)

    def send(self, payload: str, session: Session | None) -> int | None:
        """Send ``payload``; how many listeners got it, when the channel can tell."""
        ...

    def listeners(self, session: Session) -> int:
        """How many listeners a notice sent in ``session``'s transaction will reach."""
        ...

    def receive(self, stop: threading.Event, heard: Heard, joined: Listener) -> None:
        """Listen until ``stop`` is set; raise when the connection fails."""
        ...


class Notices:
    """One process's end of the notices: its listeners, and its channel to the others."""

    def __init__(self, database: Database, redis_url: str | None = None) -> None:
        self.redis_url = redis_url
        self.origin = secrets.token_hex(8)
        self.connected = False  # whether this process hears the others now
        self.channel: _Channel | None = None
        if redis_url:
            self.channel = _Redis(redis_url)
        elif database.dialect == "postgresql":
            self.channel = _Postgres(database, f"{CHANNEL} {self.origin}")
        self.transport = self.channel.name if self.channel else "none"
        self._listeners: dict[Topic, list[Listener]] = {topic: [] for topic in Topic}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._acks: dict[int, int] = {}  # number of a notice sent → answers so far
        self._acked = threading.Condition()
        self._sent = threading.local()  # .waits: this thread's notices awaiting answers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._users = 0  # apps that started hearing (tests run several on one database)

    def listen(self, topic: Topic, listener: Listener) -> None:
        """Call ``listener`` whenever ``topic`` changes, in this process or another."""
        with self._lock:
            self._listeners[topic].append(listener)

    # -- sending ---------------------------------------------------------------------------

    def announced(self, session: Session, topic: Topic) -> None:
        """``topic`` changes in ``session``'s open transaction (see `announce`)."""
        pending: dict[Topic, tuple[int, int]] | None = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = {}
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", self._rolled_back)
        if topic in pending:
            return
        number, expected = next(self._numbers), 0
        if self.channel is not None and self.channel.in_transaction:
            if self.connected:  # answers come back to this process's listener
                expected = self.channel.listeners(session)
                self._expect(number)
            self.channel.send(f"{self.origin} {topic} {number}", session)
        pending[topic] = (number, expected)

    def _committed(self, session: Session) -> None:
        pending: dict[Topic, tuple[int, int]] = session.info.pop(_PENDING, {})
        for topic, (number, expected) in pending.items():
            self._deliver(topic)
            if self.channel is not None and not self.channel.in_transaction:
                expected = self._publish(topic, number)
            if expected:
                self._waits().append(_Wait(topic, number, expected, time.monotonic() + ACK_WAIT))
            else:
                self._unexpect(number)

    def _rolled_back(self, session: Session) -> None:
        pending: dict[Topic, tuple[int, int]] = session.info.pop(_PENDING, {})
        for number, _ in pending.values():
            self._unexpect(number)

    def _publish(self, topic: Topic, number: int) -> int:
        """Send a notice after the commit; how many answers to wait for."""
        assert self.channel is not None
        listening = self.connected
        if listening:
            self._expect(number)
        try:
            reached = self.channel.send(f"{self.origin} {topic} {number}", None)
        except Exception as exc:  # committed all the same: the others drop it within the TTL
            log.warning("could not tell the other processes that %s changed: %s", topic, exc)
            return 0
        return (reached or 0) if listening else 0

    def settle(self) -> None:
        """Return once every process that heard this thread's notices has dropped its copies
        (at most `ACK_WAIT` seconds; a process that stays silent drops them within the TTL)."""
        waits, self._sent.waits = self._waits(), []
        for wait in waits:
            with self._acked:
                done = self._acked.wait_for(
                    functools.partial(self._answered, wait),
                    timeout=max(0.0, wait.deadline - time.monotonic()),
                )
                answers = self._acks.pop(wait.number, 0)
            if not done:
                log.warning(
                    "%d of %d server processes did not confirm within %.0f s that they dropped "
                    "their copies of %s; they drop them within their TTL",
                    wait.expected - answers,
                    wait.expected,
                    ACK_WAIT,
                    wait.topic,
                )

    def _waits(self) -> list[_Wait]:
        """This thread's notices not yet settled, less those past their deadline."""
        waits: list[_Wait] | None = getattr(self._sent, "waits", None)
        if waits is None:
            waits = self._sent.waits = []
        now = time.monotonic()
        for wait in [wait for wait in waits if wait.deadline < now]:
            waits.remove(wait)
            self._unexpect(wait.number)
        return waits

    def _answered(self, wait: _Wait) -> bool:
        return self._acks.get(wait.number, 0) >= wait.expected

    def _expect(self, number: int) -> None:
        with self._acked:
            self._acks[number] = 0

    def _unexpect(self, number: int) -> None:
        with self._acked:
            self._acks.pop(number, None)

    def _deliver(self, topic: Topic) -> None:
        with self._lock:
            listeners = list(self._listeners[topic])
        for listener in listeners:
            listener()

    # -- hearing ---------------------------------------------------------------------------

    def start(self) -> None:
        """Hear the other processes' notices on a thread of this process (nothing to hear
        without a channel; one thread however many apps of the process start it)."""
        with self._lock:
            self._users += 1
            if self.channel is None or self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="accord-notices", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop hearing once every app that started it has stopped."""
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users:
                return
        self._halt()

    def _halt(self) -> None:
        """Wake the listener with a notice addressed to itself, and wait for it to end."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None or self.channel is None:
            return
        self._stop.set()
        if self.connected:
            try:
                self.channel.send(f"{self.origin} stop", None)
            except Exception as exc:  # then it sees the stop at its next heartbeat
                log.debug("could not wake the notices listener: %s", exc)
        thread.join(timeout=2 * HEARTBEAT + 1)

    def _run(self) -> None:
        assert self.channel is not None
        failures = 0
        while not self._stop.is_set():
            try:
                self.channel.receive(self._stop, self._heard, self._joined)
            except Exception as exc:
                if self._stop.is_set():
                    break
                if self.connected or failures == 0:
                    log.warning(
                        "lost the %s channel of cache notices (%s); reconnecting. Meanwhile "
                        "cached sign-ins last at most their TTL",
                        self.transport,
                        exc,
                    )
                self.connected = False
                self._stop.wait(RETRY[min(failures, len(RETRY) - 1)])
                failures += 1
            else:
                failures = 0
        self.connected = False

    def _joined(self) -> None:
        """(Re)connected: what was announced while away never arrived, so drop everything."""
        for topic in Topic:
            self._deliver(topic)
        if not self.connected:
            log.info("hearing cache notices through %s", self.transport)
        self.connected = True

    def _heard(self, payload: str) -> str | None:
        """Act on a notice; the answer to send back, if any."""
        origin, kind, first, second = (*payload.split(" "), "", "", "")[:4]
        if kind == "ack":  # first: the origin it answers, second: the notice's number
            if first == self.origin and second.isdigit():
                with self._acked:
                    if int(second) in self._acks:
                        self._acks[int(second)] += 1
                        self._acked.notify_all()
            return None
        if kind == "stop":
            if origin == self.origin:
                self._stop.set()
            return None
        if kind not in _TOPICS:
            return None
        if origin != self.origin:  # this process dropped its copy at its commit
            self._deliver(Topic(kind))
        return f"{self.origin} ack {origin} {first}"


@dataclass(frozen=True)
class _Wait:
    """A notice sent by this process, whose answers `Notices.settle` waits for."""

    topic: Topic
    number: int
    expected: int  # answers: the listeners it reached
    deadline: float


class _Redis:
    name = "redis"
    in_transaction = False

    def __init__(self, url: str) -> None:
        import redis
        from redis.backoff import ExponentialBackoff, NoBackoff
        from redis.retry import Retry

        timeouts = {"socket_connect_timeout": 2, "socket_timeout": 2}
        # Publishing tries again on a fresh connection (the pooled one died with a restarted
        # Redis), briefly: it runs after a commit, before the request answers.
        self.publisher = redis.Redis.from_url(
            url, retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2), **timeouts
        )
        # The listener reconnects by itself (`Notices._run`), so that it knows when it did.
        self.subscriber = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), **timeouts)
        self.channel = redis_channel(url)

    def send(self, payload: str, session: Session | None) -> int:
        return int(self.publisher.publish(self.channel, payload))

    def listeners(self, session: Session) -> int:
        raise NotImplementedError("Redis notices are sent after the commit")

    def receive(self, stop: threading.Event, heard: Heard, joined: Listener) -> None:
        pubsub = self.subscriber.pubsub()
        try:
            pubsub.subscribe(self.channel)
            last = time.monotonic()
            while not stop.is_set():
                message: dict[str, Any] | None = pubsub.get_message(timeout=HEARTBEAT)
                now = time.monotonic()
                if message is None:
                    if now - last > SILENCE:
                        raise ConnectionError(f"Redis did not answer a ping for {SILENCE:.0f} s")
                    pubsub.ping()
                    continue
                last = now
                if message["type"] == "subscribe":
                    joined()
                elif message["type"] == "message":
                    answer = heard(message["data"].decode())
                    if answer is not None:
                        self.publisher.publish(self.channel, answer)
        finally:
            pubsub.close()


def redis_channel(url: str) -> str:
    """The Redis channel of notices. A Redis server's channels are shared by all its numbered
    databases: installations that use different numbers stay apart."""
    from redis.connection import parse_url

    number = int(parse_url(url).get("db", 0))  # type: ignore[no-untyped-call]
    return f"{CHANNEL}:{number}"


class _Postgres:
    name = "postgresql"
    in_transaction = True

    def __init__(self, database: Database, application_name: str) -> None:
        self.database = database
        self.application_name = application_name  # tells its connection in pg_stat_activity
        url = make_url(database.url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)

    def send(self, payload: str, session: Session | None) -> None:
        statement = text("SELECT pg_notify(:channel, :payload)")
        values = {"channel": CHANNEL, "payload": payload}
        if session is not None:
            session.execute(statement, values)  # delivered when the transaction commits
            return
        with self.database.engine.begin() as connection:
            connection.execute(statement, values)

    def listeners(self, session: Session) -> int:
        count = session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name LIKE :prefix"
            ),
            {"prefix": f"{CHANNEL} %"},
        )
        return int(count or 0)

    def receive(self, stop: threading.Event, heard: Heard, joined: Listener) -> None:
        import psycopg

        # Keepalives: a server that vanished without closing the link is noticed in seconds.
        with psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=5,
            application_name=self.application_name,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
        ) as connection:
            connection.execute(f"LISTEN {CHANNEL}")  # a constant name, not a value
            joined()
            while not stop.is_set():
                # One at a time: the connection is busy while `notifies` runs, and answers
                # go out on it.
                got = list(connection.notifies(timeout=HEARTBEAT, stop_after=1))
                for notice in got:
                    answer = heard(notice.payload)
                    if answer is not None:
                        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, answer))
                if not got:
                    connection.execute("SELECT 1")  # raises once the server has gone


_attached: weakref.WeakKeyDictionary[Database, Notices] = weakref.WeakKeyDictionary()
_attach_lock = threading.Lock()


def attach(database: Database, redis_url: str | None) -> Notices:
    """The notices of ``database`` in this process, sent through Redis when ``redis_url`` is
    set (called where a process starts: the app, the command line)."""
    with _attach_lock:
        notices = _attached.get(database)
        if notices is not None and notices.redis_url == redis_url:
            return notices
        fresh = _attached[database] = Notices(database, redis_url)
    if notices is not None:  # made before the process said which channel: keep its listeners
        notices._halt()
        fresh._listeners = notices._listeners
    return fresh


def notices_of(database: Database) -> Notices:
    """The notices of ``database`` in this process (without Redis unless `attach` said so)."""
    with _attach_lock:
        notices = _attached.get(database)
        if notices is None:
            notices = _attached[database] = Notices(database)
        return notices


def announce(session: Session, topic: Topic) -> None:
    """Say that ``topic`` changes in ``session``'s transaction: once it commits, this process
    and the others drop their copies (nothing is sent if it rolls back)."""
    database: Database | None = session.info.get("database")
    if database is None:
        return  # a session of no `Database` (a migration): no server keeps copies of it
    notices_of(database).announced(session, topic)
