"""The app, called in-process, and API helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from accord import security
from accord.api.app import create_app
from accord.db import Database
from accord.settings import Settings


class Api:
    """A test client that speaks for one token (or anonymously)."""

    def __init__(self, client: TestClient, token: str | None = None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self("DELETE", path, **kwargs)

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    app = create_app(settings, db)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its lowest cost: for tests about accounts, not about hashing."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def admin(db: Database, api: Api) -> Api:
    """An admin's API."""
    from tests.factories import make_user

    _, token = make_user(db, "admin@example.com", admin=True)
    return api.as_(token)
