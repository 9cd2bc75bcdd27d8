"""The SDK's calls for webhooks (mixed into `Client`; managers; docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.sdk.pages import PagedCalls


class WebhookCalls(PagedCalls):
    """Register, change, test and follow a project's webhooks and their deliveries."""

    def webhooks(self, project_id: int) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._call("GET", f"/projects/{project_id}/webhooks")
        return data

    def create_webhook(
        self, project_id: int, url: str, events: list[str], description: str = ""
    ) -> dict[str, Any]:
        """Register a webhook; the answer's ``secret`` is shown only this once."""
        body = {"url": url, "events": events, "description": description}
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/webhooks", json=body)
        return data

    def update_webhook(self, project_id: int, webhook_id: int, **changes: Any) -> dict[str, Any]:
        """Change ``url``, ``events``, ``description`` or ``enabled``."""
        data: dict[str, Any] = self._call(
            "PATCH", f"/projects/{project_id}/webhooks/{webhook_id}", json=changes
        )
        return data

    def rotate_webhook_secret(self, project_id: int, webhook_id: int) -> dict[str, Any]:
        """A new signing secret, in the answer's ``secret`` (only this once)."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/webhooks/{webhook_id}/rotate-secret"
        )
        return data

    def test_webhook(self, project_id: int, webhook_id: int) -> dict[str, Any]:
        """Queue a ``ping`` delivery; follow it in `webhook_deliveries`."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/webhooks/{webhook_id}/test"
        )
        return data

    def webhook_deliveries(
        self, project_id: int, webhook_id: int, state: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The webhook's delivery log, newest first, every page."""
        path = f"/projects/{project_id}/webhooks/{webhook_id}/deliveries"
        yield from self._pages(path, {"state": state}, cursor="before")

    def redeliver(self, project_id: int, webhook_id: int, delivery_id: int) -> dict[str, Any]:
        """Send a finished delivery again (as a new delivery)."""
        data: dict[str, Any] = self._call(
            "POST",
            f"/projects/{project_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        )
        return data

    def delete_webhook(self, project_id: int, webhook_id: int) -> None:
        self._call("DELETE", f"/projects/{project_id}/webhooks/{webhook_id}")

    # -- plumbing ------------------------------------------------------------------------
