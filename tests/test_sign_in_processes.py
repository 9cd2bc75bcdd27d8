"""Sign-in throttling against a real server with two worker processes (SQLite and PostgreSQL):
parallel guesses get exactly the allowance, whichever process serves them; X-Forwarded-For
counts only from a trusted proxy; an account's lock holds across processes."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from accord.db import Database
from accord.models import AuditEvent
from accord.settings import Settings
from tests.factories import PASSWORD, make_user
from tests.live import live_server

GUESSES = 40


def guess_in_parallel(url: str, email: str, count: int, *, rotate: bool) -> list[tuple[int, str]]:
    """``count`` wrong sign-ins sent at once; each (status, error code). With ``rotate`` each
    claims another client address in X-Forwarded-For."""
    start = threading.Barrier(count)

    def one(n: int) -> tuple[int, str]:
        headers = {"X-Forwarded-For": f"198.51.100.{n % 250}"} if rotate else {}
        with httpx.Client(base_url=url, timeout=60) as http:
            start.wait()
            answer = http.post(
                "/api/v1/session",
                json={"email": email, "password": f"guess {n}"},
                headers=headers,
            )
        return answer.status_code, answer.json()["error"]["code"]

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.slow
def test_parallel_guesses_across_processes_get_exactly_the_allowance(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db, "person@example.com", password=PASSWORD)
    monkeypatch.setenv("ACCORD_LOGIN_ATTEMPTS_PER_MINUTE", "5")
    monkeypatch.setenv("ACCORD_LOCKOUT_AFTER", "3")
    monkeypatch.delenv("ACCORD_TRUSTED_PROXIES", raising=False)
    with live_server(settings, workers=2) as server:
        # No account: only the address + email allowance applies, whatever the header says.
        unknown = guess_in_parallel(server.url, "nobody@example.com", GUESSES, rotate=True)
        assert Counter(unknown) == {
            (401, "bad_credentials"): 5,
            (429, "rate_limited"): GUESSES - 5,
        }
        # An account: it locks after 3 failures, taken before any password is checked.
        known = guess_in_parallel(server.url, "person@example.com", GUESSES, rotate=False)
        assert Counter(known) == {(401, "bad_credentials"): 3, (429, "locked"): GUESSES - 3}
        right = httpx.post(
            server.url + "/api/v1/session",
            json={"email": "person@example.com", "password": PASSWORD},
        )
        assert right.status_code == 429 and right.json()["error"]["code"] == "locked"
        assert 1 <= int(right.headers["Retry-After"]) <= 60
    with db.read() as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.sign_in_failed")
        ).all()
    assert len(failed) == 5 + 3
    assert {e.after["address"] for e in failed if e.after} == {"127.0.0.1"}


@pytest.mark.slow
def test_a_trusted_proxy_gives_the_clients_address(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_LOGIN_ATTEMPTS_PER_MINUTE", "2")
    monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", "10.9.8.7, 127.0.0.0/8")

    def guess(client: str) -> int:
        return httpx.post(
            server.url + "/api/v1/session",
            json={"email": "nobody@example.com", "password": "guess"},
            headers={"X-Forwarded-For": client},
        ).status_code

    with live_server(settings, workers=2) as server:
        assert [guess("203.0.113.1") for _ in range(3)] == [401, 401, 429]
        assert guess("203.0.113.2") == 401, "another client behind the proxy has its own count"
    with db.read() as session:
        addresses = [
            e.after["address"]
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "session.sign_in_failed")
            )
            if e.after
        ]
    assert addresses == ["203.0.113.1", "203.0.113.1", "203.0.113.2"]


def test_a_bad_trusted_proxy_setting_stops_the_server(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_TRUSTED_PROXIES", "10.0.0.1, my-proxy")
    refused = pytest.raises(RuntimeError, match="'my-proxy' is not an IP address or a CIDR range")
    with refused, live_server(settings):
        pass
