"""The app called in-process, for the export tests that go through the API."""

from tests.api.conftest import api, client

__all__ = ["api", "client"]
